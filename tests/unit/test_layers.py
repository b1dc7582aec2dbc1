"""The package's shape: every module imports alone, no import cycle, no import of a higher layer, small modules.

The import graph is read with `ast` from the source: module-level imports
and imports inside functions alike. An edge goes to the module named (to
`crmctl.x.y` for `from crmctl.x import y` when `y` is a module); the
implicit import of a package's `__init__` by its submodules is not an edge.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "crmctl"

# Lower numbers are lower layers; a module may import its own layer or lower ones.
LAYERS = {
    "crmctl": 0,            # the package itself: only __version__
    "kernel": 0,
    "config": 1,
    "store": 2,
    "engine": 3,
    "workflows": 4,
    "present": 5,
    "checks": 6,
    "io": 7, "reports": 7, "manual": 7, "demo": 7, "team": 7,
    "builtins": 8,          # registers the built-ins of every layer below
    "cli": 9, "__main__": 9,
}
MAX_LINES = 500
MAX_TOP_LEVEL_MODULES = 12  # `.py` files directly in crmctl/ (subpackages not counted)
# The registry loads the built-ins by name; the root group loads commands by name (click's lazy loading, so
# `crmctl --version` imports no command); both name only modules of their own layer or below the caller.
NAMED_IMPORTS_ALLOWED = {"crmctl.kernel.registry", "crmctl.cli.base"}


def _modules():
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(path):
    """The crmctl modules `path` imports, anywhere in the file."""
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names if alias.name.split(".")[0] == "crmctl"}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import"
            if node.module and node.module.split(".")[0] == "crmctl":
                for alias in node.names:
                    name = f"{node.module}.{alias.name}"
                    targets.add(name if name in MODULES else node.module)
    return targets


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _layer(module):
    parts = module.split(".")
    return LAYERS[parts[1] if len(parts) > 1 else parts[0]]


def test_layer_table_names_every_room():
    rooms = {m.split(".")[1] for m in MODULES if "." in m}
    assert rooms <= set(LAYERS), f"rooms without a layer: {rooms - set(LAYERS)}"


def test_every_module_imports_alone_in_a_fresh_interpreter():
    # One interpreter that forks a child per module: each child starts with no crmctl module loaded.
    # Third-party libraries are loaded once in the parent to keep the test fast; they do not hide
    # crmctl's own import order.
    script = r"""
import os, sys, traceback
for lib in ("yaml", "click", "jinja2", "tabulate"):
    try:
        __import__(lib)
    except ImportError:
        pass
failed = []
for name in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        try:
            __import__(name)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        failed.append(name)
print(" ".join(failed))
"""
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    modules = [m for m in MODULES if m != "crmctl.__main__"]  # `python -m crmctl`: importing it runs the CLI
    result = subprocess.run([sys.executable, "-c", script, *modules], capture_output=True, text=True,
                            env=env, cwd=PACKAGE.parent, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [], result.stderr


def test_no_import_cycle():
    visiting, done = [], set()

    def visit(module):
        if module in done:
            return
        assert module not in visiting, "import cycle: " + " -> ".join(visiting[visiting.index(module):] + [module])
        visiting.append(module)
        for target in sorted(GRAPH.get(module, ())):
            visit(target)
        visiting.pop()
        done.add(module)

    for module in MODULES:
        visit(module)


def test_no_module_imports_a_higher_layer():
    upward = [f"{module} -> {target}" for module, targets in GRAPH.items() for target in targets
              if _layer(target) > _layer(module)]
    assert upward == []


def test_no_module_imports_by_name_but_the_registry():
    named = set()
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in ("import_module", "__import__"):
                    named.add(module)
    assert named == NAMED_IMPORTS_ALLOWED


def test_no_module_is_over_500_lines():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_at_most_12_modules_directly_in_the_package():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_record_type_keys_are_named_only_in_workflows():
    # Keys that are only type keys; "lead", "customer" and "project" are also field and command names.
    type_keys = {"service_request", "account_request", "sales_project"}
    outside = {"crmctl.workflows", "crmctl.demo"}  # the demo is scripted data, like the configuration
    found = []
    for module, path in MODULES.items():
        if any(module == room or module.startswith(room + ".") for room in outside):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in type_keys:
                found.append(f"{module}:{node.lineno}: {node.value}")
    assert found == []
