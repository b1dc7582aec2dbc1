"""SLA due dates in working days, the overdue view and `crmctl escalate`."""

import json
from datetime import date

from conftest import new_request, snapshot

from crmctl.engine.directory import set_user
from smtp_server import smtp  # noqa: F401  (fixture)


def at(monkeypatch, moment):
    monkeypatch.setenv("CRMCTL_NOW", moment)


def test_due_counts_working_days_across_weekend_and_epiphany(run, store, monkeypatch):
    at(monkeypatch, "2011-01-05T10:00:00+02:00")  # Wednesday; Thursday 6.1. is loppiainen (Epiphany)
    normal = new_request(run)
    urgent = new_request(run, "severity=1")
    medium = new_request(run, "severity=3")
    feedback = new_request(run, "subject=feedback")
    due = {r: [" ".join(line.split()) for line in run("sr", "show", r, "--lang", "en").stdout.splitlines()]
           for r in (normal, urgent, medium, feedback)}
    assert "Due 2011-01-11" in due[normal]  # Fri 7, Mon 10, Tue 11
    assert "Due 2011-01-07" in due[urgent]
    assert "Due 2011-01-10" in due[medium]
    assert "Due 2011-01-10" in due[feedback]
    assert run("sr", "list", "--format", "csv").stdout.splitlines()[0].endswith(",status_reason,due")
    listed = run("sr", "list", "--view", "unresolved", "--format", "csv").stdout.splitlines()
    assert listed[0].endswith(",due") and any(line.endswith(",2011-01-11") for line in listed)


def test_overdue_from_the_day_after_due(run, store, monkeypatch):
    at(monkeypatch, "2011-01-05T10:00:00+02:00")
    record_id = new_request(run)
    at(monkeypatch, "2011-01-11T16:00:00+02:00")
    assert run("sr", "list", "--view", "overdue", "-q").stdout == ""
    at(monkeypatch, "2011-01-12T08:00:00+02:00")
    assert run("sr", "list", "--view", "overdue", "-q").stdout == f"{record_id}\n"
    assert run("sr", "status", record_id, "done", "resolution=Hoidettu").exit_code == 0
    assert run("sr", "list", "--view", "overdue", "-q").stdout == ""


def test_escalate_once_with_assignment_for_supervisor(run, store, monkeypatch):
    at(monkeypatch, "2011-01-05T10:00:00+02:00")
    late = new_request(run)
    run("sr", "delegate", late, "taija.halme")
    on_time = new_request(run, "received=2011-01-05")
    at(monkeypatch, "2011-01-10T09:00:00+02:00")
    on_time_later = new_request(run)
    at(monkeypatch, "2011-01-12T09:00:00+02:00")

    before = snapshot(store.root)
    dry = run("escalate", "--dry-run", "--format", "json")
    assert dry.exit_code == 0
    assert json.loads(dry.stdout) == sorted([
        {"id": late, "due": "2011-01-11", "owner": "taija.halme", "supervisor": "sanna.salo"},
        {"id": on_time, "due": "2011-01-11", "owner": "mette.murto", "supervisor": "sanna.salo"}],
        key=lambda e: e["id"])
    both = "".join(f"{i}\n" for i in sorted([late, on_time]))
    assert dry.stderr == "Eskaloitaisiin 2 (kuivaharjoitus, mitään ei kirjoitettu).\n"
    assert snapshot(store.root) == before

    result = run("escalate", "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (0, both, "Eskaloitu 2.\n")
    record = store.get(late)
    assert record["escalated"] == date(2011, 1, 12)
    assert record["assignments"][-1] == {"user": "sanna.salo", "reason": "escalated", "by": "mette.murto",
                                         "at": record["history"][-1]["at"], "owner": "taija.halme"}
    last = record["history"][-1]
    assert (last["event"], last["to"], last["owner"], last["due"]) == ("escalated", "sanna.salo", "taija.halme",
                                                                      date(2011, 1, 11))
    assert last["changes"] == {"escalated": [None, date(2011, 1, 12)]}
    # Escalating is bookkeeping: it does not acknowledge anybody's assignment.
    assert [a["user"] for a in record["assignments"] if not a.get("acknowledged")] == ["taija.halme", "sanna.salo"]
    assert run("inbox", "--user", "sanna.salo", "-q").stdout == both
    assert on_time_later not in run("sr", "list", "--view", "overdue", "-q").stdout
    assert run("check").exit_code == 0

    # Idempotent: a second run (even days later) escalates nothing again.
    before = snapshot(store.root)
    at(monkeypatch, "2011-01-20T09:00:00+02:00")
    again = run("escalate", "-q")
    assert (again.stdout, again.stderr) == (f"{on_time_later}\n", "Eskaloitu 1.\n")
    assert run("escalate").stderr == "Eskaloitu 0.\n"
    assert store.get(late) == record
    assert {k: v for k, v in snapshot(store.root).items() if on_time_later not in k} == \
        {k: v for k, v in before.items() if on_time_later not in k}


def test_owner_without_supervisor_is_reported_not_escalated(run, store, monkeypatch):
    at(monkeypatch, "2011-01-05T10:00:00+02:00")
    record_id = new_request(run, "--as", "sanna.salo")  # sanna.salo has no supervisor
    at(monkeypatch, "2011-01-12T09:00:00+02:00")
    before = snapshot(store.root)
    result = run("escalate", "--lang", "en")
    assert result.exit_code == 0
    assert result.stderr == (f"Warning: {record_id}: sanna.salo has no supervisor; not escalated\n"
                             "Escalated 0.\n")
    assert snapshot(store.root) == before
    set_user(store, "sanna.salo", {"supervisor": "mette.murto"}, "mette.murto")
    assert run("escalate", "-q").stdout == f"{record_id}\n"


def test_escalate_and_notify_run_as_crmctl_when_nobody_is_named(run, store, monkeypatch, smtp):
    """A cron job has no user: the events are by `crmctl`, which `check` accepts."""
    at(monkeypatch, "2011-01-05T10:00:00+02:00")
    record_id = new_request(run)
    at(monkeypatch, "2011-01-12T09:00:00+02:00")
    monkeypatch.delenv("CRMCTL_USER")
    assert run("escalate", "-q").stdout == f"{record_id}\n"
    assert run("notify", "--smtp", smtp.address, "--from", "crm@example.fi", "-q").stdout == f"{record_id}\n"
    record = store.get(record_id)
    assert [(e["event"], e["by"]) for e in record["history"][1:]] == [("escalated", "crmctl"), ("notified", "crmctl")]
    body = smtp.inbox.take()[0]["message"].get_content()
    assert body.replace("\r\n", "\n").startswith(
        "Hei Sanna Salo,\n\nTietue on myöhässä, ja se on eskaloitu sinulle vastuuhenkilön Mette Murto\n"
        "esimiehenä (2011-01-12 09:00):\n\n")
    assert run("check").exit_code == 0
    monkeypatch.setenv("CRMCTL_USER", "nobody")
    assert run("escalate").exit_code == 1  # a named but unknown user is still an error
