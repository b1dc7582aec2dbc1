"""The one pass of `check` over the record files: one `os.scandir` walk with one stat per file, a file read and
validated only when the findings cache has nothing valid for it (on every core when there are many), nothing but
its cache row's small facts and pickles kept per file."""

import hashlib
import operator
import os
import pickle
import time
from pathlib import Path

import yaml

import crmctl
from crmctl.checks import findings_cache
from crmctl.checks.file_check import CheckEngine, TrackingStore, examine, fact_keys, root_length
from crmctl.checks.findings_cache import (DATED, DEPS, DIGEST, FACTS, ID_LINE, ITEMS, QUALITY, READABLE, RID,
                                         FindingsCache, decode_deps, encode_deps, encode_facts, encode_items,
                                         encode_quality, facts_of)
from crmctl.checks.links import link_pairs
from crmctl.config import cache as config_cache
from crmctl.kernel.errors import StoreError
from crmctl.kernel import validators
from crmctl.store.store import CACHE_DIR


class Result:
    """One file's part in the findings: where it is, whether it was asked for, and what it contributes.
    `items` is (items, dup_at) and `facts` (fields, lines) as findings_cache.facts_of gives them, or their pickles from the cache (decoded when read, each
    distinct pickle once: many records share the same warnings), or None for none. `summary` is what `report
    quality` counts of the record (checks/quality_facts.py), its pickle, or None when it was not validated."""

    __slots__ = ("type_key", "rel", "chosen", "rid", "id_line", "readable", "items", "facts", "summary")

    def __init__(self, type_key, rel, chosen, rid, id_line, readable, items, facts, summary):
        self.type_key, self.rel, self.chosen, self.rid = type_key, rel, chosen, rid
        self.id_line, self.readable, self.items, self.facts = id_line, readable, items, facts
        self.summary = summary

    def findings_part(self, memo):
        if isinstance(self.items, bytes):
            decoded = memo.get(self.items)
            if decoded is None:
                decoded = memo[self.items] = pickle.loads(self.items)
            return decoded
        return self.items or ((), 0)

    def fields(self):
        return self._facts()[0]

    def lines(self):
        """{field: the line it is written at} for the fields() of the file."""
        return self._facts()[1]

    def quality(self):
        """The record's summary for `report quality`, or None."""
        if isinstance(self.summary, bytes):
            self.summary = pickle.loads(self.summary)
        return self.summary

    def _facts(self):
        if isinstance(self.facts, bytes):
            self.facts = pickle.loads(self.facts)
        return self.facts or ({}, {})


def scan_folder(root, folder):
    """(relative path, (mtime_ns, size, inode)) of every file under root/folder, in Store.files_under's order
    (paths compare part by part: a walk that visits each folder's entries sorted by name gives that order).
    Symlinked folders are not entered, as pathlib's rglob does not enter them."""
    found = []
    _walk(os.path.join(str(root), folder), str(Path(folder)), found)
    return found


def _walk(directory, relative, found):
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=_name, reverse=True)
    except OSError:
        return
    prefix = relative + "/"
    while entries:
        # each entry let go once taken (its cached stat with it): a month's folder of 20,000 entries and their
        # stats held to the end cost 30 MiB, and the holes they left behind among the paths kept stay in the heap
        entry = entries.pop()
        try:
            if entry.is_dir(follow_symlinks=False):  # a symlinked folder is not entered (nor a file: is_file below)
                _walk(entry.path, prefix + entry.name, found)
            elif entry.is_file():
                stat = entry.stat()
                found.append((prefix + entry.name, (stat.st_mtime_ns, stat.st_size, stat.st_ino)))
        except OSError:
            pass  # gone while walking: as if it had never been there


_name = operator.attrgetter("name")


def files_tag(text, files):
    """A digest of `text` and every path and stat of `files` ({type key: [(path, stamp)]}): what a kept answer
    is looked up by. A thousand files at a time: a pickle of them all, with its memo, peaked at 16 MiB."""
    digest = hashlib.blake2b(f"{text}\0".encode(), digest_size=20)
    for type_key, listed in files.items():
        digest.update(f"\0\0{type_key}\0".encode())  # no path or stamp holds a NUL: one reading only
        for start in range(0, len(listed), 1000):
            digest.update("".join(f"{rel}\0{stamp}\0" for rel, stamp in listed[start:start + 1000]).encode())
    return digest.hexdigest()


def changed_lately(files):
    """Whether one of `files` changed so recently that a second change within the same mtime tick could go
    unseen (findings_cache.RACY_NS): no answer is kept for them then."""
    now_ns = time.time_ns()
    return any(stamp[0] >= now_ns - findings_cache.RACY_NS for listed in files.values() for _, stamp in listed)


def cache_key(store, lang):
    """A digest of everything a file's findings depend on besides its bytes and the date: the configuration
    files, the language and crmctl's code (a changed rule changes findings without a changed record)."""
    # without phonenumbers or email-validator their fields are checked by crmctl's basic rules
    basic = ",".join(validators.libraries_missing())
    digest = hashlib.blake2b(f"{findings_cache.FORMAT}|{lang}|{yaml.__version__}|{basic}".encode(), digest_size=20)
    root = store.root
    configured = [root / name for name in ("crmctl.yaml", "users.yaml", "regions.yaml")]
    configured += sorted(path for path in (root / "config").rglob("*") if path.is_file())
    config_cache.feed(digest, configured, root)
    package = Path(crmctl.__file__).parent
    for folder, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith((".py", ".yaml")):
                stat = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{stat.st_mtime_ns}:{stat.st_size}\0".encode())
    return digest.hexdigest()


class RecordScan:
    """Every record file of the store, each examined afresh or taken from the cache."""

    def __init__(self, store, lang, any_language=False):
        """`any_language`: the caller reads no message (report quality), so the cache is used in the language
        its findings are in, whichever it is: a report in English does not replace a check's Finnish findings
        (each would empty the other's cache, and rebuilding it examines every file)."""
        self.store, self.lang, self.any_language = store, lang, any_language
        # findings made here, kept or afresh, are the basic rules' where a library is missing: the command says so
        validators.note_basic_rules()
        self.on_disk = store.files is None
        links = {}
        for rtype, key, target, back in link_pairs(store.config):
            links.setdefault(rtype.key, []).append(key)
            links.setdefault(target.key, []).append(back)
        self.keys = fact_keys(store.config, links)
        self._listing = self._findings = self._key = None
        self._tags = {}
        self._deps_hold = {}  # deps text -> whether its answers still hold (run, examine_alone)
        self.volatile = False  # a file's rules read other files' contents: its findings may change with theirs
        self._no_cache = False

    def files(self):
        """{type key: [(relative path, stamp)]} of the record folders (stamp None for a store of given contents),
        walked once per scan."""
        if self._listing is None:
            store = self.store
            listing = {}
            for rtype in store.config.types.values():
                if self.on_disk:
                    listing[rtype.key] = scan_folder(store.root, rtype.dir)
                else:
                    cut = root_length(store)
                    listing[rtype.key] = [(str(path)[cut:], None) for path in store.files_under(rtype.dir)]
            self._listing = listing
        return self._listing

    def snapshot(self, kind, extra=""):
        """What the last run of `kind` (with the same `extra`) kept, when nothing it depends on changed since:
        the same files with the same stats, the same configuration, code and language (the cache key) and the
        same day; None otherwise. Such a run needs no row of any file."""
        cache = self._cache()
        return cache.snapshot(kind, self._tag(extra)) if cache is not None else None

    def keep_snapshots(self, payloads, extra=""):
        """Keep a run's answers ({kind: payload}) for the next run with the same files, unless a file changed so
        recently that a change within the same mtime tick could go unseen (as the rows of such files,
        findings_cache.RACY_NS)."""
        cache = self._cache()
        if cache is None:
            return
        if changed_lately(self.files()):
            return
        try:
            with self.store.lock():
                cache.keep_snapshots({kind: (self._tag(extra), payload) for kind, payload in payloads.items()})
        except (StoreError, OSError):
            pass  # another writer kept the lock, or the store is read-only: the next run keeps it

    def latest_snapshot(self, kind):
        """(tag, payload) of the last run of `kind` kept, whatever changed since, or None."""
        cache = self._cache()
        return cache.latest_snapshot(kind) if cache is not None else None

    def base_tag(self, extra=""):
        """What a snapshot's tag digests besides the files: equal when only record files changed."""
        self._cache()
        return hashlib.blake2b(f"{extra}\0{self._key}\0{self.store.today().isoformat()}".encode(),
                               digest_size=20).hexdigest()

    def examine_alone(self, rtype, rel):
        """(id, readable, findings items, has unique or link values, volatile) of one record file outside a run:
        from its row when its bytes are those examined last (a touch, a checkout of the same content) and the
        row's answers hold, else examined afresh (its rules ask the store as in a run)."""
        present = {item[0] for files in self.files().values() for item in files}
        self.tracking = TrackingStore(self.store, present)
        self.today = self.store.today().isoformat()
        path = self.store.root / rel
        raw = self.store.read_bytes(path)
        cache = self._cache()
        row = cache.row(rel) if cache is not None else None
        if row is not None and row[DIGEST] == hashlib.blake2b(raw, digest_size=20).digest() and self._holds(row):
            items = pickle.loads(row[ITEMS])[0] if row[ITEMS] is not None else ()
            return row[RID], bool(row[READABLE]), items, row[FACTS] is not None, False
        found = examine(self.tracking, CheckEngine(self.tracking, self.lang), rtype, path, raw, self.keys)
        return (found.rid, found.rec is not None, found.items, facts_of(found.rec, found.lines) is not None,
                found.volatile)

    def _tag(self, extra):
        if extra not in self._tags:  # asked when looking a snapshot up and again when keeping one
            self._tags[extra] = self._digest(extra)
        return self._tags[extra]

    def _digest(self, extra):
        # not the kind: a run keeps several kinds under one tag (a snapshot is looked up by kind and tag)
        return files_tag(f"{extra}\0{self._key}\0{self.store.today().isoformat()}", self.files())

    def close(self):
        if self._findings is not None:
            self._findings.close()

    def run(self, wanted=None):
        """[Result] of every file under the record folders, type by type in the configuration's order."""
        store = self.store
        listing = self.files()
        present = {item[0] for files in listing.values() for item in files} if self.on_disk else None
        self.tracking = TrackingStore(store, present)
        cache = self._cache()  # first: it may settle the language (any_language)
        self.engine = CheckEngine(self.tracking, self.lang)
        rows = cache.rows if cache is not None else {}
        self.today = store.today().isoformat()
        self._deps_hold = {}
        changed, results, unsettled = [], [], 0
        today, held = self.today, self._deps_hold
        every = wanted is None
        for rtype in store.config.types.values():
            key = rtype.key
            for rel, stamp in listing[key]:
                chosen = every or wanted((store.root / rel).resolve())
                row = rows.get(rel)
                # The common case inline (most files, every run): the same stat, and the same answers to what
                # the file's rules asked.
                if (row is not None and row[1:4] == stamp and (row[DATED] is None or row[DATED] == today)
                        and (row[DEPS] is None or held.get(row[DEPS]))):
                    results.append(_kept(key, chosen, row))
                elif not self.on_disk:
                    results.append(self._given(rtype, rel, chosen))
                elif row is not None and row[1:4] == stamp and self._holds(row):
                    results.append(_kept(key, chosen, row))
                else:  # read below, with the other files whose rows do not hold (on every core when many)
                    results.append(_Unsettled((key, rel, stamp, chosen)))
                    unsettled += 1
        if unsettled:
            self._settle(unsettled, rows, results, changed)
        if cache is not None:
            gone = [rel for rel in rows if rel not in present]
            self._save(cache, changed, gone)
        self.tracking = self.engine = None  # every path in a set (4 MiB at 100,000 files): not needed any more
        return results

    def _given(self, rtype, rel, chosen):
        """The Result of a file of a store of given contents (the versions staged in git's index): no cache, only
        the chosen files validated."""
        path = self.store.root / rel  # built from store.root, as Store.path_of builds the path it is compared with
        found = examine(self.tracking, self.engine, rtype, path, self.store.read_bytes(path), self.keys,
                        validate=chosen)
        self.volatile = self.volatile or found.volatile
        return Result(rtype.key, rel, chosen, found.rid, found.id_line, found.rec is not None,
                      (found.items, found.dup_at), facts_of(found.rec, found.lines), found.quality)

    def _settle(self, count, rows, results, changed):
        """Read the `count` files whose rows do not hold (the _Unsettled among `results`) and put their Results in
        their place. A Result holds the row's pickles, as a kept file's does, not the objects they encode: equal
        pickles (most records have the same few warnings) are kept once, so the run holds a few hundred bytes per
        file whether the cache was warm or cold."""
        # taken as the work goes (by the pool's feeding thread when there is a pool): a place is given its Result
        # only after its outcome came back, so this walk never meets a place that changes under it
        jobs = ((place, result) for place, result in enumerate(results) if type(result) is _Unsettled)
        shared = {}
        for place, outcome in _outcomes(self, jobs, count, rows):
            key, rel, stamp, chosen = results[place]
            if outcome is None:  # the same bytes under a new stat: a new stat only
                row = rows[rel]
                changed.append((rel, *stamp, *row[DIGEST:]))
            else:
                row, volatile = outcome
                # this process's path and stamp, not the copies a worker sent: the listing holds them already
                row = _sharing((rel, *stamp, *row[DIGEST:]), shared)
                self.volatile = self.volatile or volatile
                if not volatile:  # its findings may change with other files': never kept
                    changed.append(row)
            results[place] = _kept(key, chosen, row)

    def _examined(self, key, rel, stamp, row):
        """A file's new row (a tuple of findings_cache.COLUMNS) and whether its rules read other records; None when
        its bytes are those of `row` and the row's answers hold."""
        path = self.store.root / rel  # built from store.root, as Store.path_of builds the path it is compared with
        raw = self.store.read_bytes(path)
        digest = hashlib.blake2b(raw, digest_size=20).digest()
        if row is not None and row[DIGEST] == digest and self._holds(row):
            return None
        found = examine(self.tracking, self.engine, self.store.config.types[key], path, raw, self.keys)
        return (rel, *stamp, digest, found.rid, found.id_line, found.rec is not None, found.dated,
                encode_deps(found.deps), encode_items(found.items, found.dup_at), encode_facts(found.rec, found.lines),
                encode_quality(found.quality)), found.volatile

    def _holds(self, row):
        """Whether a row's answers are still the answers: the same date (if it read one), the same ids exist."""
        if row[DATED] is not None and row[DATED] != self.today:
            return False
        deps = row[DEPS]
        if deps is None:
            return True
        held = self._deps_hold.get(deps)
        if held is None:
            exists = self.tracking.exists
            held = self._deps_hold[deps] = all(exists(rid) == known for rid, known in decode_deps(deps).items())
        return held

    def _cache(self):
        """The findings cache, opened once per scan; None for a store of given contents or a read-only one."""
        if self._findings is None and self.on_disk and not self._no_cache:
            folder = self.store.root / CACHE_DIR
            try:
                folder.mkdir(parents=True, exist_ok=True)
                ignore = folder / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("*\n")
            except OSError:
                self._no_cache = True  # a read-only store is checked all the same, without the cache
                return None
            if self.any_language:
                self.lang = findings_cache.language_of(folder) or self.lang
            self._key = cache_key(self.store, self.lang)
            self._findings = FindingsCache(folder, self._key, self.lang)
        return self._findings

    def _save(self, cache, changed, gone):
        try:
            if changed or gone or not cache.valid:
                with self.store.lock():
                    cache.save(changed, gone, time.time_ns())
        except (StoreError, OSError):
            pass  # another writer kept the lock, or the store is read-only: the next run writes it


def _sharing(row, shared):
    """`row` with its deps, findings and summary replaced by the equal ones in `shared` (added when new): most
    records have the same few warnings, so thousands of rows hold one copy."""
    once = shared.setdefault
    return (*row[:DEPS], once(row[DEPS], row[DEPS]), once(row[ITEMS], row[ITEMS]), row[FACTS],
            once(row[QUALITY], row[QUALITY]))


def _kept(type_key, chosen, row):
    """The Result of a file from its row (findings_cache.COLUMNS)."""
    return Result(type_key, row[0], chosen, row[RID], row[ID_LINE], row[READABLE], row[ITEMS], row[FACTS],
                  row[QUALITY])


# -- reading on every core ---------------------------------------------------------------------------------------

CHUNK = 250  # files per unit of parallel work (small enough that no worker idles long at the end)
PARALLEL_FROM = 2000  # fewer files to read than this are read in this process: starting workers costs more

_FORKED = None  # (scan, rows) while a pool reads: forked workers inherit them instead of a pickle of each


class _Unsettled(tuple):
    """(type key, path, stamp, chosen) of a file whose row does not hold, in the place of its Result until it is
    read."""

    __slots__ = ()


def _outcomes(scan, jobs, count, rows):
    """(place, RecordScan._examined's outcome) of each of `jobs`, (place, _Unsettled): `count` files, in order. On
    every core when there are many (a fresh clone, a changed configuration or crmctl upgraded), the workers forked
    from this process, so that the store, its configuration and the rows need no pickling: only a chunk's paths
    go and each file's row comes back."""
    workers = min(os.cpu_count() or 1, 8)
    if count >= PARALLEL_FROM and workers >= 2:
        import multiprocessing

        global _FORKED
        _FORKED = (scan, rows)
        try:
            pool = multiprocessing.get_context("fork").Pool(workers)
        except (ValueError, OSError):  # no fork on this platform, or no processes left: read here
            _FORKED = None
        else:
            return _pooled(pool, _chunks(jobs))
    return ((place, scan._examined(key, rel, stamp, rows.get(rel))) for place, (key, rel, stamp, _) in jobs)


def _chunks(jobs):
    """[(place, type key, path, stamp)] of CHUNK files at a time, made as the pool takes them."""
    chunk = []
    for place, (key, rel, stamp, _) in jobs:
        chunk.append((place, key, rel, stamp))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pooled(pool, chunks):
    global _FORKED
    try:
        with pool:
            for outcomes in pool.imap(_examine_chunk, chunks):
                yield from outcomes
    finally:
        _FORKED = None


def _examine_chunk(jobs):
    """In a worker: (place, outcome) of one chunk's files. Equal pickles are sent once (pickle keeps one copy of an
    object)."""
    scan, rows = _FORKED
    shared, outcomes = {}, []
    for place, key, rel, stamp in jobs:
        outcome = scan._examined(key, rel, stamp, rows.get(rel))
        if outcome is not None:
            outcome = _sharing(outcome[0], shared), outcome[1]
        outcomes.append((place, outcome))
    return outcomes
