"""Whole records of one type between runs, for the commands that still read every record (reports, inbox...).

`.cache/<dir>.records.sqlite`: a row per record file with its stamp (mtime_ns, size, inode) and the parsed
record, pickled and compressed. A run re-reads only the files whose stamp changed and writes only their rows
(the single pickle this replaces was rewritten whole after one changed file, and was 2.2x the records' size).
Derived data: a damaged or missing file is started again; a read-only store reads without it.
"""

import os
import pickle
import sqlite3
import zlib

from crmctl.store import derived_db

FORMAT = "1"


class RecordCache:
    def __init__(self, cache_dir, name):
        self.path = os.path.join(cache_dir, f"{name}.records.sqlite")
        self.db = None

    def open(self):
        try:
            self.db = self._connect()
        except (sqlite3.DatabaseError, OSError):
            self.close()
            derived_db.discard(self.path)
            try:
                self.db = self._connect()
            except (sqlite3.Error, OSError):
                self.db = None  # no cache this run
        return self

    def _connect(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        db = derived_db.connect(self.path)
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        found = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if not found or found[0] != FORMAT:
            db.execute("DROP TABLE IF EXISTS records")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
        db.execute("CREATE TABLE IF NOT EXISTS records (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER,"
                    " inode INTEGER, data BLOB)")
        return db

    def close(self):
        if self.db is not None:
            self.db.close()
            self.db = None

    def known(self):
        """{relative path: (stamp, blob)} of every cached record."""
        if self.db is None:
            return {}
        try:
            return {path: ((mtime, size, inode), blob) for path, mtime, size, inode, blob
                    in self.db.execute("SELECT path, mtime_ns, size, inode, data FROM records")}
        except sqlite3.Error:
            return {}

    def update(self, fresh, gone):
        """Write the rows of `fresh` [(path, stamp, record)] and delete the paths of `gone`."""
        if self.db is None or not (fresh or gone):
            return
        rows = [(path, *stamp, dump(record)) for path, stamp, record in fresh]
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("DELETE FROM records WHERE path = ?", [(path,) for path in gone])
            self.db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?)", rows)
            self.db.execute("COMMIT")
        except sqlite3.Error:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the cache is an optimisation: the records were read all the same


def dump(record):
    return zlib.compress(pickle.dumps(record, pickle.HIGHEST_PROTOCOL), 1)


def load(blob):
    return pickle.loads(zlib.decompress(blob))
