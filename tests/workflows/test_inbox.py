"""Inbox and acknowledgement: a delegation reaches its new owner until they acknowledge it."""

import json

from conftest import new_request, snapshot

from crmctl.workflows import inbox
from crmctl.engine.assignments import assign
from crmctl.engine.records import change


def test_inbox_lists_assignments_with_what_from_whom_since_when(run, store):
    record_id = new_request(run)
    assert run("sr", "delegate", record_id, "taija.halme", "note=soita takaisin").exit_code == 0
    result = run("inbox", "--user", "taija.halme")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["Tunniste", "Tietue", "Mitä", "Keneltä", "Alkaen"]
    assert result.stdout.splitlines()[2] == (
        f"{record_id}  Laskussa virhe  Delegoitu: soita takaisin  mette.murto  2011-01-25T10:00:00+02:00")
    as_json = json.loads(run("inbox", "--as", "taija.halme", "--format", "json").stdout)
    assert as_json == [{"id": record_id, "type": "service_request", "title": "Laskussa virhe",
                        "reason": "delegated", "what": "Delegoitu", "by": "mette.murto",
                        "at": "2011-01-25T10:00:00+02:00",
                        "note": "soita takaisin"}]
    assert run("inbox", "-q").stdout == ""  # mette.murto has nothing


def test_inbox_english_labels(run, store):
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    lines = run("inbox", "--user", "taija.halme", "--lang", "en").stdout.splitlines()
    assert lines[0].split() == ["ID", "Record", "What", "From", "Since"]
    assert "Delegated" in lines[2]


def test_inbox_of_unknown_user_is_an_error(run):
    result = run("inbox", "--user", "nobody")
    assert (result.exit_code, result.stderr) == (1, "Virhe: tuntematon käyttäjä 'nobody' (katso `crmctl user list`)\n")
    result = run("inbox", "--user", "nobody", "--lang", "en")  # the CLI's errors follow the chosen language
    assert (result.exit_code, result.stderr) == (1, "Error: unknown user 'nobody' (see `crmctl user list`)\n")


def test_inbox_covers_every_record_type(store, run):
    """Assignments other workflows add (leads, stages, ...) appear too: the inbox reads all types."""
    record_id = new_request(run)

    def give(record, engine):
        assign(record, "sanna.salo", "stage_owner", "mette.murto", store.now())
        return [{"at": store.now(), "by": "mette.murto", "event": "assigned", "to": "sanna.salo"}]

    change(store, "CUST-GENERAL", "mette.murto", "fi", give, acknowledges=False)
    run("sr", "delegate", record_id, "sanna.salo")
    found = inbox.items(store, "sanna.salo")
    assert [(i["id"], i["reason"]) for i in found] == [("CUST-GENERAL", "stage_owner"), (record_id, "delegated")]
    assert inbox.reason_label("stage_owner", "fi") == "stage_owner"


def test_ack_acknowledges_and_takes_it_off_inbox_and_view(run, store):
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    assert run("sr", "list", "--view", "delegated_unacknowledged", "-q").stdout == f"{record_id}\n"
    result = run("ack", record_id[:14], "--as", "taija.halme")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    record = store.get(record_id)
    assert record["assignments"][0]["acknowledged"].isoformat() == "2011-01-25T10:00:00+02:00"
    assert record["history"][-1] == {"at": record["assignments"][0]["acknowledged"], "by": "taija.halme",
                                     "event": "acknowledged"}
    assert run("inbox", "--user", "taija.halme", "-q").stdout == ""
    assert run("sr", "list", "--view", "delegated_unacknowledged", "-q").stdout == ""


def test_ack_without_assignment_is_an_error_and_changes_nothing(run, store):
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    before = snapshot(store.root)
    result = run("ack", record_id, "--lang", "en")  # mette.murto delegated it; nothing for her
    assert result.exit_code == 1
    assert result.stderr == f"Error: mette.murto has no unacknowledged assignment on {record_id}\n"
    assert run("ack", "SR-2011", "--as", "taija.halme").exit_code == 0  # a unique prefix
    before = snapshot(store.root)
    again = run("ack", record_id, "--as", "taija.halme", "--lang", "en")  # twice: what was asked already holds
    assert (again.exit_code, again.stderr) == (0, f"taija.halme has already acknowledged {record_id}; nothing changed.\n")
    assert snapshot(store.root) == before


def test_any_change_by_the_assignee_acknowledges(run, store):
    record_id = new_request(run)
    run("sr", "delegate", record_id, "taija.halme")
    assert run("sr", "set", record_id, "case_type=problem", "--as", "mette.murto").exit_code == 0
    assert run("inbox", "--user", "taija.halme", "-q").stdout == f"{record_id}\n"  # someone else's change: no
    assert run("sr", "status", record_id, "researching", "--as", "taija.halme").exit_code == 0
    record = store.get(record_id)
    assert record["assignments"][0].get("acknowledged")
    assert [e["event"] for e in record["history"]][-2:] == ["status", "acknowledged"]
    assert run("inbox", "--user", "taija.halme", "-q").stdout == ""
