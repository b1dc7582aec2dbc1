"""Issue 2's "Done when", walked through the CLI in a git repository.

A newcomer initialises a store, creates a customer and a service request
with missing mandatory fields (rejected, every missing rule named, nothing
written), fixes it, `crmctl check` passes, and after `crmctl sr set` the
`git diff` shows exactly the changed line plus its history event.
"""

import shutil
import subprocess

import pytest
from click.testing import CliRunner

from crmctl.cli import cli

pytestmark = [pytest.mark.slow,  # a whole walk with git in subprocesses
              pytest.mark.skipif(shutil.which("git") is None, reason="needs git")]


def git(repo, *args):
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def test_newcomer_walk_in_a_git_repository(tmp_path, monkeypatch):
    repo = tmp_path / "crm"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "mette.murto@example.fi")
    git(repo, "config", "user.name", "Mette Murto")
    monkeypatch.chdir(repo)
    monkeypatch.delenv("CRMCTL_USER")  # the acting user comes from git user.email
    runner = CliRunner()

    def crmctl(*args):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    assert crmctl("init", "records").exit_code == 0
    assert crmctl("region", "add", "kotka", "name=Kotka").exit_code == 0
    assert crmctl("user", "add", "mette.murto", "name=Mette Murto", "email=mette.murto@example.fi",
                  "roles=customer_service,admin", "region=kotka").exit_code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "New store")

    created = crmctl("customer", "new", "name=Matti Meikäläinen", "kind=person", "phone=040 1234567")
    assert created.exit_code == 0, created.stderr
    customer = created.stdout.strip()
    assert git(repo, "status", "--porcelain", "-uall") == f"?? records/customers/2011/01/{customer}.yaml\n"
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Customer")

    rejected = crmctl("sr", "new", "customer=CUST-GENERAL", "subject=Kaasusopimus")
    assert rejected.exit_code == 1
    assert rejected.stdout == ""
    assert rejected.stderr == (
        "Virhe: tietue rikkoo näitä sääntöjä:\n"
        "  title (Otsikko): pakollinen tieto\n"
        "  person_name (Henkilön nimi): pakollinen, kun customer = CUST-GENERAL\n"
        "  contract_change (Sopimusmuutos): pakollinen, kun subject = gas_contract\n"
    )
    assert git(repo, "status", "--porcelain", "-uall") == ""  # nothing written

    fixed = crmctl("sr", "new", "title=Uusi kaasusopimus", "customer=CUST-GENERAL", "subject=Kaasusopimus",
                   "person_name=Matti Meikäläinen", "contract_change=Kaasunostosopimus")
    assert fixed.exit_code == 0, fixed.stderr
    request = fixed.stdout.strip()
    path = f"records/service-requests/2011/01/{request}.yaml"
    assert git(repo, "status", "--porcelain", "-uall") == f"?? {path}\n"

    checked = crmctl("check")
    assert checked.exit_code == 0
    assert ": error: " not in checked.stdout
    assert checked.stderr.startswith("virheitä: 0,")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Service request")

    monkeypatch.setenv("CRMCTL_NOW", "2011-01-26T09:30:00+02:00")
    changed = crmctl("sr", "set", request[:12], "priority=Korkea")
    assert changed.exit_code == 0, changed.stderr
    assert git(repo, "status", "--porcelain", "-uall") == f" M {path}\n"
    diff = git(repo, "diff", "-U0").splitlines()
    hunks = [line.split(" @@")[0] for line in diff if line.startswith("@@")]
    assert hunks == ["@@ -9 +9", "@@ -15,0 +16,7"]
    assert [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "-priority: normal",
        "+priority: high",
        "+- at: 2011-01-26T09:30:00+02:00",
        "+  by: mette.murto",
        "+  event: changed",
        "+  changes:",
        "+    priority:",
        "+    - normal",
        "+    - high",
    ]
    assert crmctl("check").exit_code == 0
