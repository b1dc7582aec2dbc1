"""Finished work closes its assignments, whoever finished it (issue 11, item 2): they leave the inbox,
the `delegated_unacknowledged` view and notify."""

import json

import pytest

from conftest import new_request

from crmctl.engine.assignments import pending

SENDER = "crm@example.fi"


def _gone_everywhere(run, record_id, user, view=None, kind="sr"):
    assert run("inbox", "--user", user, "-q").stdout == ""
    notified = run("notify", "--from", SENDER, "--dry-run", "--format", "json")
    assert notified.exit_code == 0, notified.stderr
    assert [r for r in json.loads(notified.stdout) if r["id"] == record_id and r["user"] == user] == []
    if view:
        assert run(kind, "list", "--view", view, "-q").stdout == ""


@pytest.mark.parametrize("move", [
    ("resolved", "resolution=Hoidettu"),
    ("done", "resolution=Hoidettu"),
    ("cancelled", "reason=Tuplakirjaus"),
])
def test_finishing_a_delegated_request_closes_the_assignment(run, store, move):
    record_id = new_request(run)
    assert run("sr", "delegate", record_id, "taija.halme").exit_code == 0
    result = run("sr", "status", record_id, *move)  # mette finishes it, not taija
    assert result.exit_code == 0, result.stderr
    record = store.get(record_id)
    assert pending(record) == []
    item = record["assignments"][0]
    assert (item["user"], item["closed_by"]) == ("taija.halme", "mette.murto") and item["closed"]
    _gone_everywhere(run, record_id, "taija.halme", "delegated_unacknowledged")
    assert run("check").exit_code == 0


def test_the_assignee_finishing_it_acknowledges_as_before(run, store):
    record_id = new_request(run)
    assert run("sr", "delegate", record_id, "taija.halme").exit_code == 0
    assert run("sr", "status", record_id, "resolved", "resolution=Hoidettu", "--as", "taija.halme").exit_code == 0
    record = store.get(record_id)
    assert record["assignments"][0].get("acknowledged") and "closed" not in record["assignments"][0]
    assert record["history"][-1]["event"] == "acknowledged"


def _project(run):
    created = run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                  "title=Maakaasuliittymä Gunnarintie 5", "value=12000")
    assert created.exit_code == 0, created.stderr
    return created.stdout.strip()


@pytest.mark.parametrize("how", [
    ("--as", "teemu.tekninen", "--force", "reason=Jussi lomalla"),
    ("--as", "sanna.salo"),  # an admin
])
def test_completing_a_stage_for_its_owner_closes_the_owners_assignment(run, store, how):
    project_id = _project(run)
    assert [(a["user"], a["stage"]) for a in pending(store.get(project_id))] == [("jussi.myyja", "needs_assessment")]
    result = run("project", "stage", "complete", project_id, "--next-owner", "kaisa.kauppinen", *how)
    assert result.exit_code == 0, result.stderr
    record = store.get(project_id)
    assert [(a["user"], a["stage"]) for a in pending(record)] == [("kaisa.kauppinen", "offer")]
    _gone_everywhere(run, project_id, "jussi.myyja")
    assert run("check").exit_code == 0


def test_skipping_a_stage_closes_its_owners_assignment(run, store):
    project_id = _project(run)
    result = run("project", "stage", "skip", project_id, "needs_assessment", "reason=Tarve tiedossa",
                 "--as", "sanna.salo")
    assert result.exit_code == 0, result.stderr
    assert [a["stage"] for a in pending(store.get(project_id))] == ["offer"]  # the next stage's, not this one's


FORM = ("name=Puupää Oy", "kind=business", "business_id=1572860-0", "contact_person=Pekka Puupää",
        "phone=040 1234567", "billing_address.street=Gunnarintie 5", "billing_address.postal_code=48100",
        "billing_address.city=Kotka", "segment=potential")


def _sent_form(run):
    result = run("request", "new", *FORM, "region=kotka", "--as", "jussi.myyja")
    form_id = result.stdout.strip()
    assert run("request", "send", form_id, "--as", "jussi.myyja").exit_code == 0
    return form_id


def test_processing_a_form_as_someone_else_closes_customer_services_assignment(run, store):
    form_id = _sent_form(run)  # mette.murto's task
    result = run("request", "process", form_id, "customer_number=100234", "--as", "taija.halme")
    assert result.exit_code == 0, result.stderr
    assert pending(store.get(form_id)) == []
    _gone_everywhere(run, form_id, "mette.murto")


def test_rejecting_a_form_as_someone_else_closes_it_and_gives_it_back_to_the_seller(run, store):
    form_id = _sent_form(run)
    result = run("request", "reject", form_id, "reason=Y-tunnus puuttuu", "--as", "taija.halme")
    assert result.exit_code == 0, result.stderr
    assert [(a["user"], a["reason"]) for a in pending(store.get(form_id))] == [("jussi.myyja", "request_rejected")]
    assert run("inbox", "--user", "mette.murto", "-q").stdout == ""


def test_handling_a_lead_as_someone_else_closes_the_owners_assignment(run, store):
    created = run("lead", "new", "topic=Kaasuliittymä", "person_name=Pekka Puupää", "phone=040 1234567",
                  "source=phone", "region=kotka")
    lead_id = created.stdout.strip()
    assert [a["user"] for a in pending(store.get(lead_id))] == ["jussi.myyja"]
    result = run("lead", "handle", lead_id, "--as", "kaisa.kauppinen")
    assert result.exit_code == 0, result.stderr
    assert pending(store.get(lead_id)) == []
    assert lead_id not in run("inbox", "--user", "jussi.myyja", "-q").stdout
    result = run("lead", "handle", lead_id, "--no-action", "reason=x")  # already handled: nothing reopens
    assert pending(store.get(lead_id)) == []
