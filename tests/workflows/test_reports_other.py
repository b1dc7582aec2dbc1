"""Calls, leads, adoption and quality reports over stores written by hand: every number, every format."""

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from crmctl.kernel import yamlio
from crmctl.reports import run

TZ = timezone(timedelta(hours=2))


def at(day, hour=10):
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), TZ).replace(hour=hour)


def write(store, record):
    """A record file written as another tool would write it."""
    rtype = store.type_of(record["id"])
    path = store.path_of(record["id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yamlio.dump(record), encoding="utf-8")
    return rtype


def request(store, suffix, received, owner, subject="billing", origin="phone", unit="paikallisjakelu",
            status="in_progress", responded=None, events=()):
    day = date.fromisoformat(received)
    record = {"id": f"SR-{day:%Y%m%d}-{suffix}", "title": "Puhelu", "customer": "CUST-GENERAL",
              "person_name": "Matti Meikäläinen", "phone": "+358 40 123 4567", "subject": subject, "owner": owner,
              "case_type": "question", "unit": unit, "origin": origin, "status_reason": status,
              "satisfaction": 4, "priority": "normal", "service_method": "first_contact", "received": day}
    if responded:
        record["responded"] = date.fromisoformat(responded)
    if status in ("done", "resolved"):
        record["resolution"] = "Vastattu."
    if subject == "meter_reading":
        record["meter_reading"] = 100
    history = [{"at": at(received), "by": owner, "event": "created"}]
    for when, to in events:
        history.append({"at": at(when, 15), "by": owner, "event": "status", "from": "in_progress", "to": to})
    record["history"] = history
    write(store, record)


@pytest.fixture
def calls(store):
    request(store, "AAAA1", "2011-01-10", "mette.murto", "meter_reading", status="done", responded="2011-01-10",
            events=[("2011-01-10", "done")])
    request(store, "AAAA2", "2011-01-28", "taija.halme", "billing", "email", status="done", responded="2011-02-02",
            events=[("2011-02-02", "done")])                                  # 3 working days: just within SLA
    request(store, "AAAA3", "2011-02-15", "mette.murto", "billing")             # still open
    request(store, "AAAA4", "2011-02-21", "taija.halme", "other", "web", "gasum_oy", status="cancelled",
            events=[("2011-02-22", "cancelled")])                             # cancelled: not open at month end
    request(store, "AAAA5", "2011-01-31", "mette.murto", "feedback", status="done", responded="2011-02-07",
            events=[("2011-02-07", "done")])                                  # received on the last day; late
    return store


CALLS = [
    {"month": "2011-01", "received": 3, "received_change": 3, "resolved": 1, "resolved_change": 1,
     "open": 2, "open_change": 2, "median_working_days_to_resolve": 0, "resolved_within_sla_share": 1.0,
     "by_subject": {"billing": 1, "feedback": 1, "meter_reading": 1}, "by_origin": {"email": 1, "phone": 2},
     "by_unit": {"paikallisjakelu": 3}, "by_owner": {"mette.murto": 2, "taija.halme": 1}},
    {"month": "2011-02", "received": 2, "received_change": -1, "resolved": 2, "resolved_change": 1,
     "open": 1, "open_change": -1, "median_working_days_to_resolve": 4.0, "resolved_within_sla_share": 0.5,
     "by_subject": {"billing": 1, "other": 1}, "by_origin": {"phone": 1, "web": 1},
     "by_unit": {"gasum_oy": 1, "paikallisjakelu": 1}, "by_owner": {"mette.murto": 1, "taija.halme": 1}},
]


def test_calls_numbers(calls):
    assert run(calls, "calls", "2011-01", "2011-02").months == CALLS


def test_calls_json(run, calls):
    result = run("--format", "json", "report", "calls", "--from", "2011-01", "--to", "2011-02")
    assert json.loads(result.stdout) == {"report": "calls", "months": CALLS}


def test_calls_table_in_english_with_breakdowns(run, calls):
    result = run("--lang", "en", "report", "calls", "--from", "2011-01", "--to", "2011-02")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == """\
month    received    resolved    open at month end    median working days to resolve    resolved within SLA
-------  ----------  ----------  -------------------  --------------------------------  ---------------------
2011-01  3           1           2                    0                                 100 %
2011-02  2 (\u22121)      2 (+1)      1 (\u22121)               4                                 50 %

received by subject
               2011-01    2011-02
-------------  ---------  ---------
Billing        1          1
Feedback       1          0
Meter reading  1          0
Other          0          1

received by origin
            2011-01    2011-02
----------  ---------  ---------
Email       1          0
Phone call  2          1
Web form    0          1

received by unit
                       2011-01    2011-02
---------------------  ---------  ---------
Gasum Oy               0          1
Gasum Paikallisjakelu  3          1

received by owner
             2011-01    2011-02
-----------  ---------  ---------
Mette Murto  2          1
Taija Halme  1          1
"""


def test_calls_csv_flattens_breakdowns(run, calls):
    result = run("--format", "csv", "report", "calls", "--from", "2011-01", "--to", "2011-02")
    lines = result.stdout.splitlines()
    assert lines[0] == ("month,received,received_change,resolved,resolved_change,open,open_change,"
                        "median_working_days_to_resolve,resolved_within_sla_share,by_subject.billing,"
                        "by_subject.feedback,by_subject.meter_reading,by_subject.other,by_origin.email,"
                        "by_origin.phone,by_origin.web,by_unit.gasum_oy,by_unit.paikallisjakelu,"
                        "by_owner.mette.murto,by_owner.taija.halme")
    assert lines[1:] == ["2011-01,3,3,1,1,2,2,0,1.0,1,1,1,0,1,2,0,0,3,2,1",
                         "2011-02,2,-1,2,1,1,-1,4.0,0.5,1,0,0,1,0,1,1,1,1,1,1"]


def test_calls_markdown_page_has_breakdown_tables_and_chart(run, calls):
    page = run("--lang", "en", "--format", "md", "report", "calls", "--from", "2011-01", "--to", "2011-02").stdout
    assert page.startswith("# Call tracking\n\nRange: 2011-01 – 2011-02\n\n| month | received | resolved |")
    assert "| 2011-02 | 2 (\u22121) | 2 (+1) | 1 (\u22121) | 4 | 50 % |" in page
    assert "## received by owner\n\n|  | 2011-01 | 2011-02 |\n|---|---|---|\n| Mette Murto | 2 | 1 |\n" in page
    assert "    line [3, 2]\n    line [1, 2]\n    line [2, 1]\n```" in page


def lead(store, suffix, created, by, status="open", due=None, handled=None, project=None):
    day = date.fromisoformat(created)
    record = {"id": f"LEAD-{day:%Y%m%d}-{suffix}", "topic": "gas_connection", "person_name": "Liisa Laine",
              "phone": "+358 40 765 4321", "customer_kind": "person", "region": "kotka", "owner": "jussi.myyja",
              "source": "phone", "given_by": by, "status": status}
    if status == "handled_no_action":
        record["reason"] = "Kaasua ei saatavilla alueella"
    if due:
        record["due"] = date.fromisoformat(due)
    if project:
        record["project"] = project
    record["history"] = [{"at": at(created), "by": by, "event": "created"}]
    if handled:
        record["history"].append({"at": at(handled, 14), "by": "jussi.myyja", "event": "status", "from": "open",
                                  "to": status})
    write(store, record)


@pytest.fixture
def leads(store):
    lead(store, "AAAA1", "2011-01-10", "mette.murto", "handled", "2011-01-12", "2011-01-11", "PRJ-20110111-AAAA1")
    lead(store, "AAAA2", "2011-01-27", "taija.halme", "handled_no_action", "2011-01-31", "2011-02-03")  # late
    lead(store, "AAAA3", "2011-02-10", "mette.murto", "open", "2011-02-14")
    lead(store, "AAAA4", "2011-02-01", "mette.murto", "handled", "2011-02-03", "2011-02-03", "PRJ-20110203-AAAA4")
    return store


LEADS = [
    {"month": "2011-01", "created": 2, "created_change": 2, "handled": 1, "handled_change": 1,
     "handled_no_action": 0, "handled_no_action_change": 0, "handled_within_target_share": 1.0,
     "converted": 1, "converted_change": 1},
    {"month": "2011-02", "created": 2, "created_change": 0, "handled": 1, "handled_change": 0,
     "handled_no_action": 1, "handled_no_action_change": 1, "handled_within_target_share": 0.5,
     "converted": 1, "converted_change": 0},
]


def test_leads_numbers_and_json(run, leads):
    assert run_report(leads, "leads") == LEADS
    result = run("--format", "json", "report", "leads", "--from", "2011-01", "--to", "2011-02")
    assert json.loads(result.stdout) == {"report": "leads", "months": LEADS}


def run_report(store, name):
    return run(store, name, "2011-01", "2011-02").months


def test_leads_table_and_csv(run, leads):
    table = run("--lang", "en", "report", "leads", "--from", "2011-01", "--to", "2011-02").stdout
    assert table.splitlines()[2:] == [
        "2011-01  2          1          0                     100 %                    1",
        "2011-02  2          1          1 (+1)                50 %                     1",
    ]
    csv_text = run("--format", "csv", "report", "leads", "--from", "2011-01", "--to", "2011-02").stdout
    assert csv_text.splitlines() == [
        "month,created,created_change,handled,handled_change,handled_no_action,handled_no_action_change,"
        "handled_within_target_share,converted,converted_change",
        "2011-01,2,2,1,1,0,0,1.0,1,1", "2011-02,2,0,1,0,1,1,0.5,1,0"]


def test_adoption_counts_planned_users_who_wrote_history(run, calls, leads):
    # January: mette and taija logged calls, jussi handled a lead; February the same three.
    months = run_report(calls, "adoption")
    assert months == [
        {"month": "2011-01", "planned_users": 6, "planned_users_change": 0, "active_planned_users": 3,
         "active_planned_users_change": 3, "share": 0.5, "share_change": 0.5, "criterion_met": False,
         "inactive_planned_users": ["kaisa.kauppinen", "sanna.salo", "teemu.tekninen"]},
        {"month": "2011-02", "planned_users": 6, "planned_users_change": 0, "active_planned_users": 3,
         "active_planned_users_change": 0, "share": 0.5, "share_change": 0.0, "criterion_met": False,
         "inactive_planned_users": ["kaisa.kauppinen", "sanna.salo", "teemu.tekninen"]},
    ]
    table = run("--lang", "en", "report", "adoption", "--from", "2011-01", "--to", "2011-02").stdout
    assert table == """\
month    planned users    active planned users    share    at least 80 %
-------  ---------------  ----------------------  -------  ---------------
2011-01  6                3                       50 %     not met
2011-02  6                3                       50 %     not met

2011-01: not active: Kaisa Kauppinen, Sanna Salo, Teemu Tekninen

2011-02: not active: Kaisa Kauppinen, Sanna Salo, Teemu Tekninen
"""


def test_adoption_criterion_met_at_80_percent(run, store):
    for index, handle in enumerate(["mette.murto", "taija.halme", "sanna.salo", "jussi.myyja", "kaisa.kauppinen"]):
        request(store, f"BBBB{index}", "2011-01-1" + str(index), handle)
    months = run_report(store, "adoption")
    assert [(m["active_planned_users"], m["share"], m["criterion_met"]) for m in months] == \
        [(5, 0.8333, True), (0, 0.0, False)]
    assert "täyttyy" in run("report", "adoption", "--from", "2011-01", "--to", "2011-01").stdout


def customer(store, suffix, name, kind="business", **values):
    record = {"id": f"CUST-20110103-{suffix}", "name": name, "kind": kind, **values,
              "history": [{"at": at("2011-01-03"), "by": "sanna.salo", "event": "created"}]}
    write(store, record)


@pytest.fixture
def quality(calls):
    customer(calls, "CCCC1", "Kotkan Lämpö Oy", business_id="1572860-0", phone="+358 40 111 1111",
             customer_number="1000001", region="kotka")
    customer(calls, "CCCC2", "KOTKAN  LÄMPÖ OY.", phone="+358 40 111 1111")        # no business_id: breaks a rule
    customer(calls, "CCCC3", "Matti Meikäläinen", kind="person")
    request(calls, "AAAA6", "2011-02-16", "mette.murto")
    record = calls.get("SR-20110216-AAAA6")
    record["customer"] = "CUST-20110103-CCCC1"
    write(calls, record)
    return calls


def test_quality_snapshot(quality):
    data = run(quality, "quality").data()
    assert data["types"]["customer"] == {
        "records": 3, "violations": 1, "warnings": 3,
        "fill_rates": {"customer_number": 0.3333, "contact_person": 0.0, "phone": 0.6667, "billing_address": 0.0,
                       "segment": 0.0, "region": 0.3333},
        "filled": {"customer_number": 1, "contact_person": 0, "phone": 2, "billing_address": 0, "segment": 0,
                   "region": 1}}
    assert data["types"]["service_request"]["records"] == 6
    assert data["types"]["service_request"]["fill_rates"]["site"] == 0.0
    assert data["types"]["service_request"]["fill_rates"]["unit"] == 1.0
    assert data["duplicates"] == [{"name": "Kotkan Lämpö Oy", "ids": ["CUST-20110103-CCCC1", "CUST-20110103-CCCC2"],
                                   "same": ["phone"]}]
    assert (data["requests"], data["general_customer_requests"], data["general_customer_share"]) == (6, 5, 0.8333)
    assert data["report"] == "quality"


def test_quality_in_every_format(run, quality):
    table = run("--lang", "en", "report", "quality").stdout
    assert "Probable duplicate customers\nName             Customers" in table
    assert "Kotkan Lämpö Oy  CUST-20110103-CCCC1, CUST-20110103-CCCC2  phone" in table
    assert "Customer                  customer_number (Customer number)  1         3          33 %" in table
    assert table.endswith("Requests logged on CUST-GENERAL\nService requests    On CUST-GENERAL    Share\n"
                          "------------------  -----------------  -------\n6                   5                  83 %\n")
    assert json.loads(run("--format", "json", "report", "quality").stdout)["general_customer_requests"] == 5
    refused = run("--format", "csv", "report", "quality")  # four tables of different columns: JSON holds them
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == ("Virhe: report quality: muotoa --format csv ei tueta "
                              "(vaihtoehdot: table, md, json, yaml)\n")
    page = run("--lang", "en", "--format", "md", "report", "quality").stdout
    assert page.startswith("# Data quality\n\n## Recommended fields filled\n\n| Record type | Field |")
    assert "## Probable duplicate customers\n\n| Name | Customers | Same |\n|---|---|---|\n" in page
    assert "## How to read this" in page


def test_quality_takes_from_and_to_like_every_report(run, quality):
    """--from/--to count the records created in those months, so a script can loop over every report."""
    def counted(*options):
        result = run("--format", "json", "report", "quality", *options)
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        return data["requests"], data["types"]["customer"]["records"], len(data["duplicates"])

    assert counted() == (6, 3, 1)
    assert counted("--to", "2011-01") == (3, 3, 1)
    assert counted("--from", "2011-02") == (3, 0, 0)
    assert counted("--from", "2011-02", "--to", "2011-02") == (3, 0, 0)
    assert counted("--from", "2011-01", "--to", "2011-01") == (3, 3, 1)
    wrong = run("report", "quality", "--from", "2011-03", "--to", "2011-01")
    assert (wrong.exit_code, wrong.stdout) == (2, "")


@pytest.mark.parametrize("name", ["monthly", "calls", "leads", "adoption", "quality"])
def test_every_report_reads_each_record_type_at_most_once(quality, leads, monkeypatch, name):
    from crmctl.reports import Context

    monkeypatch.setenv("CRMCTL_NO_INDEX", "1")  # whole records (through the index, reports read projections)
    loads = []
    original = type(quality)._load_all
    monkeypatch.setattr(type(quality), "_load_all", lambda self, rtype: loads.append(rtype.key) or original(self, rtype))
    run(quality, name, *(("2010-01", "2011-03") if name != "quality" else ()), context=Context(quality))
    assert (loads or name == "quality") and len(loads) == len(set(loads))  # quality reads check's cache, no record


def test_jsonl_is_not_a_report_format(run, calls):
    result = run("--format", "jsonl", "report", "calls")
    assert result.exit_code == 2
    assert result.stderr == "Virhe: report calls: muotoa --format jsonl ei tueta (vaihtoehdot: table, md, csv, json, yaml, svg)\n"


def test_calls_page_with_out_writes_svg(run, calls, tmp_path):
    import xml.etree.ElementTree as ET

    result = run("--format", "md", "report", "calls", "--from", "2011-01", "--to", "2011-02",
                 "--out", str(tmp_path / "calls.md"))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"Kirjoitettu {tmp_path / 'calls.md'}\nKirjoitettu {tmp_path / 'calls.svg'}\n"
    assert "![Puheluseuranta](calls.svg)" in (tmp_path / "calls.md").read_text(encoding="utf-8")
    svg = ET.parse(tmp_path / "calls.svg").getroot()
    bars = [r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if len(r)]
    assert len(bars) == 6  # received, resolved, open for two months


def test_out_svg_writes_the_chart_alone(run, calls, tmp_path):
    """`--out FILE.svg` takes the format from the extension: the monthly report's chart, as SVG."""
    import xml.etree.ElementTree as ET

    target = tmp_path / "calls.svg"
    result = run("report", "calls", "--from", "2011-01", "--to", "2011-02", "--out", str(target))
    assert result.exit_code == 0, result.stderr
    assert ET.fromstring(target.read_text(encoding="utf-8")).tag == "{http://www.w3.org/2000/svg}svg"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".svg", ".md")) == ["calls.svg"]
