"""The flat-file store: where records live, how they are read and written.

Every read and write of records goes through `Store`, so an index can sit
under it without touching commands.
"""

import copy
import os
import re
from contextlib import contextmanager
from pathlib import Path


from crmctl.kernel import ids
from crmctl.kernel import yamlio
from crmctl.store import journal
from crmctl.store.files import atomic_write as _atomic_write, file_bytes, ignore_leftovers
from crmctl.store.lock import ExclusiveLock, LockTimeout, read_holder, timeout_seconds, write_holder
from crmctl.kernel.clock import Clock
from crmctl.config.model import load_config
from crmctl.kernel.errors import ConfigError, NotFound, StoreError, UsageError, YamlError

MARKER = "crmctl.yaml"
CACHE_DIR = ".cache"
HOLDER_FILE = "lock.holder"  # in CACHE_DIR, beside the lock: who holds it
# The temporary copy `_atomic_write` makes of ID.yaml: `.ID.yaml.<random>.tmp`.
LEFTOVER = re.compile(r"\..+\.yaml\.[^.]+\.tmp")


def discover(root=None, cwd=None):
    """The store root: `root`, else $CRMCTL_ROOT, else walking up from `cwd`."""
    chosen = root or os.environ.get("CRMCTL_ROOT")
    if chosen:
        path = Path(chosen).expanduser()
        if not (path / MARKER).is_file():
            raise StoreError(code="store.not_a_store", marker=MARKER, path=path)
        return path
    here = Path(cwd or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
        if (folder / "records" / MARKER).is_file():
            return folder / "records"
    raise StoreError(code="store.none_found")


class Store:
    """A store directory: configuration, records, lock and cache."""

    def __init__(self, root, files=None):
        self.root = Path(root)
        # Given contents instead of the disk (`check --staged` reads git's index): {root / relative path: bytes}
        # of every file of the store. Such a store is read-only.
        self.files = files
        self._config = None
        self._locked = 0
        self._records = {}
        self._calendar = None
        self._swept = set()  # folders whose leftover temporary files this lock's holder removed
        self.skipped = {}  # path -> YamlError of record files `records()` could not read
        self._pending = None  # id -> record saved in the open transaction, not yet written
        self._settled = False  # a crashed command's journal has been completed (or there was none)
        self.duplicates = {}  # path -> path of the copy read instead: a record id found in two files is read once
        self.written = []  # every file this Store wrote (records, users.yaml, ...): what auto-commit commits
        self.events_read = {}  # id -> history length when `get` first read it: auto-commit words the events added
        self._paths = {}  # record id -> its file's path

    @property
    def config(self):
        if self._config is None:
            self._config = load_config(self.root, self.files, cache_dir=str(self.root / CACHE_DIR))
        return self._config

    def reload_config(self):
        self._config = None
        self._calendar = None
        self._paths = {}

    @property
    def calendar(self):
        """The working-day calendar of the `calendar` setting, built once per store (holidays cost)."""
        if self._calendar is None:
            from crmctl.kernel.workdays import Calendar

            country = self.config.settings.get("calendar", "FI")
            try:
                if not isinstance(country, str):
                    raise ValueError
                self._calendar = Calendar(country)
            except ValueError:
                raise ConfigError(code="config.unknown_calendar", path=self.display_path(self.root / MARKER),
                                  country=country) from None
        return self._calendar

    @property
    def clock(self):
        zone = self.config.settings.get("timezone", "Europe/Helsinki")
        key = (zone if isinstance(zone, str) else None, os.environ.get("CRMCTL_NOW", ""))
        cached = getattr(self, "_clock", None)
        if cached is not None and cached[0] == key:  # reports ask for today once per record
            return cached[1]
        try:
            if not isinstance(zone, str):
                raise ValueError
            self._clock = (key, Clock(zone))
            return self._clock[1]
        except (KeyError, ValueError, OSError):  # zoneinfo's "not found" is a KeyError, a malformed key a ValueError
            raise ConfigError(code="config.unknown_timezone", path=self.display_path(self.root / MARKER),
                              zone=zone) from None

    def now(self):
        return self.clock.now()

    def today(self):
        return self.clock.today()

    # -- locations ---------------------------------------------------------

    def type_of(self, record_id):
        rtype = self.config.type_by_prefix(ids.prefix_of(record_id))
        if rtype is None:
            raise NotFound(code="store.unknown_prefix", prefix=ids.prefix_of(record_id))
        return rtype

    def path_of(self, record_id):
        """`<type-dir>/<YYYY>/<MM>/<ID>.yaml`; fixed system ids sit in the type dir (remembered: an import asks
        for each new id's path several times)."""
        known = self._paths.get(record_id)
        if known is not None:
            return known
        if not ids.is_valid(record_id):
            raise UsageError(code="store.not_an_id", given=record_id)
        rtype = self.type_of(record_id)
        day = ids.day_of(record_id)
        folder = self.root / rtype.dir
        if day is not None:
            folder = folder / f"{day:%Y}" / f"{day:%m}"
        if len(self._paths) > 100_000:
            self._paths.clear()
        path = self._paths[record_id] = folder / f"{record_id}.yaml"
        return path

    def record_paths(self, rtype):
        """Every record file of a type, sorted by path."""
        return [path for path in self.files_under(rtype.dir) if path.suffix == ".yaml"]

    def files_under(self, folder):
        """Every file under the store's `folder` (its records and anything else there), sorted by path."""
        base = self.root / folder
        if self.files is not None:
            return sorted(path for path in self.files if base in path.parents)
        if not base.is_dir():
            return []
        return sorted(p for p in base.rglob("*") if p.is_file())

    def read_bytes(self, path):
        """A file's bytes, from the given contents when the store has them."""
        if self.files is not None:
            try:
                return self.files[Path(path)]
            except KeyError:
                raise FileNotFoundError(2, "No such file or directory", str(path)) from None
        return file_bytes(path)

    def is_file(self, path):
        return Path(path) in self.files if self.files is not None else Path(path).is_file()

    # -- reading -----------------------------------------------------------

    def read_path(self, path):
        """Parse one record file (no caching); raises YamlError naming the line.

        A record whose `id` is not its file name is refused: saving it would
        write a second file under the other id.
        """
        path = Path(path)
        raw = self.read_bytes(path)
        text = yamlio.decode(raw, str(path))
        data = yamlio.load(text, str(path))
        if not isinstance(data, dict):
            raise YamlError("a record file must hold a mapping", 1, "not-mapping")
        if data.get("id") != path.stem:
            line = next((n for n, row in enumerate(text.splitlines(), 1) if row.startswith("id:")), 1)
            raise YamlError(f"id {data.get('id')!r} does not match the file name {path.name}", line, "id-mismatch")
        return data

    def exists(self, record_id):
        if self._pending and record_id in self._pending:
            return True
        try:
            return self.is_file(self.path_of(record_id))
        except (UsageError, NotFound):
            return False

    def get(self, record_id):
        """The record with exactly this id."""
        if self._pending and record_id in self._pending:
            return copy.deepcopy(self._pending[record_id])
        self.settle()
        path = self.path_of(record_id)
        if not self.is_file(path):
            raise NotFound(code="missing_ref", value=record_id)
        try:
            record = self.read_path(path)
        except YamlError as err:
            raise StoreError(code="located", where=self.display_path(path), line=err.line or 1,
                             problem=err.both()) from None
        history = record.get("history")
        self.events_read.setdefault(record_id, len(history) if isinstance(history, list) else 0)
        return record

    def resolve(self, given, rtype=None):
        """The full id for an id or unique prefix of one (case-insensitive)."""
        text = (given or "").strip()
        if not ids.ID_PREFIX.match(text):  # names no record: the request is wrong (1), as for an unknown id
            raise NotFound(code="store.not_an_id", given=given)
        text = text.upper()
        if ids.is_valid(text) and self.exists(text) and (rtype is None or ids.prefix_of(text) == rtype.prefix):
            return text
        prefix = ids.prefix_of(text)
        types = [self.config.type_by_prefix(prefix)] if "-" in text else list(self.config.types.values())
        if rtype is not None:
            types = [t for t in types if t is not None and t.key == rtype.key]
        matches = []
        for candidate_type in types:
            if candidate_type is None:
                continue
            matches += [stem for stem in self._stems(candidate_type, text) if stem.startswith(text)]
        if not matches:
            if rtype is None:
                raise NotFound(code="store.no_match", given=given)
            what = {lang: text.lower() for lang, text in rtype.label.items()}
            raise NotFound(code="store.no_match_of_type", what=what, given=given)
        if len(matches) > 1:
            raise NotFound(code="ambiguous_id", given=given, matches=", ".join(sorted(matches)[:5]))
        return matches[0]

    def _stems(self, rtype, text):
        """The ids of the record files that could start with `text`: a prefix that names a month (`SR-201101`)
        is looked for in that month's folder only, where `get` reads its records; else every file of the type."""
        rest = text[len(rtype.prefix) + 1:] if text.startswith(rtype.prefix + "-") else ""
        if self.files is None and len(rest) >= 6 and rest[:6].isdigit():
            try:
                with os.scandir(self.root / rtype.dir / rest[:4] / rest[4:6]) as entries:
                    return [e.name[:-5] for e in entries if e.name.endswith(".yaml") and e.is_file()]
            except OSError:  # no such month (or not a folder): nothing there
                return []
        if self.files is None:
            from crmctl.store.index import scan  # sqlite3 only for the commands that use the index

            return [name.rsplit("/", 1)[-1][:-5] for name in scan(str(self.root / rtype.dir))]
        return [path.stem for path in self.record_paths(rtype)]

    def records(self, rtype):
        """Every record of a type, read once per run and cached on disk between runs."""
        if rtype.key not in self._records:
            self.settle()
            self._records[rtype.key] = self._load_all(rtype)
        if self._pending:
            return self._with_pending(rtype, self._records[rtype.key])
        return self._records[rtype.key]

    def _with_pending(self, rtype, loaded):
        """The records of a type as the open transaction will leave them."""
        mine = {rid: r for rid, r in self._pending.items() if self.type_of(rid).key == rtype.key}
        if not mine:
            return loaded
        kept = [mine.pop(r["id"], r) for r in loaded]
        return kept + list(mine.values())

    def all_records(self):
        for rtype in self.config.types.values():
            for record in self.records(rtype):
                yield rtype, record

    def _load_all(self, rtype):
        if self.files is not None:  # given contents: nothing to stat, nothing to cache
            read = []
            for path in self.record_paths(rtype):
                try:
                    read.append((path, self.read_path(path)))
                except YamlError as err:
                    self.skipped[path] = err
            return self._once_each(read)
        from crmctl.store.index import scan
        from crmctl.store.record_cache import RecordCache, load

        base = self.root / rtype.dir
        stamps = scan(str(base))
        cache = RecordCache(str(self.root / CACHE_DIR), rtype.dir.replace("/", "_"))
        try:
            self.make_cache_dir()
        except OSError:
            pass  # a read-only store: read without the cache
        cached = cache.open().known() if stamps else {}
        fresh, read = [], []
        try:
            for rel in sorted(stamps, key=lambda rel: rel.split("/")):  # Path order
                path, stamp, hit = base / rel, stamps[rel], cached.get(rel)
                if hit and hit[0] == stamp:
                    record = load(hit[1])
                else:
                    try:
                        record = self.read_path(path)
                    except YamlError as err:
                        self.skipped[path] = err  # reported by the caller; `check` explains
                        continue
                    fresh.append((rel, stamp, record))
                read.append((path, record))
            cache.update(fresh, [rel for rel in cached if rel not in stamps])
        finally:
            cache.close()
        return self._once_each(read)

    def _once_each(self, read):
        """The records of (path, record) pairs with each id once: a record copied to a second folder
        would be listed, counted and exported twice. The copy at the id's own path wins; the others
        are left out and noted in `duplicates` for the caller to report."""
        kept = {}
        for path, record in read:
            first = kept.get(record["id"])
            if first is None:
                kept[record["id"]] = (path, record)
                continue
            if path == self._own_path(record["id"]):
                path, first = first[0], (path, record)
                kept[record["id"]] = first
            self.duplicates[path] = first[0]
        return [record for _, record in kept.values()]

    def _own_path(self, record_id):
        try:
            return self.path_of(record_id)
        except (UsageError, NotFound):
            return None

    # -- writing -----------------------------------------------------------

    @contextmanager
    def lock(self):
        """Serialise writers: held across read-modify-write so no update is lost."""
        if self._locked:
            self._locked += 1
            try:
                yield
            finally:
                self._locked -= 1
            return
        lock_dir = self.make_cache_dir()
        lock, seconds = ExclusiveLock(lock_dir / "lock"), timeout_seconds()
        try:
            lock.acquire(seconds)
        except LockTimeout:
            raise StoreError(code="store.lock_timeout", seconds=seconds,
                             holder=read_holder(lock_dir / HOLDER_FILE)) from None
        try:
            write_holder(lock_dir / HOLDER_FILE)
            self._locked = 1
            self._swept = set()
            self._records.clear()  # another process may have written before we got the lock
            try:
                journal.complete(self.root, CACHE_DIR, _atomic_write)  # a crashed command's writes, first
                self._settled = True
                yield
            finally:
                self._locked = 0
        finally:
            lock.release()

    def settle(self):
        """Readers never see a crashed command half-done: a waiting journal is completed (under the lock) first."""
        if self._settled or self._locked or self.files is not None:
            return
        self._settled = True
        if journal.pending(self.root, CACHE_DIR):
            with self.lock():
                pass

    @contextmanager
    def transaction(self):
        """Every `save` inside lands together or not at all: nothing is written until the block ends
        without an error, and then all through one journal (see journal.py). Nested blocks join the outer one."""
        with self.lock():
            if self._pending is not None:
                yield
                return
            self._pending = {}
            try:
                yield
                writes = [(self.path_of(rid), yamlio.dump(record).encode("utf-8"))
                          for rid, record in self._pending.items()]
            finally:
                touched = {self.type_of(rid).key: self.type_of(rid).dir for rid in self._pending}
                self._pending = None
                for key in touched:
                    self._records.pop(key, None)
            journal.commit(self.root, CACHE_DIR, writes, _atomic_write)
            self.written += [path for path, _ in writes]
            for folder in touched.values():
                self._sweep_leftovers(self.root / folder)

    @contextmanager
    def savepoint(self):
        """Inside a transaction: the saves of this block are undone when it raises, the transaction's other
        saves kept (an import validates each row alone in a batch that is written with one journal)."""
        assert self._pending is not None, "savepoint() needs an open transaction"
        kept = dict(self._pending)  # saved records are copies, so a shallow copy restores the block's start
        try:
            yield
        except BaseException:
            touched = set(self._pending) - set(kept) | {rid for rid in kept if self._pending.get(rid) is not kept[rid]}
            self._pending = kept
            for rid in touched:
                self._records.pop(self.type_of(rid).key, None)
            raise

    def save(self, record):
        """Write a record canonically and atomically (caller holds the lock)."""
        assert self._locked, "save() needs the store lock"
        path = self.path_of(record["id"])
        if self._pending is not None:
            self._pending[record["id"]] = copy.deepcopy(record)
            self._records.pop(self.type_of(record["id"]).key, None)
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, yamlio.dump(record).encode("utf-8"))
        self.written.append(path)
        self._sweep_leftovers(self.root / self.type_of(record["id"]).dir)
        self._records.pop(self.type_of(record["id"]).key, None)
        return path

    def make_cache_dir(self):
        """The derived-data folder, made (git-ignored) when missing."""
        folder = self.root / CACHE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
        return folder

    @property
    def cache_dir(self):
        """The folder of derived data (deletable, git-ignored)."""
        return self.root / CACHE_DIR

    def write_cache_file(self, name, data):
        """Write derived data (bytes) under the cache folder atomically (caller holds the lock)."""
        assert self._locked, "write_cache_file() needs the store lock"
        _atomic_write(self.cache_dir / name, data)

    def _sweep_leftovers(self, folder):
        """Remove the temporary copies a crash between write and rename left in `folder` (they may hold
        confidential values, and `git add -A` would stage them). Under the lock no write is under way, so every
        `.NAME.yaml.*.tmp` is a leftover. Once per folder and lock."""
        if folder in self._swept:
            return
        if not self._swept:
            ignore_leftovers(self.root)  # a store made before crmctl wrote this line gets it with its next write
        self._swept.add(folder)
        for parent, _, names in os.walk(folder):
            for name in names:
                if LEFTOVER.fullmatch(name):
                    try:
                        os.unlink(os.path.join(parent, name))
                    except OSError:
                        pass  # gone already, or not ours to remove: the next write tries again

    def write_config_file(self, name, data):
        """Write users.yaml, regions.yaml or another configuration file canonically."""
        assert self._locked, "write_config_file() needs the store lock"
        _atomic_write(self.root / name, yamlio.dump(data).encode("utf-8"))
        self.written.append(self.root / name)
        self._config = None
        self._paths = {}

    def display_path(self, path):
        """A path as people should see it: relative to the working directory when inside it."""
        path = Path(path).resolve()
        try:
            return str(path.relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)

