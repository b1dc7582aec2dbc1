"""`crmctl diff` and `crmctl log` (cli.md, "Git"): records between revisions in CRM terms, with real git."""

import json

import pytest

from conftest import NOW, USER, new_request
from git_store import git_env, make_repository


@pytest.fixture
def repo(store, monkeypatch):
    git_env(monkeypatch)
    return make_repository(store.root)


@pytest.fixture
def customer(repo, run):
    done = run("customer", "new", "name=Maija Mallikas", "kind=person", "personal_id=131052-308T")
    assert done.exit_code == 0, done.stderr
    return done.stdout.strip()


def test_diff_between_revisions_masks_the_personal_id(repo, run, customer, monkeypatch):
    monkeypatch.setenv("CRMCTL_NOW", "2011-01-26T09:30:00+02:00")
    assert run("customer", "set", customer, "personal_id=010101-123N").exit_code == 0
    result = run("diff", "HEAD~1", "HEAD", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == [{
        "id": customer, "type": "customer", "change": "changed",
        "fields": {"personal_id": ["131052-****", "010101-****"],
                   "history": [None, [{"at": "2011-01-26T09:30:00+02:00", "by": USER, "event": "changed",
                                       "changes": {"personal_id": ["131052-****", "010101-****"]}}]]}}]
    assert "131052-308T" not in result.stdout and "010101-123N" not in result.stdout
    revealed = json.loads(run("diff", "HEAD~1", "HEAD", "--format", "json", "--reveal").stdout)
    assert revealed[0]["fields"]["personal_id"] == ["131052-308T", "010101-123N"]


def test_diff_of_the_working_tree_shows_created_changed_and_deleted(repo, run, store, customer):
    text = (repo / "crmctl.yaml").read_text().replace("commit: auto", "commit: off")
    (repo / "crmctl.yaml").write_text(text)  # nothing below commits
    record_id = new_request(run)
    assert run("customer", "set", customer, "name=Maija Mallikas-Virta").exit_code == 0
    (repo / "customers" / "CUST-GENERAL.yaml").unlink()
    result = run("--lang", "en", "diff", "--format", "json")
    changes = {item["id"]: item for item in json.loads(result.stdout)}
    assert {i: item["change"] for i, item in changes.items()} == {
        "CUST-GENERAL": "deleted", customer: "changed", record_id: "created"}
    assert changes[customer]["fields"]["name"] == ["Maija Mallikas", "Maija Mallikas-Virta"]
    assert changes[record_id]["fields"]["title"] == [None, "Laskussa virhe"]
    assert changes[record_id]["fields"]["history"][1][0]["event"] == "created"
    assert changes["CUST-GENERAL"]["fields"]["name"] == ["_Asiakaspalvelun yleisasiakas", None]


def test_diff_as_markdown_for_a_pull_request(repo, run, customer):
    assert run("customer", "set", customer, "name=Maija Virta").exit_code == 0
    result = run("--lang", "en", "diff", "HEAD~1", "--format", "md")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    cells = [[cell.strip() for cell in line.split("|")[1:-1]] for line in lines]
    assert lines[1].startswith("|---") and len(lines) == 4
    assert [cells[0], cells[2], cells[3]] == [
        ["ID", "Change", "Field", "Before", "After"],
        [customer, "changed", "name", "Maija Mallikas", "Maija Virta"],
        [customer, "changed", "history", "", f"{NOW} {USER}: changed (name: Maija Mallikas → Maija Virta)"]]


def test_diff_of_an_unknown_revision_is_an_error(repo, run):
    result = run("--lang", "en", "diff", "no-such-branch")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "Error: unknown git revision 'no-such-branch'\n")


def test_log_newest_first_who_did_what(repo, run, customer, monkeypatch):
    record_id = new_request(run)
    monkeypatch.setenv("CRMCTL_NOW", "2011-01-26T09:30:00+02:00")
    assert run("sr", "set", record_id, "priority=high").exit_code == 0
    monkeypatch.setenv("CRMCTL_NOW", "2011-01-27T08:00:00+02:00")
    assert run("--as", "taija.halme", "customer", "set", customer, "name=Maija Virta").exit_code == 0
    events = json.loads(run("log", "--format", "json").stdout)
    assert [(e["at"], e["by"], e["id"], e["event"]) for e in events][:2] == [
        ("2011-01-27T08:00:00+02:00", "taija.halme", customer, "changed"),
        ("2011-01-26T09:30:00+02:00", USER, record_id, "changed")]
    assert sorted((e["id"], e["event"]) for e in events[2:]) == sorted(
        [(record_id, "created"), (customer, "created"), ("CUST-GENERAL", "created")])
    assert {e["at"] for e in events[2:]} == {NOW}
    assert events[0]["changes"] == {"name": ["Maija Mallikas", "Maija Virta"]}
    table = run("--lang", "en", "log", record_id).stdout.splitlines()
    assert table[2].split() == ["2011-01-26T09:30:00+02:00", USER, record_id, "changed", "priority:", "Normal", "→",
                                "High"]
    assert len(table) == 4
    since_rev = json.loads(run("log", "--since", "HEAD~1", "--format", "json").stdout)
    assert [(e["id"], e["by"]) for e in since_rev] == [(customer, "taija.halme")]
    since_day = json.loads(run("log", "--since", "2011-01-26", "--format", "json").stdout)
    assert [e["at"][:10] for e in since_day] == ["2011-01-27", "2011-01-26"]


def test_log_masks_confidential_values(repo, run, customer):
    assert run("customer", "set", customer, "personal_id=010101-123N").exit_code == 0
    shown = run("log", customer, "--format", "json").stdout
    assert "010101-****" in shown and "010101-123N" not in shown and "131052-308T" not in shown
