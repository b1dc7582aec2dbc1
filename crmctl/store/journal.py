"""All or nothing across several record files: a journal in the store's cache folder.

A command that writes more than one record (a lead handled into a project,
an account request processed into a customer) first writes every new file's
bytes into one journal, atomically; only then does it write the files, and
last it deletes the journal. A crash before the journal lands leaves every
file as it was; a crash after it leaves a complete journal, which the next
command that takes the store lock writes out again (the writes are
idempotent) before it does anything else. So no command is ever half-done.
The records were validated before the journal was written, so completing
it is always right, and it is never the only copy of anything for long.
"""

import json
import os
from pathlib import Path, PurePosixPath

from crmctl.kernel.errors import StoreError

NAME = "journal.json"
FORMAT = 1
PARALLEL_FROM = 16  # files in one commit from which they are written by THREADS threads
THREADS = 4


def journal_path(root, cache_dir):
    return Path(root) / cache_dir / NAME


def commit(root, cache_dir, writes, atomic_write):
    """Write `writes` ([(path, bytes)], paths under `root`) all or none; `atomic_write(path, bytes, sync=True)`
    writes one (`sync=False`: not made durable yet)."""
    if len(writes) == 1:
        _write(*writes[0], atomic_write)  # one atomic rename is already all or nothing
        return
    if not writes:
        return
    journal = journal_path(root, cache_dir)
    entries = [{"path": PurePosixPath(Path(path).relative_to(root)).as_posix(), "text": data.decode("utf-8")}
               for path, data in writes]
    journal.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(journal, json.dumps({"format": FORMAT, "writes": entries}, ensure_ascii=False).encode("utf-8"))
    if os.environ.get("CRMCTL_FSYNC") != "0":
        _sync_folder(journal.parent)
    # The journal is durable, so the files need not be one by one: written first, then made durable
    # together (each file, each folder once) before the journal goes. A crash in between replays the journal.
    for folder in {Path(path).parent for path, _ in writes}:
        folder.mkdir(parents=True, exist_ok=True)
    _each(lambda item: atomic_write(Path(item[0]), item[1], sync=False), writes)
    if os.environ.get("CRMCTL_FSYNC") != "0":
        _each(_sync_file, [path for path, _ in writes])
        for folder in sorted({Path(path).parent for path, _ in writes}):
            _sync_folder(folder)
    _remove(journal)


def _each(work, items):
    """`work(item)` for every item; many (an import's batch) in a few threads, so that the file system's time
    for one file (creating it costs most) overlaps another's. The first error is raised once all are done."""
    if len(items) < PARALLEL_FROM:
        for item in items:
            work(item)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(THREADS) as pool:
        for _ in pool.map(work, items):
            pass


def pending(root, cache_dir):
    """Is a journal waiting to be completed?"""
    return journal_path(root, cache_dir).is_file()


def complete(root, cache_dir, atomic_write):
    """Finish the writes of a journal a crashed command left (caller holds the lock); True when there was one."""
    journal = journal_path(root, cache_dir)
    try:
        raw = journal.read_bytes()
    except FileNotFoundError:
        return False
    try:
        data = json.loads(raw.decode("utf-8"))
        entries = [(_inside(root, entry["path"]), entry["text"].encode("utf-8")) for entry in data["writes"]]
        if data.get("format") != FORMAT:
            raise ValueError(data.get("format"))
    except (ValueError, KeyError, TypeError, AttributeError):
        # Written atomically, so only a hand edit damages it: refuse rather than guess which records to trust.
        raise StoreError(code="store.journal_damaged", path=journal) from None
    for path, text in entries:
        _write(path, text, atomic_write)
    _remove(journal)
    return True


def _remove(journal):
    """Delete a finished journal for good: were it to come back after a power cut, replaying it would undo
    later changes to the same records."""
    journal.unlink()
    if os.environ.get("CRMCTL_FSYNC") != "0":
        _sync_folder(journal.parent)


def _inside(root, relative):
    """A journal entry's path, which must name a file inside the store."""
    path = Path(root) / relative
    if PurePosixPath(relative).is_absolute() or ".." in PurePosixPath(relative).parts:
        raise ValueError(relative)
    return path


def _write(path, data, atomic_write):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write(Path(path), data)
    if os.environ.get("CRMCTL_FSYNC") != "0":
        _sync_folder(Path(path).parent)


def _sync_file(path):
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _sync_folder(folder):
    """The rename itself reaches the disk before the journal that covers it is deleted."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not every platform opens folders (Windows); its rename is durable on its own
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
