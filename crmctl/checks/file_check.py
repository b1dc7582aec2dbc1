"""The findings of one record file, with the places where other files decide the answer left open.

A file's own findings (parse errors, rules, history, canonical form) depend only on its bytes, the configuration
and, for some rules, today's date; they can be kept between runs. Three findings depend on other files: a
duplicate id, a duplicate unique value and the path a misplaced record belongs at (worded relative to the working
directory). Those are slots the caller fills every run from the facts of all files (checks/cross_checks.py). What a
file's rules asked of the store (which ids exist, today's date) is recorded, so a kept result is used only while
those answers hold.
"""

import re
from dataclasses import dataclass, field as dataclass_field

from crmctl.kernel import ids
from crmctl.kernel import yamlio
from crmctl.kernel.errors import YamlError
from crmctl.kernel.i18n import t
from crmctl.kernel.registry import registry
from crmctl.engine.records import SYSTEM_USER
from crmctl.engine.rules import Engine, Problem
from crmctl.checks.quality_facts import summarise
from crmctl.checks.stored_form import stored_form_problems

# Store attributes a file's rules may read without making its findings depend on anything but the configuration.
_PURE = frozenset({"config", "calendar", "root", "path_of", "type_of", "display_path", "files"})


@dataclass
class Examined:
    """What one record file contributes to `check`.

    items: ("f", line, level, code, message) findings, ("p", line) the path-mismatch slot and
    ("u", line, key, label, type key, value) a unique-value slot; the duplicate-id finding, when another file
    registered `rid` first, goes before items[dup_at]. `rec` is the record as the store's lists would see it
    (id and the unique and link fields), or None when they would skip the file. `deps` are the ids whose existence
    the rules asked about, with the answers; `dated` is the date the rules read (None: none).
    """

    items: list = dataclass_field(default_factory=list)
    rid: str = None
    id_line: int = 1
    dup_at: int = 0
    rec: dict = None
    lines: dict = None  # key -> the line it is written at, for the fields of `rec` that have a value
    deps: dict = dataclass_field(default_factory=dict)
    dated: str = None
    volatile: bool = False  # the rules read other records: never kept
    quality: tuple = None  # what `report quality` counts of the record (checks/quality_facts.py); None: not validated


class TrackingStore:
    """The store as a file's rules see it, noting what they ask. `exists` answers from the scanned file names
    when there are any (no stat per reference)."""

    def __init__(self, store, present=None):
        self._store = store
        self._present = present  # relative paths of every file under the record folders, or None
        self._root_length = root_length(store)
        self._known = {}
        self.deps, self.dated, self.volatile = {}, None, False

    def begin(self):
        self.deps, self.dated, self.volatile = {}, None, False

    def exists(self, record_id):
        known = self._known.get(record_id)
        if known is None:
            if self._present is None:
                known = self._store.exists(record_id)
            else:
                try:
                    known = str(self._store.path_of(record_id))[self._root_length:] in self._present
                except Exception:  # not an id, or an unknown prefix: no such record, as Store.exists answers
                    known = False
            self._known[record_id] = known
        self.deps[record_id] = known
        return known

    def today(self):
        day = self._store.today()
        self.dated = day.isoformat()
        return day

    def now(self):
        moment = self._store.now()
        self.dated = moment.date().isoformat()
        return moment

    @property
    def clock(self):
        self.dated = self._store.today().isoformat()
        return self._store.clock

    def __getattr__(self, name):
        if name not in _PURE:
            self.volatile = True  # e.g. resolve(): the answer depends on every file name
        return getattr(self._store, name)


class UniqueSlot(Problem):
    """A unique field's value, to be compared with the other records' values when every file is known."""

    def __init__(self, problem, type_key, value):
        super().__init__(problem.key, problem.label, "error", "duplicate", "")
        self.type_key, self.value = type_key, value


class CheckEngine(Engine):
    """The rule engine of `check`: unique fields become slots, and no answer is carried from one file to the next
    (each file's questions to the store are its own dependencies)."""

    def begin(self):
        self._existing = {}

    def _unique_rule(self, rtype, field, record, value):
        if not field.get("unique"):
            return []
        return [UniqueSlot(self._problem(rtype, field.key, "error", "duplicate", ""), rtype.key, value)]


def root_length(store):
    """How much of `str(store.root / rel)` is not `rel`: Path(".") / rel is just rel."""
    root = str(store.root)
    return 0 if root == "." else len(root) + 1


def parse(raw):
    """(record, None, canonical) or (None, (line, code, params), False) for the bytes of a file."""
    try:
        text = yamlio.decode(raw)
        record = yamlio.load(text)
    except YamlError as err:
        return None, (err.line or 1, err.code, err.params), False
    if not isinstance(record, dict):
        return None, (1, "not-mapping", {}), False
    return record, None, yamlio.dump(record) == text


def fact_keys(config, link_keys):
    """type key -> the fields a record's facts keep: its unique fields and its link fields."""
    keys = {}
    for rtype in config.types.values():
        unique = [key for key, field in rtype.fields.items() if field.get("unique")]
        keys[rtype.key] = tuple(dict.fromkeys(unique + list(link_keys.get(rtype.key, ()))))
    return keys


def examine(tracking, engine, rtype, path, raw, keys, validate=True):
    """The Examined of one record file's bytes; `validate=False` gives only the facts (`rec`)."""
    tracking.begin()
    engine.begin()
    found = _examine(tracking, engine, rtype, path, raw, keys, validate)
    found.deps, found.dated, found.volatile = tracking.deps, tracking.dated, tracking.volatile
    return found


def _examine(store, engine, rtype, path, raw, keys, validate):
    lang = engine.lang
    found = Examined()
    if path.suffix != ".yaml":
        found.items.append(("f", 1, "warning", "stray-file", t("check.stray-file", lang)))
        return found
    record, error, canonical = parse(raw)
    if error is not None:
        line, code, params = error
        found.items.append(("f", line, "error", code, t(f"yaml.{code}", lang, **params)))
        return found
    record_id = record.get("id")
    if record_id == path.stem:  # what Store.read_path accepts: the record joins the store's lists
        found.rec = {key: record.get(key) for key in ("id", *keys.get(rtype.key, ()))}
    lines = raw.decode("utf-8").splitlines()
    if found.rec is not None:
        # where a link finding about this record points: kept, so a later run need not read the file for it
        found.lines = {key: key_line(lines, key) for key, value in found.rec.items() if value is not None}
    if not validate:
        return found
    items = found.items
    id_line = key_line(lines, "id")
    if not ids.is_valid(record_id):
        items.append(("f", id_line, "error", "bad-id", t("check.bad-id", lang, value=record_id)))
        return found
    if record_id != path.stem:
        items.append(("f", id_line, "error", "id-mismatch", t("check.id-mismatch", lang, id=record_id, name=path.name)))
    elif ids.prefix_of(record_id) != rtype.prefix:
        items.append(("f", id_line, "error", "wrong-type",
                      t("check.wrong-type", lang, id=record_id, prefix=rtype.prefix, dir=rtype.dir)))
    elif store.path_of(record_id) != path:  # both are built from store.root, so equal paths compare equal
        items.append(("p", id_line))
    found.rid, found.id_line, found.dup_at = record_id, id_line, len(items)
    system_record = ids.day_of(record_id) is None
    problems = engine.validate(rtype, record)
    found.quality = summarise(rtype, record, [p for p in problems if not isinstance(p, UniqueSlot)],
                              [(p.type_key, p.key, p.value) for p in problems if isinstance(p, UniqueSlot)])
    for problem in problems:
        if problem.code == "recommended" and system_record:
            continue  # fixed system records (CUST-GENERAL) are not real customers to fill in
        line = key_line(lines, problem.key)
        if isinstance(problem, UniqueSlot):
            items.append(("u", line, problem.key, problem.label, problem.type_key, problem.value))
        else:
            items.append(("f", line, problem.level, problem.code, problem.text))
    for key, message in stored_form_problems(engine, rtype, record):
        items.append(("f", key_line(lines, key), "warning", "stored-form", message))
    items += _check_history(store, record, lines, lang)
    for extra in registry().record_checks:  # the workflows' own checks
        for key, level, code, message in extra(store, engine, rtype, record):
            items.append(("f", key_line(lines, key), level, code, message))
    if not canonical:
        items.append(("f", 1, "warning", "not-canonical", t("check.not-canonical", lang)))
    return found


def key_line(lines, key):
    """The 1-based line where a (dotted) key is written among `lines`, or 1."""
    start, indent = 0, ""
    for depth, part in enumerate(key.split(".")):
        pattern = re.compile(rf"^{indent}{'' if depth == 0 else r'[ -]*'}{re.escape(part)}:")
        for number in range(start, len(lines)):
            if pattern.match(lines[number]):
                start = number
                break
        else:
            return start + 1
        indent = r"\s+"
    return start + 1


def _check_history(store, record, lines, lang="en"):
    items = []
    history = record.get("history")
    line = key_line(lines, "history")
    if not isinstance(history, list) or not history:
        return [("f", line, "error", "history", t("check.history-missing", lang))]
    users = store.config.users
    previous = None
    for index, entry in enumerate(history):
        if not isinstance(entry, dict) or not {"at", "by", "event"} <= set(entry):
            items.append(("f", line, "error", "history", t("check.history-entry", lang, index=index)))
            continue
        by = entry["by"]
        if not isinstance(by, str) or by not in users and by != SYSTEM_USER:  # `by: [a, b]` is no user
            items.append(("f", line, "error", "unknown-user",
                          t("check.history-user", lang, index=index, user=entry["by"])))
        if previous is not None and hasattr(entry["at"], "isoformat") and hasattr(previous, "isoformat"):
            try:
                if entry["at"] < previous:
                    items.append(("f", line, "warning", "date-order", t("check.history-order", lang, index=index)))
            except TypeError:
                pass
        previous = entry["at"]
    for index, item in enumerate(record.get("assignments") or []):
        if not isinstance(item, dict) or item.get("user") not in users:
            items.append(("f", key_line(lines, "assignments"), "error", "unknown-user",
                          t("check.assignment-user", lang, index=index)))
    return items
