"""`project close`: --completed and --lost exclude each other; completing with stages not done is a forced
completion of those stages, with a reason and the permission of `stage complete` (issue 11, item 15)."""

from datetime import date

import pytest

from conftest import snapshot


def new_project(run):
    result = run("project", "new", "type=gas_connection", "customer=CUST-GENERAL", "region=kotka",
                 "title=Maakaasuliittymä Gunnarintie 5", "value=12000")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("args, message", [
    (["--lost", "--completed", "reason=x"], "Error: --completed and --lost exclude each other\n"),
    (["--completed", "--lost", "reason=x"], "Error: --completed and --lost exclude each other\n"),
    (["--lost", "--force", "reason=x"], "Error: --force goes with --completed\n"),
    (["--completed", "reason=x"], "Error: reason=.. goes with --force\n"),
])
def test_options_that_exclude_each_other_are_usage_errors(run, store, args, message):
    project_id = new_project(run)
    before = snapshot(store.root)
    result = run("--lang", "en", "project", "close", project_id, *args)
    assert (result.exit_code, result.stderr) == (2, message)
    assert snapshot(store.root) == before


@pytest.mark.parametrize("user, message", [
    ("jussi.myyja", "Error: {id}: stages not done: needs_assessment, offer, contract_sent, contract_returned, "
                    "connection_fee_invoiced, connection_built, billing_activated; to close it completed anyway, "
                    "use --force reason=..\n"),
    ("teemu.tekninen", "Error: only the stage's owner (jussi.myyja) or an admin may complete needs_assessment "
                       "(use --force reason=.. to override)\n"),
])
def test_completing_with_stages_not_done_needs_force(run, store, user, message):
    project_id = new_project(run)
    before = snapshot(store.root)
    result = run("--lang", "en", "project", "close", project_id, "--completed", "--as", user)
    assert (result.exit_code, result.stderr) == (1, message.format(id=project_id))
    assert snapshot(store.root) == before


def test_forced_completion_finishes_every_open_stage_with_the_reason(run, store):
    project_id = new_project(run)
    assert run("project", "stage", "complete", project_id, "--as", "jussi.myyja").exit_code == 0
    result = run("project", "close", project_id, "--completed", "--force", "reason=Sovittu puhelimessa",
                 "--as", "jussi.myyja")
    assert result.exit_code == 0, result.stderr
    record = store.get(project_id)
    assert (record["status"], record["closed"]) == ("completed", date(2011, 1, 25))
    assert [s["status"] for s in record["stages"]] == ["done"] * 7
    assert record["stages"][0].get("reason") is None  # completed the ordinary way before
    assert {s.get("reason") for s in record["stages"][1:]} == {"Sovittu puhelimessa"}
    assert {s["completed"] for s in record["stages"][1:]} == {date(2011, 1, 25)}
    forced = [e for e in record["history"] if e["event"] == "stage_completed" and e.get("forced")]
    assert [e["stage"] for e in forced] == [s["key"] for s in record["stages"][1:]]
    assert record["history"][-len(forced) - 1]["event"] == "status"
    assert record["history"][-len(forced) - 1]["reason"] == "Sovittu puhelimessa"
    check = run("check")
    assert check.exit_code == 0, check.stdout


def test_forced_completion_cannot_date_before_the_current_stage_began(run, store):
    project_id = new_project(run)
    before = snapshot(store.root)
    result = run("--lang", "en", "project", "close", project_id, "--completed", "--force", "reason=x",
                 "--date", "2011-01-24")
    assert result.exit_code == 1
    assert "2011-01-24" in result.stderr
    assert snapshot(store.root) == before


def test_force_without_a_reason_is_a_request_error(run, store):
    """A missing reason= is wrong data, not a wrong command line: exit 1, as for `--lost` without one."""
    project_id = new_project(run)
    before = snapshot(store.root)
    result = run("--lang", "en", "project", "close", project_id, "--completed", "--force")
    assert (result.exit_code, result.stderr) == (1, "Error: --force needs a reason (reason=...)\n")
    assert snapshot(store.root) == before
