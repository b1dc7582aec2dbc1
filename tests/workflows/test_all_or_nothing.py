"""A command writes all its records or none (issue 11, item 3), also when the process dies between two writes."""

import json
import os
import subprocess
import sys

import pytest

from conftest import snapshot
from crmctl.kernel import yamlio
from crmctl.store.store import Store

LEAD = ("topic=Kaasuliittymä", "person_name=Pekka Puupää", "phone=040 1234567", "source=phone", "region=kotka")
FORM = ("name=Puupää Oy", "kind=business", "business_id=1572860-0", "contact_person=Pekka Puupää",
        "phone=040 1234567", "billing_address.street=Gunnarintie 5", "billing_address.postal_code=48100",
        "billing_address.city=Kotka", "segment=potential", "region=kotka")


def created(result):
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def new_request(run):
    return created(run("sr", "new", "title=Myyntikysely", "customer=CUST-GENERAL", "person_name=Pekka Puupää",
                       "phone=040 1234567", "subject=Myyntikysely"))


def break_record(store, record_id, **changes):
    """Write a record by hand so that it breaks a rule (as a bad merge or a hand edit can)."""
    path = store.path_of(record_id)
    record = yamlio.load(path.read_text(encoding="utf-8"), str(path))
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    path.write_text(yamlio.dump(record), encoding="utf-8")


def records_of(store, type_key):
    """The records as a new command sees them."""
    fresh = Store(store.root)
    return fresh.records(fresh.config.types[type_key])


def get(store, record_id):
    return Store(store.root).get(record_id)


def test_handle_of_a_lead_that_breaks_a_rule_writes_no_project(run, store):
    lead_id = created(run("lead", "new", *LEAD))
    break_record(store, lead_id, customer_kind="business")  # a business lead needs a company
    before = snapshot(store.root)
    result = run("lead", "handle", lead_id, "--as", "jussi.myyja")
    assert result.exit_code == 1
    assert "company" in result.stderr
    assert snapshot(store.root) == before
    assert records_of(store, "sales_project") == []


def test_lead_from_a_broken_service_request_writes_nothing(run, store):
    request_id = new_request(run)
    break_record(store, request_id, title=None)  # a required field gone
    before = snapshot(store.root)
    result = run("lead", "new", *LEAD, f"service_request={request_id}")
    assert result.exit_code == 1
    assert snapshot(store.root) == before


def test_an_import_row_that_fails_after_its_first_write_is_not_written(run, store, tmp_path):
    broken = new_request(run)
    break_record(store, broken, title=None)
    fine = new_request(run)
    source = tmp_path / "leads.jsonl"
    rows = [dict(zip(("topic", "person_name", "phone", "source", "region"),
                     [pair.split("=", 1)[1] for pair in LEAD]), service_request=request) for request in (broken, fine)]
    source.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    result = run("--lang", "en", "import", "lead", str(source), "--rejects", str(tmp_path / "rejects.jsonl"))
    assert result.exit_code == 1
    assert result.stderr.endswith("created: 1, updated: 0, unchanged: 0, rejected: 1\n")
    leads = records_of(store, "lead")
    assert [lead["service_request"] for lead in leads] == [fine]
    assert store.get(fine)["lead"] == leads[0]["id"]
    assert "lead" not in store.get(broken)


# -- crashes between writes --------------------------------------------------

CRASHING_CRMCTL = """
import os, sys
from crmctl.cli import cli

count = {"replaces": 0}
real_replace = os.replace
crash_at = int(os.environ["CRASH_AT"])

def replace(source, target):
    count["replaces"] += 1
    if count["replaces"] == crash_at:
        os._exit(137)  # as kill -9: no clean-up runs
    return real_replace(source, target)

os.replace = replace
cli.main(sys.argv[1:], prog_name="crmctl")
"""


def crashing(store, *args, crash_at):
    """Run crmctl in a process that dies just before its `crash_at`-th file rename; its exit code."""
    env = {**os.environ, "CRASH_AT": str(crash_at)}
    done = subprocess.run([sys.executable, "-c", CRASHING_CRMCTL, "--root", str(store.root), *args],
                          env=env, capture_output=True, text=True)
    return done.returncode


def crash_points(store, run, prepare, args):
    """Yield, for every crash point of the command, a fresh store after the crash (and then the clean run)."""
    for crash_at in range(1, 12):
        state = prepare()
        code = crashing(store, *args(state), crash_at=crash_at)
        yield state, code
        if code == 0:
            return
    pytest.fail("the command never completed")


def test_a_crash_between_the_writes_of_lead_handle_leaves_no_orphan_and_no_duplicate(run, store):
    points = 0
    for lead_id, code in crash_points(store, run, lambda: created(run("lead", "new", *LEAD)),
                                      lambda lead_id: ("lead", "handle", lead_id, "--as", "jussi.myyja")):
        points += 1
        if code != 0:
            run("lead", "handle", lead_id, "--as", "jussi.myyja")  # the retry: completes, or refuses a handled lead
        projects = [p for p in records_of(store, "sales_project") if p.get("lead") == lead_id]
        assert len(projects) == 1, f"crash point {points}: {len(projects)} projects for {lead_id}"
        lead = get(store, lead_id)
        assert (lead["status"], lead["project"]) == ("handled", projects[0]["id"]), f"crash point {points}"
    assert points >= 3  # the journal, the project and the lead
    check = run("check")
    assert check.exit_code == 0, check.stdout + check.stderr


def test_a_crash_between_the_writes_of_request_process_leaves_no_orphan_and_no_duplicate(run, store):
    project_id = created(run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                             "title=Kaasuliittymä"))
    numbers = iter(range(100200, 100300))

    def prepare():
        form_id = created(run("request", "new", *FORM, f"project={project_id}", "--as", "jussi.myyja"))
        assert run("request", "send", form_id, "--as", "jussi.myyja").exit_code == 0
        return form_id, str(next(numbers))

    points = 0
    for (form_id, number), code in crash_points(
            store, run, prepare, lambda state: ("request", "process", state[0], f"customer_number={state[1]}")):
        points += 1
        if code != 0 and get(store, form_id)["status"] == "sent":
            retry = run("request", "process", form_id, f"customer_number={number}")
            assert retry.exit_code == 0, f"crash point {points}: {retry.stderr}"
        customers = [c for c in records_of(store, "customer") if c.get("customer_number") == number]
        assert len(customers) == 1, f"crash point {points}: {len(customers)} customers numbered {number}"
        form = get(store, form_id)
        assert (form["status"], form["customer"]) == ("processed", customers[0]["id"]), f"crash point {points}"
    assert points >= 3
    check = run("check")
    assert check.exit_code == 0, check.stdout + check.stderr


def test_a_crash_between_the_writes_of_a_lead_from_a_service_request_leaves_both_or_neither(run, store):
    points = 0
    for request_id, code in crash_points(store, run, lambda: new_request(run),
                                         lambda request_id: ("lead", "new", *LEAD, f"service_request={request_id}")):
        points += 1
        leads = [lead for lead in records_of(store, "lead") if lead.get("service_request") == request_id]
        linked = get(store, request_id).get("lead")
        assert (len(leads), linked) in ((0, None), (1, leads[0]["id"] if leads else None)), f"crash point {points}"
        assert (code == 0) <= (len(leads) == 1)
    assert points >= 3
    check = run("check")
    assert check.exit_code == 0, check.stdout + check.stderr


# -- check: links both ways ---------------------------------------------------

def test_check_reports_a_link_that_does_not_point_back(run, store):
    lead_id = created(run("lead", "new", *LEAD))
    project_id = created(run("lead", "handle", lead_id, "--as", "jussi.myyja"))
    assert run("check").exit_code == 0
    break_record(store, project_id, lead=None)  # the project forgets its lead
    result = run("--lang", "en", "check")
    assert result.exit_code == 1
    path = store.display_path(store.path_of(lead_id))
    line = next(n for n, row in enumerate(store.path_of(lead_id).read_text().splitlines(), 1)
                if row.startswith("project:"))
    assert (f"{path}:{line}: error: link-one-way: {lead_id} project: {project_id} does not point back (lead: -)"
            in result.stdout)


def test_check_reports_a_service_request_whose_lead_names_another(run, store):
    request_id = new_request(run)
    lead_id = created(run("lead", "new", *LEAD, f"service_request={request_id}"))
    other = new_request(run)
    break_record(store, lead_id, service_request=other)
    result = run("--lang", "en", "check")
    assert result.exit_code == 1
    assert f"error: link-one-way: {request_id} lead: {lead_id} does not point back (service_request: {other})" in (
        result.stdout)


def test_check_warns_when_a_project_names_a_lead_handled_into_another(run, store):
    lead_id = created(run("lead", "new", *LEAD))
    created(run("lead", "handle", lead_id, "--as", "jussi.myyja"))
    second = created(run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                         "title=Toinen", f"lead={lead_id}"))
    result = run("--lang", "en", "check")
    assert result.exit_code == 0
    assert f"warning: link-mismatch: {second} lead: {lead_id} points to another record (project: " in result.stdout
