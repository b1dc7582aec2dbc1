"""Monthly tracking (domain §7) over a store written by hand: every number and change, every format."""

import csv
import io
import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from crmctl.kernel import yamlio
from crmctl.reports import Context, run
from crmctl.reports.monthly import tracking_start

STAGE_KEYS = ["needs_assessment", "offer", "contract_sent", "contract_returned", "connection_fee_invoiced",
              "connection_built", "billing_activated"]
TZ = timezone(timedelta(hours=2))


def write_project(store, suffix, created, status="open", closed=None, completions=(), recorded="2011-01-03"):
    """A gas-connection project written as a file (as another tool would), stages done in order."""
    stages = []
    for index, key in enumerate(STAGE_KEYS):
        stage = {"key": key, "status": "not_started", "owner": "jussi.myyja"}
        if index < len(completions):
            stage.update(status="done", completed=date.fromisoformat(completions[index]))
        elif index == len(completions) and status == "open":
            stage["status"] = "in_progress"
        stages.append(stage)
    day = date.fromisoformat(recorded)
    record = {"id": f"PRJ-{day:%Y%m%d}-{suffix}", "title": f"Projekti {suffix}", "type": "gas_connection",
              "customer": "CUST-GENERAL", "region": "kotka", "owner": "jussi.myyja", "value": 1000,
              "status": status, "created": date.fromisoformat(created)}
    if closed:
        record["closed"] = date.fromisoformat(closed)
    if status == "lost":
        record["lost_reason"] = "Ei kaasua alueella"
    record["stages"] = stages
    record["history"] = [{"at": datetime.combine(day, datetime.min.time(), TZ).replace(hour=9), "by": "jussi.myyja",
                          "event": "created"}]
    path = store.root / "sales-projects" / f"{day:%Y}" / f"{day:%m}" / f"{record['id']}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yamlio.dump(record), encoding="utf-8")


@pytest.fixture
def history(store):
    """Known history: migrated projects, edge days of months, created and lost in one month."""
    write_project(store, "AAAA1", "2010-11-15", completions=["2010-12-01", "2011-02-01"])   # migrated; stage on Feb 1st
    write_project(store, "AAAA2", "2010-12-20")                                              # migrated, never moves
    write_project(store, "AAAA3", "2011-01-10", "completed", "2011-01-31",
                  completions=["2011-01-10"] + ["2011-01-31"] * 6, recorded="2011-01-10")  # closed on the last day
    write_project(store, "AAAA4", "2011-02-05", "lost", "2011-02-20", recorded="2011-02-05")  # created and lost in Feb
    write_project(store, "AAAA5", "2011-02-28", completions=["2011-03-01"], recorded="2011-02-28")  # stage on Mar 1st
    write_project(store, "AAAA6", "2011-03-15", "completed", "2011-03-31",
                  completions=["2011-03-31"] * 7, recorded="2011-03-15")
    return store


EXPECTED = [
    # December 2010 (migrated projects): open 2, new 1, progressed 1, not progressed 1.
    {"month": "2011-01", "open": 2, "open_change": 0, "new": 1, "new_change": 0,
     "progressed": 1, "progressed_change": 0, "not_progressed": 2, "not_progressed_change": 1,
     "completed": 1, "completed_change": 1, "lost": 0, "lost_change": 0},
    {"month": "2011-02", "open": 3, "open_change": 1, "new": 2, "new_change": 1,
     "progressed": 1, "progressed_change": 0, "not_progressed": 3, "not_progressed_change": 1,
     "completed": 0, "completed_change": -1, "lost": 1, "lost_change": 1},
    {"month": "2011-03", "open": 3, "open_change": 0, "new": 1, "new_change": -1,
     "progressed": 2, "progressed_change": 1, "not_progressed": 2, "not_progressed_change": -1,
     "completed": 1, "completed_change": 1, "lost": 0, "lost_change": -1},
]


def test_monthly_counts_every_metric_and_change(history):
    report = run(history, "monthly", "2011-01", "2011-03")
    assert report.months == EXPECTED


def test_month_before_the_range_gives_the_first_change(history):
    report = run(history, "monthly", "2011-02", "2011-02")
    assert report.months == [EXPECTED[1]]


def test_months_before_tracking_began_are_counted_from_migrated_dates(history):
    report = run(history, "monthly", "2010-12", "2010-12")
    assert report.months == [{"month": "2010-12", "open": 2, "open_change": 1, "new": 1, "new_change": 0,
                              "progressed": 1, "progressed_change": 1, "not_progressed": 1,
                              "not_progressed_change": 0, "completed": 0, "completed_change": 0,
                              "lost": 0, "lost_change": 0}]
    assert tracking_start(history.records(history.config.types["sales_project"])) == date(2011, 1, 1)
    assert report.tracked_from == date(2011, 1, 1)


def test_tables_show_no_change_up_to_the_first_tracked_month(run, history):
    """The data has the change from migrated projects; people's tables start comparing after tracking began."""
    result = run("--lang", "en", "report", "monthly", "--from", "2010-12", "--to", "2011-02")
    assert result.exit_code == 0, result.stderr
    assert [line.split()[:3] for line in result.stdout.splitlines()[2:]] == [
        ["2010-12", "2", "1"], ["2011-01", "2", "1"], ["2011-02", "3", "(+1)"]]


def test_default_range_is_the_last_three_months_up_to_now(history, monkeypatch):
    monkeypatch.setenv("CRMCTL_NOW", "2011-03-31T23:00:00+03:00")
    assert [row["month"] for row in run(history, "monthly").months] == ["2011-01", "2011-02", "2011-03"]


def test_records_are_loaded_once_per_run(history, monkeypatch):
    calls = []
    original = type(history)._load_all
    monkeypatch.setattr(type(history), "_load_all", lambda self, rtype: calls.append(rtype.key) or original(self, rtype))
    run(history, "monthly", "2010-01", "2011-03", context=Context(history))
    assert calls == []  # the column index's projections answered
    monkeypatch.setenv("CRMCTL_NO_INDEX", "1")
    run(history, "monthly", "2010-01", "2011-03", context=Context(history))
    assert calls == ["sales_project"]  # whole records, read once


TABLE_EN = """\
month    open    new     progressed    not progressed    completed    lost
-------  ------  ------  ------------  ----------------  -----------  ------
2011-01  2       1       1             2                 1            0
2011-02  3 (+1)  2 (+1)  1             3 (+1)            0 (\u22121)       1 (+1)
2011-03  3       1 (\u22121)  2 (+1)        2 (\u22121)            1 (+1)       0 (\u22121)
"""


def test_table_in_english(run, history):
    result = run("--lang", "en", "report", "monthly", "--from", "2011-01", "--to", "2011-03")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == TABLE_EN


def test_table_in_finnish_has_finnish_labels(run, history):
    result = run("report", "monthly", "--from", "2011-01", "--to", "2011-03")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["Kuukausi", "Avoimet", "Uudet", "Edenneet", "Ei", "edenneet",
                                                     "Valmistuneet", "Hävityt"]
    assert result.stdout.splitlines()[3].split() == ["2011-02", "3", "(+1)", "2", "(+1)", "1", "3", "(+1)",
                                                     "0", "(\u22121)", "1", "(+1)"]


def test_json_shape_and_numbers(run, history):
    result = run("report", "monthly", "--from", "2011-01", "--to", "2011-03", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"report": "monthly", "months": EXPECTED}


def test_csv_has_value_and_change_columns(run, history):
    result = run("report", "monthly", "--from", "2011-01", "--to", "2011-03", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:3] == [
        "month,open,open_change,new,new_change,progressed,progressed_change,not_progressed,not_progressed_change,"
        "completed,completed_change,lost,lost_change",
        "2011-01,2,0,1,0,1,0,2,1,1,1,0,0",
        "2011-02,3,1,2,1,1,0,3,1,0,-1,1,1",
    ]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(r["open"]) for r in rows] == [2, 3, 3]
    assert rows[2]["lost_change"] == "-1"


MD_TABLE_EN = """\
| month | open | new | progressed | not progressed | completed | lost |
|---|---|---|---|---|---|---|
| 2011-01 | 2 | 1 | 1 | 2 | 1 | 0 |
| 2011-02 | 3 (+1) | 2 (+1) | 1 | 3 (+1) | 0 (\u22121) | 1 (+1) |
| 2011-03 | 3 | 1 (\u22121) | 2 (+1) | 2 (\u22121) | 1 (+1) | 0 (\u22121) |
"""


def test_markdown_page_to_stdout_has_title_range_table_mermaid_and_how_to_read(run, history):
    result = run("--lang", "en", "report", "monthly", "--from", "2011-01", "--to", "2011-03", "--format", "md")
    assert result.exit_code == 0, result.stderr
    page = result.stdout
    assert page.startswith("# Sales project tracking\n\nRange: 2011-01 – 2011-03\n\n" + MD_TABLE_EN)
    mermaid = re.search(r"```mermaid\n(.*?)\n```", page, re.S).group(1).splitlines()
    assert mermaid == ['xychart-beta', '    title "Sales project tracking"',
                       '    x-axis ["2011-01", "2011-02", "2011-03"]', "    y-axis 0 --> 5",
                       "    line [2, 3, 3]", "    line [1, 2, 1]", "    line [1, 1, 2]", "    line [2, 3, 2]",
                       "    line [1, 0, 1]", "    line [0, 1, 0]"]
    assert "Series: open, new, progressed, not progressed, completed, lost." in page
    assert "## How to read this" in page
    assert "- **not progressed**: Not progressed: projects active during the month with no stage completed" in page


def test_markdown_page_with_out_writes_page_and_svg_beside_it(run, history, tmp_path):
    import xml.etree.ElementTree as ET

    out = tmp_path / "reports" / "monthly.md"
    result = run("report", "monthly", "--from", "2011-01", "--to", "2011-03", "--format", "md", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("# Myyntiprojektien seuranta\n\nAikaväli: 2011-01 – 2011-03\n\n| Kuukausi | Avoimet |")
    assert "![Myyntiprojektien seuranta](monthly.svg)" in page
    assert "```mermaid" not in page
    assert "## Näin luet raporttia" in page
    svg = ET.fromstring((tmp_path / "reports" / "monthly.svg").read_text(encoding="utf-8"))
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{ns}svg"
    bars = [r for r in svg.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert len(bars) == 18  # six metrics for three months
    titles = sorted(r.find(f"{ns}title").text for r in bars)
    assert "2011-02 Hävityt: 1" in titles and "2011-03 Edenneet: 2" in titles
    heights = {r.find(f"{ns}title").text: float(r.get("height")) for r in bars}
    assert heights["2011-02 Avoimet: 3"] == 168.0 and heights["2011-02 Valmistuneet: 0"] == 0.0
    assert [t.text for t in svg.iter(f"{ns}text")][-6:] == ["Avoimet", "Uudet", "Edenneet", "Ei edenneet",
                                                            "Valmistuneet", "Hävityt"]


def test_out_writes_json_file_and_nothing_to_stdout(run, history, tmp_path):
    out = tmp_path / "m.json"
    result = run("report", "monthly", "--from", "2011-02", "--to", "2011-02", "--format", "json", "--out", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["months"] == [EXPECTED[1]]


@pytest.mark.parametrize("args, message", [
    (["--from", "2011-13"], "Virhe: --from: odotettiin kuukautta muodossa VVVV-KK, saatiin '2011-13'\n"),
    (["--to", "March"], "Virhe: --to: odotettiin kuukautta muodossa VVVV-KK, saatiin 'March'\n"),
    (["--from", "2011-03", "--to", "2011-01"], "Virhe: --from 2011-03 on myöhemmin kuin --to 2011-01\n"),
])
def test_bad_months_are_usage_errors(run, history, args, message):
    result = run("report", "monthly", *args)
    assert result.exit_code == 2
    assert result.stderr == message


def test_store_without_projects_reports_zeros(run, store):
    result = run("report", "monthly", "--format", "json")
    assert json.loads(result.stdout)["months"][0] == {
        "month": "2010-11", **{k: 0 for k in ("open", "new", "progressed", "not_progressed", "completed", "lost")},
        **{f"{k}_change": 0 for k in ("open", "new", "progressed", "not_progressed", "completed", "lost")}}


def test_store_templates_override_the_page(run, history):
    folder = history.root / "templates" / "reports"
    folder.mkdir(parents=True)
    (folder / "monthly.md.j2").write_text("{{ title }}: {{ first }}..{{ last }}\n{{ table }}\n", encoding="utf-8")
    result = run("--lang", "en", "--format", "md", "report", "monthly", "--from", "2011-02", "--to", "2011-02")
    assert result.stdout == ("Sales project tracking: 2011-02..2011-02\n"
                             "| month | open | new | progressed | not progressed | completed | lost |\n"
                             "|---|---|---|---|---|---|---|\n"
                             "| 2011-02 | 3 (+1) | 2 (+1) | 1 | 3 (+1) | 0 (\u22121) | 1 (+1) |\n")


def test_bad_range_writes_nothing(run, history, tmp_path):
    from conftest import snapshot

    before = snapshot(history.root)
    out = tmp_path / "page.md"
    result = run("--format", "md", "report", "monthly", "--from", "2011-05", "--to", "2011-01", "--out", str(out))
    assert result.exit_code == 2
    assert not out.exists() and not out.with_suffix(".svg").exists()
    assert snapshot(history.root) == before


def test_report_help_lists_every_report(run):
    result = run("report", "--help")
    assert result.exit_code == 0
    for name in ("monthly", "calls", "leads", "adoption", "quality"):
        assert f"  {name} " in result.stdout
