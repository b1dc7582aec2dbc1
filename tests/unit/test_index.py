"""The column index (store/index.py): rows kept fresh by stat, rebuilt when damaged or when its digest changes."""

import os

import pytest

from crmctl.store import index


def project(path):
    """A stand-in for the projection: the file's text as data, its first line as the one column."""
    text = open(path, encoding="utf-8").read()
    if text.startswith("broken"):
        return os.path.basename(path)[:-5], (None,), None
    return os.path.basename(path)[:-5], (text.splitlines()[0],), {"text": text}


def files(folder, **contents):
    for name, text in contents.items():
        path = folder / "2011" / "01" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def many_files(tmp_path, monkeypatch, count, cores):
    """A folder of `count` files, read in chunks of 7 on `cores` cores (from 10 files on, as from 2,000 for real)."""
    folder = tmp_path / "records"
    files(folder, **{f"R{n:04d}": f"r{n}\n" for n in range(count)})
    monkeypatch.setattr(index, "PARALLEL_FROM", 10)
    monkeypatch.setattr(index, "CHUNK", 7)
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    return folder


def rows(idx, where="", params=()):
    return {path: None if blob is None else index.load(blob)["text"] for path, blob, _ in idx.candidates(where, params)}


@pytest.fixture
def folder(tmp_path):
    files(tmp_path / "records", A="a\n", B="b\n", C="broken\n")
    return tmp_path / "records"


def opened(tmp_path, digest="d1"):
    return index.ColumnIndex(str(tmp_path / ".cache"), "records", ["first"], digest).open()


def test_rows_follow_the_files(tmp_path, folder):
    idx = opened(tmp_path)
    idx.refresh(str(folder), project)
    assert rows(idx) == {"2011/01/A.yaml": "a\n", "2011/01/B.yaml": "b\n", "2011/01/C.yaml": None}
    files(folder, A="a changed\n", D="d\n")
    (folder / "2011" / "01" / "B.yaml").unlink()
    idx.refresh(str(folder), project)
    assert rows(idx) == {"2011/01/A.yaml": "a changed\n", "2011/01/C.yaml": None, "2011/01/D.yaml": "d\n"}
    where = f"{idx.column('first')} = ?"
    assert rows(idx, where, ["d"]) == {"2011/01/D.yaml": "d\n", "2011/01/C.yaml": None}  # unreadable: always


def test_only_changed_files_are_read_again(tmp_path, folder):
    idx = opened(tmp_path)
    idx.refresh(str(folder), project)
    read = []
    idx.refresh(str(folder), lambda path: read.append(path) or project(path))
    assert read == []
    files(folder, B="b, longer now\n")
    idx.refresh(str(folder), lambda path: read.append(path) or project(path))
    assert [os.path.basename(p) for p in read] == ["B.yaml"]


def test_a_new_digest_or_a_damaged_file_starts_again(tmp_path, folder):
    idx = opened(tmp_path)
    idx.refresh(str(folder), project)
    idx.close()
    assert rows(opened(tmp_path, "d2")) == {}  # another configuration: nothing of the old rows is trusted
    (tmp_path / ".cache" / "records.index.sqlite").write_bytes(b"garbage" * 1000)
    idx = opened(tmp_path, "d2")
    idx.refresh(str(folder), project)
    assert len(rows(idx)) == 3


def test_many_files_are_read_on_every_core_with_progress(tmp_path, monkeypatch):
    folder = many_files(tmp_path, monkeypatch, 300, cores=2)
    monkeypatch.setattr(index, "PROGRESS_AFTER", 0)
    shown = []
    idx = opened(tmp_path)
    idx.refresh(str(folder), project, lambda done, total: shown.append((done, total)))
    assert rows(idx) == {f"2011/01/R{n:04d}.yaml": f"r{n}\n" for n in range(300)}
    assert shown[-1] == (None, 300) and shown[-2] == (300, 300)


def test_whole_records_are_cached_per_file(store):
    """Store.records keeps whole records in .cache/<dir>.records.sqlite: a changed file is read again, a removed
    one forgotten, a damaged cache started again; no single pickle of every record any more."""
    from crmctl.store.store import Store
    from crmctl.kernel import yamlio

    folder = store.root / "customers" / "2011" / "01"
    folder.mkdir(parents=True)
    for suffix in ("AAAAA", "BBBBB"):
        record = {"id": f"CUST-20110103-{suffix}", "name": f"Asiakas {suffix}", "kind": "business"}
        (folder / f"{record['id']}.yaml").write_text(yamlio.dump(record), encoding="utf-8")
    rtype = store.config.types["customer"]
    names = lambda: sorted(r["name"] for r in Store(store.root).records(rtype))  # noqa: E731
    before = names()
    assert "Asiakas AAAAA" in before and (store.root / ".cache" / "customers.records.sqlite").is_file()
    changed = folder / "CUST-20110103-AAAAA.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("AAAAA Oy", "x").replace(
        "name: Asiakas AAAAA", "name: Asiakas A, renamed"), encoding="utf-8")
    (folder / "CUST-20110103-BBBBB.yaml").unlink()
    after = names()
    assert "Asiakas A, renamed" in after and "Asiakas BBBBB" not in after and "Asiakas AAAAA" not in after
    (store.root / ".cache" / "customers.records.sqlite").write_bytes(b"garbage" * 1000)
    assert names() == after
    assert not list((store.root / ".cache").glob("*.pickle"))


def test_many_files_are_written_chunk_by_chunk_and_a_stop_half_way_costs_nothing(tmp_path, monkeypatch):
    """A fresh clone's files are written a chunk at a time while the next are read; a refresh stopped half-way
    (a crash, ^C) leaves rows that the next refresh completes, and no stamps digest that would hide the rest."""
    folder = many_files(tmp_path, monkeypatch, 100, cores=1)  # read here, so the stand-in below can stop it

    def stops_half_way(path):
        if path.endswith("R0050.yaml"):
            raise KeyboardInterrupt
        return project(path)

    idx = opened(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        idx.refresh(str(folder), stops_half_way)
    on_disk = index.stamps_digest(index.scan(str(folder)).items())
    assert 0 < len(rows(idx)) < 100 and idx._stamps() != on_disk
    idx.refresh(str(folder), project)
    assert rows(idx) == {f"2011/01/R{n:04d}.yaml": f"r{n}\n" for n in range(100)}
    assert idx._stamps() == on_disk  # next time: nothing to read

    def never(path):
        raise AssertionError(f"read {path} again")

    idx.refresh(str(folder), never)


def test_another_process_writing_during_a_chunked_refresh_is_noticed(tmp_path, monkeypatch):
    """The stamps entry then describes the table as it is (another process's row included), not this refresh's
    scan: no later refresh is told "nothing changed" while a row differs from its file."""
    folder = many_files(tmp_path, monkeypatch, 60, cores=1)
    other = opened(tmp_path)

    def meanwhile(path):
        if path.endswith("R0030.yaml"):  # another process writes a row (of a file since deleted) and its digest
            other.db.execute("INSERT OR REPLACE INTO rows VALUES ('2011/01/GONE.yaml', 1, 1, 1, 'GONE', NULL, 'x')")
            other.db.execute("INSERT OR REPLACE INTO meta VALUES ('stamps', 'theirs')")
        return project(path)

    idx = opened(tmp_path)
    idx.refresh(str(folder), meanwhile)
    on_disk = index.stamps_digest(index.scan(str(folder)).items())
    in_table = index.stamps_digest((path, stamp) for path, *stamp
                                   in idx.db.execute("SELECT path, mtime_ns, size, inode FROM rows"))
    assert idx._stamps() == in_table != on_disk
    idx.refresh(str(folder), project)  # the row of no file goes
    assert "2011/01/GONE.yaml" not in rows(idx) and len(rows(idx)) == 60 and idx._stamps() == on_disk


def test_workers_write_their_own_rows_and_notice_another_writer(tmp_path, monkeypatch):
    """Read on every core, each worker writes the chunks it read through its own connection; another process
    writing meanwhile is noticed as when this process writes (the stamps entry then describes the table)."""
    from crmctl.store import derived_db

    folder = many_files(tmp_path, monkeypatch, 60, cores=2)
    idx = opened(tmp_path)
    idx.refresh(str(folder), project)
    on_disk = index.stamps_digest(index.scan(str(folder)).items())
    assert len(rows(idx)) == 60 and idx._stamps() == on_disk
    idx.close()

    def meanwhile(path):  # in a worker: "another process" has its own connection too
        if path.endswith("R0030.yaml"):
            other = derived_db.connect(str(tmp_path / ".cache" / "records.index.sqlite"))
            other.execute("INSERT OR REPLACE INTO rows VALUES ('2011/01/GONE.yaml', 1, 1, 1, 'GONE', NULL, 'x')")
            other.execute("INSERT OR REPLACE INTO meta VALUES ('stamps', 'theirs')")
            other.close()
        return project(path)

    idx = opened(tmp_path, "d2")  # another digest: every file is read again
    idx.refresh(str(folder), meanwhile)
    in_table = index.stamps_digest((path, stamp) for path, *stamp
                                   in idx.db.execute("SELECT path, mtime_ns, size, inode FROM rows"))
    assert idx._stamps() == in_table != on_disk
    idx.refresh(str(folder), project)  # the row of no file goes
    assert "2011/01/GONE.yaml" not in rows(idx) and len(rows(idx)) == 60 and idx._stamps() == on_disk
