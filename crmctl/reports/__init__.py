"""Reports: monthly tracking, calls, leads, adoption and data quality (no Click here).

A report module defines its `DEFINITION` (name, title, builder), which
`crmctl.builtins` puts in the registry; the builder gets a `Context` (the
store's records, read once per run, and one Evaluator per record type) and the months of the range, and returns a
`Report`: rows per month of metric values and changes. Rendering to
table, Markdown, CSV and JSON is shared (`render.py`).
"""

from dataclasses import dataclass, field as dc_field

from crmctl.kernel.errors import UsageError
from crmctl.kernel.registry import registry
from crmctl.kernel.i18n import LANGUAGES
from crmctl.engine import listing
from crmctl.engine.query import Evaluator
from crmctl.reports.kept import kept_or_built
from crmctl.reports.months import label, last_day, month_range, parse_month, previous_month


@dataclass
class Metric:
    """One column of a monthly report."""

    key: str
    label: object                   # the column heading: {lang: text} (a catalogue `Words`)
    description: object             # what it counts, {lang: text} (the "how to read" list)
    kind: str = "count"             # count | share | number | breakdown
    change: bool = True             # has a change column: value minus the previous month's
    chart: bool = True              # drawn in the Markdown page's chart


@dataclass
class Report:
    name: str
    title: object                                   # {lang: text} (a catalogue `Words`)
    metrics: list
    months: list = dc_field(default_factory=list)   # [{"month": "2011-01", key: n, key_change: n|None}]
    snapshot: dict = None                           # reports that are not monthly (quality)
    notes: list = dc_field(default_factory=list)    # [{lang: text}] extra lines for people
    key_labels: dict = dc_field(default_factory=dict)  # breakdown metric -> {key: {fi, en}} for people
    sections: object = None                         # snapshot reports: fn(lang) -> [(title, columns, headers, rows)]
    # The first month recorded in crmctl: tables for people show no change up to it, since the
    # months before had no tracking to compare with (the roll-out's January row); data keeps it.
    tracked_from: object = None

    def key_label(self, metric_key, key, lang):
        labels = (self.key_labels.get(metric_key) or {}).get(key)
        return labels.get(lang, str(key)) if labels else str(key)

    def data(self):
        """The JSON shape: {"report": name, "months": [...]} (or the snapshot)."""
        if self.snapshot is not None:
            return {"report": self.name, **self.snapshot}
        return {"report": self.name, "months": self.months}


@dataclass
class Definition:
    name: str
    title: dict
    build: object
    monthly: bool = True


def definitions():
    """The registered reports by name, in the order they were registered."""
    return registry().reports


class Context:
    """What report builders share in one run: records read once, one Evaluator per type."""

    def __init__(self, store, lang="fi", progress=None):
        self.store = store
        self.lang = lang
        self.progress = progress  # progress(rtype) -> a callback for a long index build, or None
        self.types_read = set()  # what a kept answer depends on (reports/kept.py)
        self._evaluators = {}

    def rtype(self, type_key):
        return self.store.config.types[type_key]

    def records(self, type_key):
        self.types_read.add(type_key)
        if type_key not in self.store.config.types:
            return []
        return self.store.records(self.rtype(type_key))

    def read(self, type_key, keys, make):
        """[make(record) for each record of a type], in the store's order. A builder that names the `keys`
        its `make` reads (fields, derived keys, listing.STATUS_EVENTS) is given the column index's projections,
        one at a time, with `due` computed ahead: a fraction of the whole records to load, and never all of
        them in memory at once. When the projection lacks a key (or the index is off), whole records."""
        self.types_read.add(type_key)
        if type_key not in self.store.config.types:
            return []
        rtype = self.rtype(type_key)
        made = listing.select(self.store, rtype, self.evaluator(type_key), [], keys, each=make,
                              progress=self.progress(rtype) if self.progress else None)
        if made is None:
            made = [make(record) for record in self.store.records(rtype)]
        return made

    def evaluator(self, type_key):
        if type_key not in self._evaluators:
            self._evaluators[type_key] = Evaluator(self.store, self.rtype(type_key), lang=self.lang)
        return self._evaluators[type_key]

    def vocabulary_labels(self, type_key, field_key):
        """{value key: {fi, en}} of an enumerated field (labels for breakdown rows)."""
        field = self.rtype(type_key).fields.get(field_key)
        return {v.key: v.label for v in (field.values or [])} if field is not None else {}

    def user_labels(self):
        return {handle: dict.fromkeys(LANGUAGES, data.get("name") or handle)  # a name reads the same in each
                for handle, data in self.store.config.users.items()}


def run(store, name, start=None, end=None, lang="fi", context=None, progress=None):
    """Build report `name` over the months start..end (`YYYY-MM` texts; default the last three). `progress`:
    as Context's."""
    known = definitions()
    if name not in known:
        raise UsageError(code="report.unknown", name=name, known=", ".join(known))
    definition = known[name]
    months = month_range(start, end, store.today()) if definition.monthly else snapshot_window(start, end)
    if context is not None:
        return definition.build(context, months)
    if not definition.monthly:  # quality keeps its own answers, in check's findings cache
        return definition.build(Context(store, lang, progress), months)
    asked = ",".join(month.isoformat() for month in months)
    context = Context(store, lang, progress)
    return kept_or_built(store, lang, name, asked, context, lambda: definition.build(context, months))


def snapshot_window(start, end):
    """A snapshot report's (first day, last day) of the records it counts: created from --from's month (else
    from the first) up to the end of --to's month (else up to now); (None, None) when neither is given."""
    first = parse_month(start, "--from") if start else None
    last = parse_month(end, "--to") if end else None
    if first is not None and last is not None and first > last:
        raise UsageError(code="months.reversed", start=label(first), end=label(last))
    return (first, last_day(last) if last is not None else None)


def with_changes(rows, metrics, previous):
    """Each row with `<key>_change` = value minus the previous month's beside its value
    (None when there is nothing to compare with, e.g. a share of nothing)."""
    changing = {m.key for m in metrics if m.change}
    result = []
    for row in rows:
        changed = {}
        for key, value in row.items():
            changed[key] = value
            if key in changing:
                before = previous.get(key) if previous is not None else None
                changed[f"{key}_change"] = None if before is None or value is None else _round(value - before)
        result.append(changed)
        previous = row
    return result


def _round(number):
    return round(number, 4) if isinstance(number, float) else number


def month_rows(months, compute, metrics):
    """Rows for `months`, computed by `compute(month)`; the month before the range is computed too,
    so the first month has its change (spec §7, and cli.md's `"open_change": 10` for 2011-01)."""
    rows = [{"month": label(m), **compute(m)} for m in months]
    previous = {"month": label(previous_month(months[0])), **compute(previous_month(months[0]))} if months else None
    return with_changes(rows, metrics, previous)
