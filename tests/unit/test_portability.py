"""Portability: the store imports and locks where fcntl does not exist (Windows), templates come from one place."""

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
    # filelock warns that only its soft lock is left here (Windows has msvcrt); that is no failure.
    assert (done.returncode, done.stdout) == (0, "locked\n"), done.stderr


def test_every_template_loader_uses_the_resources_folder():
    folder = resources.templates_dir()
    assert (folder / "reports" / "monthly.md.j2").is_file()
    assert str(folder) in templates.environment().loader.searchpath
    assert (resources.defaults_dir() / "crmctl.yaml").is_file()
