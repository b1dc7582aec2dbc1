"""Service requests: status model, views, subject-specific rules (configuration read by the generic engine)."""

import json
from datetime import date

import pytest
from conftest import new_request, snapshot


VIEWS = {
    "unresolved": ("Selvittämättömät palvelupyynnöt", "Unresolved requests"),
    "gas_contracts": ("Kaasusopimukset", "Gas contracts"),
    "meter_readings": ("Mittarilukemat", "Meter readings"),
    "web_contracts": ("Nettisopimukset", "Web contracts"),
    "mine": ("Omat palvelupyynnöt", "My requests"),
    "feedback": ("Palautteet", "Feedback"),
    "resolved": ("Selvitetyt ja valmiit palvelupyynnöt", "Resolved and done"),
    "callbacks": ("Soittopyynnöt", "Callback requests"),
    "delegated_unacknowledged": ("Delegoidut, kuittaamatta", "Delegated, not acknowledged"),
    "overdue": ("Myöhässä", "Overdue"),
}


def test_the_ten_views_with_finnish_and_english_labels(run):
    for lang, position in (("fi", 0), ("en", 1)):
        rows = json.loads(run("sr", "views", "--format", "json", "--lang", lang).stdout)
        assert {r["key"]: r["label"] for r in rows} == {k: v[position] for k, v in VIEWS.items()}
    assert run("sr", "views", "-q").stdout == "".join(f"{k}\n" for k in VIEWS)


def test_every_view_lists_and_shows_due_where_it_matters(run):
    new_request(run)
    for key in VIEWS:
        result = run("sr", "list", "--view", key, "--lang", "en")
        assert result.exit_code == 0, (key, result.stderr)
    for key in ("unresolved", "mine", "feedback", "callbacks", "delegated_unacknowledged", "overdue"):
        header = run("sr", "list", "--view", key, "--lang", "en", "--format", "csv").stdout.splitlines()[0]
        assert "due" in header.split(","), key


def test_an_administrator_adds_a_view_without_code(run, store):
    path = store.root / "config" / "types" / "service_request.yaml"
    path.write_text(path.read_text() + (
        "  high_priority:\n"
        "    label: {fi: Kiireelliset, en: Urgent}\n"
        "    filter: [\"priority = high\"]\n"
        "    columns: [id, title, owner]\n"))
    urgent = new_request(run, "priority=Korkea")
    new_request(run)
    assert run("sr", "list", "--view", "high_priority", "-q").stdout == f"{urgent}\n"


def statuses(run, record_id):
    return [(e["from"], e["to"]) for e in json.loads(run("sr", "history", record_id, "--format", "json").stdout)
            if e["event"] == "status"]


def test_status_model_resolve_reopen_cancel(run, store, monkeypatch):
    record_id = new_request(run)
    assert run("sr", "status", record_id, "Odotetaan tietoja").exit_code == 0  # active <-> active, by label
    assert run("sr", "status", record_id, "researching").exit_code == 0

    before = snapshot(store.root)
    result = run("sr", "status", record_id, "done")
    assert result.exit_code == 1
    assert result.stderr == (
        "Virhe: tietue rikkoo näitä sääntöjä:\n  resolution (Ratkaisu): pakollinen, kun status_reason = done\n")
    result = run("sr", "status", record_id, "done", "resolution=Hyvitys", "responded=2011-01-24",
                 "--lang", "en")
    assert result.exit_code == 1
    assert "responded (Response date): cannot be before Received" in result.stderr
    result = run("sr", "status", record_id, "done", "resolution=Hyvitys", "responded=2011-01-26")
    assert result.exit_code == 1
    assert "responded (Vastauspäivä): ei voi olla tulevaisuudessa" in result.stderr
    assert snapshot(store.root) == before

    monkeypatch.setenv("CRMCTL_NOW", "2011-01-27T12:00:00+02:00")
    assert run("sr", "status", record_id, "done", "resolution=Hyvitys").exit_code == 0
    record = store.get(record_id)
    assert (record["status_reason"], record["responded"], record["resolution"]) == ("done", date(2011, 1, 27),
                                                                                    "Hyvitys")
    assert run("sr", "list", "--view", "resolved", "-q").stdout == f"{record_id}\n"

    before = snapshot(store.root)
    result = run("sr", "status", record_id, "in_progress", "--lang", "en")
    assert (result.exit_code, result.stderr) == (1, "Error: done → in_progress needs a reason (reason=...)\n")
    assert snapshot(store.root) == before
    assert run("sr", "status", record_id, "in_progress", "reason=Asiakas soitti uudelleen").exit_code == 0
    record = store.get(record_id)
    assert "responded" not in record
    assert record["history"][-1]["reason"] == "Asiakas soitti uudelleen"

    assert run("sr", "status", record_id, "cancelled").exit_code == 1
    assert run("sr", "status", record_id, "cancelled", "reason=Tupla").exit_code == 0
    before = snapshot(store.root)
    result = run("sr", "status", record_id, "in_progress", "reason=vahinko", "--as", "taija.halme", "--lang", "en")
    assert (result.exit_code, result.stderr) == (1, "Error: cancelled → in_progress needs the admin role\n")
    assert snapshot(store.root) == before
    assert run("sr", "status", record_id, "in_progress", "reason=vahinko").exit_code == 0  # mette is an admin
    assert statuses(run, record_id) == [("in_progress", "waiting_for_details"), ("waiting_for_details", "researching"),
                                        ("researching", "done"), ("done", "in_progress"),
                                        ("in_progress", "cancelled"), ("cancelled", "in_progress")]


def test_status_cannot_be_set_by_hand(run, store):
    record_id = new_request(run)
    before = snapshot(store.root)
    assert run("sr", "set", record_id, "status_reason=done").exit_code == 1
    assert snapshot(store.root) == before


@pytest.mark.parametrize("subject, missing, given", [
    ("gas_contract", "contract_change (Sopimusmuutos): pakollinen, kun subject = gas_contract", "contract_change=Kaasunostosopimus"),
    ("meter_reading", "meter_reading (Mittarilukema): pakollinen, kun subject = meter_reading", "meter_reading=48213"),
])
def test_subject_specific_required_fields(run, store, subject, missing, given):
    before = snapshot(store.root)
    result = run("sr", "new", "title=x", "customer=CUST-GENERAL", "person_name=M", f"subject={subject}")
    assert result.exit_code == 1
    assert f"  {missing}\n" in result.stderr
    assert snapshot(store.root) == before
    assert run("sr", "new", "title=x", "customer=CUST-GENERAL", "person_name=M", f"subject={subject}",
               given).exit_code == 0


def test_billing_recorded_takes_contracts_and_readings_off_their_views(run, store):
    base = ("title=Sopimus", "customer=CUST-GENERAL", "person_name=M")
    purchase = run("sr", "new", *base, "subject=gas_contract", "contract_change=purchase").stdout.strip()
    web = run("sr", "new", *base, "subject=gas_contract", "contract_change=termination", "origin=web").stdout.strip()
    run("sr", "new", *base, "subject=gas_contract", "contract_change=name_change")  # not a contract view row
    reading = run("sr", "new", *base, "subject=meter_reading", "meter_reading=100").stdout.strip()
    listed = {v: set(run("sr", "list", "--view", v, "-q").stdout.split()) for v in
              ("gas_contracts", "web_contracts", "meter_readings", "mine")}
    assert listed["gas_contracts"] == {purchase, web}
    assert listed["web_contracts"] == {web}
    assert listed["meter_readings"] == {reading}
    assert listed["mine"] == set()  # contracts and readings are not "my requests"
    for record_id in (purchase, web, reading):
        assert run("sr", "set", record_id, "billing_recorded=2011-01-25").exit_code == 0
    for view in ("gas_contracts", "web_contracts", "meter_readings"):
        assert run("sr", "list", "--view", view, "-q").stdout == ""


def test_mine_feedback_and_callbacks_views(run, store):
    mine = new_request(run)
    feedback = new_request(run, "subject=feedback")
    callback = new_request(run, "subject=callback")
    theirs = new_request(run, "--as", "taija.halme")
    assert set(run("sr", "list", "--view", "mine", "-q").stdout.split()) == {mine, feedback, callback}
    assert theirs in run("sr", "list", "--view", "mine", "-q", "--as", "taija.halme").stdout
    assert run("sr", "list", "--view", "feedback", "-q").stdout == f"{feedback}\n"
    assert run("sr", "list", "--view", "callbacks", "-q").stdout == f"{callback}\n"
    run("sr", "status", callback, "done", "resolution=Soitettu")
    assert run("sr", "list", "--view", "callbacks", "-q").stdout == ""


def test_a_status_to_the_current_status_succeeds_and_writes_nothing(run, store):
    record_id = new_request(run)
    assert run("sr", "status", record_id, "in_progress").exit_code == 0
    before = snapshot(store.root)
    again = run("sr", "status", record_id, "in_progress")
    assert (again.exit_code, again.stdout, again.stderr) == (0, "", f"{record_id} on jo tilassa in_progress; ei muutoksia.\n")
    assert snapshot(store.root) == before
