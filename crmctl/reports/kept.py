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

import os
import pickle
import sqlite3

from crmctl.checks.record_scan import cache_key, changed_lately, files_tag, scan_folder
from crmctl.store import derived_db

NAME = "reports.sqlite"
FORMAT = "3"
_SCHEMA = "CREATE TABLE IF NOT EXISTS kept (kind TEXT PRIMARY KEY, types TEXT, tag TEXT, payload BLOB)"


def kept_or_built(store, lang, kind, asked, context, build):
    """build()'s answer, or the answer a run of `kind` with the same `asked` (a text: the months, options) kept
    when nothing it depends on changed since. `context`: the reports.Context `build` reads through, which notes
    the record types read; only their folders are scanned next time (the monthly tracking reads the sales
    projects, not the 100,000 service requests)."""
    if os.environ.get("CRMCTL_NO_INDEX") or store.files is not None or store._pending:
        return build()
    db = _open(store, os.path.join(str(store.cache_dir), NAME))
    try:
        row = _row(db, kind)
        # the folders of the types the last run read; every folder when nothing is known yet. Scanned before the
        # build, so a file that changes while the report is built changes the next run's tag
        files = _files(store, row[0].split(",") if row is not None and row[0] else store.config.types)
        if row is not None and row[1] == _tag(store, lang, asked, files):
            found = _loaded(row[2])
            if found is not None:
                return found
        answer = build()
        read = sorted(context.types_read)
        if db is not None and set(read) <= set(files) and not store.skipped and not store.duplicates:
            kept = {type_key: files[type_key] for type_key in read}
            if not changed_lately(kept):
                _keep(db, kind, ",".join(read), _tag(store, lang, asked, kept), answer)
        return answer
    finally:
        if db is not None:
            db.close()


def _files(store, type_keys):
    """{type key: [(relative path, stamp)]} of the folders of `type_keys` that the configuration still has."""
    types = store.config.types
    return {key: scan_folder(store.root, types[key].dir) for key in type_keys if key in types}


def _tag(store, lang, asked, files):
    return files_tag(f"{FORMAT}\0{asked}\0{lang}\0{cache_key(store, lang)}\0{store.today().isoformat()}", files)


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


def _row(db, kind):
    """(types, tag, payload) of the answer kept for `kind`, or None."""
    if db is None:
        return None
    try:
        return db.execute("SELECT types, tag, payload FROM kept WHERE kind = ?", (kind,)).fetchone()
    except sqlite3.Error:
        return None


def _loaded(payload):
    try:
        return pickle.loads(payload)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None  # a damaged payload or one of older code: built afresh and replaced


def _keep(db, kind, types, tag, answer):
    try:
        payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return  # an answer holding functions (a snapshot report's sections) is not kept
    try:
        db.execute("INSERT OR REPLACE INTO kept (kind, types, tag, payload) VALUES (?, ?, ?, ?)",
                   (kind, types, tag, payload))
    except sqlite3.Error:
        pass  # busy or damaged: the next run keeps it
