"""The sales flow end to end: a sales inquiry call → lead → project through all its stages, and a lost one."""

import json
from datetime import date

import pytest

from conftest import snapshot
from smtp_server import smtp  # noqa: F401  (fixture)

SENDER = "myynti@example.fi"


@pytest.fixture
def at(monkeypatch):
    """Move the frozen clock: at("2011-01-07T09:00")."""
    def move(moment):
        monkeypatch.setenv("CRMCTL_NOW", moment + "+02:00")
    return move


def inbox(run, user):
    """(id, reason) of the user's unacknowledged assignments, from `crmctl inbox`."""
    result = run("inbox", "--user", user, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return sorted((item["id"], item["reason"]) for item in json.loads(result.stdout))


def notify(run, smtp):
    """Send the pending notifications; (recipients, subject) of the emails delivered."""
    result = run("notify", "--smtp", smtp.address, "--from", SENDER)
    assert result.exit_code == 0, result.stderr
    return [(m["to"], m["message"]["Subject"]) for m in smtp.inbox.take()]


def ids(run, *args, user="mette.murto"):
    result = run(*args, "-q", "--as", user)
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.slow
def test_sales_flow_from_call_to_completed_and_lost_projects(run, store, at, smtp):
    # Wed 5 Jan: customer service logs a sales-inquiry call as a service request and a lead.
    at("2011-01-05T10:00:00")
    sr = ok(run("sr", "new", "title=Kaasuliittymä omakotitaloon", "customer=CUST-GENERAL",
                "person_name=Pekka Puupää", "phone=040 1234567", "subject=Myyntikysely"))
    lead_a = ok(run("lead", "new", "topic=Kaasuliittymä", "person_name=Pekka Puupää", "phone=040 1234567",
                    "customer_kind=person", "region=kotka", "source=phone", f"service_request={sr}"))
    lead_b = ok(run("lead", "new", "topic=heat_connection", "person_name=Liisa Lämpö", "phone=050 7654321",
                    "customer_kind=business", "company=Lämpö Oy", "region=helsinki", "source=web"))
    assert store.get(sr)["lead"] == lead_a and store.get(lead_a)["service_request"] == sr
    # routed to the regions' sellers, due in 2 working days: Thu 6 Jan is Epiphany, then the weekend
    assert (store.get(lead_a)["owner"], store.get(lead_a)["due"]) == ("jussi.myyja", date(2011, 1, 10))
    assert (store.get(lead_b)["owner"], store.get(lead_b)["due"]) == ("kaisa.kauppinen", date(2011, 1, 10))
    assert inbox(run, "jussi.myyja") == [(lead_a, "lead")]
    assert inbox(run, "kaisa.kauppinen") == [(lead_b, "lead")]
    mails = smtp.inbox
    assert sorted(notify(run, smtp)) == sorted([
        (["jussi.myyja@example.fi"], f"Liidi: Liidi {lead_a} – Pekka Puupää"),
        (["kaisa.kauppinen@example.fi"], f"Liidi: Liidi {lead_b} – Liisa Lämpö")])
    assert notify(run, smtp) == []  # once
    assert ids(run, "lead", "list", "--view", "mine", user="jussi.myyja") == [lead_a]

    # Fri 7 Jan: the seller handles his lead within the window; a gas-connection project starts.
    at("2011-01-07T13:00:00")
    project = ok(run("lead", "handle", lead_a, "title=Maakaasuliittymä Gunnarintie 5", "value=6500",
                     "--as", "jussi.myyja"))
    assert store.get(lead_a)["status"] == "handled" and store.get(lead_a)["project"] == project
    record = store.get(project)
    assert (record["type"], record["lead"], record["owner"], record["created"]) == (
        "gas_connection", lead_a, "jussi.myyja", date(2011, 1, 7))
    assert record["stages"][0] == {"key": "needs_assessment", "status": "not_started", "owner": "jussi.myyja",
                                   "started": date(2011, 1, 7), "due": date(2011, 1, 21)}
    assert inbox(run, "jussi.myyja") == [(project, "stage")]
    run("notify", "--smtp", smtp.address, "--from", SENDER)
    [mail] = mails.take()
    assert mail["to"] == ["jussi.myyja@example.fi"]
    assert mail["message"]["Subject"] == (
        f"Myyntiprojektin vaihe: Myyntiprojekti {project} – Maakaasuliittymä Gunnarintie 5")
    assert "Viesti: Tarvekartoitus, määräpäivä 2011-01-21\r\n" in mail["message"].get_content()
    assert ids(run, "project", "list", "--view", "my_stages", user="jussi.myyja") == [project]

    # Tue 11 Jan: the other lead is past due (over the holiday and the weekend); customer service sees it.
    at("2011-01-11T08:00:00")
    assert ids(run, "lead", "list", "--view", "overdue") == [lead_b]
    assert ids(run, "lead", "list", "--view", "open") == [lead_b]

    # Wed 12 Jan: needs assessment done; the seller fills in and sends the account-creation request.
    at("2011-01-12T15:00:00")
    ok(run("project", "stage", "complete", project, "needs_assessment", "--as", "jussi.myyja"))
    form = ok(run("request", "new", "name=Pekka Puupää", "kind=person", "phone=040 1234567",
                  "billing_address.street=Gunnarintie 5", "billing_address.postal_code=48100",
                  "billing_address.city=Kotka", "region=kotka", f"project={project}", "--as", "jussi.myyja"))
    ok(run("request", "send", form, "--as", "jussi.myyja"))
    assert ids(run, "request", "list", "--view", "sent") == [form]
    assert inbox(run, "mette.murto") == [(form, "request")]
    assert store.get(project)["stages"][1] == {"key": "offer", "status": "not_started", "owner": "jussi.myyja",
                                               "started": date(2011, 1, 12), "due": date(2011, 1, 26)}

    # Fri 14 Jan: the offer is accepted; the contract stage goes to customer service's queue.
    at("2011-01-14T10:00:00")
    assert ids(run, "project", "list", "--view", "cs_not_started") == []
    ok(run("project", "stage", "complete", project, "--as", "jussi.myyja"))
    assert ids(run, "project", "list", "--view", "cs_not_started") == [project]
    queue = run("--lang", "en", "project", "list", "--view", "cs_not_started", "--format", "csv").stdout
    assert queue.splitlines()[1] == f"{project},Maakaasuliittymä Gunnarintie 5,contract_sent,2011-01-18,mette.murto"
    assert inbox(run, "mette.murto") == sorted([(form, "request"), (project, "stage")])
    assert inbox(run, "jussi.myyja") == []
    assert sorted(notify(run, smtp)) == sorted([
        (["mette.murto@example.fi"], f"Asiakkaan perustamislomake: Asiakkaan perustamislomake {form} – "
                                     "Pekka Puupää"),
        (["mette.murto@example.fi"], f"Myyntiprojektin vaihe: Myyntiprojekti {project} – "
                                     "Maakaasuliittymä Gunnarintie 5")])

    # Customer service creates the account in billing and processes the form into a customer.
    customer = ok(run("request", "process", form, "customer_number=4711"))
    assert store.get(customer)["customer_number"] == "4711"
    assert store.get(form)["status"] == "processed" and store.get(form)["customer"] == customer
    assert store.get(project)["customer"] == customer
    assert ids(run, "request", "list", "--view", "inactive") == [form]
    assert ids(run, "request", "list", "--view", "sent") == []

    # Customer service works its four stages from the queue (the technical stage in between).
    for moment, stage, next_stage, next_owner, due in (
            ("2011-01-17T09:00:00", "contract_sent", "contract_returned", "mette.murto", date(2011, 2, 7)),
            ("2011-01-24T09:00:00", "contract_returned", "connection_fee_invoiced", "mette.murto", date(2011, 1, 31)),
            ("2011-01-25T09:00:00", "connection_fee_invoiced", "connection_built", "teemu.tekninen",
             date(2011, 3, 22)),
    ):
        at(moment)
        assert ids(run, "project", "list", "--view", "cs_not_started") == [project]
        ok(run("project", "stage", "complete", project, stage))
        current = [s for s in store.get(project)["stages"] if s["key"] == next_stage][0]
        assert (current["status"], current["owner"], current["started"], current["due"]) == (
            "not_started", next_owner, date.fromisoformat(moment[:10]), due)
    assert ids(run, "project", "list", "--view", "cs_not_started") == []
    assert inbox(run, "teemu.tekninen") == [(project, "stage")]
    assert notify(run, smtp) == [(["teemu.tekninen@example.fi"],
                                  f"Myyntiprojektin vaihe: Myyntiprojekti {project} – Maakaasuliittymä Gunnarintie 5")]
    assert run("ack", project, "--as", "teemu.tekninen").exit_code == 0
    assert inbox(run, "teemu.tekninen") == []
    assert ids(run, "project", "list", "--view", "my_stages", user="teemu.tekninen") == [project]

    # Customer service may not complete the technician's stage (mette is an admin, taija is not).
    before = snapshot(store.root)
    refused = run("project", "stage", "complete", project, "--as", "taija.halme")
    assert refused.exit_code == 1
    assert snapshot(store.root) == before

    # Tue 1 Mar: the connection is built; billing activation is the last stage, back in the queue.
    at("2011-03-01T12:00:00")
    ok(run("project", "stage", "complete", project, "--as", "teemu.tekninen"))
    assert ids(run, "project", "list", "--view", "cs_not_started") == [project]
    at("2011-03-02T12:00:00")
    ok(run("project", "stage", "complete", project, "billing_activated"))
    record = store.get(project)
    assert (record["status"], record["closed"]) == ("completed", date(2011, 3, 2))
    assert [(s["key"], s["status"], s["completed"]) for s in record["stages"]] == [
        ("needs_assessment", "done", date(2011, 1, 12)), ("offer", "done", date(2011, 1, 14)),
        ("contract_sent", "done", date(2011, 1, 17)), ("contract_returned", "done", date(2011, 1, 24)),
        ("connection_fee_invoiced", "done", date(2011, 1, 25)), ("connection_built", "done", date(2011, 3, 1)),
        ("billing_activated", "done", date(2011, 3, 2))]
    assert [e["stage"] for e in record["history"] if e["event"] == "stage_completed"] == [
        s["key"] for s in record["stages"]]
    assert ids(run, "project", "list", "--view", "completed") == [project]
    assert ids(run, "project", "list", "--view", "cs_not_started") == []
    assert inbox(run, "mette.murto") == [] and inbox(run, "teemu.tekninen") == []

    # The late lead becomes a heat-connection project, which is lost.
    lost = ok(run("lead", "handle", lead_b, "--as", "kaisa.kauppinen"))
    assert store.get(lost)["type"] == "heat_connection"
    assert ids(run, "project", "list", "--view", "open") == [lost]
    ok(run("project", "close", lost, "--lost", "reason=Asiakas valitsi maalämmön", "--as", "kaisa.kauppinen"))
    record = store.get(lost)
    assert (record["status"], record["closed"], record["lost_reason"]) == (
        "lost", date(2011, 3, 2), "Asiakas valitsi maalämmön")
    assert ids(run, "project", "list", "--view", "lost") == [lost]
    assert ids(run, "project", "list", "--view", "open") == []
    assert ids(run, "lead", "list", "--view", "overdue") == []
    assert run("check").exit_code == 0
