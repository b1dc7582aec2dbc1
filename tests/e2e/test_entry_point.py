"""The installed `crmctl` command (console script, else `python -m crmctl`) in a real process."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import crmctl
from crmctl.workflows.new_store import create_store

pytestmark = pytest.mark.slow  # starts crmctl in new processes

REPO = Path(crmctl.__file__).resolve().parent.parent


def command():
    """The console script when installed, else the module; both import the code under test."""
    found = shutil.which("crmctl")
    return [found] if found else [sys.executable, "-m", "crmctl"]


@pytest.fixture
def crmctl_process(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}

    def run(*args, cwd=tmp_path, **extra_env):
        return subprocess.run([*command(), *args], cwd=cwd, env={**env, **extra_env},
                              capture_output=True, text=True, timeout=60)

    return run


@pytest.mark.parametrize("program", [command(), [sys.executable, "-m", "crmctl"]], ids=["installed", "module"])
def test_version_and_list_in_a_subprocess(tmp_path, crmctl_process, program, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "command", lambda: program)
    store = create_store(tmp_path / "store")
    version = crmctl_process("--version")
    assert (version.returncode, version.stdout, version.stderr) == (0, f"crmctl, version {crmctl.__version__}\n", "")
    listed = crmctl_process("--root", str(store.root), "customer", "list", "-q")
    assert (listed.returncode, listed.stdout, listed.stderr) == (0, "CUST-GENERAL\n", "")
    as_json = crmctl_process("customer", "list", "--format", "json", CRMCTL_ROOT=str(store.root))
    assert as_json.returncode == 0
    assert '"id": "CUST-GENERAL"' in as_json.stdout
    walked = crmctl_process("customer", "list", "-q", cwd=store.root / "customers")
    assert walked.stdout == "CUST-GENERAL\n"


def test_errors_in_a_subprocess_have_no_traceback(tmp_path, crmctl_process):
    store = create_store(tmp_path / "store")
    unknown = crmctl_process("--root", str(store.root), "customer", "show", "CUST-NOBODY")
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert unknown.stderr == "Virhe: 'CUST-NOBODY' ei vastaa yhtään tietuetta (tyyppi: asiakkuus)\n"
    usage = crmctl_process("--root", str(store.root), "customer", "list", "--bogus")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr
    assert usage.stderr.endswith("Error: No such option '--bogus'.\n")
    nowhere = crmctl_process("customer", "list", cwd=tmp_path)
    assert nowhere.returncode == 1
    assert nowhere.stderr.startswith("Virhe: tästä kansiosta tai sen yläpuolelta ei löydy crmctl-varastoa")
