"""The record merge driver and `resolve` in a real git repository: two branches change one record, git merges
them through `crmctl git merge-file` (a real process, as git runs it), `check` and `resolve` work on what is left."""

import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import new_request
from crmctl.cli.base import Env
from crmctl.cli.merging import merge_file_command
from crmctl.kernel import yamlio
from crmctl.store.store import Store

pytestmark = pytest.mark.slow

# The plain `crmctl` entry point, run by the test's own interpreter (the driver git calls is a real process).
DRIVER = """
from crmctl.cli import cli
cli(prog_name="crmctl")
"""


def git(root, *args, check=True):
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if check:
        assert done.returncode == 0, done.stderr + done.stdout
    return done


@pytest.fixture
def repo(store, tmp_path):
    """The store as a git repository on `main`, its records routed to the crmctl merge driver."""
    script = tmp_path / "crmctl_driver.py"
    script.write_text(DRIVER, encoding="utf-8")
    root = store.root
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Mette Murto")
    git(root, "config", "user.email", "mette.murto@example.fi")
    git(root, "config", "merge.crmctl.name", "crmctl record merge")
    git(root, "config", "merge.crmctl.driver", f"{sys.executable} {script} git merge-file %O %A %B %P")
    (root / ".gitattributes").write_text("*.yaml merge=crmctl\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "store")
    return root


def at(monkeypatch, clock):
    monkeypatch.setenv("CRMCTL_NOW", f"2011-01-25T{clock}:00+02:00")


def commit(root, message):
    git(root, "commit", "-q", "-am", message)


def two_sides(repo, monkeypatch, run, ours, theirs):
    """A request made on main; `theirs(id)` on a branch at 11:00, `ours(id)` on main at 10:30; then merged.
    Returns the id and git's merge process."""
    record_id = new_request(run)
    git(repo, "add", "-A")
    commit(repo, "new request")
    git(repo, "checkout", "-q", "-b", "other")
    at(monkeypatch, "11:00")
    theirs(record_id)
    commit(repo, "theirs")
    git(repo, "checkout", "-q", "main")
    at(monkeypatch, "10:30")
    ours(record_id)
    commit(repo, "ours")
    return record_id, git(repo, "merge", "--no-edit", "other", check=False)


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result


def record_text(store, record_id):
    return store.path_of(record_id).read_text(encoding="utf-8")


def test_different_fields_of_one_record_merge_cleanly_with_history_in_time_order(repo, store, run, monkeypatch):
    record_id, merged = two_sides(repo, monkeypatch, run,
                                  lambda i: ok(run("sr", "set", i, "description=Asiakas soitti uudelleen")),
                                  lambda i: ok(run("sr", "set", i, "priority=high")))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    record = Store(repo).get(record_id)
    assert record["priority"] == "high" and record["description"] == "Asiakas soitti uudelleen"
    changes = [(e["at"].strftime("%H:%M"), list(e.get("changes", {}))) for e in record["history"]]
    assert changes == [("10:00", []), ("10:30", ["description"]), ("11:00", ["priority"])]
    assert record_text(store, record_id) == yamlio.dump(record)  # canonical bytes
    ok(run("check"))


def test_the_same_field_is_a_conflict_around_only_that_field_and_resolve_settles_it(repo, store, run, monkeypatch):
    record_id, merged = two_sides(repo, monkeypatch, run,
                                  lambda i: ok(run("sr", "set", i, "priority=low", "description=Meidän")),
                                  lambda i: ok(run("sr", "set", i, "priority=high")))
    assert merged.returncode != 0
    assert f"{record_id} priority: low → high" in merged.stdout + merged.stderr
    text = record_text(store, record_id)
    assert "<<<<<<< ours\npriority: low\n=======\npriority: high\n>>>>>>> theirs\n" in text
    assert text.count("<<<<<<<") == 1 and "description: Meidän" in text

    checked = run("check")
    assert checked.exit_code == 1 and f"{record_id}.yaml" in checked.stdout + checked.stderr

    both = run("resolve", record_id, "--ours", "--theirs")
    assert both.exit_code == 2
    assert record_text(store, record_id) == text

    ok(run("resolve", record_id, "--theirs"))
    record = Store(repo).get(record_id)
    assert record["priority"] == "high" and record["description"] == "Meidän"
    assert [e["at"].strftime("%H:%M") for e in record["history"]] == ["10:00", "10:30", "11:00"]
    assert git(repo, "diff", "--name-only", "--diff-filter=U").stdout == ""
    git(repo, "commit", "-q", "--no-edit")
    ok(run("check"))

    again = run("resolve", record_id, "--ours")
    assert again.exit_code == 1 and again.stderr == f"Virhe: {record_id}: ei ratkaistavaa ristiriitaa\n"


def test_resolve_with_a_value_converts_it_as_set_does(repo, store, run, monkeypatch):
    record_id, merged = two_sides(repo, monkeypatch, run,
                                  lambda i: ok(run("sr", "set", i, "priority=low")),
                                  lambda i: ok(run("sr", "set", i, "priority=high")))
    assert merged.returncode != 0
    text = record_text(store, record_id)
    bad = run("--lang", "en", "resolve", record_id, "priority=hurry")
    assert bad.exit_code == 1
    assert bad.stderr == ("Error: the record breaks these rules:\n"
                          "  priority (Priority): 'hurry' is not an allowed value; allowed: high, normal, low\n")
    other = run("--lang", "en", "resolve", record_id, "title=x")
    assert other.exit_code == 1
    assert other.stderr == "Error: title is not a conflicting field (the conflicts: priority)\n"
    assert record_text(store, record_id) == text
    ok(run("--lang", "en", "resolve", record_id, "priority=Normaali"))
    assert Store(repo).get(record_id)["priority"] == "normal"
    git(repo, "commit", "-q", "--no-edit")


def test_delegate_on_one_side_and_set_on_the_other(repo, store, run, monkeypatch):
    record_id, merged = two_sides(repo, monkeypatch, run,
                                  lambda i: ok(run("sr", "delegate", i, "taija.halme")),
                                  lambda i: ok(run("sr", "set", i, "priority=high")))
    assert merged.returncode == 0, merged.stdout + merged.stderr
    record = Store(repo).get(record_id)
    assert record["owner"] == "taija.halme" and record["priority"] == "high"
    assert record["actions"].startswith("Delegoitu") or "Taija Halme" in record["actions"]
    assert [a["user"] for a in record["assignments"]] == ["taija.halme"]
    assert [e["event"] for e in record["history"]] == ["created", "delegated", "changed"]
    ok(run("check"))


def test_both_sides_delegating_keep_both_actions_lines_and_conflict_on_the_owner(repo, store, run, monkeypatch):
    record_id, merged = two_sides(repo, monkeypatch, run,
                                  lambda i: ok(run("sr", "delegate", i, "taija.halme")),
                                  lambda i: ok(run("sr", "delegate", i, "sanna.salo")))
    assert merged.returncode != 0
    text = record_text(store, record_id)
    assert "<<<<<<< ours\nowner: taija.halme\n=======\nowner: sanna.salo\n>>>>>>> theirs\n" in text
    ok(run("resolve", record_id, "--ours"))
    record = Store(repo).get(record_id)
    assert len(record["actions"].splitlines()) == 2 and "Taija Halme" in record["actions"].splitlines()[0]
    assert sorted(a["user"] for a in record["assignments"]) == ["sanna.salo", "taija.halme"]


def test_a_combination_that_breaks_a_rule_is_reported_like_a_conflict(repo, store, run, monkeypatch):
    def ours(record_id):
        ok(run("sr", "status", record_id, "done"))

    def theirs(record_id):
        ok(run("sr", "set", record_id, "resolution="))

    record_id = new_request(run, "resolution=Korjattu")
    git(repo, "add", "-A")
    commit(repo, "request with a resolution")
    git(repo, "checkout", "-q", "-b", "other")
    theirs(record_id)
    commit(repo, "theirs")
    git(repo, "checkout", "-q", "main")
    ours(record_id)
    commit(repo, "ours")
    merged = git(repo, "merge", "--no-edit", "other", check=False)
    assert merged.returncode != 0
    said = (merged.stdout + merged.stderr).splitlines()
    assert f"{record_id} resolution: yhdistetty tietue rikkoo säännön, jota kumpikaan puoli ei rikkonut: " \
           "resolution (Ratkaisu): pakollinen, kun status_reason = resolved,done" in said
    assert f"{record_id} resolution: Korjattu → (ei arvoa)" in said
    text = record_text(store, record_id)
    assert "<<<<<<< ours\nresolution: Korjattu\n=======\n>>>>>>> theirs\n" in text
    ok(run("resolve", record_id, "--ours"))
    git(repo, "commit", "-q", "--no-edit")


def test_a_stage_completion_and_another_field_merge_cleanly(repo, store, run, monkeypatch):
    project_id = ok(run("--as", "jussi.myyja", "project", "new", "type=gas_connection", "customer=CUST-GENERAL",
                        "region=kotka", "title=Liittymä Karhulantie 6")).stdout.strip()
    git(repo, "add", "-A")
    commit(repo, "project")
    git(repo, "checkout", "-q", "-b", "other")
    at(monkeypatch, "11:00")
    ok(run("--as", "jussi.myyja", "project", "set", project_id, "value=56500"))
    commit(repo, "theirs")
    git(repo, "checkout", "-q", "main")
    at(monkeypatch, "10:30")
    ok(run("--as", "jussi.myyja", "project", "stage", "complete", project_id))
    commit(repo, "ours")
    ours = Store(repo).get(project_id)
    merged = git(repo, "merge", "--no-edit", "other", check=False)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    record = Store(repo).get(project_id)
    assert record["value"] == 56500
    assert record["stages"] == ours["stages"] and record["stages"][0]["status"] == "done"
    assert record["assignments"] == ours["assignments"]  # acknowledged at 10:30 by the completion, not at 11:00
    theirs_events = ["changed", "acknowledged"]  # the owner's change acknowledged the assignment there too
    assert [e["event"] for e in record["history"]] == [e["event"] for e in ours["history"]] + theirs_events
    ok(run("check"))


def driver(tmp_path, base, ours, theirs, path=None):
    files = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        files.append(tmp_path / f"{name}.txt")
        files[-1].write_text(text, encoding="utf-8")
    result = CliRunner().invoke(merge_file_command, [*map(str, files), *([path] if path else [])], obj=Env())
    return result, files[1].read_text(encoding="utf-8")


def test_a_side_that_is_not_a_record_falls_back_to_gits_text_merge(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result, text = driver(tmp_path, "a: 1\nb: 2\n", "a: 1\nb: [\n", "a: 3\nb: 2\n")
    assert result.exit_code == 1
    assert text == "<<<<<<< ours\na: 1\nb: [\n=======\na: 3\nb: 2\n>>>>>>> theirs\n"
    clean, text = driver(tmp_path, "x: 1\ny: 2\nz: 3\n", "x: 9\ny: 2\nz: 3\n", "x: 1\ny: 2\nz: 8\n")
    assert clean.exit_code == 0 and text == "x: 9\ny: 2\nz: 8\n"


def test_a_record_added_on_both_sides_merges_from_an_empty_base(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    record = {"id": "SR-20110125-AAAAA", "title": "T", "priority": "normal", "history": []}
    result, text = driver(tmp_path, "", yamlio.dump(record), yamlio.dump({**record, "title": "U"}))
    assert result.exit_code == 1
    assert "<<<<<<< ours\ntitle: T\n=======\ntitle: U\n>>>>>>> theirs\n" in text
    assert "SR-20110125-AAAAA title: T → U" in result.stderr
