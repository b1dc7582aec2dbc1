"""Start-up: `crmctl --version` and `crmctl --help` load no module that only some commands need."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crmctl.cli import COMMANDS

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("jinja2", "smtplib", "tabulate", "holidays", "click.testing", "crmctl.manual", "crmctl.demo",
         "crmctl.reports", "phonenumbers", "email_validator")

PROBE = """
import json, sys
from crmctl.cli import main
sys.argv = ["crmctl", *json.loads(sys.argv[1])]
code = 0
try:
    main()
except SystemExit as stop:
    code = stop.code
sys.stdout.flush()
heavy = sorted(m for m in sys.modules if m in HEAVY or m.startswith(tuple(n + "." for n in HEAVY)))
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def loaded_by(*args, heavy=HEAVY):
    """The heavy modules loaded by running `crmctl ARGS` in a fresh interpreter (which must succeed)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", f"HEAVY = {heavy!r}\n{PROBE}", json.dumps(args)],
                          capture_output=True, text=True, env=env, cwd=REPO, check=True)
    outcome = json.loads(done.stderr.splitlines()[-1])
    assert outcome["code"] in (0, None), done.stderr
    return done.stdout, outcome["heavy"]


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["sr", "--help"]])
def test_version_and_help_load_no_heavy_module(args):
    stdout, heavy = loaded_by(*args)
    assert stdout.startswith("crmctl, version" if args == ["--version"] else "Usage: crmctl")
    assert heavy == []


def test_version_loads_no_store_engine_or_index():
    """`--version` pays for click and yaml only: not the configuration, the store, the column index's sqlite3
    and multiprocessing, or the engine."""
    unwanted = HEAVY + ("sqlite3", "multiprocessing", "pickle", "crmctl.store", "crmctl.engine", "crmctl.config",
                        "crmctl.workflows", "crmctl.present")
    stdout, heavy = loaded_by("--version", heavy=unwanted)
    assert stdout.startswith("crmctl, version") and heavy == []


def test_a_command_loads_what_it_uses():
    """The probe sees lazy imports: the report help needs the reports, and still no jinja2 or tabulate."""
    stdout, heavy = loaded_by("report", "--help")
    assert "monthly" in stdout
    assert "crmctl.reports" in heavy and "jinja2" not in heavy and "tabulate" not in heavy


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_command_loads_alone(name):
    """Commands load lazily, each in its own way: every one must import alone, with nothing loaded before it."""
    stdout, _ = loaded_by(name, "--help")
    assert stdout.startswith(f"Usage: crmctl {name} ")


def test_the_manual_default_out_matches_the_builders():
    from crmctl.cli.manual import DEFAULT_OUT
    from crmctl.manual.builder import DEFAULT_OUT as BUILDER_DEFAULT_OUT

    assert DEFAULT_OUT == BUILDER_DEFAULT_OUT
