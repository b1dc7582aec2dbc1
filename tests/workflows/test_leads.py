"""Leads: routing to the region's seller, the 2-working-day rule, handling into a sales project."""

from datetime import date

from conftest import snapshot
from crmctl.engine.assignments import pending

LEAD = ("topic=Kaasuliittymä", "person_name=Pekka Puupää", "phone=040 1234567", "source=phone")


def new_lead(run, *extra, region="kotka"):
    result = run("lead", "new", *LEAD, f"region={region}", *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def test_new_lead_is_routed_to_the_region_seller_due_in_two_working_days(run, store):
    lead_id = new_lead(run)
    record = store.get(lead_id)
    assert (record["owner"], record["given_by"], record["status"]) == ("jussi.myyja", "mette.murto", "open")
    assert record["due"] == date(2011, 1, 27)  # Tue 25 + 2 working days
    assert [(a["user"], a["reason"], a["by"]) for a in pending(record)] == [("jussi.myyja", "lead", "mette.murto")]
    assert run("lead", "list", "--view", "mine", "-q", "--as", "jussi.myyja").stdout == f"{lead_id}\n"
    assert run("lead", "list", "--view", "mine", "-q", "--as", "kaisa.kauppinen").stdout == ""


def test_explicit_owner_wins_over_routing(run, store):
    lead_id = new_lead(run, "owner=kaisa.kauppinen")
    assert store.get(lead_id)["owner"] == "kaisa.kauppinen"
    assert pending(store.get(lead_id))[0]["user"] == "kaisa.kauppinen"


def test_lead_without_region_or_owner_is_refused(run, store):
    before = snapshot(store.root)
    result = run("lead", "new", *LEAD)
    assert result.exit_code == 1
    assert "  owner (Vastuuhenkilö): pakollinen tieto\n" in result.stderr
    assert snapshot(store.root) == before


def test_business_lead_needs_a_company(run, store):
    result = run("lead", "new", *LEAD, "region=kotka", "customer_kind=business")
    assert result.exit_code == 1
    assert "  company (Yritys): " in result.stderr


def test_lead_goes_overdue_across_a_weekend_and_a_holiday(run, store, monkeypatch):
    monkeypatch.setenv("CRMCTL_NOW", "2011-01-05T15:00:00+02:00")  # Wed; Thu 6 Jan is Epiphany
    lead_id = new_lead(run)
    assert store.get(lead_id)["due"] == date(2011, 1, 10)  # Fri 7 and Mon 10
    for now, listed in (("2011-01-10T16:00:00+02:00", ""), ("2011-01-11T08:00:00+02:00", f"{lead_id}\n")):
        monkeypatch.setenv("CRMCTL_NOW", now)
        assert run("lead", "list", "--view", "overdue", "-q").stdout == listed
    assert run("lead", "list", "--view", "open", "-q").stdout == f"{lead_id}\n"


def test_lead_from_a_service_request_links_both(run, store):
    sr = run("sr", "new", "title=Myyntikysely", "customer=CUST-GENERAL", "person_name=Pekka Puupää",
             "phone=040 1234567", "subject=Myyntikysely").stdout.strip()
    lead_id = new_lead(run, f"service_request={sr}")
    assert store.get(lead_id)["service_request"] == sr
    request = store.get(sr)
    assert request["lead"] == lead_id
    assert request["history"][-1]["event"] == "linked"
    assert run("check").exit_code == 0


def test_lead_from_a_missing_service_request_is_refused(run, store):
    before = snapshot(store.root)
    result = run("lead", "new", *LEAD, "region=kotka", "service_request=SR-20110101-AAAAA")
    assert result.exit_code == 1
    assert "service_request (Palvelupyyntö)" in result.stderr
    assert snapshot(store.root) == before


def test_handle_creates_a_project_of_the_matching_type_and_links_both(run, store):
    lead_id = new_lead(run, "company=Puupää Oy", "customer_kind=business")
    result = run("lead", "handle", lead_id, "value=8000", "--as", "jussi.myyja")
    assert result.exit_code == 0, result.stderr
    project_id = result.stdout.strip()
    assert project_id.startswith("PRJ-20110125-")
    lead = store.get(lead_id)
    project = store.get(project_id)
    assert (lead["status"], lead["project"]) == ("handled", project_id)
    assert not pending(lead)  # the seller's task is done
    assert (project["type"], project["lead"], project["owner"], project["region"], project["value"]) == (
        "gas_connection", lead_id, "jussi.myyja", "kotka", 8000)
    assert project["title"] == "Kaasuliittymän myynti: Puupää Oy"
    assert project["customer"] == "CUST-GENERAL"
    assert project["stages"][0]["key"] == "needs_assessment"
    assert run("lead", "list", "--view", "open", "-q").stdout == ""
    assert run("lead", "list", "--view", "handled", "-q").stdout == f"{lead_id}\n"
    before = snapshot(store.root)
    again = run("lead", "handle", lead_id)
    assert again.exit_code == 1
    assert again.stderr == f"Virhe: {lead_id} on jo tilassa handled\n"
    assert snapshot(store.root) == before


def test_handle_with_explicit_type_and_topic_without_a_type(run, store):
    lead_id = run("lead", "new", "topic=other", "person_name=Pekka", "phone=040 1234567",
                  "region=helsinki").stdout.strip()
    before = snapshot(store.root)
    result = run("lead", "handle", lead_id)
    assert result.exit_code == 1
    assert result.stderr == ("Virhe: liidin aiheelle 'other' ei ole myyntiprojektin tyyppiä; anna type=.. "
                             "(gas_connection, heat_connection, solution_sales, parent_company)\n")
    assert snapshot(store.root) == before
    project_id = run("lead", "handle", lead_id, "type=parent_company", "title=Konsernikauppa").stdout.strip()
    project = store.get(project_id)
    assert (project["type"], project["title"], project["owner"]) == ("parent_company", "Konsernikauppa",
                                                                     "kaisa.kauppinen")


def test_handle_no_action_needs_a_reason(run, store):
    lead_id = new_lead(run)
    before = snapshot(store.root)
    result = run("lead", "handle", lead_id, "--no-action")
    assert result.exit_code == 1
    assert result.stderr == "Virhe: --no-action vaatii syyn (reason=...)\n"
    assert snapshot(store.root) == before
    result = run("lead", "handle", lead_id, "--no-action", "reason=Alueella ei ole kaasuverkkoa")
    assert result.exit_code == 0 and result.stdout == ""
    lead = store.get(lead_id)
    assert (lead["status"], lead["reason"]) == ("handled_no_action", "Alueella ei ole kaasuverkkoa")
    assert "project" not in lead


def test_inbox_says_the_lead_due_date_in_the_readers_language(run, store):
    lead_id = new_lead(run)
    assignment = pending(store.get(lead_id))[0]
    assert assignment["due"] == date(2011, 1, 27) and "note" not in assignment   # data, not a sentence
    fi = run("inbox", "--as", "jussi.myyja", "--format", "csv").stdout
    en = run("--lang", "en", "inbox", "--as", "jussi.myyja").stdout
    assert "Liidi: hoidettava viimeistään 2011-01-27" in run("inbox", "--as", "jussi.myyja").stdout
    assert "Lead: handle by 2011-01-27" in en and "hoidettava" not in en
    assert f"{lead_id}," in fi


def test_plain_status_refuses_moves_that_belong_to_a_command(run, store):
    lead_id = new_lead(run)
    before = snapshot(store.root)
    result = run("--lang", "en", "lead", "status", lead_id, "handled", "--as", "jussi.myyja")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {lead_id}: open → handled is made with `crmctl lead handle`\n"
    assert snapshot(store.root) == before
