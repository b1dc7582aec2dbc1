"""A monthly report's answer kept for the next run over the same files, in `.cache/reports.sqlite`.

A report reads every record of the types it counts: at 100,000 service requests even the index's projections
take seconds to go through, where listing the files and their stats takes a fraction of that. So the answer of a
run is kept under a tag that digests everything it depends on: every record file's path and stat (one scan, as
`check` walks them), the configuration files and crmctl's code (checks.record_scan.cache_key), the language, the
day and the months asked for. The next run with the same tag reads no record. Any change to a record file
(a hand edit, a deletion, a `git pull`) changes the tag, and that run builds the report again.

Derived data: deleting the file costs one rebuild. A run that noted unreadable or duplicated files keeps
nothing (their warnings are printed by the run that reads them), nor does one whose files changed so recently
that a second change within the same mtime tick could go unseen (findings_cache.RACY_NS).
"""

import hashlib
import os
import pickle
import sqlite3
import time

from crmctl.checks.findings_cache import RACY_NS
from crmctl.checks.record_scan import RecordScan, cache_key
from crmctl.store import derived_db

NAME = "reports.sqlite"
FORMAT = "1"
_SCHEMA = "CREATE TABLE IF NOT EXISTS answers (kind TEXT PRIMARY KEY, tag TEXT, payload BLOB)"


def kept_or_built(store, lang, kind, asked, build):
    """build()'s answer, or the answer a run of `kind` with the same `asked` (a text: the months, options) kept
    when nothing it depends on changed since."""
    if os.environ.get("CRMCTL_NO_INDEX") or store.files is not None or store._pending:
        return build()
    files = RecordScan(store, lang).files()
    tag = _tag(store, lang, asked, files)
    path = os.path.join(str(store.cache_dir), NAME)
    db = _open(store, path)
    try:
        found = _answer(db, kind, tag)
        if found is not None:
            return found
        answer = build()
        if db is not None and not store.skipped and not store.duplicates and not _racy(files):
            _keep(db, kind, tag, answer)
        return answer
    finally:
        if db is not None:
            db.close()


def _tag(store, lang, asked, files):
    digest = hashlib.blake2b(f"{FORMAT}\0{asked}\0{lang}\0{cache_key(store, lang)}\0"
                             f"{store.today().isoformat()}\0".encode(), digest_size=20)
    digest.update(pickle.dumps(files, protocol=pickle.HIGHEST_PROTOCOL))  # every path and its stat
    return digest.hexdigest()


def _racy(files):
    now_ns = time.time_ns()
    return any(stamp[0] >= now_ns - RACY_NS for listed in files.values() for _, stamp in listed)


def _open(store, path):
    """The answers file, started again when damaged; None where it cannot be written (a read-only store)."""
    for _attempt in range(2):
        db = None
        try:
            store.make_cache_dir()
            db = derived_db.connect(path)
            db.execute(_SCHEMA)
            return db
        except (OSError, sqlite3.Error):
            if db is not None:
                db.close()
            derived_db.discard(path)
    return None


def _answer(db, kind, tag):
    if db is None:
        return None
    try:
        found = db.execute("SELECT payload FROM answers WHERE kind = ? AND tag = ?", (kind, tag)).fetchone()
        return pickle.loads(found[0]) if found else None
    except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None  # a damaged payload or one of older code: built afresh and replaced


def _keep(db, kind, tag, answer):
    try:
        payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return  # an answer holding functions (a snapshot report's sections) is not kept
    try:
        db.execute("INSERT OR REPLACE INTO answers (kind, tag, payload) VALUES (?, ?, ?)", (kind, tag, payload))
    except sqlite3.Error:
        pass  # busy or damaged: the next run keeps it
