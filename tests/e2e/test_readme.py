"""Every shell example in README.md runs as written on a copy of the demo store (issue 15, item 10).

The `sh` blocks run in order in one bash (variables such as $SR carry over), in a folder holding a copy of
records/, at a fixed moment. Install and test-suite commands are left out, and so is a block that says why it
cannot run here (`<!-- not run: ... -->` above it). A line whose comment says it is rejected must fail."""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOW = "2011-04-01T10:00:00+03:00"  # the day after the demo store's quarter
INSTALL = re.compile(r"^(python3 -m venv|\. \.venv/bin/activate|pip install|python -m pytest)")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")]


def shell_blocks(text):
    """(first line number, lines) of each ```sh block not marked `not run`."""
    lines = text.splitlines()
    blocks, n = [], 0
    while n < len(lines):
        if lines[n].strip() == "```sh":
            start = n + 1
            end = next(i for i in range(start, len(lines)) if lines[i].strip() == "```")
            before = next((lines[i] for i in range(n - 1, -1, -1) if lines[i].strip()), "")
            if not before.startswith("<!-- not run:"):
                blocks.append((start + 1, lines[start:end]))
            n = end
        n += 1
    return blocks


def commands(block_start, lines):
    """(line number, command, expected to fail) per command: continuation lines joined, install steps left out."""
    found, pending, first = [], "", None
    for number, line in enumerate(lines, block_start):
        if pending == "" and (not line.strip() or line.lstrip().startswith("#")):
            continue
        first = number if pending == "" else first
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1]
            continue
        command = pending + line
        pending = ""
        comment = command.split("  #", 1)[1] if "  #" in command else ""
        steps = [step for step in command.split("  #", 1)[0].split(" && ") if not INSTALL.match(step.strip())]
        if steps:
            found.append((first, " && ".join(steps).strip(), "rejected" in comment))
    return found


def script(readme):
    out = ["set -u"]
    for start, lines in shell_blocks(readme):
        for number, command, fails in commands(start, lines):
            where = shlex.quote(f"README.md:{number}: {command}")
            if fails:
                out.append(f"if {command}; then echo {where} should fail >&2; exit 99; fi")
            else:
                out.append(f"{command} || {{ echo {where} failed >&2; exit 98; }}")
    return "\n".join(out) + "\n"


def test_the_script_covers_the_examples():
    text = script((REPO / "README.md").read_text(encoding="utf-8"))
    assert 'SR=$(crmctl sr new title="Mittarilukema"' in text
    assert "crmctl --root records report monthly --from 2011-01 --to 2011-03 ||" in text
    assert "pip install" not in text and "python -m pytest" not in text and "crmctl resolve" not in text
    assert "if crmctl sr new title=\"Mittarilukema\" customer=CUST-GENERAL; then" in text


def test_every_readme_example_runs_on_the_demo_store(tmp_path):
    shutil.copytree(REPO / "records", tmp_path / "records")
    env = {key: value for key, value in os.environ.items() if not key.startswith("CRMCTL_")}
    env.update(CRMCTL_NOW=NOW, CRMCTL_FSYNC="0", HOME=str(tmp_path),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]))
    done = subprocess.run(["bash", "-c", script((REPO / "README.md").read_text(encoding="utf-8"))], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Mittarilukema" in done.stdout  # sr list --view unresolved shows the new request


def test_quick_start_output_is_what_the_command_prints(monkeypatch):
    from click.testing import CliRunner

    from crmctl.cli import cli

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = readme.split("report monthly --from 2011-01 --to 2011-03\n```\n\n```\n", 1)[1].split("```", 1)[0]
    monkeypatch.setenv("CRMCTL_NOW", NOW)
    result = CliRunner().invoke(cli, ["--root", str(REPO / "records"), "report", "monthly", "--from", "2011-01",
                                      "--to", "2011-03"], catch_exceptions=False)
    assert result.stdout == shown
