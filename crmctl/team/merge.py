"""The three-way merge of one record: base, ours and theirs as parsed dicts, no files, no git, no store.

The rules are cli.md's "Merge of one record". A field changed on one side takes that side's value, the same
change on both sides is taken once, different changes are a conflict. Mappings merge key by key; a list of
mappings that each carry a `key` (a project's `stages`) merges item by item, matched by that key; `history` is
the union of both sides' events; `assignments` are matched by identity and merged field by field, and the
moments that close or answer one (acknowledged, notified, ...) once set stay set, keeping the earliest. A text
field named in `logs` (configuration: `append_only: true`) to which both sides only appended keeps base, then
our lines, then theirs.

A conflict is (path, ours, theirs): `path` a tuple of keys (a list item is named by its `key`, or by its
position), `ours`/`theirs` the sides' values or `MISSING`. The merged record holds our value at that path, so
it is complete; the driver writes the conflicts between git's markers.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timezone


class _Missing:
    """A key absent from one version of a mapping (a deleted or never-set field)."""

    def __repr__(self):
        return "MISSING"

    def __bool__(self):
        return False


MISSING = _Missing()

HISTORY = "history"
ASSIGNMENTS = "assignments"
# What makes an assignment the same one on both sides: who got it, why, from whom, when and for which stage
# (engine/assignments.py `assign`; the other keys are set later as the assignment is answered or closed).
ASSIGNMENT_IDENTITY = ("user", "reason", "by", "at", "stage")
# Moments that, once set, stay set (the earliest wins, with the keys that describe it).
STICKY = {
    "acknowledged": (),
    "notified": ("notified_to",),
    "handed_over": ("handed_over_to",),
    "closed": ("closed_by",),
}
_COMPANIONS = {companion for companions in STICKY.values() for companion in companions}


@dataclass
class MergeResult:
    record: dict
    conflicts: list = field(default_factory=list)  # [(path tuple, ours, theirs)]

    @property
    def clean(self):
        return not self.conflicts


def merge_records(base, ours, theirs, logs=()):
    """Merge `ours` and `theirs` (dicts) from their common `base` (a dict, or None when both added the record);
    `logs` names the append-only text fields. Returns a MergeResult."""
    merger = _Merger(frozenset(logs))
    record = merger.mapping((), {} if base is None else base, ours, theirs)
    return MergeResult(record, merger.conflicts)


def path_text(path):
    """A conflict path as people and `resolve` write it: `priority`, `site.address`, `stages.offer.owner`."""
    return ".".join(str(part) for part in path)


class _Merger:
    def __init__(self, logs):
        self.logs = logs
        self.conflicts = []

    def value(self, path, base, ours, theirs):
        if ours == theirs:
            return ours
        if base == ours:
            return theirs
        if base == theirs:
            return ours
        if len(path) == 1 and path[0] == HISTORY and _lists(ours, theirs):
            return _history(base, ours, theirs)
        if len(path) == 1 and path[0] == ASSIGNMENTS and _lists(ours, theirs):
            return self.assignments(path, base, ours, theirs)
        if len(path) == 1 and path[0] in self.logs:
            appended = _appended(base, ours, theirs)
            if appended is not None:
                return appended
        if isinstance(ours, dict) and isinstance(theirs, dict) and isinstance(base, (dict, _Missing)):
            return self.mapping(path, base or {}, ours, theirs)
        if _keyed(ours) and _keyed(theirs) and (base is MISSING or _keyed(base)):
            return self.keyed_list(path, base or [], ours, theirs)
        return self.conflict(path, ours, theirs)

    def conflict(self, path, ours, theirs):
        self.conflicts.append((path, ours, theirs))
        return ours

    def mapping(self, path, base, ours, theirs):
        merged = {}
        for key in _key_order(ours, theirs, base):
            got = self.value(path + (key,), base.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING))
            if got is not MISSING:
                merged[key] = got
        return merged

    def keyed_list(self, path, base, ours, theirs):
        """Items matched by their `key`, each merged three-way; the order follows the sides."""
        by_key = [{item["key"]: item for item in side} for side in (base, ours, theirs)]
        merged = []
        for key in _key_order(*by_key[1:], by_key[0]):
            got = self.value(path + (key,), *(side.get(key, MISSING) for side in by_key))
            if got is not MISSING:
                merged.append(got)
        return merged

    def assignments(self, path, base, ours, theirs):
        base, ours, theirs = (side if isinstance(side, list) else [] for side in (base, ours, theirs))
        sides = [_by_identity(side) for side in (base, ours, theirs)]
        triples = [tuple(side.get(identity, MISSING) for side in sides)
                   for identity in _key_order(sides[1], sides[2], sides[0])]
        triples = sorted(triples, key=lambda triple: _moment_of(next(i for i in triple if i is not MISSING)))
        merged = []
        for b, o, t in triples:
            if o is MISSING or t is MISSING:
                present = t if o is MISSING else o
                if present is not MISSING and present != b:
                    merged.append(present)  # new on one side, or changed on one and removed on the other
                continue
            if isinstance(o, dict) and isinstance(t, dict):
                merged.append(self.assignment(path + (len(merged),), b if isinstance(b, dict) else {}, o, t))
            else:
                merged.append(self.value(path + (len(merged),), b, o, t))
        return merged

    def assignment(self, path, base, ours, theirs):
        merged = {}
        for key in _key_order(ours, theirs, base):
            if key in _COMPANIONS:
                continue
            if key in STICKY:
                merged.update(_sticky(key, base, ours, theirs))
                continue
            got = self.value(path + (key,), base.get(key, MISSING), ours.get(key, MISSING), theirs.get(key, MISSING))
            if got is not MISSING:
                merged[key] = got
        order = _key_order(ours, theirs, base)
        return {key: merged[key] for key in order if key in merged}


def _lists(*values):
    return all(isinstance(value, (list, _Missing)) for value in values)


def _keyed(value):
    """A list of mappings each holding a distinct `key` (a project's stages)."""
    if not isinstance(value, list) or not all(isinstance(item, dict) and "key" in item for item in value):
        return False
    keys = [_frozen(item["key"]) for item in value]
    return len(set(keys)) == len(keys)


def _key_order(ours, theirs, base):
    """Keys in our order, with keys only theirs has placed after the key they follow in theirs; keys only base
    has (deleted on both sides) last."""
    order = list(ours)
    for index, key in enumerate(theirs):
        if key in order:
            continue
        before = next((k for k in reversed(list(theirs)[:index]) if k in order), None)
        order.insert(0 if before is None else order.index(before) + 1, key)
    return order + [key for key in base if key not in order]


def _appended(base, ours, theirs):
    """Base, then our new lines, then theirs, when both sides only appended to base; None otherwise."""
    if not all(isinstance(side, (str, _Missing)) for side in (base, ours, theirs)):
        return None
    start = (base or "").rstrip("\n")
    tails = []
    for side in (ours, theirs):
        text = (side or "").rstrip("\n")
        if start and not text.startswith(start + "\n") and text != start:
            return None
        tails.append(text[len(start):].lstrip("\n") if start else text)
    return "\n".join(part for part in (start, *tails) if part)


def _frozen(value):
    """A hashable stand-in for a parsed YAML value (events and assignments are compared whole)."""
    if isinstance(value, dict):
        return ("dict", tuple((_frozen(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(_frozen(item) for item in value))
    return (type(value).__name__, value)


def _moment(value):
    """A sort key for `at` values: timestamps with different offsets compare as instants."""
    if isinstance(value, datetime):
        return (0, (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp())
    if isinstance(value, date):
        return (0, datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp())
    return (1, 0)  # no usable time: after the rest, in the order found


def _moment_of(item):
    return _moment(item.get("at")) if isinstance(item, dict) else (1, 0)


def _in_time_order(items):
    return sorted(items, key=_moment_of)


def _history(base, ours, theirs):
    """Every event of either side once, in `at` order (equal times: base, then ours, then theirs). An event of
    base that a side removed or rewrote (an erased value) is left out, so the rewrite is not undone."""
    base, ours, theirs = (side if isinstance(side, list) else [] for side in (base, ours, theirs))
    keys = [[_frozen(event) for event in side] for side in (base, ours, theirs)]
    dropped = set(keys[0]) - (set(keys[1]) & set(keys[2]))
    seen, union = set(dropped), []
    for side, side_keys in zip((base, ours, theirs), keys):
        for event, key in zip(side, side_keys):
            if key not in seen:
                seen.add(key)
                union.append(event)
    return _in_time_order(union)


def _by_identity(items):
    """Assignments by their identity; a second item with the same identity keeps its position as its own."""
    found = {}
    for item in items:
        identity = _frozen({key: item.get(key) for key in ASSIGNMENT_IDENTITY}) if isinstance(item, dict) \
            else _frozen(item)
        while identity in found:
            identity = ("again", identity)
        found[identity] = item
    return found


def _sticky(key, base, ours, theirs):
    """A moment that stays set once set: the earliest of the sides, with the keys that describe it. A moment one
    side took back while the other left it as base had it stays taken back: `notify` releasing its claim on an
    email it failed to send, which the next run must send."""
    names = (key, *STICKY[key])
    moments = [{name: side[name] for name in names if name in side} for side in (base, ours, theirs)]
    if moments[0].get(key):
        for mine, other in ((moments[1], moments[2]), (moments[2], moments[1])):
            if other == moments[0] and not mine.get(key):
                return mine
    chosen = [side for side in (ours, theirs) if side.get(key)]
    if not chosen:
        return {}
    first = min(chosen, key=lambda side: _moment(side[key]))
    return {name: first[name] for name in (key, *STICKY[key]) if name in first}
