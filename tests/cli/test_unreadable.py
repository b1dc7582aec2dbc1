"""Nothing unreadable is silently left out (issue 11 items 5 and 6).

A record file with an impossible value, a key written twice or a damaged history is a parse or
check error naming `PATH:LINE` in every reader, never an internal error; every reader names each
file it could not read and how many it left out, `--strict` makes that exit 1, and a record copied
to two folders is read once and reported.
"""

import shutil

import pytest

from conftest import new_request, snapshot

READERS = (
    ["sr", "list"],
    ["report", "calls"],
    ["report", "quality"],
    ["export", "sr", "--format", "jsonl"],
    ["escalate", "--dry-run"],
    ["inbox", "--user", "mette.murto"],
)

DAMAGE = {
    "impossible date": (lambda text: text.replace("received: 2011-01-25", "received: 2011-02-30"),
                        "received:", "impossible-value"),
    "hour of 25": (lambda text: text.replace("- at: 2011-01-25T10:00:00+02:00", "- at: 2011-01-25T25:00:00+02:00"),
                   "- at:", "impossible-value"),
    "5000 digits": (lambda text: text.replace("priority: normal\n", "priority: normal\nnumber: " + "9" * 5000 + "\n"),
                    "number:", "number-too-long"),
    "duplicate key": (lambda text: text.replace("priority: normal\n", "priority: normal\npriority: high\n"),
                      "priority: high", "duplicate-key"),
}


def path_of(store, record_id):
    return store.root / "service-requests" / "2011" / "01" / f"{record_id}.yaml"


def line_of(path, start):
    return next(n for n, row in enumerate(path.read_text().splitlines(), 1) if row.startswith(start))


@pytest.mark.parametrize("name", DAMAGE)
def test_bad_value_is_named_by_check_and_every_reader(run, store, name):
    how, marker, code = DAMAGE[name]
    damaged = new_request(run)
    new_request(run)
    path = path_of(store, damaged)
    path.write_text(how(path.read_text()))
    where = f"{path.resolve()}:{line_of(path, marker)}:"
    before = snapshot(store.root)
    checked = run("--lang", "en", "check")
    assert checked.exit_code == 1, checked.output
    assert f"{where} error: {code}: " in checked.stdout
    assert "internal error" not in checked.output
    for args in READERS:
        result = run("--lang", "en", *args)
        assert result.exit_code == 0, (args, result.output)
        assert "internal error" not in result.output, args
        assert f"Warning: {where}" in result.stderr, (args, result.stderr)
        assert "record files left out: 1 " in result.stderr, (args, result.stderr)
        strict = run("--lang", "en", *args, "--strict")
        assert strict.exit_code == 1, (args, strict.output)
        assert f"{where}" in strict.stderr, args
    assert snapshot(store.root) == before


def test_history_event_by_a_list_is_a_check_error(run, store):
    record_id = new_request(run)
    path = path_of(store, record_id)
    path.write_text(path.read_text().replace("  by: mette.murto\n", "  by: [a, b]\n", 1))
    checked = run("--lang", "en", "check")
    assert checked.exit_code == 1, checked.output
    assert "internal error" not in checked.output
    assert f"{path.resolve()}:{line_of(path, 'history:')}: error: unknown-user: " in checked.stdout


def test_escalate_dry_run_names_an_overdue_request_it_cannot_read(run, store, monkeypatch):
    record_id = new_request(run)
    path = path_of(store, record_id)
    path.write_text(path.read_text().replace("title: Laskussa virhe\n", "<<<<<<< ours\ntitle: x\n=======\n"))
    monkeypatch.setenv("CRMCTL_NOW", "2011-03-25T10:00:00+02:00")
    result = run("--lang", "en", "escalate", "--dry-run")
    assert result.exit_code == 0
    assert f"{path.resolve()}:2: merge-conflict marker" in result.stderr
    assert "record files left out: 1 " in result.stderr


def test_record_copied_to_two_folders_is_read_once_and_reported(run, store):
    record_id = new_request(run)
    copy = store.root / "service-requests" / "2011" / "02" / f"{record_id}.yaml"
    copy.parent.mkdir(parents=True)
    shutil.copy(path_of(store, record_id), copy)
    listed = run("--lang", "en", "sr", "list", "-q")
    assert listed.stdout == f"{record_id}\n"
    assert f"{copy.resolve()}: {record_id} is also in {path_of(store, record_id).resolve()}" in listed.stderr
    exported = run("--lang", "en", "export", "sr", "--format", "jsonl")
    assert exported.stdout.count(record_id) == 1
    assert run("--lang", "en", "sr", "list", "--strict").exit_code == 1
    quality = run("--lang", "en", "report", "calls", "--format", "csv")
    assert f"{record_id} is also in" in quality.stderr


def test_readable_store_says_nothing_extra(run, store):
    new_request(run)
    for args in READERS:
        result = run("--lang", "en", *args, "--strict")
        assert result.exit_code == 0, (args, result.output)
        assert "unreadable" not in result.stderr
