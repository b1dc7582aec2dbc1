"""`notify` and `escalate` in clones of one store (cli.md, "Git"): each syncs, claims its work in a commit it
pushes before sending, and skips what another clone claimed; one real SMTP server receives every email."""

import json
import threading

import pytest

from git_store import crmctl_program, git, git_env, status
from git_team import at, make_team, team_template  # noqa: F401 (a fixture)
from smtp_server import smtp  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow  # git, crmctl and an SMTP server in processes and threads


@pytest.fixture(autouse=True)
def git_identity(monkeypatch):
    git_env(monkeypatch)


@pytest.fixture
def team(tmp_path, team_template):
    """Two clones where the shared request is delegated to taija.halme: with the project's stage assignment of
    jussi.myyja, two emails to send."""
    remote, (mette, taija) = make_team(tmp_path, team_template)
    mette.ok("sr", "delegate", team_template[1], "taija.halme", now=at("10:30"))
    mette.ok("sync")
    taija.ok("sync")
    return remote, (mette, taija)


def notify(clone, smtp):
    return clone.run("notify", "--smtp", smtp.address, "--from", "crm@example.fi", now=at("11:00"))


def recipients(smtp):
    return sorted(to for item in smtp.inbox.take() for to in item["to"])


def assignments(clone, record_id):
    return clone.data(record_id)["assignments"]


def test_notify_in_two_clones_at_once_sends_each_email_once(team, smtp, team_template):
    _, clones = team
    results = [None, None]

    def go(n):
        results[n] = notify(clones[n], smtp)

    threads = [threading.Thread(target=go, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert recipients(smtp) == ["jussi.myyja@example.fi", "taija.halme@example.fi"]
    for clone in clones:
        assert notify(clone, smtp).returncode == 0
    assert smtp.inbox.take() == []
    for clone in clones:
        clone.ok("sync")
    mette, taija = clones
    for record_id in team_template[1:]:
        assert mette.record(record_id) == taija.record(record_id)
    delegated = assignments(taija, team_template[1])[-1]
    assert delegated["user"] == "taija.halme" and delegated["notified_to"] == "taija.halme@example.fi"
    assert status(mette.path) == status(taija.path) == ""
    claims = git(mette.path, "log", "--format=%an|%s", "--grep=^notify").stdout.splitlines()
    assert len(claims) == 1 and claims[0].split("|")[1].startswith("notify ")


def test_a_failed_send_releases_its_claim_for_the_next_run(team, smtp, team_template):
    _, (mette, taija) = team
    smtp.inbox.refuse, smtp.inbox.refuse_only = "550 5.1.1 mailbox unavailable", "taija.halme@example.fi"
    failed = notify(mette, smtp)
    assert failed.returncode == 1
    assert "1 emails could not be sent" in failed.stderr or "taija.halme" in failed.stderr
    assert recipients(smtp) == ["jussi.myyja@example.fi"]
    assert "notified" not in assignments(mette, team_template[1])[-1]
    assert git(mette.path, "status", "--porcelain", "-b").stdout.startswith("## main...origin/main\n")
    smtp.inbox.refuse = None
    assert notify(taija, smtp).returncode == 0
    assert recipients(smtp) == ["taija.halme@example.fi"]
    mette.ok("sync")
    assert mette.record(team_template[1]) == taija.record(team_template[1])
    assert assignments(mette, team_template[1])[-1]["notified_to"] == "taija.halme@example.fi"


def test_escalate_whose_push_is_refused_skips_what_the_other_clone_escalated(tmp_path, team, team_template):
    """mette escalates and pushes between taija's claim and taija's push (a pre-push hook makes it happen)."""
    _, (mette, taija) = team
    late = at("10:00", day=31)  # the request was due on the 28th
    hook = taija.path / ".git" / "hooks" / "pre-push"
    flag = tmp_path / "raced"
    hook.write_text(f"#!/bin/sh\n[ -e {flag} ] && exit 0\ntouch {flag}\n"
                    f"cd {mette.path} && CRMCTL_USER=mette.murto {crmctl_program()} escalate >/dev/null\n")
    hook.chmod(0o755)
    second = taija.run("escalate", "--format", "json", now=late)
    assert flag.exists()
    assert (second.returncode, second.stdout.strip()) == (0, "[]"), second.stderr
    mette.ok("sync")
    history = mette.data(team_template[1])["history"]
    assert [(e["event"], e["by"]) for e in history if e["event"] == "escalated"] == [("escalated", "mette.murto")]
    assert mette.record(team_template[1]) == taija.record(team_template[1])
    assert status(taija.path) == ""


def test_a_claim_that_cannot_be_pushed_is_dropped_and_nothing_is_sent(team, smtp, team_template):
    _, (mette, taija) = team
    hook = taija.path / ".git" / "hooks" / "pre-push"
    hook.write_text("#!/bin/sh\necho 'the server is away' >&2\nexit 1\n")
    hook.chmod(0o755)
    head = taija.head()
    failed = notify(taija, smtp)
    assert failed.returncode == 1 and "the server is away" in failed.stderr
    assert smtp.inbox.take() == []
    assert taija.head() == head and status(taija.path) == ""
    assert "notified" not in assignments(taija, team_template[1])[-1]
