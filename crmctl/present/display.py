"""How records look to people: labels in their language, confidential values masked."""


import operator
from datetime import date

from crmctl.kernel import validators
from crmctl.kernel.i18n import t
from crmctl.config.model import label
from crmctl.workflows.erase import ERASED
from crmctl.engine.wording import cell, display  # noqa: F401 (display: read by the CLI as display.display)

# Derived key -> catalogue key of its label.
DERIVED_LABELS = {
    "id": "derived.id", "created_by": "derived.created_by", "created_at": "derived.created_at",
    "updated_at": "derived.updated_at", "state": "derived.state", "due": "derived.due", "overdue": "derived.overdue",
    "unacknowledged": "derived.unacknowledged", "assignee": "derived.assignee",
    "current_stage": "derived.current_stage", "current_stage_status": "derived.current_stage_status",
    "current_stage_owner": "derived.current_stage_owner", "current_stage_started": "derived.current_stage_started",
    "current_stage_due": "derived.current_stage_due", "current_stage_role": "derived.current_stage_role",
    "last_progress": "derived.last_progress", "stalled": "derived.stalled",
}


def mask(rtype, record):
    """A copy of the record with confidential fields (and their history) masked. Only what masking changes is
    copied (the record, and the history events that changed a confidential field); the rest is shared with
    `record`, so read the copy, never change it. A deep copy per record was a quarter of a long list's rows."""
    return masker(rtype)(record)


def masker(rtype):
    """`mask` for many records of one type: the confidential fields are found once, not per record."""
    secret = [key for key, field in rtype.fields.items() if field.get("confidential")]
    if not secret:
        return lambda record: record
    return lambda record: _masked_record(rtype, record, secret)


def _masked_record(rtype, record, secret):
    shown = dict(record)
    for key in secret:
        if shown.get(key):
            shown[key] = _masked(rtype.fields[key], shown[key])
    history = shown.get("history")
    if isinstance(history, list) and any(_changes_secret(entry, secret) for entry in history):
        shown["history"] = [_masked_event(rtype, entry, secret) if _changes_secret(entry, secret) else entry
                            for entry in history]
    return shown


def _changes_secret(entry, secret):
    changes = entry.get("changes") if isinstance(entry, dict) else None
    return isinstance(changes, dict) and any(key in changes for key in secret)


def _masked_event(rtype, entry, secret):
    changes = dict(entry["changes"])
    for key in secret:
        if key in changes:
            changes[key] = [_masked(rtype.fields[key], v) if v else v for v in changes[key]]
    return {**entry, "changes": changes}


def confidential_keys(rtype, keys):
    """Those of `keys` that name a confidential field (or a part of one)."""
    found = []
    for key in keys:
        field = rtype.field_at(key) or rtype.fields.get(key.split(".")[0])
        if field is not None and field.get("confidential") and key not in found:
            found.append(key)
    return found


def _masked(field, value):
    if value == ERASED:
        return value
    if field.type == "personal_id":
        try:
            return validators.mask_personal_id(str(value))
        except ValueError:
            pass
    return "****"


def column_label(rtype, key, lang):
    field = rtype.field_at(key)
    if field is not None:
        return label(field.label, lang)
    if key in DERIVED_LABELS:
        return t(DERIVED_LABELS[key], lang)
    return key


def row(evaluator, record, columns, lang):
    """A flat row of displayed cells for `columns` (fields or derived keys)."""
    return {column: shown_value(evaluator, record, column, lang) for column in columns}


def rows(evaluator, records, columns, lang):
    """`row` of each record."""
    cells_of = row_cells(evaluator, columns, lang)
    return [dict(zip(columns, cells_of(record))) for record in records]


def row_cells(evaluator, columns, lang):
    """A function giving a record's displayed cells for `columns`, as a tuple. A list repeats few values per
    column (owners, subjects, dates, statuses): each (column, value) is worded once, which was most of a
    20,000-row list's time, and its rows share those texts (a long list holds its rows until it is sorted)."""
    worded = {}
    readers = [(column, value_reader(evaluator, column), _text_as_is(evaluator, column)) for column in columns]

    def cells_of(record):
        shown = []
        for column, read, as_is in readers:
            value = read(record)
            kind = type(value)
            if kind is str and as_is:
                shown.append(value)  # ids, titles, names: mostly unique, a memo of them would hold every one
            elif kind in _WORDED_ONCE:
                memo = (column, kind, value)  # the type too: True == 1, and they are worded apart
                text = worded.get(memo)
                if text is None:
                    if len(worded) >= _MEMO_SIZE:
                        worded.clear()  # many distinct numbers: the memo would grow with the list
                    text = worded[memo] = _worded(evaluator, column, value, lang)
                shown.append(text)
            else:
                shown.append(_worded(evaluator, column, value, lang))
        return tuple(shown)

    return cells_of


_MEMO_SIZE = 20000


def value_reader(evaluator, key):
    """A function reading `key` of a record as `evaluator.value` does: a stored top-level key straight from the
    record (what `value` ends in for it, without its tests), anything else through the evaluator."""
    if key == "id" or "." not in key and key in evaluator.rtype.fields:
        return operator.methodcaller("get", key)
    return lambda record: evaluator.value(record, key)


def _text_as_is(evaluator, key):
    """Whether a text value of `key` is shown as it is (wording.display gives a str other than an enum's value
    back unchanged, "" as ""): not an enum field, nor a derived key with its own wording."""
    field = evaluator.rtype.field_at(key)
    if field is None:
        return key not in evaluator.registry.display
    return field.type != "enum"


# Not datetime: two equal moments in different offsets are worded apart (their ISO texts differ).
_WORDED_ONCE = frozenset({str, int, bool, date, type(None)})


def shown_value(evaluator, record, key, lang):
    """One field or derived key as people read it (stage keys by their names, etc.)."""
    return _worded(evaluator, key, evaluator.value(record, key), lang)


def _worded(evaluator, key, value, lang):
    special = evaluator.registry.display.get(key) if evaluator.rtype.field_at(key) is None else None
    if special and value is not None:
        return special(evaluator.store.config, value, lang)
    return cell(evaluator.rtype, key, value, lang)


def with_derived(evaluator, record, keys=None):
    """The record plus the derived keys worth showing (due, overdue, ...)."""
    shown = dict(record)
    for key in keys or ():
        if key in evaluator.registry.derived and key not in shown:
            value = evaluator.value(record, key)
            if value not in (None, [], ""):
                shown[key] = value
    return shown
