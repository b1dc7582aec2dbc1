"""The column index: one SQLite file per record type in the store's derived-data folder.

A row per record file: its path, the stamp that says whether the file changed (mtime_ns, size, inode), the id,
a few columns as text for an SQL prefilter, and a pickled projection of the record that lists read (whatever
the caller's `project` returns). The caller decides what goes in the projection and the columns; this module
only keeps the rows fresh and hands them out.

Freshness is one `os.scandir` pass with one stat per file, whose digest is compared with the stored digest of
the rows' stamps (no Python object per row when nothing changed); otherwise new and changed files are re-read (on
every core when there are many, each worker writing the rows it read), vanished ones deleted, and a changed
`digest` (the configuration the projection depends on) empties the table. The index is derived data: deleting
or damaging it costs a rebuild, never an answer.
Writers serialise on SQLite's own write lock (WAL mode, so a reader never waits and never sees a half-done
refresh); a record written while the index is refreshed has a new inode, so the next refresh re-reads it.
"""

import gc
import hashlib
import os
import pickle
import sqlite3
import time

from crmctl.store import derived_db

FORMAT = 5  # 5: projections keep the history events reports read (engine/listing._kept_history)
CHUNK = 250  # files per unit of parallel work (small enough that no worker idles long at the end)
PARALLEL_FROM = 2000  # fewer changed files than this are read in this process
PROGRESS_AFTER = 2.0  # seconds before a progress report is worth showing


class ColumnIndex:
    """The rows of one record type's folder; `project(path) -> (id, columns, projection)` reads a file."""

    def __init__(self, cache_dir, name, columns, digest):
        self.path = os.path.join(cache_dir, f"{name}.index.sqlite")
        self.columns = tuple(columns)
        self.digest = f"{FORMAT}:{digest}:{','.join(self.columns)}"
        self.db = None

    def open(self):
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        try:
            self.db = self._connect()
            self._prepare()
        except sqlite3.DatabaseError:  # damaged (not a database, truncated...): derived data, so start again
            self.close()
            derived_db.discard(self.path)
            self.db = self._connect()
            self._prepare()
        return self

    def close(self):
        if self.db is not None:
            self.db.close()
            self.db = None

    def _connect(self):
        return derived_db.connect(self.path)

    def _prepare(self):
        db = self.db
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        found = db.execute("SELECT value FROM meta WHERE key = 'digest'").fetchone()
        if found and found[0] == self.digest:
            return
        extra = "".join(f", c{n} TEXT" for n in range(len(self.columns)))
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DROP TABLE IF EXISTS rows")
            db.execute(f"CREATE TABLE rows (path TEXT PRIMARY KEY, mtime_ns INTEGER, size INTEGER, inode INTEGER,"
                       f" id TEXT, data BLOB{extra})")
            db.execute("CREATE INDEX rows_id ON rows (id)")
            # the freshness pass reads only stamps: a covering index spares it the pages of the projections
            db.execute("CREATE INDEX rows_stamp ON rows (path, mtime_ns, size, inode)")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('digest', ?)", (self.digest,))
            db.execute("DELETE FROM meta WHERE key = 'stamps'")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def column(self, key):
        """The SQL name of an indexed column, or None. `id` is one: a readable file's id is its name's text."""
        if key == "id":
            return "id"
        return f"c{self.columns.index(key)}" if key in self.columns else None

    # -- freshness -----------------------------------------------------------------------------------------------

    def refresh(self, folder, project, progress=None):
        """Bring the rows up to date with the `*.yaml` files under `folder` (relative paths with '/')."""
        on_disk = scan(folder)
        seen = stamps_digest(on_disk.items())
        # the stored digest of the table's stamps answers "nothing changed" without a Python object per row
        self.db.execute("BEGIN")  # one snapshot: the digest read describes the stamps read
        try:
            stored = self._stamps()
            if stored == seen:
                return
            known = {path: (mtime, size, inode) for path, mtime, size, inode
                     in self.db.execute("SELECT path, mtime_ns, size, inode FROM rows")}
        finally:
            self.db.execute("COMMIT")
        # in path order: neighbouring rows go to neighbouring pages of the table's indexes (a fifth less of the
        # SQLite work of writing a fresh clone's rows than in the folders' listing order)
        changed = sorted(path for path, stamp in on_disk.items() if known.get(path) != stamp)
        gone = [path for path in known if path not in on_disk]
        marks = ", ".join("?" * (6 + len(self.columns)))
        if len(changed) >= PARALLEL_FROM:
            # many files (a fresh clone): each chunk is written as soon as it is read, by the worker that read it
            # (through its own connection; SQLite's lock takes turns) or, reading here, by this process. Each chunk
            # replaces the stamps digest with this refresh's token, so a refresh stopped half-way leaves no digest
            # that would hide the rest, and an entry neither the one found nor the token says another process
            # wrote meanwhile.
            token = f"writing:{os.getpid()}:{os.urandom(8).hex()}"
            written = [stored, False]  # the entry this refresh expects, whether another process wrote

            def write(chunk):
                written[1] |= _write_rows(self.db, marks, chunk, (written[0],), token)
                written[0] = token

            others = read_rows(folder, changed, on_disk, project, progress, write,
                               ChunkWriter(self.path, marks, (stored, token), token))
            rows, expected, unsure = [], token, written[1] or others is True  # read here: [] (`write` noted it)
        else:
            rows = read_rows(folder, changed, on_disk, project, progress)
            expected, unsure = stored, stored is None  # None: no token tells another process's writes from none
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany("DELETE FROM rows WHERE path = ?", [(path,) for path in gone])
            self.db.executemany(f"INSERT OR REPLACE INTO rows VALUES ({marks})", rows)
            if unsure or self._stamps() != expected:  # another process wrote meanwhile: digest the table
                seen = stamps_digest((path, stamp) for path, *stamp
                                     in self.db.execute("SELECT path, mtime_ns, size, inode FROM rows"))
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('stamps', ?)", (seen,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _stamps(self):
        found = self.db.execute("SELECT value FROM meta WHERE key = 'stamps'").fetchone()
        return found[0] if found else None

    # -- reading -------------------------------------------------------------------------------------------------

    def candidates(self, where="", params=(), exact="", data=True):
        """(path, data, whether `exact` holds) of the rows `where` admits, of every row whose id is in two files
        (which copy counts is decided over all of them) and of every file that could not be read (data NULL).
        `params` fill `exact`'s marks and then `where`'s. `data=False`: 1 in place of each projection, for a
        caller that reads them a chunk at a time (`projections`) instead of holding all of them."""
        kept = "data" if data else "CASE WHEN data IS NULL THEN NULL ELSE 1 END"
        sql = f"SELECT path, {kept}, {f'coalesce({exact}, 0)' if exact else '0'} FROM rows"
        if where:
            sql += (f" WHERE ({where}) OR data IS NULL"
                    " OR id IN (SELECT id FROM rows GROUP BY id HAVING count(*) > 1)")
        return self.db.execute(sql, params).fetchall()

    def projections(self, paths):
        """{path: projection} of the rows at `paths`."""
        found = {}
        for start in range(0, len(paths), 500):  # under SQLite's oldest limit of 999 parameters
            part = paths[start:start + 500]
            found.update(self.db.execute(f"SELECT path, data FROM rows WHERE path IN ({', '.join('?' * len(part))})",
                                         part))
        return found

    def ids(self):
        """(path, id) of every row, id None for a file that could not be read: what `list -q` needs."""
        return self.db.execute("SELECT path, CASE WHEN data IS NULL THEN NULL ELSE id END FROM rows").fetchall()


def _write_rows(db, marks, rows, expected, token):
    """Write one chunk of rows and leave `token` as the stamps entry; whether the entry was none of `expected`
    (another process wrote since)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        found = db.execute("SELECT value FROM meta WHERE key = 'stamps'").fetchone()
        others = (found[0] if found else None) not in expected
        db.execute("INSERT OR REPLACE INTO meta VALUES ('stamps', ?)", (token,))
        db.executemany(f"INSERT OR REPLACE INTO rows VALUES ({marks})", rows)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return others


class ChunkWriter:
    """Writes chunks of rows from a forked worker through the worker's own connection (a connection never
    crosses a fork), so the rows need not travel to the parent, whose share of the cores then goes to reading."""

    def __init__(self, path, marks, expected, token):
        self.path, self.marks, self.expected, self.token = path, marks, expected, token
        self.db, self.pid = None, None

    def __call__(self, rows):
        if self.pid != os.getpid():
            self.db, self.pid = derived_db.connect(self.path), os.getpid()
        return _write_rows(self.db, self.marks, rows, self.expected, self.token)


def scan(folder):
    """{relative path: (mtime_ns, size, inode)} of every `*.yaml` file under `folder`: one stat each."""
    found = {}
    pending = [("", folder)]
    while pending:
        prefix, here = pending.pop()
        try:
            entries = os.scandir(here)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):  # as `rglob` walks
                    pending.append((prefix + entry.name + "/", entry.path))
                elif entry.name.endswith(".yaml"):
                    try:
                        stat = entry.stat()
                    except FileNotFoundError:  # removed between listing and stat
                        continue
                    found[prefix + entry.name] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    return found


def stamps_digest(stamps):
    """One text for a set of (path, (mtime_ns, size, inode)): equal exactly when the sets are equal."""
    lines = sorted(f"{path}\0{stamp[0]}\0{stamp[1]}\0{stamp[2]}" for path, stamp in stamps)
    return hashlib.sha1("\n".join(lines).encode()).hexdigest()


def read_rows(folder, paths, stamps, project, progress, take=None, writer=None):
    """The rows of `paths`, read on every core when there are many; or, given `take`, each chunk's rows handed
    to it as they come (and none returned). Given `writer` too, forked workers write their rows through it
    themselves, and what is returned is whether a write found that another process had written."""
    started = time.monotonic()
    chunks = [paths[n:n + CHUNK] for n in range(0, len(paths), CHUNK)]
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < PARALLEL_FROM or workers < 2:
        results = (_chunk_rows(_read_chunk(folder, chunk, project), stamps) for chunk in chunks)
        return _rows(results, len(paths), started, progress, take)
    import multiprocessing

    global _JOB
    # forked workers inherit it: the projection needs the configuration, not a pickle of it
    _JOB = (folder, project, stamps, writer if take is not None else None)
    # what exists now lives as long as the workers: out of the collector's sight, their collections of the
    # objects each file makes do not walk the configuration and the modules again and again
    gc.freeze()
    try:
        pool = multiprocessing.get_context("fork").Pool(workers)
    except (ValueError, OSError):  # no fork on this platform, or no processes left: read here
        gc.unfreeze()
        results = (_chunk_rows(_read_chunk(folder, chunk, project), stamps) for chunk in chunks)
        return _rows(results, len(paths), started, progress, take)
    gc.unfreeze()
    try:
        with pool:
            # in the order they are done: a chunk that took longer holds back none behind it
            results = pool.imap_unordered(_read_chunk_forked, chunks)
            if _JOB[3] is None:
                return _rows(results, len(paths), started, progress, take)
            others, done = False, 0
            for count, theirs in results:
                others |= theirs
                done += count
                _progress(progress, started, done, len(paths))
            _progress(progress, started, None, len(paths))
            return others
    finally:
        _JOB = None


_JOB = None  # in a forked worker: (folder, project, stamps, writer or None)


def _read_chunk_forked(chunk):
    folder, project, stamps, writer = _JOB
    rows = _chunk_rows(_read_chunk(folder, chunk, project), stamps)
    return rows if writer is None else (len(rows), writer(rows))


def _read_chunk(folder, paths, project):
    out = []
    for path in paths:
        record_id, columns, data = project(os.path.join(folder, path))
        out.append((path, record_id, columns, None if data is None else dump(data)))
    return out


def _chunk_rows(chunk, stamps):
    return [(path, *stamps[path], record_id, blob, *columns) for path, record_id, columns, blob in chunk]


def _rows(results, total, started, progress, take=None):
    rows, done = [], 0
    for these in results:
        if take is None:
            rows += these
        else:
            take(these)
        done += len(these)
        _progress(progress, started, done, total)
    _progress(progress, started, None, total)
    return rows


def _progress(progress, started, done, total):
    """Report how far a read is (None: finished), once it has taken long enough to be worth showing."""
    if progress and time.monotonic() - started > PROGRESS_AFTER:
        progress(done, total)


def dump(data):
    """Pickled, not compressed: compressing saved 15% of the file and doubled the time to load a row."""
    return pickle.dumps(data, pickle.HIGHEST_PROTOCOL)


def load(blob):
    return pickle.loads(blob)
