"""A warm `check` (and `report quality`) with nothing changed answers from the snapshot the last run kept, and
never when something it depends on changed: a file's stat, a file added or deleted, the day, the working
directory, the configuration. Every answer is compared with a run without any cache.

Files are aged (their mtime set into the past, a new time for each generation): a file written less than two
seconds before a run could change again unseen within the same mtime tick, so no snapshot is kept then.
"""

import json
import os
import shutil

import pytest
from click.testing import CliRunner

from crmctl.checks import record_scan
from crmctl.cli import cli
from conftest import age_files as age


@pytest.fixture
def demo(demo, monkeypatch):
    monkeypatch.delenv("CRMCTL_NO_INDEX", raising=False)
    age(demo, 1)
    return demo


def invoke(root, *args):
    result = CliRunner().invoke(cli, ["--root", str(root), "--lang", "en", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def without_cache(root, *args):
    """The answer with no derived data at all (moved aside and put back, so the warm runs go on)."""
    cache, aside = root / ".cache", root.parent / "cache-aside"
    shutil.move(cache, aside)
    try:
        return invoke(root, *args)
    finally:
        shutil.rmtree(cache)
        shutil.move(aside, cache)


def answered_by_snapshot(root, monkeypatch, *args):
    """The warm answer, and whether it came from a snapshot (no scan of the files' rows ran)."""
    runs = []
    original = record_scan.RecordScan.run
    with monkeypatch.context() as patch:
        patch.setattr(record_scan.RecordScan, "run", lambda self, *a: runs.append(1) or original(self, *a))
        answer = invoke(root, *args)
    return answer, not runs


def test_nothing_changed_is_answered_by_the_snapshot(demo, monkeypatch):
    for args in (("check",), ("--format", "json", "check"), ("--format", "json", "report", "quality")):
        first, _ = answered_by_snapshot(demo, monkeypatch, *args)
        again, from_snapshot = answered_by_snapshot(demo, monkeypatch, *args)
        assert from_snapshot, args
        assert again == first == without_cache(demo, *args)


def test_every_change_is_seen(demo, monkeypatch):
    requests = sorted((demo / "service-requests").rglob("*.yaml"))
    invoke(demo, "check")
    invoke(demo, "report", "quality")

    def same(generation):
        age(demo, generation)
        for args in (("check",), ("--format", "json", "report", "quality")):
            warm, from_snapshot = answered_by_snapshot(demo, monkeypatch, *args)
            assert not from_snapshot, args
            assert warm == without_cache(demo, *args), args
        return warm

    text = requests[2].read_text(encoding="utf-8")
    requests[2].write_text(text.replace("\nsubject: ", "\nsubject: x"), encoding="utf-8")  # an error by hand
    same(2)
    requests[4].unlink()
    same(3)
    pulled = requests[6].with_name("SR-20110215-ZZZZZ.yaml")
    pulled.write_text(requests[6].read_text(encoding="utf-8").replace(requests[6].stem, pulled.stem),
                      encoding="utf-8")
    same(4)
    requests[8].write_text("id: [unclosed\n", encoding="utf-8")
    answer = same(5)
    assert json.loads(answer[1])["report"] == "quality" and requests[8].name in answer[2]


def test_another_day_directory_or_configuration_is_not_answered_by_the_snapshot(demo, monkeypatch):
    invoke(demo, "check")
    assert answered_by_snapshot(demo, monkeypatch, "check")[1]
    monkeypatch.setenv("CRMCTL_NOW", "2011-04-01T10:00:00+03:00")
    warm, from_snapshot = answered_by_snapshot(demo, monkeypatch, "check")
    assert not from_snapshot and warm == without_cache(demo, "check")
    monkeypatch.chdir(demo.parent)  # the paths are printed relative to the working directory
    warm, from_snapshot = answered_by_snapshot(demo, monkeypatch, "check")
    assert not from_snapshot and warm == without_cache(demo, "check")
    assert warm[1].startswith("records/")
    types = demo / "config" / "types" / "service_request.yaml"
    types.write_text(types.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    age(demo, 7)
    warm, from_snapshot = answered_by_snapshot(demo, monkeypatch, "check")
    assert not from_snapshot and warm == without_cache(demo, "check")
    users = demo / "users.yaml"  # a finding of the people, not of any record
    users.write_text(users.read_text(encoding="utf-8").replace("supervisor: ", "supervisor: nobody-", 1),
                     encoding="utf-8")
    age(demo, 8)
    warm, from_snapshot = answered_by_snapshot(demo, monkeypatch, "check")
    assert not from_snapshot and warm == without_cache(demo, "check") and "supervisor" in warm[1]
    assert answered_by_snapshot(demo, monkeypatch, "check") == (warm, True)


def test_a_file_changed_just_now_keeps_no_snapshot(demo, monkeypatch):
    invoke(demo, "check")
    kept = latest_tag(demo)
    path = sorted((demo / "service-requests").rglob("*.yaml"))[3]
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")  # just now: the same tick could hide more
    assert invoke(demo, "check") == without_cache(demo, "check")
    assert latest_tag(demo) == kept


def latest_tag(root):
    from crmctl.checks.record_scan import RecordScan
    from crmctl.store.store import Store

    scan = RecordScan(Store(root), "en")
    try:
        return scan.latest_snapshot("check")[0]
    finally:
        scan.close()


def age_one(path, generation):
    """One edited file's mtime in the past (an edit more than a tick ago), the others untouched."""
    moment = 946_684_800 + generation * 3600
    os.utime(path, (moment, moment))


def patched_or_not(demo, monkeypatch):
    """The warm check, whether it patched the last run (no full scan ran), and the answer without cache."""
    answer, from_snapshot = answered_by_snapshot(demo, monkeypatch, "check")
    return answer, from_snapshot, without_cache(demo, "check")


def test_a_few_hand_edits_patch_the_last_run(demo, monkeypatch):
    """An edit to a record nothing else refers to replaces that file's findings in the last run's answer; an
    edit anything else could depend on (a unique value, a link, an unreadable file, a new or deleted file, a
    changed id) is checked in full. Each answer equals a check without cache."""
    invoke(demo, "check")
    requests = sorted((demo / "service-requests").rglob("*.yaml"))
    plain = next(p for p in requests if "\nlead: " not in p.read_text(encoding="utf-8"))
    text = plain.read_text(encoding="utf-8")
    steps = [
        (plain, text.replace("\nsubject: ", "\nsubject: x"), True),   # a new error in a record of its own
        (plain, text.replace("\nsubject: ", "\nnonsense: 1\nsubject: "), True),  # an unknown field, lines move
        (plain, text, True),                                           # and back
        (plain, "id: [unclosed\n", False),                             # unreadable: others' links could change
    ]
    customers = sorted((demo / "customers").rglob("CUST-2*.yaml"))
    customer = customers[0].read_text(encoding="utf-8")
    steps += [(plain, text, False),                                    # readable again, after an unreadable run
              (customers[0], customer.replace("customer_number: '", "customer_number: '9"), False)]  # unique value
    for generation, (path, content, patchable) in enumerate(steps, 10):
        path.write_text(content, encoding="utf-8")
        age_one(path, generation)
        warm, from_snapshot, cold = patched_or_not(demo, monkeypatch)
        assert warm == cold, generation
        assert from_snapshot == patchable, generation
    requests[1].unlink()
    warm, from_snapshot, cold = patched_or_not(demo, monkeypatch)
    assert warm == cold and not from_snapshot


def test_edits_just_now_are_patched_again_each_run(demo, monkeypatch):
    """A file written just now keeps no snapshot: the next run patches the last kept one again."""
    invoke(demo, "check")
    path = next(p for p in sorted((demo / "service-requests").rglob("*.yaml"))
                if "\nlead: " not in p.read_text(encoding="utf-8"))
    text = path.read_text(encoding="utf-8")
    for round_number in range(3):
        path.write_text(text.replace("\nsubject: ", f"\nsubject: x{round_number}"), encoding="utf-8")
        warm, from_snapshot, cold = patched_or_not(demo, monkeypatch)
        assert warm == cold and from_snapshot
