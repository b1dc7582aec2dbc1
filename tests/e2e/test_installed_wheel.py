"""crmctl as a user gets it: a wheel built from the checkout, installed into a clean venv outside it.

Nothing may come from the source tree: the venv has no access to it, the commands
run from another directory without PYTHONPATH, so templates and the default
configuration must be inside the wheel (issue 10: `report --format md` and
`notify` failed with TemplatesNotFound when installed).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import crmctl

REPO = Path(crmctl.__file__).resolve().parent.parent
# What a wheel is built from; copied first, so the build leaves no build/ folder in the checkout to go stale.
SOURCES = ("setup.py", "setup.cfg", "pyproject.toml", "README.md", "LICENSE", "crmctl", "templates")
LAST_DEMO_MOMENT = "2011-03-31T18:00:00+03:00"  # the demo's last day: nothing lies in the future

pytestmark = pytest.mark.slow


def _run(args, cwd, env=None, timeout=600):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(crmctl executable, venv python, a directory outside the checkout) of a fresh wheel install."""
    outside = tmp_path_factory.mktemp("installed")
    source = outside / "source"
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, source / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(outside / "dist"), str(source)],
         cwd=outside)
    wheel = next((outside / "dist").glob("crmctl-*.whl"))
    _run([sys.executable, "-m", "venv", str(outside / "venv")], cwd=outside)
    bindir = outside / "venv" / ("Scripts" if os.name == "nt" else "bin")
    _run([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=outside)
    return bindir / "crmctl", bindir / "python", outside


@pytest.fixture
def crmctl_installed(installed):
    program, _python, outside = installed
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("CRMCTL_")}
    env["CRMCTL_NOW"] = LAST_DEMO_MOMENT

    def run(*args):
        return _run([str(program), *args], cwd=outside, env=env)

    return run, outside


def test_the_wheel_carries_the_templates_and_the_package_comes_from_the_venv(installed):
    _program, python, outside = installed
    where = _run([str(python), "-c", "import crmctl, crmctl.kernel.resources as r; "
                  "print(crmctl.__file__); print(r.templates_dir()); print(r.defaults_dir())"],
                 cwd=outside, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"}).stdout.splitlines()
    venv = outside / "venv"
    assert all(Path(line).is_relative_to(venv) for line in where), where
    assert (Path(where[1]) / "reports" / "monthly.md.j2").is_file()
    assert (Path(where[1]) / "email" / "assignment_body.fi.txt").is_file()


def test_installed_crmctl_runs_init_report_notify_manual_and_check(crmctl_installed):
    run, outside = crmctl_installed
    run("init", "--demo", "demo")
    store = ["--root", str(outside / "demo")]
    report = run(*store, "--lang", "en", "report", "monthly", "--from", "2011-01", "--to", "2011-03", "--format", "md")
    assert "| 2011-03 | 73 (+24) | 28 (+12) | 44 (+11) |" in report.stdout
    notify = run(*store, "notify", "--dry-run", "--from", "2011-03-01")
    assert "@example.fi" in notify.stdout
    run(*store, "manual", "build", "--out", str(outside / "manual"))
    assert {p.relative_to(outside / "manual").as_posix() for p in (outside / "manual").rglob("index.md")} == \
        {"fi/index.md", "en/index.md"}
    run(*store, "check")
