"""`.cache/check.sqlite`: each record file's findings and facts from the last `check`, so an unchanged file is
neither read nor validated again.

A row is keyed by the file's path and trusted while its (mtime_ns, size, inode) are the same; when they differ
the bytes are read and a row with the same digest is still good (a `touch`, a checkout of the same content).
The rows are stored one pickle per group (a folder's files whose names end alike: a month's records in some 32
groups), not one SQL row per file: every run reads every row, and a few hundred pickles load three times faster
than 22,000 SQL rows; a change rewrites only its group (a folder can hold several thousand records).
The whole cache belongs to one `key` (a digest of the configuration, crmctl's code and the language): another
key empties it. Derived data only: deletable, git-ignored, a damaged file is replaced, a read-only store is
checked without it. Written in WAL mode, so readers are never blocked, by the holder of the store lock.
"""

import pickle
import sqlite3

from crmctl.store import derived_db

FORMAT = "4"
NAME = "check.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS groups (name TEXT PRIMARY KEY, rows BLOB);
CREATE TABLE IF NOT EXISTS snapshots (kind TEXT PRIMARY KEY, tag TEXT, payload BLOB);
"""
# A file changed within this many nanoseconds of being read may change again within the same mtime tick:
# its row is kept with no mtime, so the next run compares digests instead (git's "racily clean" entries).
RACY_NS = 2_000_000_000


# A row as read and written: a plain tuple (a class per row costs more than the check of a clean file). A
# group's rows are pickled as {path: row}.
COLUMNS = ("path", "mtime_ns", "size", "inode", "digest", "rid", "id_line", "readable", "dated", "deps", "items",
           "facts", "quality")
MTIME, SIZE, INODE, DIGEST, RID, ID_LINE, READABLE, DATED, DEPS, ITEMS, FACTS, QUALITY = range(1, len(COLUMNS))


def encode_deps(deps):
    """{id: exists} as text: `+ID` for an id that existed, `-ID` for one that did not."""
    return " ".join(("+" if known else "-") + record_id for record_id, known in deps.items()) or None


def decode_deps(text):
    return {item[1:]: item[0] == "+" for item in text.split(" ")} if text else {}


def encode_items(items, dup_at):
    """A file's findings and slots as a pickle; None for a file without any (most records)."""
    return pickle.dumps((items, dup_at), protocol=pickle.HIGHEST_PROTOCOL) if items else None


def facts_of(rec, lines):
    """(the unique and link fields a record has, {field: its line}); a missing field reads as None, like an
    empty one. None: no such fields."""
    kept = {key: value for key, value in (rec or {}).items() if key != "id" and value is not None}
    return (kept, {key: line for key, line in (lines or {}).items() if key in kept}) if kept else None


def encode_facts(rec, lines=None):
    """facts_of as a pickle; None: none."""
    facts = facts_of(rec, lines)
    return pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL) if facts else None


def encode_quality(summary):
    """A record's summary for `report quality` (checks/quality_facts.py) as a pickle; None: not validated."""
    return pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL) if summary is not None else None


def language_of(folder):
    """The language of the findings the cache in `folder` holds, or None (no cache, or an unreadable one)."""
    path = folder / NAME
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            found = dict(connection.execute("SELECT name, value FROM meta"))
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return found.get("lang") if found.get("format") == FORMAT else None


class FindingsCache:
    """The rows of one store's cache under one key; `rows` is empty when the cache is new, stale or unusable.
    The rows are read when first asked for: a run that a snapshot answers (`snapshot`) never reads them."""

    def __init__(self, folder, key, lang=None):
        self.path = folder / NAME
        self.key, self.lang = key, lang  # lang: the findings' language, noted for language_of
        self._rows = None
        self.connection = None
        self.valid = False  # the file holds rows of this key
        try:
            self._open(folder)
        except (sqlite3.Error, OSError):
            self._discard()
            try:
                self._open(folder)
            except (sqlite3.Error, OSError):
                self.connection, self._rows = None, {}  # checked all the same, without the cache

    def _open(self, folder):
        if not folder.is_dir():
            raise OSError("no cache folder yet")
        self.connection = derived_db.connect(self.path, timeout=10)
        self.connection.executescript(_SCHEMA)
        self.valid = self._has_key()

    def _has_key(self):
        found = dict(self.connection.execute("SELECT name, value FROM meta"))
        return found.get("format") == FORMAT and found.get("key") == self.key

    @property
    def rows(self):
        """{path: row} of every file the cache knows, under this key."""
        if self._rows is None:
            self._rows = {}
            try:
                self._rows = self._read_rows()
            except sqlite3.Error:
                self._discard()
                self.valid = False
        return self._rows

    def _read_rows(self):
        if not self.valid:
            return {}
        rows = {}
        self.connection.execute("BEGIN")  # key and rows from one snapshot, whatever a writer commits meanwhile
        try:
            if not self._has_key():
                self.valid = False  # another configuration's run replaced them since the cache was opened
                return {}
            for (blob,) in self.connection.execute("SELECT rows FROM groups"):
                rows.update(pickle.loads(blob))
        finally:
            self.connection.execute("COMMIT")
        return rows

    def row(self, path):
        """One file's row, or None; reads only its group when the rows have not been read."""
        if self._rows is not None:
            return self._rows.get(path)
        if not self.valid:
            return None
        try:
            self.connection.execute("BEGIN")  # the key and the row from one snapshot of the file
            try:
                if not self._has_key():
                    return None
                found = self.connection.execute("SELECT rows FROM groups WHERE name = ?",
                                                (_group_of(path),)).fetchone()
            finally:
                self.connection.execute("COMMIT")
            return pickle.loads(found[0]).get(path) if found else None
        except (sqlite3.Error, pickle.UnpicklingError, EOFError):
            return None

    def snapshot(self, kind, tag):
        """What a run of `kind` kept under `tag` (a digest of everything its answer depends on), or None."""
        if self.connection is None or not self.valid:
            return None
        try:
            found = self.connection.execute("SELECT payload FROM snapshots WHERE kind = ? AND tag = ?",
                                            (kind, tag)).fetchone()
            return pickle.loads(found[0]) if found else None
        except (sqlite3.Error, pickle.UnpicklingError, EOFError):
            return None  # a damaged payload: computed afresh, and replaced

    def latest_snapshot(self, kind):
        """(tag, payload) of the last run of `kind` kept, whatever changed since, or None."""
        if self.connection is None or not self.valid:
            return None
        try:
            found = self.connection.execute("SELECT tag, payload FROM snapshots WHERE kind = ?", (kind,)).fetchone()
            return (found[0], pickle.loads(found[1])) if found else None
        except (sqlite3.Error, pickle.UnpicklingError, EOFError):
            return None

    def keep_snapshots(self, kept):
        """Keep runs' answers, {kind: (tag, payload)}, in one transaction (the caller holds the store lock);
        nothing when the rows belong to another key by now."""
        if self.connection is None:
            return
        # one pickle at a time: a whole check's findings and its layout are tens of MiB each at 100,000 files
        rows = ((kind, tag, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
                for kind, (tag, payload) in kept.items())
        try:
            cursor = self.connection
            cursor.execute("BEGIN IMMEDIATE")
            try:
                if self._has_key():
                    cursor.executemany("INSERT OR REPLACE INTO snapshots (kind, tag, payload) VALUES (?, ?, ?)", rows)
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
        except sqlite3.Error:
            self._discard()

    def _discard(self):
        if self.connection is not None:
            try:
                self.connection.close()
            except sqlite3.Error:
                pass
        self.connection = None
        derived_db.discard(self.path)

    def save(self, changed, gone, now_ns):
        """Write the rows of changed files (tuples of COLUMNS) and forget vanished ones, in one transaction. The
        caller holds the store lock; an error leaves the previous cache (or none) behind, never a wrong one."""
        if self.connection is None or not (changed or gone or not self.valid):
            return
        rows = self.rows if self.valid else {}
        valid = self.valid  # (again: reading the rows may find another key's, and then every row is new)
        touched, by_group = set(), {}
        for row in changed:
            trusted = _trusted(row[MTIME], now_ns)
            if trusted != row[MTIME]:  # else the row itself: a copy of every row would cost as much again
                row = (row[0], trusted, *row[SIZE:])
            group = _group_of(row[0])
            touched.add(group)
            if valid:
                rows[row[0]] = row
            else:  # every row is new: grouped as they come, with no dict of every row besides
                by_group.setdefault(group, {})[row[0]] = row
        for path in gone:
            rows.pop(path, None)
            touched.add(_group_of(path))
        if valid:
            for path, row in rows.items():
                group = _group_of(path)
                if group in touched:
                    by_group.setdefault(group, {})[path] = row
        emptied = [(group,) for group in touched if group not in by_group]
        try:
            cursor = self.connection
            cursor.execute("BEGIN IMMEDIATE")
            try:
                found = dict(cursor.execute("SELECT name, value FROM meta"))
                if self.valid and (found.get("format"), found.get("key")) != (FORMAT, self.key):
                    cursor.execute("ROLLBACK")  # another configuration's run replaced the rows since they were read
                    return
                if not self.valid:
                    cursor.execute("DROP TABLE IF EXISTS files")  # format 3's rows, one per file
                    cursor.execute("DELETE FROM groups")
                    cursor.execute("DELETE FROM snapshots")
                    cursor.execute("DELETE FROM meta")
                    cursor.executemany("INSERT INTO meta VALUES (?, ?)",
                                       [("format", FORMAT), ("key", self.key), ("lang", self.lang)])
                cursor.executemany("DELETE FROM groups WHERE name = ?", emptied)
                cursor.executemany("INSERT OR REPLACE INTO groups (name, rows) VALUES (?, ?)", _blobs(by_group))
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
        except sqlite3.Error:
            self._discard()  # a damaged file: the next run starts a new one

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _blobs(by_group):
    """(group, its rows' pickle), one group at a time: the pickles of every group at once cost tens of MiB."""
    for group, kept in by_group.items():
        shared = {}  # equal findings and deps pickled once: most records have the same few warnings
        yield group, pickle.dumps({path: tuple(shared.setdefault(value, value) if isinstance(value, (bytes, str))
                                               else value for value in row)
                                   for path, row in kept.items()}, protocol=pickle.HIGHEST_PROTOCOL)


def _group_of(path):
    """The group a file's row is stored in: its folder and the end of its name (an id ends in a random
    character)."""
    return path[:path.rfind("/") + 1] + path[-6:]


def _trusted(mtime_ns, now_ns):
    return mtime_ns if mtime_ns < now_ns - RACY_NS else -1
