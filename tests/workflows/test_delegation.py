"""Delegation: owner, actions line, history event and assignment in one atomic write."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import NOW, new_request, snapshot

from crmctl.workflows import delegation
from crmctl.engine.directory import set_user

REPO = Path(__file__).resolve().parents[2]


def test_delegate_changes_owner_logs_action_event_and_assignment(run, store):
    record_id = new_request(run)
    result = run("sr", "delegate", record_id, "taija.halme")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    record = store.get(record_id)
    assert record["owner"] == "taija.halme"
    assert record["actions"] == "Delegoitu: käyttäjälle Taija Halme, delegoija mmu, 2011-01-25"
    assert record["assignments"] == [{"user": "taija.halme", "reason": "delegated", "by": "mette.murto",
                                      "at": record["history"][-1]["at"]}]
    last = record["history"][-1]
    assert last["event"] == "delegated"
    assert (last["from"], last["to"], last["by"]) == ("mette.murto", "taija.halme", "mette.murto")
    assert last["changes"]["owner"] == ["mette.murto", "taija.halme"]
    assert last["at"].isoformat() == NOW
    assert run("check").exit_code == 0


def test_delegate_appends_to_existing_actions_with_note(run, store):
    record_id = new_request(run, "actions=Soitettu asiakkaalle")
    assert run("sr", "delegate", record_id, "Taija Halme", "note=tarkista lasku").exit_code == 0
    assert run("sr", "delegate", record_id, "sanna.salo", "--as", "taija.halme").exit_code == 0
    record = store.get(record_id)
    assert record["actions"] == (
        "Soitettu asiakkaalle\n"
        "Delegoitu: käyttäjälle Taija Halme, delegoija mmu, 2011-01-25: tarkista lasku\n"
        "Delegoitu: käyttäjälle Sanna Salo, delegoija tha, 2011-01-25")
    # Taija's own change (delegating onwards) acknowledged her assignment; Sanna's is open.
    assert [(a["user"], bool(a.get("acknowledged"))) for a in record["assignments"]] == [
        ("taija.halme", True), ("sanna.salo", False)]
    assert [e["event"] for e in record["history"]] == ["created", "delegated", "delegated", "acknowledged"]
    assert record["history"][1]["note"] == "tarkista lasku"


def test_delegation_line_follows_store_language(store):
    config = store.config
    line = delegation.log_line(config, "en", "taija.halme", "mette.murto", date(2011, 1, 25))
    assert line == "Delegated: to Taija Halme, delegated by mmu, 2011-01-25"


def test_delegate_to_unknown_user_changes_nothing(run, store):
    record_id = new_request(run)
    before = snapshot(store.root)
    result = run("sr", "delegate", record_id, "nobody")
    assert result.exit_code == 1
    assert result.stderr == ("Virhe: tietue rikkoo näitä sääntöjä:\n"
                             "  owner (Vastuuhenkilö): tuntematon käyttäjä 'nobody'\n")
    assert snapshot(store.root) == before


def test_delegate_to_inactive_user_changes_nothing(run, store):
    record_id = new_request(run)
    set_user(store, "taija.halme", {"active": "false"}, "mette.murto")
    before = snapshot(store.root)
    result = run("sr", "delegate", record_id, "taija.halme", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == "Error: user 'taija.halme' is not active\n"
    assert snapshot(store.root) == before


def test_delegate_resolved_request_is_refused(run, store):
    record_id = new_request(run)
    assert run("sr", "status", record_id, "resolved", "resolution=Hoidettu").exit_code == 0
    before = snapshot(store.root)
    result = run("sr", "delegate", record_id, "taija.halme", "--lang", "en")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {record_id} is resolved; reopen it before delegating\n"
    assert snapshot(store.root) == before


def test_delegate_to_current_owner_and_bad_arguments_change_nothing(run, store):
    record_id = new_request(run)
    before = snapshot(store.root)
    result = run("sr", "delegate", record_id, "mette.murto", "--lang", "en")
    assert (result.exit_code, result.stderr) == (0, f"mette.murto already owns {record_id}; nothing changed.\n")
    result = run("sr", "delegate", record_id, "mette.murto", "note=soita", "--lang", "en")  # a note is news
    assert (result.exit_code, result.stderr) == (1, f"Error: mette.murto already owns {record_id}\n")
    result = run("sr", "delegate", record_id, "taija.halme", "colour=red")
    assert result.exit_code == 2
    assert run("sr", "delegate", record_id).exit_code == 2
    assert snapshot(store.root) == before


def test_delegate_is_generic_for_types_with_an_owner(run, store):
    """Leads have an owner but no actions log: delegation works, without the log line."""
    assert "actions" not in store.config.types["lead"].fields
    created = run("lead", "new", "topic=gas_connection", "person_name=Maija Mehiläinen", "phone=040 1112223",
                  "owner=jussi.myyja")
    assert created.exit_code == 0, created.stderr
    lead_id = created.stdout.strip()
    assert run("lead", "delegate", lead_id, "kaisa.kauppinen").exit_code == 0
    record = store.get(lead_id)
    assert record["owner"] == "kaisa.kauppinen" and "actions" not in record
    assert record["history"][-1]["event"] == "delegated"
    assert [a["user"] for a in record["assignments"] if not a.get("acknowledged")][-1] == "kaisa.kauppinen"
    assert lead_id in run("inbox", "--user", "kaisa.kauppinen", "-q").stdout


def _cli(store, *args, user="mette.murto"):
    env = {**os.environ, "PYTHONPATH": str(REPO), "CRMCTL_NOW": NOW, "CRMCTL_USER": user}
    return subprocess.Popen([sys.executable, "-m", "crmctl", "--root", str(store.root), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_parallel_delegations_both_land(run, store):
    record_id = new_request(run)
    first = _cli(store, "sr", "delegate", record_id, "taija.halme")
    second = _cli(store, "sr", "delegate", record_id, "sanna.salo")
    assert first.wait(60) == 0, first.stderr.read()
    assert second.wait(60) == 0, second.stderr.read()
    record = store.get(record_id)
    delegated = [e for e in record["history"] if e["event"] == "delegated"]
    assert len(delegated) == 2
    # Whichever ran second saw the first one's result: the chain is unbroken.
    assert delegated[0]["from"] == "mette.murto"
    assert delegated[1]["from"] == delegated[0]["to"]
    assert record["owner"] == delegated[1]["to"]
    assert sorted(a["user"] for a in record["assignments"]) == ["sanna.salo", "taija.halme"]
    assert len(record["actions"].splitlines()) == 2
    assert run("check").exit_code == 0


def test_delegating_onwards_hands_over_previous_owners_open_assignment(run, store):
    record_id = new_request(run)
    assert run("sr", "delegate", record_id, "taija.halme").exit_code == 0
    # Mette takes the work away from Taija before she has seen it.
    assert run("sr", "delegate", record_id, "sanna.salo").exit_code == 0
    record = store.get(record_id)
    at = record["history"][-1]["at"]
    assert record["assignments"] == [
        {"user": "taija.halme", "reason": "delegated", "by": "mette.murto", "at": at,
         "handed_over": at, "handed_over_to": "sanna.salo"},
        {"user": "sanna.salo", "reason": "delegated", "by": "mette.murto", "at": at}]
    assert [e["event"] for e in record["history"]] == ["created", "delegated", "delegated"]
    assert "  handed_over_to: sanna.salo\n" in store.path_of(record_id).read_text()
    assert run("inbox", "--user", "taija.halme", "-q").stdout == ""
    assert run("inbox", "--user", "sanna.salo", "--format", "json").stdout.count(record_id) == 1
    assert run("sr", "list", "assignee=taija.halme", "-q").stdout == ""
    assert run("sr", "list", "assignee=sanna.salo", "-q").stdout == f"{record_id}\n"
    shown = run("sr", "show", record_id).stdout
    assert "sanna.salo (delegated" in shown and "taija.halme (delegated" not in shown
    assert run("check").exit_code == 0


def test_hand_over_closes_only_that_users_open_assignments():
    from crmctl.engine.assignments import assign, hand_over, pending
    record = {}
    assign(record, "taija.halme", "delegated", "mette.murto", "t1")
    assign(record, "liisa.laine", "escalated", "system", "t2")
    record["assignments"].append({"user": "taija.halme", "reason": "delegated", "by": "x", "at": "t0",
                                  "acknowledged": "t0"})
    assert hand_over(record, "taija.halme", "sanna.salo", "t3") == 1
    assert [a["user"] for a in pending(record)] == ["liisa.laine"]
    assert record["assignments"][2] == {"user": "taija.halme", "reason": "delegated", "by": "x", "at": "t0",
                                        "acknowledged": "t0"}
