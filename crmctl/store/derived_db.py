"""The SQLite files of the derived-data folder (column index, record cache, check's findings): opened one way,
thrown away one way.

WAL so that readers never wait for a writer and never see half a write; NORMAL synchronous because the files can
always be rebuilt from the records, so a write lost in a power cut costs a rebuild, not data.
"""

import os
import sqlite3

_FILES = ("", "-wal", "-shm", "-journal")


def connect(path, timeout=30):
    db = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def discard(path):
    """Remove a damaged database with its side files; what cannot be removed is left for the next try."""
    for suffix in _FILES:
        try:
            os.unlink(f"{path}{suffix}")
        except OSError:
            pass
