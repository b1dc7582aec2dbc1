"""Filters (`key OP value`), derived keys and sorting: one language for lists, views and rules."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from crmctl.engine.assignments import pending
from crmctl.kernel.errors import CrmError, UsageError
from crmctl.kernel.registry import registry as default_registry
from crmctl.engine.rules import Engine, FieldError, get_path, is_empty
from crmctl.kernel.i18n import t

FILTER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(!=|<=|>=|=|<|>|~)(.*)$", re.S)

@dataclass
class Filter:
    key: str
    op: str
    raw: str

    def __str__(self):
        return f"{self.key} {self.op} {self.raw}"


def parse_filter(text):
    match = FILTER.match(text or "")
    if not match:
        raise UsageError(code="query.bad_filter", text=text)
    key, op, value = match.group(1), match.group(2), match.group(3).strip()
    if value[:1] in "=<>!~" and value:
        # `owner==x` or `due=<2011-01-01` is a mistyped operator, not a search for "=x".
        raise UsageError(code="query.bad_filter", text=text)
    return Filter(key, op, value)


def parse_filters(texts):
    return [parse_filter(text) for text in texts]


class Evaluator:
    """Reads keys (stored or derived) of records of one type and matches filters."""

    def __init__(self, store, rtype, actor=None, engine=None, lang="fi", registry=None):
        self.store = store
        self.registry = registry or default_registry()  # derived keys: the engine's own and the workflows'

        self.rtype = rtype
        self.actor = actor
        self.engine = engine or Engine(store, lang, actor)
        self._operands = {}
        self._derived = {}  # (id(record), key) -> (record, value): read by filters, sorting and columns
        self._parsed = {}

    @property
    def today(self):
        return self.store.today()

    @property
    def calendar(self):
        return self.store.calendar

    def value(self, record, key):
        if key in ("id",) or key.split(".")[0] in self.rtype.fields:
            return get_path(record, key)
        derived = self.registry.derived
        if key in derived:
            memo = (id(record), key)
            hit = self._derived.get(memo)
            if hit is None or hit[0] is not record:  # holding the record keeps its id from being reused
                hit = self._derived[memo] = (record, derived[key](self, record))
            return hit[1]
        return get_path(record, key)

    def preset(self, record, key, value):
        """A derived value known already (the column index keeps `due`)."""
        self._derived[(id(record), key)] = (record, value)

    def forget(self, record):
        """Drop what the memo holds of a record no longer needed (a list that reads many keeps few)."""
        for key in self.registry.derived:
            self._derived.pop((id(record), key), None)

    def filters(self, texts):
        """Parsed filters, parsed once per evaluator (SLA targets are read for every record)."""
        texts = tuple(texts)
        if texts not in self._parsed:
            self._parsed[texts] = parse_filters(texts)
        return self._parsed[texts]

    def check_filters(self, filters):
        """Refuse filters that can match nothing because they are wrong: an unknown key, or a value its field
        cannot hold (`subject=nope`, `received<2011-13-01`). An empty list would look like a true answer."""
        for flt in filters:
            if flt.key != "id" and self.rtype.field_at(flt.key) is None and flt.key not in self.registry.derived:
                raise CrmError(code="query.unknown_key", key=flt.key, filter=str(flt))
            if flt.op == "~" or flt.raw == "":
                continue
            parts = flt.raw.split(",") if flt.op in ("=", "!=") else [flt.raw]
            for part in parts:
                memo = (flt.key, part.strip(), self.actor)
                if memo not in self._operands:
                    self._operands[memo] = self._convert_operand(flt.key, part.strip(), strict=True)

    def matches(self, record, filters):
        return all(self._match(record, f) for f in filters)

    def _operand(self, key, raw):
        """The filter's value in the stored form of the key's field (converted once per evaluator)."""
        memo = (key, raw, self.actor)
        if memo not in self._operands:
            self._operands[memo] = self._convert_operand(key, raw)
        return self._operands[memo]

    def _convert_operand(self, key, raw, strict=False):
        """`strict` (filters a person typed): a value the field cannot hold is an error naming it; rules and
        views of the configuration keep comparing such a value as text (`check` reports their keys)."""
        if raw == "me":
            if not self.actor:
                raise UsageError(code="query.me_needs_actor")
            return self.actor
        field = self.rtype.field_at(key)
        if field is not None and field.type not in ("line", "text", "list", "object"):
            try:
                return self.engine.convert(field, raw)
            except FieldError as err:
                if strict:
                    raise CrmError(code="query.bad_value", key=key, value=raw, reason=str(err)) from None
                return raw
        if raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            try:
                return date.fromisoformat(raw)
            except ValueError:  # 2011-13-01 names no day: nothing could ever match it
                raise CrmError(code="query.bad_date", key=key, value=raw) from None
        return raw

    def _match(self, record, flt):
        actual = self.value(record, flt.key)
        if flt.op in ("=", "!=") and flt.raw == "":
            return is_empty(actual) == (flt.op == "=")
        if flt.op == "~":
            return flt.raw.casefold() in _text(actual).casefold()
        if flt.op in ("=", "!="):
            wanted = [self._operand(flt.key, part.strip()) for part in flt.raw.split(",")]
            hit = any(_equal(actual, w) for w in wanted)
            return hit == (flt.op == "=")
        wanted = self._operand(flt.key, flt.raw)
        if is_empty(actual):
            return False
        try:
            left, right = _comparable(actual), _comparable(wanted)
            return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[flt.op]
        except TypeError:
            return False


def _equal(actual, wanted):
    if isinstance(actual, list):
        return any(_equal(item, wanted) for item in actual)
    if isinstance(actual, datetime) and isinstance(wanted, date) and not isinstance(wanted, datetime):
        return actual.date() == wanted
    if isinstance(actual, bool) or isinstance(wanted, bool):
        return actual is wanted or str(actual).lower() == str(wanted).lower()
    return actual == wanted or (actual is not None and str(actual) == str(wanted))


def _comparable(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value)
    return value


def _text(value):
    if value is None:
        return ""
    if isinstance(value, dict):
        return " ".join(_text(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return str(value)


def sort_records(records, keys, evaluator):
    """Sort by `keys` (`-key` descending); empty values sort last."""
    return sort_rows(records, keys, lambda record, key: evaluator.value(record, key))


def sort_rows(rows, keys, value_of):
    """`rows` in `sort_records`' order, each key's value read as `value_of(row, key)`: a long list sorts small
    tuples of the values it kept instead of whole records. Stable: rows equal on every key keep their order."""
    result = list(rows)
    for key in reversed(keys or []):
        descending = key.startswith("-")
        name = key.lstrip("-")
        present, empty = [], []
        for row in result:
            (empty if is_empty(value_of(row, name)) else present).append(row)
        present.sort(key=_shared_sort_keys(name, value_of), reverse=descending)
        result = present + empty
    return result


def _shared_sort_keys(name, value_of):
    """`_sort_key` of a row's value, one key object per date: a list sorted on a date repeats a few hundred days
    (a key per row was the largest thing a 100,000-row sort made)."""
    made = {}

    def key_of(row):
        value = value_of(row, name)
        if type(value) is not date:
            return _sort_key(value)
        found = made.get(value)
        if found is None:
            found = made[value] = _sort_key(value)
        return found

    return key_of


def _sort_key(value):
    if isinstance(value, datetime):
        return (1, value.isoformat())
    if isinstance(value, date):
        return (1, value.isoformat())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (2, str(value))


# -- derived keys every record type has -----------------------------------

def _history(record):
    return record.get("history") or []


def _date_of(moment):
    if isinstance(moment, datetime):
        return moment.date()
    if isinstance(moment, str):
        try:
            return datetime.fromisoformat(moment).date()
        except ValueError:
            return None
    return moment


def created_by(ev, record):
    history = _history(record)
    return history[0].get("by") if history else None


def created_at(ev, record):
    history = _history(record)
    return _date_of(history[0].get("at")) if history else None


def updated_at(ev, record):
    history = _history(record)
    return _date_of(history[-1].get("at")) if history else None


def state(ev, record):
    status = ev.rtype.status or {}
    field = ev.rtype.fields.get(status.get("field", ""))
    if field is None:
        return None
    value = field.value(record.get(field.key))
    return value.attrs.get("state") if value else None


def unacknowledged(ev, record):
    return bool(pending(record))


def assignee(ev, record):
    return [a.get("user") for a in pending(record)]


# -- rules with a condition ---------------------------------------------

def conditional_rules(engine, rtype, record):
    """Problems of the configuration's `when:` rules (`require`/`recommend` under a filter)."""
    problems = []
    evaluator = engine.evaluators.get(rtype.key)
    if evaluator is None:
        evaluator = engine.evaluators[rtype.key] = Evaluator(engine.store, rtype, actor=engine.actor, engine=engine)
    for rule in rtype.rules:
        filters = evaluator.filters(rule.get("when") or [])
        if not evaluator.matches(record, filters):
            continue
        condition = " ja ".join(rule.get("when")) if engine.lang == "fi" else " and ".join(rule.get("when"))
        for level, code, message_key in (("error", "required", "required_when"),
                                         ("warning", "recommended", "recommended_when")):
            verb = "require" if level == "error" else "recommend"
            for key in rule.get(verb) or []:
                if is_empty(get_path(record, key)):
                    message = t(message_key, engine.lang, condition=condition)
                    problems.append(engine._problem(rtype, key, level, code, message))
    return problems


def register(registry):
    """The derived keys every record type has and the `when:` rules (called by crmctl.builtins)."""
    for fn in (created_by, created_at, updated_at, state, unacknowledged, assignee):
        registry.add_derived(fn.__name__, fn)
    registry.add_record_rule(conditional_rules)
