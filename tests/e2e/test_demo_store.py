"""The demo store: a generated Jan–Mar 2011 history that reproduces the roll-out's tracking table (§7)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from crmctl.cli import cli
from crmctl.demo.people import create_demo_store

pytestmark = pytest.mark.slow  # generates the demo company's quarter

REPO_RECORDS = Path(__file__).resolve().parents[2] / "records"

# The reference table of domain spec §7, as `--format md --lang en` prints it.
REFERENCE = """\
| month | open | new | progressed | not progressed | completed | lost |
|---|---|---|---|---|---|---|
| 2011-01 | 35 | 10 | 31 | 4 | 0 | 0 |
| 2011-02 | 49 (+14) | 16 (+6) | 33 (+2) | 18 (+14) | 2 (+2) | 0 |
| 2011-03 | 73 (+24) | 28 (+12) | 44 (+11) | 33 (+15) | 1 (\u22121) | 3 (+3) |
"""
TABLE_FI = """\
Kuukausi    Avoimet    Uudet     Edenneet    Ei edenneet    Valmistuneet    Hävityt
----------  ---------  --------  ----------  -------------  --------------  ---------
2011-01     35         10        31          4              0               0
2011-02     49 (+14)   16 (+6)   33 (+2)     18 (+14)       2 (+2)          0
2011-03     73 (+24)   28 (+12)  44 (+11)    33 (+15)       1 (\u22121)          3 (+3)
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return create_demo_store(tmp_path_factory.mktemp("demo") / "records").root


def crmctl(root, *args):
    return CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)


@pytest.mark.parametrize("which", ["committed", "generated"])
def test_demo_store_prints_the_reference_table(which, generated):
    root = REPO_RECORDS if which == "committed" else generated
    result = crmctl(root, "report", "monthly", "--from", "2011-01", "--to", "2011-03")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == TABLE_FI
    page = crmctl(root, "--lang", "en", "--format", "md", "report", "monthly", "--from", "2011-01", "--to", "2011-03")
    assert REFERENCE in page.stdout


@pytest.mark.parametrize("which", ["committed", "generated"])
def test_demo_store_passes_check(which, generated, monkeypatch):
    monkeypatch.setenv("CRMCTL_NOW", "2011-03-31T18:00:00+03:00")  # the demo's last day: nothing lies in the future
    root = REPO_RECORDS if which == "committed" else generated
    result = crmctl(root, "check")
    assert result.exit_code == 0, result.stdout
    assert ": error:" not in result.stdout


def test_demo_json_changes(generated):
    result = crmctl(generated, "--format", "json", "report", "monthly", "--from", "2011-01", "--to", "2011-03")
    months = json.loads(result.stdout)["months"]
    assert [m["open"] for m in months] == [35, 49, 73]
    # December 2010 had the 25 migrated projects open: cli.md's `"open_change": 10` for 2011-01.
    assert [m["open_change"] for m in months] == [10, 14, 24]
    assert [m["completed_change"] for m in months] == [0, 2, -1]
    assert [m["lost"] for m in months] == [0, 0, 3]


def test_demo_store_has_every_kind_of_record(generated):
    def count(folder):
        return len(list((generated / folder).rglob("*.yaml")))

    assert count("customers") > 40 and count("service-requests") > 200 and count("leads") > 40
    projects = [p.read_text(encoding="utf-8") for p in (generated / "sales-projects").rglob("*.yaml")]
    assert len(projects) == 79
    for kind in ("gas_connection", "heat_connection", "solution_sales", "parent_company"):
        assert any(f"type: {kind}\n" in text for text in projects), kind
    migrated = [t for t in projects if "\ncreated: 2008" in t or "\ncreated: 2009" in t or "\ncreated: 2010" in t]
    assert len(migrated) == 25 and all("history:\n- at: 2011-01-03T" in t for t in migrated)


def test_demo_adoption_and_leads(generated):
    adoption = json.loads(crmctl(generated, "--format", "json", "report", "adoption", "--from", "2011-01",
                                 "--to", "2011-03").stdout)["months"]
    assert [(m["planned_users"], m["active_planned_users"], m["criterion_met"]) for m in adoption] == \
        [(7, 6, True), (7, 7, True), (7, 7, True)]
    assert adoption[0]["inactive_planned_users"] == ["pekka.perala"]  # Tampere's seller started in February
    leads = json.loads(crmctl(generated, "--format", "json", "report", "leads", "--from", "2011-01",
                              "--to", "2011-03").stdout)["months"]
    projects_from_leads = sum(m["converted"] for m in leads)
    assert projects_from_leads == sum(m["handled"] for m in leads) > 0


def test_committed_demo_store_is_what_the_generator_writes(generated):
    """records/ is regenerated, never edited: a change to the workflows that changes what they write shows here."""
    def files(root):
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
                if p.is_file() and ".cache" not in p.relative_to(root).parts}

    committed, fresh = files(REPO_RECORDS), files(generated)
    assert sorted(committed) == sorted(fresh)
    assert [name for name in committed if committed[name] != fresh[name]] == []
