"""Account-creation requests: draft → sent → processed (a customer is created) or rejected."""

from conftest import snapshot
from crmctl.engine.assignments import pending

FORM = ("name=Puupää Oy", "kind=business", "business_id=1572860-0", "contact_person=Pekka Puupää",
        "phone=040 1234567", "billing_address.street=Gunnarintie 5", "billing_address.postal_code=48100",
        "billing_address.city=Kotka", "segment=potential")


def new_form(run, *extra):
    result = run("request", "new", *FORM, "region=kotka", *extra, "--as", "jussi.myyja")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_send_gives_the_form_to_the_regions_customer_service(run, store):
    form_id = new_form(run)
    form = store.get(form_id)
    assert (form["status"], form["seller"]) == ("draft", "jussi.myyja")
    assert run("request", "list", "--view", "drafts", "-q").stdout == f"{form_id}\n"
    result = run("request", "send", form_id, "--as", "jussi.myyja")
    assert result.exit_code == 0, result.stderr
    form = store.get(form_id)
    assert form["status"] == "sent"
    assert [(a["user"], a["reason"], a["by"]) for a in pending(form)] == [("mette.murto", "request", "jussi.myyja")]
    assert run("request", "list", "--view", "sent", "-q").stdout == f"{form_id}\n"


def test_process_creates_the_customer_and_makes_the_form_inactive(run, store):
    form_id = new_form(run)
    run("request", "send", form_id, "--as", "jussi.myyja")
    result = run("request", "process", form_id, "customer_number=100234")
    assert result.exit_code == 0, result.stderr
    customer_id = result.stdout.strip()
    assert customer_id.startswith("CUST-20110125-")
    customer = store.get(customer_id)
    assert {k: customer.get(k) for k in ("name", "kind", "customer_number", "business_id", "seller", "region")} == {
        "name": "Puupää Oy", "kind": "business", "customer_number": "100234", "business_id": "1572860-0",
        "seller": "jussi.myyja", "region": "kotka"}
    assert customer["billing_address"] == {"street": "Gunnarintie 5", "postal_code": "48100", "city": "Kotka"}
    form = store.get(form_id)
    assert (form["status"], form["customer"], form["customer_number"]) == ("processed", customer_id, "100234")
    assert not pending(form)  # customer service's task is done
    assert run("request", "list", "--view", "sent", "-q").stdout == ""
    assert run("request", "list", "--view", "inactive", "-q").stdout == f"{form_id}\n"
    assert run("check").exit_code == 0


def test_duplicate_customer_number_is_refused_and_nothing_changes(run, store):
    first = new_form(run)
    run("request", "send", first, "--as", "jussi.myyja")
    customer_id = run("request", "process", first, "customer_number=100234").stdout.strip()
    second = new_form(run, "name=Toinen Oy")
    run("request", "send", second, "--as", "jussi.myyja")
    before = snapshot(store.root)
    result = run("request", "process", second, "customer_number=100234")
    assert result.exit_code == 1
    assert result.stderr.startswith("Virhe: ")
    assert "  customer_number (Asiakasnumero): " in result.stderr and customer_id in result.stderr
    assert snapshot(store.root) == before


def test_process_needs_a_sent_form_and_a_customer_number(run, store):
    form_id = new_form(run)
    before = snapshot(store.root)
    result = run("request", "process", form_id, "customer_number=1")
    assert result.exit_code == 1
    assert result.stderr == f"Virhe: {form_id} on tilassa draft; vain lähetettyjä lomakkeita voi käsitellä\n"
    result = run("request", "process", form_id)
    assert result.exit_code == 1
    assert result.stderr == ("Virhe: lomakkeen käsittely vaatii laskutusjärjestelmän asiakasnumeron "
                             "(customer_number=...)\n")
    assert snapshot(store.root) == before


def test_reject_returns_the_form_to_the_seller(run, store):
    form_id = new_form(run)
    run("request", "send", form_id, "--as", "jussi.myyja")
    result = run("request", "reject", form_id)
    assert result.exit_code == 1
    result = run("request", "reject", form_id, "reason=Y-tunnus puuttuu")
    assert result.exit_code == 0, result.stderr
    form = store.get(form_id)
    assert (form["status"], form["reason"]) == ("rejected", "Y-tunnus puuttuu")
    assert [(a["user"], a["reason"]) for a in pending(form)] == [("jussi.myyja", "request_rejected")]
    assert run("request", "list", "--view", "inactive", "-q").stdout == f"{form_id}\n"
    assert run("request", "send", form_id, "--as", "jussi.myyja").exit_code == 0
    assert store.get(form_id)["status"] == "sent"


def test_processing_moves_the_forms_project_to_the_new_customer(run, store):
    project_id = run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                     "title=Maakaasuliittymä Gunnarintie 5").stdout.strip()
    form_id = new_form(run, f"project={project_id}")
    run("request", "send", form_id, "--as", "jussi.myyja")
    customer_id = run("request", "process", form_id, "customer_number=100235").stdout.strip()
    assert store.get(project_id)["customer"] == customer_id
