"""A cold `check` of many files reads and examines them on every core (checks/record_scan.py): its findings, and
the findings cache it leaves, are exactly those of the same check in one process, whatever the files hold:
duplicated ids, broken and stray files, a shared unique value, links that point one way, rules that read other
records (a reference written as a prefix), findings that depend on today."""

import os
import re
import shutil

import pytest

from crmctl.checks import record_scan
from crmctl.checks.findings_cache import FindingsCache, decode_deps
from crmctl.checks.quality_rows import counted_from_cache
from crmctl.checks.store_check import check_store
from crmctl.store.store import Store
from conftest import age_files as age


@pytest.fixture
def troubled(demo):
    """The demo store (466 files) with one of every kind of trouble a check finds across files."""
    root = demo
    requests = sorted((root / "service-requests").rglob("*.yaml"))
    copied = requests[0]
    (copied.parent.parent / "09").mkdir()
    shutil.copy(copied, copied.parent.parent / "09" / copied.name)  # the same id in the wrong month
    shutil.copy(copied, copied.parent / "SR-20110101-ZZZZZ.yaml")  # and under another name
    requests[1].write_text("id: [unclosed\n")  # a parse error
    requests[2].write_text("- a list\n")  # not a mapping
    (requests[3].parent / "notes.txt").write_text("a stray file\n")
    customers = sorted(path for path in (root / "customers").rglob("*.yaml") if "customer_number:" in path.read_text())
    number = re.search(r"customer_number: (.*)", customers[0].read_text()).group(1)
    _replace(customers[1], r"customer_number: .*", f"customer_number: {number}")  # a shared unique value
    leads = [path for path in sorted((root / "leads").rglob("*.yaml")) if "\nproject: " in path.read_text()]
    project = re.search(r"\nproject: (.*)", leads[0].read_text()).group(1)
    _replace(leads[1], r"\nproject: .*", f"\nproject: {project}")  # a link the project does not return
    customer_id = customers[2].stem
    # rules that read other records: a customer named by a prefix of its id is looked up among every file's name
    _replace(requests[4], r"\ncustomer: .*", f"\ncustomer: {customer_id[:-1]}")
    _replace(requests[5], r"\ncustomer: .*", "\ncustomer: CUST-2011")  # a prefix of many
    _replace(requests[6], r"\ncustomer: .*", "\ncustomer: CUST-20990101-AAAAA")  # no such record
    age(root, 1)  # else a file written within two seconds of a run keeps no mtime in its row, in one run not another
    return root


def _replace(path, pattern, text):
    before = path.read_text()
    after = re.sub(pattern, text, before, count=1)
    assert after != before, (path, pattern)
    path.write_text(after)


def _cold_check(root, lang="en"):
    for path in (root / ".cache").glob("check.sqlite*"):
        path.unlink()
    store = Store(root)
    return [str(finding) for finding in check_store(store, lang)], _rows(root, store, lang)


def _rows(root, store, lang):
    scan = record_scan.RecordScan(store, lang)
    try:
        scan._cache()
        return FindingsCache(root / ".cache", scan._key, lang).rows
    finally:
        scan.close()


def _differing(parallel, alone):
    """(path, column, value, other value) of each column where the rows of a parallel run differ from one
    process's. A row's deps may name more ids: the engine asks some questions once per type and engine (a `when:`
    rule's `customer = CUST-GENERAL` converted once), so each worker's first file of a type asks them again and
    notes the answer; a kept row then depends on more than it must, never on less."""
    columns = ("path", "mtime_ns", "size", "inode", "digest", "rid", "id_line", "readable", "dated", "deps",
               "items", "facts", "quality")
    found = [(path, "row", parallel.get(path), alone.get(path)) for path in set(parallel) ^ set(alone)]
    for path in set(parallel) & set(alone):
        for column, mine, other in zip(columns, parallel[path], alone[path]):
            if column == "deps" and set(decode_deps(other).items()) <= set(decode_deps(mine).items()):
                continue
            if mine != other:
                found.append((path, column, mine, other))
    return found


def _on_every_core(monkeypatch):
    """Any number of files read by forked workers, in small chunks; the pools started are counted."""
    pools = []
    pooled = record_scan._pooled
    monkeypatch.setattr(record_scan, "PARALLEL_FROM", 1)
    monkeypatch.setattr(record_scan, "CHUNK", 7)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(record_scan, "_pooled", lambda *args: pools.append(1) or pooled(*args))
    return pools


def test_many_files_on_every_core_give_the_findings_of_one_process(troubled, monkeypatch):
    monkeypatch.setattr(record_scan, "PARALLEL_FROM", 10 ** 9)
    alone, alone_rows = _cold_check(troubled)
    codes = {line.split(": ")[2] for line in alone}
    assert {"duplicate-id", "id-mismatch", "path-mismatch", "duplicate", "link-one-way", "link-mismatch",
            "stray-file", "yaml", "not-mapping", "invalid"} <= codes
    by_prefix = [str(path.relative_to(troubled)) for path in (troubled / "service-requests").rglob("*.yaml")
                 if "\ncustomer: CUST-2011\n" in path.read_text()]
    assert by_prefix and not set(by_prefix) & set(alone_rows)  # its rules read other records: never kept
    pools = _on_every_core(monkeypatch)
    parallel, parallel_rows = _cold_check(troubled)
    assert pools == [1]
    assert parallel == alone
    assert _differing(parallel_rows, alone_rows) == [] and len(parallel_rows) > 400
    warm = [str(finding) for finding in check_store(Store(troubled), "en")]
    assert warm == alone


def test_same_bytes_under_new_stats_on_every_core(troubled, monkeypatch):
    """A checkout that gives every file a new stat and the same bytes: the rows are kept with the new stats."""
    alone, _ = _cold_check(troubled)
    moment = age(troubled, 2)
    pools = _on_every_core(monkeypatch)
    assert [str(finding) for finding in check_store(Store(troubled), "en")] == alone
    assert pools == [1]
    rows = _rows(troubled, Store(troubled), "en")
    assert {row[1] for row in rows.values()} == {moment * 10 ** 9}


def test_report_quality_on_every_core_counts_as_in_one_process(troubled, monkeypatch):
    def counted():
        for path in (troubled / ".cache").glob("check.sqlite*"):
            path.unlink()
        return counted_from_cache(Store(troubled), "en", "quality test", lambda rows: {
            key: [(row.id, row.day, row.error, row.warning, row.filled, row.values) for row in listed]
            for key, listed in rows.items()})

    alone = counted()
    _on_every_core(monkeypatch)
    assert counted() == alone
