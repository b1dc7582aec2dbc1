"""Portability and packaging: the store imports and locks without fcntl (as on Windows), the templates
come from one place, and the demo generator stays apart from the CLI and the manual."""

import subprocess
import sys
import textwrap

from crmctl.kernel import resources, templates


def test_store_imports_and_locks_without_fcntl(tmp_path):
    # A fresh interpreter with fcntl made unimportable, as on Windows.
    program = textwrap.dedent(f"""
        import sys
        sys.modules["fcntl"] = None
        from crmctl.store.store import Store
        store = Store({str(tmp_path)!r})
        with store.lock():
            with store.lock():
                pass
        print("locked")
    """)
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    # Neither fcntl nor msvcrt here: the lock falls back to an exclusively created file.
    assert (done.returncode, done.stdout) == (0, "locked\n"), done.stderr


def test_every_template_loader_uses_the_resources_folder():
    folder = resources.templates_dir()
    assert (folder / "reports" / "monthly.md.j2").is_file()
    assert str(folder) in templates.environment().loader.searchpath
    assert (resources.defaults_dir() / "crmctl.yaml").is_file()


def test_the_demo_is_loaded_only_by_init_demo():
    # The CLI and the manual builder (whose examples have their own people) never import the demo generator.
    program = "import sys, crmctl.cli, crmctl.manual.builder; print(sorted(m for m in sys.modules if 'demo' in m))"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr
