"""A monthly report's answer is kept for the next run over the same files (reports/kept.py): the next run reads
no record, and any change to a record file, the day or the months asked for builds it again, as a full read
would answer."""

import os

import pytest
from click.testing import CliRunner

from crmctl.cli import cli
from crmctl.engine import listing

LONG_AGO = 1_000_000_000  # 2001: no file changed "just now", so a run's answer may be kept
CALLS = ("report", "calls", "--from", "2011-01", "--to", "2011-03", "--format", "json")


@pytest.fixture
def demo(demo, monkeypatch):
    monkeypatch.delenv("CRMCTL_NO_INDEX", raising=False)
    for path in demo.rglob("*.yaml"):
        os.utime(path, (LONG_AGO, LONG_AGO))
    return demo


@pytest.fixture
def reads(monkeypatch):
    """How many times a report read a type's records through the index."""
    counted = []
    select = listing.select

    def counting(*args, **kwargs):
        if not os.environ.get("CRMCTL_NO_INDEX"):  # the full read's runs (compared with) are not counted
            counted.append(args[1].key)
        return select(*args, **kwargs)

    monkeypatch.setattr(listing, "select", counting)
    return counted


def invoke(root, *args, env=None):
    result = CliRunner().invoke(cli, ["--root", str(root), *args], env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def full_read(root, *args):
    return invoke(root, *args, env={"CRMCTL_NO_INDEX": "1"})


def test_a_second_run_over_the_same_files_reads_no_record(demo, reads):
    first = invoke(demo, *CALLS)
    assert reads == ["service_request"] and first[0] == 0
    assert invoke(demo, *CALLS) == first == full_read(demo, *CALLS)
    assert reads == ["service_request"]
    assert (demo / ".cache" / "reports.sqlite").is_file()


def test_a_changed_file_another_day_or_other_months_build_it_again(demo, reads, monkeypatch):
    first = invoke(demo, *CALLS)
    path = sorted((demo / "service-requests").rglob("*.yaml"))[0]
    path.write_text(path.read_text(encoding="utf-8").replace("subject: ", "subject: x", 1), encoding="utf-8")
    os.utime(path, (LONG_AGO + 60, LONG_AGO + 60))  # as a pull might leave it: an old time, but another stat
    changed = invoke(demo, *CALLS)
    assert changed != first and changed == full_read(demo, *CALLS) and len(reads) == 2
    path.unlink()
    assert invoke(demo, *CALLS) == full_read(demo, *CALLS) and len(reads) == 3
    monkeypatch.setenv("CRMCTL_NOW", "2011-04-01T10:00:00+03:00")
    assert invoke(demo, *CALLS) == full_read(demo, *CALLS) and len(reads) == 4
    assert invoke(demo, "report", "calls", "--from", "2011-02", "--format", "json")[0] == 0 and len(reads) == 5


def test_a_file_changed_just_now_or_a_broken_file_keeps_nothing(demo, reads):
    path = sorted((demo / "service-requests").rglob("*.yaml"))[0]
    os.utime(path)  # now: a second edit within the same mtime tick would keep the stat
    invoke(demo, *CALLS)
    invoke(demo, *CALLS)
    assert len(reads) == 2
    os.utime(path, (LONG_AGO, LONG_AGO))
    path.write_bytes(b"id: [broken\n")
    os.utime(path, (LONG_AGO, LONG_AGO))
    first = invoke(demo, *CALLS)
    assert first == invoke(demo, *CALLS) == full_read(demo, *CALLS)
    assert "broken" in first[2] or path.name in first[2]  # the warning is printed by every run
    assert len(reads) == 4


def test_a_damaged_answers_file_is_replaced(demo, reads):
    first = invoke(demo, *CALLS)
    (demo / ".cache" / "reports.sqlite").write_bytes(b"garbage" * 100)
    assert invoke(demo, *CALLS) == first
    assert invoke(demo, *CALLS) == first and len(reads) == 2


def test_only_the_folders_of_the_types_a_report_read_are_scanned_again(demo, reads):
    """The monthly tracking reads the sales projects: a changed service request leaves its kept answer standing
    (a store's 100,000 requests need no stat for it), a changed sales project builds it again."""
    monthly = ("report", "monthly", "--from", "2011-01", "--to", "2011-03", "--format", "json")
    first = invoke(demo, *monthly)
    assert reads == ["sales_project"]
    request = sorted((demo / "service-requests").rglob("*.yaml"))[0]
    os.utime(request, (LONG_AGO + 60, LONG_AGO + 60))
    assert invoke(demo, *monthly) == first and reads == ["sales_project"]
    project = sorted((demo / "sales-projects").rglob("*.yaml"))[0]
    os.utime(project, (LONG_AGO + 60, LONG_AGO + 60))
    assert invoke(demo, *monthly) == first == full_read(demo, *monthly)
    assert reads == ["sales_project", "sales_project"]
