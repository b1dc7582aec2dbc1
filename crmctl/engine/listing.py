"""Lists and views through the column index: an SQL prefilter, then the same Python filters on projections.

The index (store/index.py) keeps, per record file, a projection of the record: every stored field except long
texts no view or SLA target reads, the first and last history events' `at` and `by` (what `created_*` and
`updated_at` read), the last `status` event to each status and one event per person and month (what reports
read) and the open assignments (what `assignee` and `unacknowledged` read), plus `due`, which
costs a working-day calendar and depends only on the configuration (the index is rebuilt when that changes).
The Python predicate runs on those projections, so an answer is the full read's answer; a list that needs a
key the projection leaves out (a long text, history, a derived key this module does not know) reads every
record as before. CRMCTL_NO_INDEX=1 turns the index off (the equivalence tests compare the two).
"""

import hashlib
import os
from datetime import date, datetime
from operator import itemgetter

from crmctl import __version__
from crmctl.config import cache as config_cache
from crmctl.engine.assignments import pending
from crmctl.kernel import yamlio
from crmctl.kernel.errors import YamlError
from crmctl.store import index as column_index
from crmctl.store.files import file_bytes

# Derived keys whose readers need only what the projection keeps (engine/query.py, workflows/sla.py, stages.py).
KNOWN_DERIVED = frozenset({
    "created_by", "created_at", "updated_at", "state", "unacknowledged", "assignee", "due", "overdue",
    "current_stage", "current_stage_status", "current_stage_owner", "current_stage_due", "current_stage_started",
    "current_stage_role", "last_progress", "stalled"})
LONG = ("text",)  # field types left out of the projection unless the configuration reads them
NOT_COLUMNS = ("text", "list", "object", "number", "integer")  # no text form that `=` compares
# Not a field: what a caller asks for when it reads the history's `status` events, the last one to each status
# (reports/common.status_reached_on); the projection keeps those, so it answers.
STATUS_EVENTS = "history[status]"
# Likewise for who wrote a history event in which month (reports/adoption): one event per person and month.
ACTOR_EVENTS = "history[actors]"
# Derived keys kept as columns too, so their filters (`created_by = me`, `unacknowledged = true`) prefilter: each
# depends only on the record and the configuration (not on today or the acting user).
DERIVED_COLUMNS = ("created_by", "created_at", "updated_at", "state", "unacknowledged")
BOOL_COLUMNS = frozenset({"unacknowledged"})  # always a bool: its column holds `true` or `false`
CHUNK = 2000  # projections read at a time by a caller that keeps a little of each record
NO_DUE = "-"  # `due` could not be computed ahead (a configuration fault): computed when read, as without index


class Plan:
    """What the index of one type keeps, from the configuration."""

    def __init__(self, store, rtype, registry):
        self.store, self.rtype, self.registry = store, rtype, registry
        read = set()
        for view in rtype.views.values():
            read.update(_keys(view.filters))
            read.update(key.lstrip("-") for key in view.sort or ())
            read.update(view.columns or ())
        sla = store.config.sla.get(rtype.key)
        for target in sla if isinstance(sla, list) else ():
            if isinstance(target, dict):
                read.update(_keys(target.get("when") or []))
        heads = {key.split(".")[0] for key in read}
        self.dropped = frozenset(key for key, field in rtype.fields.items()
                                 if field.type in LONG and key not in heads)
        self.stored = tuple(key for key, field in rtype.fields.items() if field.type not in NOT_COLUMNS)
        self.derived = tuple(key for key in DERIVED_COLUMNS if key in registry.derived and key not in rtype.fields)
        self.columns = self.stored + self.derived
        self.has_due = "due" in registry.derived

    def usable(self, key):
        """Whether the projection answers `key` as the record would."""
        head = key.split(".")[0]
        if key == "id" or head in self.rtype.fields:
            return head not in self.dropped
        if key in (STATUS_EVENTS, ACTOR_EVENTS):
            return True
        if key in self.registry.derived:
            return key in KNOWN_DERIVED
        return head not in ("history", "assignments")

    def digest(self):
        """What the projections and `due` depend on: the configuration files and this crmctl."""
        digest = hashlib.sha256(__version__.encode())
        root = self.store.root
        paths = [root / "crmctl.yaml", *sorted((root / "config").glob("*.yaml")),
                 *sorted((root / "config" / "types").glob("*.yaml"))]
        config_cache.feed(digest, paths, root)
        return digest.hexdigest()[:32]

    def project(self, evaluator):
        """The reader of one file for the index: (id, column texts, (projection, due)) or data None."""
        dropped, columns, stored, derived = self.dropped, self.columns, self.stored, self.derived

        def read(path):
            record = _read_record(path)
            if record is None:
                return _stem(path), (None,) * len(columns), None  # read again (and reported) every time
            slim = projection(record, dropped)
            due = NO_DUE
            if self.has_due:
                try:
                    due = evaluator.value(slim, "due")
                except Exception:  # noqa: BLE001 - a configuration fault or a damaged record: computed when read
                    pass
            texts = [*map(_text, map(record.get, stored)), *(_derived_text(evaluator, slim, key) for key in derived)]
            evaluator._derived.clear()
            return record["id"], tuple(texts), (slim, due)

        return read


def _read_record(path):
    """The record in the file at `path` (text), or None where `Store.read_path` would raise (unreadable, not
    YAML, not a mapping, an id that is not the file's name): those rows are read again through the store, which
    reports them. No `Path` per file: building three of them cost a sixth of reading a fresh clone's files."""
    try:
        raw = file_bytes(path)
        record = yamlio.load(yamlio.decode(raw, path), path)
    except (YamlError, OSError):
        return None
    if not isinstance(record, dict) or record.get("id") != _stem(path):
        return None
    return record


def _stem(path):
    name = os.path.basename(path)  # either separator on Windows, where the folder's are backslashes
    return name[:-5] if name.endswith(".yaml") else name


def projection(record, dropped):
    slim = {key: value for key, value in record.items() if key not in dropped and key not in ("history",
                                                                                             "assignments")}
    history = record.get("history")
    if isinstance(history, list) and history:
        slim["history"] = _kept_history(history)
    elif "history" in record:
        slim["history"] = history
    if "assignments" in record:
        slim["assignments"] = pending(record) if isinstance(record["assignments"], list) else record["assignments"]
    return slim


def _kept_history(history):
    """The events the projection keeps, in their order, each with only the keys read of it: the first one
    (`created_at`, `created_by`), the last one (`updated_at`), per status the record moved to the last `status`
    event to it (STATUS_EVENTS) and per person and month one event by them (ACTOR_EVENTS).
    A record moves to a few statuses and is written by a few people a month, so this stays small however long
    its history grows."""
    last = len(history) - 1
    status_events, actor_events = {}, {}
    for number, event in enumerate(history):
        if not isinstance(event, dict):
            continue
        get = event.get
        if get("event") == "status":
            status_events[_hashable(get("to"), number)] = number
        at = get("at")
        kind = type(at)
        # the usual timestamp or date without the general test's calls (a tenth of projecting a record)
        month = (at.year, at.month) if kind is datetime or kind is date else _month_key(at)
        if month is not None:
            actor_events.setdefault(_hashable((month, get("by")), number), number)
    # `by` beside every `at` kept: an event counts for the person who wrote it in its month (ACTOR_EVENTS); a
    # status event kept for both reasons has the keys in that order
    read = {}
    for number in (0, last, *actor_events.values()):
        read[number] = _AT_BY
    for number in status_events.values():
        read[number] = _AT_BY + ("event", "to") if number in read else _STATUS_KEYS
    return [_pick(history[number], read[number]) for number in sorted(read)]


_AT_BY = ("at", "by")
_STATUS_KEYS = ("event", "to", "at", "by")


def _month_key(at):
    """What decides the month a report counts an event in (reports/months.as_date): a date's or a timestamp's
    year and month, an ISO text's first ten characters; None for what is no date at all."""
    if hasattr(at, "date") and callable(at.date) or isinstance(at, date):
        return (at.year, at.month)
    if isinstance(at, str):
        return at.strip()[:10]
    return None


def _hashable(key, number):
    """`key` to tell events apart by, or the event's own number when a hand-written list or mapping is in it
    (such an event is kept apart from every other)."""
    try:
        hash(key)
    except TypeError:
        return (number,)
    return key


def _pick(event, keys):
    return {key: event[key] for key in keys if key in event} if isinstance(event, dict) else event


def _keys(filters):
    from crmctl.engine.query import FILTER

    found = []
    for text in filters or ():
        match = FILTER.match(text) if isinstance(text, str) else None
        if match:
            found.append(match.group(1))
    return found


def _derived_text(evaluator, slim, key):
    """A derived key's column text: in a bool column a bool as `true`/`false` (see `_prefilter`), elsewhere as
    `_text`; None for anything else or when it cannot be computed (the Python filter then decides)."""
    try:
        value = evaluator.value(slim, key)
    except Exception:  # noqa: BLE001 - a damaged record (history not a list...): the query decides, as a full read
        return None
    if key in BOOL_COLUMNS:
        return ("true" if value else "false") if type(value) is bool else None
    return _text(value)


def _text(value):
    """A value's text for the SQL prefilter: only where `=` compares exactly that text (query._equal), else
    None, which the prefilter always admits."""
    return str(value) if type(value) in (str, date) else None


def select(store, rtype, evaluator, filters, keys, full=False, progress=None, each=None, ids_only=False,
           located=False):
    """The records matching `filters`, in the store's path order (each id once), through the index; or None when
    the index cannot answer (turned off, given contents, a key the projection lacks). `full`: whole records.
    `each(record)`: what to keep of each matching projection in its place, called as it is read, so a caller that
    keeps a few facts per record never holds every projection at once (not with `full`). `located`: `each` is
    called as `each(record, path)`, `path` for `read_whole`, so a list of whole records reads them one at a time.
    `ids_only`: the caller reads nothing but `id`; without filters and other keys the records are `{"id": id}`
    (unpickling every projection was most of `list -q`)."""
    if os.environ.get("CRMCTL_NO_INDEX") or store.files is not None or store._pending:
        return None
    plan = Plan(store, rtype, evaluator.registry)
    if not all(plan.usable(key) for key in [f.key for f in filters] + list(keys)):
        return None
    store.settle()
    idx = column_index.ColumnIndex(str(store.cache_dir), rtype.dir.replace("/", "_"), plan.columns, plan.digest())
    try:
        store.make_cache_dir()
        idx.open()
        idx.refresh(str(store.root / rtype.dir), plan.project(_index_evaluator(evaluator)), progress)
        bare = ids_only and each is None and not full and not filters and all(key == "id" for key in keys)
        if bare:
            rows = idx.ids()
        else:
            where, params, decided, exact = _prefilter(idx, filters, evaluator)
            if each is not None and not full:
                idx.db.execute("BEGIN")  # one snapshot for the paths and the projections read after them
                # at 100,000 requests the projections held at once were 75 MiB, which the allocator kept after
                # they were read: a caller keeping a little of each record reads them a chunk at a time
                rows = idx.candidates(where, params, exact, data=False)
                return _matching(store, rtype, evaluator, filters, rows, full, decided, each, located,
                                 read_projections=idx.projections)
            rows = idx.candidates(where, params, exact)
    except (OSError, column_index.sqlite3.Error):
        return None  # a read-only or full disk: the full read still answers
    finally:
        idx.close()
    if bare:
        return _bare(store, rtype, rows)
    return _matching(store, rtype, evaluator, filters, rows, full, decided, each, located)


def _bare(store, rtype, rows):
    """`{"id": id}` per record of `rows` [(path, id or None when unreadable)], as `_matching` would choose them
    (each id once, unreadable files read and reported; a copy standing in for another has the same id)."""
    base = store.root / rtype.dir
    stems = [rel.rsplit("/", 1)[-1] for rel, record_id in rows if record_id is not None]
    if len(stems) != len(rows) or len(set(stems)) != len(stems):
        # only then does the order count: which copy of an id is read, the order unreadable files are reported
        # in (the caller sorts the answer by its unique ids)
        rows.sort(key=lambda row: row[0].split("/"))
    winners = _once_each(store, base, rows)
    found = []
    for rel, record_id in rows:
        winner = winners.get(rel, rel)
        if winner is None:
            continue
        if record_id is None:
            try:
                record_id = store.read_path(base / rel)["id"]
            except YamlError as err:
                store.skipped[base / rel] = err
                continue
        found.append({"id": record_id})
    return found


def _index_evaluator(evaluator):
    from crmctl.engine.query import Evaluator

    return Evaluator(evaluator.store, evaluator.rtype, actor=None, lang=evaluator.engine.lang,
                     registry=evaluator.registry)


def _prefilter(idx, filters, evaluator):
    """SQL admitting every row the filters could match: `key = a,b`, `key != a,b`, `key =` and `key !=` on an
    indexed column. Also the filters that SQL decides alone for a row whose columns hold text, and the SQL that
    says a row is such (a column holds a value's text only for a str or a date, which `query._equal` compares
    with an operand exactly by its text, and which is empty only as '')."""
    where, params, decided, exact = [], [], [], []
    for flt in filters:
        column = idx.column(flt.key)
        if column is None or flt.op not in ("=", "!="):
            continue
        if flt.raw == "":  # `key =`: empty; a text column's value is empty exactly when its text is ''
            test = f"{column} {flt.op} ''"
        else:
            wanted = [evaluator._operand(flt.key, part.strip()) for part in flt.raw.split(",")]
            if flt.key in BOOL_COLUMNS:  # query._equal compares a bool with anything by lower-case text
                texts = [str(w).lower() for w in wanted]
            elif any(isinstance(w, bool) for w in wanted):
                continue  # `key = true` on a text column matches `True` too: Python decides
            else:
                texts = [str(w) for w in wanted]
            test = f"{column} {'IN' if flt.op == '=' else 'NOT IN'} ({', '.join('?' * len(wanted))})"
            params += texts
        where.append(f"({test} OR {column} IS NULL)")
        exact.append(test)
        decided.append(flt)
    exact_sql = " AND ".join(exact)
    return " AND ".join(where), params + params, decided, exact_sql


def read_whole(store, rtype, path):
    """The whole record of a `path` that `select(..., located=True)` gave."""
    return store.read_path(store.root / rtype.dir / path)


def _matching(store, rtype, evaluator, filters, rows, full, decided=(), each=None, located=False,
              read_projections=None):
    """The records of candidate `rows` [(path, data, whether SQL decided the `decided` filters)] that match.
    With `read_projections(paths)` -> {path: data}, a row's data is only whether there is any (None where the
    file could not be read), and the projections are read a chunk of rows at a time."""
    base = store.root / rtype.dir
    _sort_by_path(rows)  # Path order, as the full read sorts
    winners = _once_each(store, base, rows)
    undecided = [flt for flt in filters if flt not in decided]
    found, paths, chunk = [], {}, {}
    for n, (rel, blob, exact) in enumerate(rows):
        rows[n] = None  # its projection is read: the bytes need not stay (a fifth of a long list's memory)
        winner = winners.get(rel, rel)
        if winner is None:
            continue  # a second copy of an id, noted in store.duplicates
        if winner != rel:  # read in the first copy's place, which comes before it: its row is still there
            blob, exact = next((row[1], row[2]) for row in rows if row is not None and row[0] == winner)
            rel = winner
        if blob is not None and read_projections is not None:
            if rel not in chunk:
                chunk = read_projections([rel, *(row[0] for row in rows[n + 1:n + CHUNK]
                                                 if row is not None and row[1] is not None)])
            blob = chunk.pop(rel)
        if blob is None:
            try:
                record = store.read_path(base / rel)
            except YamlError as err:
                store.skipped[base / rel] = err
                continue
        else:
            record, due = column_index.load(blob)
            if due != NO_DUE:
                evaluator.preset(record, "due", due)
        before = len(evaluator._derived)
        if evaluator.matches(record, undecided if exact and blob is not None else filters):
            if each is not None:
                found.append(each(record, rel) if located else each(record))
                # what `each` made of it is kept and the projection goes, as every one before it did: nothing in
                # the memo is worth keeping (and clearing it costs less than forgetting each derived key)
                evaluator._derived.clear()
                continue
            found.append(record)
            paths[id(record)] = rel
        elif len(evaluator._derived) != before:
            evaluator.forget(record)  # else the memo keeps every record read alive
    if full:
        found = [store.read_path(base / paths[id(record)]) for record in found]
    return found


def _sort_by_path(rows):
    """Sort rows [(path, ...)] in the order of their paths' parts. Where every folder has its slashes at the
    same places (`2011/01/`), comparing whole texts gives that order: the first difference of two paths is
    then inside the same part. That sorts 100,000 rows without a list of parts for each (a fifth of a long
    list's peak memory, while every row's projection is still held)."""
    first = itemgetter(0)
    folders = {path.rpartition("/")[0] for path in map(first, rows)}
    shapes = {(len(folder), tuple(n for n, char in enumerate(folder) if char == "/")) for folder in folders}
    if len(shapes) <= 1:
        rows.sort(key=first)
    else:
        rows.sort(key=lambda row: row[0].split("/"))


def _once_each(store, base, rows):
    """{path: the path whose copy is read in its place, or None when it is left out} for ids in two files, as
    Store._once_each decides (the copy at the id's own path wins, in the first copy's place; the others are
    noted in store.duplicates in the same order)."""
    count = {}
    for row in rows:  # (path, data, ...)
        if row[1] is not None:
            stem = row[0].rsplit("/", 1)[-1][:-5]
            count[stem] = count.get(stem, 0) + 1
    if all(n == 1 for n in count.values()):
        return {}
    kept, first, out = {}, {}, {}
    for rel, blob, *_ in rows:  # only when an id is in two files
        stem = rel.rsplit("/", 1)[-1][:-5]
        if blob is None or count[stem] == 1:
            continue
        if stem not in kept:
            kept[stem] = first[stem] = rel
            continue
        loser = rel
        if base / rel == store._own_path(stem):
            kept[stem], loser = rel, kept[stem]
        store.duplicates[base / loser] = base / kept[stem]
        out[loser] = None
    for stem, rel in first.items():
        if kept[stem] != rel:
            out[kept[stem]] = None  # read in the first copy's place, not again in its own
        out[rel] = kept[stem]
    return out
