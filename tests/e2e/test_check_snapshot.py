"""A warm `check` (and `report quality`) with nothing changed answers from the snapshot the last run kept, and
never when something it depends on changed: a file's stat, a file added or deleted, the day, the working
directory, the configuration. Every answer is compared with a run without any cache.

Files are aged (their mtime set into the past, a new time for each generation): a file written less than two
seconds before a run could change again unseen within the same mtime tick, so no snapshot is kept then.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from crmctl.checks import record_scan
from crmctl.cli import cli

DEMO = Path(__file__).resolve().parents[2] / "records"
NOW = "2011-03-31T10:00:00+03:00"


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.setenv("CRMCTL_NOW", NOW)
    monkeypatch.delenv("CRMCTL_NO_INDEX", raising=False)
    root = tmp_path / "records"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".cache"))
    age(root, 1)
    return root


def age(root, generation):
    """Every record and configuration file's mtime a day and more in the past, different for each generation."""
    moment = 946_684_800 + generation * 3600
    for path in root.rglob("*"):
        if path.is_file() and ".cache" not in path.parts:
            os.utime(path, (moment, moment))


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
    path = sorted((demo / "service-requests").rglob("*.yaml"))[3]
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")  # just now: the same tick could hide more
    invoke(demo, "check")
    assert not answered_by_snapshot(demo, monkeypatch, "check")[1]
