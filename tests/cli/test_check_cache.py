"""`crmctl check` reuses the findings of unchanged files (.cache/check.sqlite), and never misses a change."""

import os
import time
import sqlite3

from crmctl.checks import findings_cache
from crmctl.checks.findings_cache import COLUMNS, FindingsCache, decode_deps, encode_deps
from crmctl.checks.store_check import check_store

CACHE = ".cache/check.sqlite"


def test_check_with_a_warm_cache_finds_the_same_and_sees_every_change(run, store):
    request = run("sr", "new", "title=Lukema", "customer=CUST-GENERAL", "person_name=M",
                  "subject=meter_reading", "meter_reading=100").stdout.strip()
    path = store.root / "service-requests" / "2011" / "01" / f"{request}.yaml"
    cold = run("--lang", "en", "check")
    assert (store.root / CACHE).is_file()
    warm = run("--lang", "en", "check")
    assert (warm.exit_code, warm.stdout) == (cold.exit_code, cold.stdout) == (0, cold.stdout)

    path.write_text(path.read_text().replace("meter_reading: 100", "meter_reading: !!python/name:os.system"))
    tagged = run("--lang", "en", "check")
    assert tagged.exit_code == 1
    assert ": error: tag: YAML tags are not allowed (tag:yaml.org,2002:python/name:os.system)" in tagged.stdout

    text = path.read_text().replace("meter_reading: !!python/name:os.system", "meter_reading: 100")
    path.write_text(text.replace("title: Lukema", 'title: "Lukema"'))
    quoted = run("--lang", "en", "check")
    assert quoted.exit_code == 0
    assert ": warning: not-canonical: " in quoted.stdout  # same value, other bytes: examined afresh


def age(root, seconds=10):
    """Date every file back: a file written within 2 s of a check is compared by content the next time (its mtime
    could still change within the same clock tick), which is not what these tests are about."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def test_an_unchanged_file_is_not_read_again(run, store, monkeypatch):
    age(store.root)
    run("--lang", "en", "check")
    read = []
    original = type(store).read_bytes
    monkeypatch.setattr(type(store), "read_bytes", lambda self, path: read.append(path) or original(self, path))
    os.utime(store.root / CACHE, None)
    assert check_store(type(store)(store.root), "en") == []
    assert read == []


def test_same_bytes_under_a_new_stat_are_not_examined_again(run, store, monkeypatch):
    run("--lang", "en", "check")
    general = store.root / "customers" / "CUST-GENERAL.yaml"
    general.write_bytes(general.read_bytes())  # a new mtime (and maybe inode), the same content
    from crmctl.checks import record_scan
    examined = []
    original = record_scan.examine
    monkeypatch.setattr(record_scan, "examine", lambda *args, **kw: examined.append(args[3]) or original(*args, **kw))
    assert check_store(type(store)(store.root), "en") == []
    assert examined == []


def test_damaged_cache_is_replaced(store):
    (store.root / ".cache").mkdir(exist_ok=True)
    (store.root / CACHE).write_bytes(b"not a database" * 100)
    assert [f for f in check_store(store, "en") if f.level == "error"] == []
    with sqlite3.connect(store.root / CACHE) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT count(*) FROM groups").fetchone()[0] >= 1


def test_a_deleted_cache_is_rebuilt(run, store):
    first = run("--lang", "en", "check")
    for name in os.listdir(store.root / ".cache"):
        if name.startswith("check.sqlite"):
            os.unlink(store.root / ".cache" / name)
    again = run("--lang", "en", "check")
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)
    assert (store.root / CACHE).is_file()


def row(path, mtime):
    fixed = (path, mtime, 2, 3, b"d", None, 1, False)
    return fixed + (None,) * (len(COLUMNS) - len(fixed))


def test_another_key_starts_afresh(tmp_path):
    cache = FindingsCache(tmp_path, "one")
    cache.save([row("customers/CUST-GENERAL.yaml", 1)], [], now_ns=10**19)
    cache.close()
    assert set(FindingsCache(tmp_path, "one").rows) == {"customers/CUST-GENERAL.yaml"}
    other = FindingsCache(tmp_path, "two")
    assert other.rows == {}
    other.save({}, [], now_ns=10**19)
    other.close()
    assert FindingsCache(tmp_path, "one").rows == {}


def test_a_file_changed_just_now_is_compared_by_content_next_time(tmp_path):
    cache = FindingsCache(tmp_path, "k")
    now = 5 * findings_cache.RACY_NS
    cache.save([row("a.yaml", now - 1), row("b.yaml", 1)], [], now_ns=now)
    cache.close()
    rows = FindingsCache(tmp_path, "k").rows
    assert rows["a.yaml"][1:4] == (-1, 2, 3) and rows["b.yaml"][1:4] == (1, 2, 3)


def test_forgotten_rows_are_deleted(tmp_path):
    cache = FindingsCache(tmp_path, "k")
    cache.save([row("a.yaml", 1), row("b.yaml", 1)], [], now_ns=10**19)
    cache.close()
    cache = FindingsCache(tmp_path, "k")
    cache.save([], ["a.yaml"], now_ns=10**19)
    cache.close()
    assert set(FindingsCache(tmp_path, "k").rows) == {"b.yaml"}


def test_dependencies_round_trip():
    deps = {"CUST-GENERAL": True, "CUST-20110103-ABCDE": False}
    assert decode_deps(encode_deps(deps)) == deps
    assert encode_deps({}) is None and decode_deps(None) == {}


def test_check_never_holds_every_record(run, store, monkeypatch):
    """Bounded memory: the store's whole-type reads (every record parsed and kept) are never used by check."""
    customer = new_customer(run, "Yksi", "100")
    other_id = new_customer(run, "Kaksi", "200")
    other = store.path_of(other_id)
    other.write_text(other.read_text().replace("customer_number: '200'", "customer_number: '100'"))
    monkeypatch.setattr(type(store), "records", lambda self, rtype: (_ for _ in ()).throw(AssertionError(rtype.key)))
    findings = check_store(type(store)(store.root), "en")
    errors = [f for f in findings if f.level == "error"]
    # each names the other; which comes first depends on the ids' random parts
    assert [f.code for f in errors] == ["duplicate", "duplicate"]
    assert sorted(f.message.rsplit(" ", 1)[1] for f in errors) == sorted([customer, other_id])


def test_staged_check_neither_reads_nor_writes_the_cache(run, store):
    run("--lang", "en", "check")
    cache = (store.root / CACHE).read_bytes()
    files = {path: path.read_bytes() for path in store.root.rglob("*") if path.is_file() and ".cache" not in path.parts}
    general = store.root / "customers" / "CUST-GENERAL.yaml"
    files[general] = files[general].replace(b"kind: business", b"kind: alien").replace(b"kind: person", b"kind: alien")
    found = check_store(type(store)(store.root, files=files), "en")
    assert [f.code for f in found] == ["invalid"]  # the given bytes, not the cache's verdict on the disk's
    assert (store.root / CACHE).read_bytes() == cache


def new_customer(run, name, number):
    done = run("customer", "new", f"name={name}", "kind=person", f"customer_number={number}")
    assert done.exit_code == 0, done.stderr
    return done.stdout.strip()
