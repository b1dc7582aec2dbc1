"""Every owner change is a delegation (issue 11, item 1): `set owner=`, `edit` and `project set owner=`
write the actions line, the `delegated` event and the new owner's assignment, as `delegate` does."""

import json

from conftest import new_request, snapshot

from crmctl.engine import records
from crmctl.engine.assignments import pending
from crmctl.engine.directory import set_user


def _delegated(record):
    return [e for e in record["history"] if e["event"] == "delegated"]


def test_set_owner_is_a_delegation(run, store):
    record_id = new_request(run)
    result = run("sr", "set", record_id, "owner=taija.halme")
    assert result.exit_code == 0, result.stderr
    record = store.get(record_id)
    assert record["owner"] == "taija.halme"
    assert record["actions"] == "Delegoitu: käyttäjälle Taija Halme, delegoija mmu, 2011-01-25"
    last = record["history"][-1]
    assert last["event"] == "delegated"
    assert (last["from"], last["to"], last["by"]) == ("mette.murto", "taija.halme", "mette.murto")
    assert last["changes"]["owner"] == ["mette.murto", "taija.halme"]
    assert [(a["user"], a["reason"]) for a in pending(record)] == [("taija.halme", "delegated")]
    assert run("inbox", "--user", "taija.halme", "-q").stdout == f"{record_id}\n"
    assert run("sr", "list", "--view", "delegated_unacknowledged", "-q").stdout == f"{record_id}\n"
    assert run("check").exit_code == 0


def test_set_owner_with_other_fields_is_one_delegation_carrying_every_change(run, store):
    record_id = new_request(run)
    assert run("sr", "set", record_id, "owner=taija.halme", "priority=high").exit_code == 0
    record = store.get(record_id)
    assert len(_delegated(record)) == 1
    assert set(record["history"][-1]["changes"]) == {"owner", "priority", "actions"}


def test_set_owner_hands_over_the_previous_owners_open_assignment(run, store):
    record_id = new_request(run)
    assert run("sr", "delegate", record_id, "taija.halme").exit_code == 0
    assert run("sr", "set", record_id, "owner=sanna.salo").exit_code == 0  # by mette, not taija
    record = store.get(record_id)
    taija = [a for a in record["assignments"] if a["user"] == "taija.halme"][0]
    assert taija["handed_over_to"] == "sanna.salo"
    assert [a["user"] for a in pending(record)] == ["sanna.salo"]
    assert run("inbox", "--user", "taija.halme", "-q").stdout == ""
    assert run("inbox", "--user", "sanna.salo", "-q").stdout == f"{record_id}\n"


def test_edit_changing_owner_is_a_delegation(run, store, monkeypatch):
    record_id = new_request(run)
    monkeypatch.setenv("EDITOR", "sed -i 's/^owner: .*/owner: taija.halme/'")
    result = run("sr", "edit", record_id)
    assert result.exit_code == 0, result.stderr
    record = store.get(record_id)
    assert _delegated(record)[-1]["to"] == "taija.halme"
    assert record["actions"] == "Delegoitu: käyttäjälle Taija Halme, delegoija mmu, 2011-01-25"
    assert [a["user"] for a in pending(record)] == ["taija.halme"]


def test_project_set_owner_is_a_delegation(run, store):
    created = run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                  "title=Maakaasuliittymä Gunnarintie 5", "value=12000")
    project_id = created.stdout.strip()
    result = run("project", "set", project_id, "owner=kaisa.kauppinen")
    assert result.exit_code == 0, result.stderr
    record = store.get(project_id)
    event = record["history"][-1]
    assert (event["event"], event["from"], event["to"]) == ("delegated", "jussi.myyja", "kaisa.kauppinen")
    assert ("kaisa.kauppinen", "delegated") in [(a["user"], a["reason"]) for a in pending(record)]
    assert project_id in run("inbox", "--user", "kaisa.kauppinen", "-q").stdout
    assert run("check").exit_code == 0


def test_engine_update_of_owner_is_a_delegation(store, run):
    """The engine path (what `import --update` and any library caller take) delegates too."""
    record_id = new_request(run)
    records.update(store, record_id, {"owner": "taija.halme"}, "mette.murto", "fi")
    record = store.get(record_id)
    assert _delegated(record)[-1]["to"] == "taija.halme"
    assert [a["user"] for a in pending(record)] == ["taija.halme"]


def test_set_owner_to_an_inactive_user_or_on_a_resolved_request_changes_nothing(run, store):
    record_id = new_request(run)
    set_user(store, "taija.halme", {"active": "false"}, "mette.murto")
    before = snapshot(store.root)
    result = run("sr", "set", record_id, "owner=taija.halme", "--lang", "en")
    assert (result.exit_code, result.stderr) == (1, "Error: user 'taija.halme' is not active\n")
    assert snapshot(store.root) == before
    assert run("sr", "status", record_id, "resolved", "resolution=Hoidettu").exit_code == 0
    before = snapshot(store.root)
    result = run("sr", "set", record_id, "owner=sanna.salo", "--lang", "en")
    assert (result.exit_code, result.stderr) == (1, f"Error: {record_id} is resolved; reopen it before delegating\n")
    assert snapshot(store.root) == before


def test_set_of_other_fields_is_no_delegation(run, store):
    record_id = new_request(run)
    assert run("sr", "set", record_id, "priority=high").exit_code == 0
    record = store.get(record_id)
    assert _delegated(record) == [] and "actions" not in record and pending(record) == []


def test_an_imported_row_owned_by_someone_else_reaches_its_owner(run, store):
    rows = "\n".join(json.dumps(row, ensure_ascii=False) for row in (
        {"title": "Mittarilukema", "customer": "CUST-GENERAL", "person_name": "Matti M", "subject": "meter_reading",
         "meter_reading": 4821, "phone": "040 1234567", "owner": "taija.halme"},
        {"title": "Laskutus", "customer": "CUST-GENERAL", "person_name": "Liisa L", "subject": "billing",
         "phone": "040 7654321", "owner": "mette.murto"},
    )) + "\n"
    result = run("import", "sr", "-", input=rows)
    assert result.exit_code == 0, result.stderr
    created = run("sr", "list", "-q").stdout.split()
    by_owner = {store.get(i)["owner"]: store.get(i) for i in created}
    theirs, mine = by_owner["taija.halme"], by_owner["mette.murto"]
    assert [e["event"] for e in theirs["history"]] == ["created", "delegated"]
    assert theirs["actions"] == "Delegoitu: käyttäjälle Taija Halme, delegoija mmu, 2011-01-25"
    assert [(a["user"], a["reason"]) for a in pending(theirs)] == [("taija.halme", "delegated")]
    assert run("inbox", "--user", "taija.halme", "-q").stdout == f"{theirs['id']}\n"
    assert [e["event"] for e in mine["history"]] == ["created"] and not pending(mine)  # the importer's own
    assert run("check").exit_code == 0
