"""The store's journal: several records land together or not at all, also across a crash (issue 11, item 3)."""

import json

import pytest

from crmctl.kernel.errors import StoreError
from crmctl.store import journal
from crmctl.store.files import atomic_write as _atomic_write
from crmctl.store.store import CACHE_DIR, Store



def test_commit_writes_every_file_and_leaves_no_journal(tmp_path):
    writes = [(tmp_path / "a" / "one.yaml", b"id: one\n"), (tmp_path / "b" / "two.yaml", b"id: two\n")]
    journal.commit(tmp_path, CACHE_DIR, writes, _atomic_write)
    assert [p.read_bytes() for p, _ in writes] == [b"id: one\n", b"id: two\n"]
    assert not journal.pending(tmp_path, CACHE_DIR)


def test_a_journal_left_by_a_crash_is_completed_and_removed(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.yaml").write_bytes(b"id: one\nold: true\n")
    path = journal.journal_path(tmp_path, CACHE_DIR)
    path.parent.mkdir()
    path.write_text(json.dumps({"format": 1, "writes": [{"path": "a/one.yaml", "text": "id: one\n"},
                                                       {"path": "b/two.yaml", "text": "id: two\n"}]}))
    assert journal.complete(tmp_path, CACHE_DIR, _atomic_write) is True
    assert (tmp_path / "a" / "one.yaml").read_bytes() == b"id: one\n"
    assert (tmp_path / "b" / "two.yaml").read_bytes() == b"id: two\n"
    assert not path.exists()
    assert journal.complete(tmp_path, CACHE_DIR, _atomic_write) is False


@pytest.mark.parametrize("text", ["{not json", json.dumps({"format": 1, "writes": [{"path": "../x", "text": ""}]}),
                                  json.dumps({"format": 99, "writes": []})])
def test_a_damaged_journal_is_refused_and_kept(tmp_path, text):
    path = journal.journal_path(tmp_path, CACHE_DIR)
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(StoreError) as caught:
        journal.complete(tmp_path, CACHE_DIR, _atomic_write)
    assert caught.value.code == "store.journal_damaged"
    assert path.read_text() == text
    assert not (tmp_path.parent / "x").exists()


def test_a_transaction_writes_nothing_when_it_fails(store):
    customer = dict(store.get("CUST-GENERAL"))
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.save({**customer, "notes": "changed"})
            assert store.get("CUST-GENERAL")["notes"] == "changed"  # the transaction sees its own writes
            raise RuntimeError("a later record breaks a rule")
    assert Store(store.root).get("CUST-GENERAL") == customer
    assert store.get("CUST-GENERAL") == customer


def test_nested_transactions_land_together_at_the_end_of_the_outer_one(store):
    customer = dict(store.get("CUST-GENERAL"))
    path = store.path_of("CUST-GENERAL")
    with store.transaction():
        with store.transaction():
            store.save({**customer, "notes": "inner"})
        assert path.read_bytes() == Store(store.root).path_of("CUST-GENERAL").read_bytes()
        assert "notes: inner" not in path.read_text(encoding="utf-8")
        assert [c.get("notes") for c in store.records(store.config.types["customer"])] == ["inner"]
    assert "notes: inner" in path.read_text(encoding="utf-8")
    assert not journal.pending(store.root, CACHE_DIR)


def test_readers_complete_a_waiting_journal_before_they_read(store):
    path = store.path_of("CUST-GENERAL")
    text = path.read_text(encoding="utf-8").replace("\nhistory:", "\ncontact_person: from the journal\nhistory:")
    target = journal.journal_path(store.root, CACHE_DIR)
    target.write_text(json.dumps({"format": 1, "writes": [{"path": str(path.relative_to(store.root)), "text": text}]}))
    assert Store(store.root).get("CUST-GENERAL")["contact_person"] == "from the journal"
    assert not target.exists()


def test_check_completes_a_waiting_journal_before_it_judges_the_files(store, run):
    path = store.path_of("CUST-GENERAL")
    text = path.read_text(encoding="utf-8").replace("\nhistory:", "\ncontact_person: from the journal\nhistory:")
    target = journal.journal_path(store.root, CACHE_DIR)
    target.write_text(json.dumps({"format": 1, "writes": [{"path": str(path.relative_to(store.root)), "text": text}]}))
    assert run("check").exit_code == 0
    assert path.read_text(encoding="utf-8") == text
    assert not target.exists()


@pytest.mark.parametrize("fsync", ["0", "1"])
def test_a_big_commit_is_written_in_threads_and_a_failed_file_leaves_the_journal_to_finish_it(tmp_path, monkeypatch,
                                                                                           fsync):
    monkeypatch.setenv("CRMCTL_FSYNC", fsync)
    writes = [(tmp_path / "r" / f"{n:03}.yaml", f"id: {n}\n".encode()) for n in range(journal.PARALLEL_FROM * 3)]
    journal.commit(tmp_path, CACHE_DIR, writes, _atomic_write)
    assert [p.read_bytes() for p, _ in writes] == [data for _, data in writes]
    assert not journal.pending(tmp_path, CACHE_DIR)

    def failing(path, data, sync=True):
        if path.name == "007.yaml":
            raise StoreError(code="store.cannot_write", path=path, reason="disk full")
        _atomic_write(path, data, sync)

    again = [(path, data + b"v: 2\n") for path, data in writes]
    with pytest.raises(StoreError):
        journal.commit(tmp_path, CACHE_DIR, again, failing)
    assert journal.pending(tmp_path, CACHE_DIR)  # the next command to take the lock completes it
    assert journal.complete(tmp_path, CACHE_DIR, _atomic_write) is True
    assert [p.read_bytes() for p, _ in writes] == [data for _, data in again]
