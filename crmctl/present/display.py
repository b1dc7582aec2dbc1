"""How records look to people: labels in their language, confidential values masked."""


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
    """`row` of each record. A list repeats few values per column (owners, subjects, dates, statuses): each
    (column, value) is worded once, which was most of a 20,000-row list's time."""
    worded = {}
    out = []
    fields = evaluator.rtype.fields
    stored = {column for column in columns if column == "id" or "." not in column and column in fields}
    for record in records:
        shown = {}
        for column in columns:
            # a stored top-level key is the record's own value, as `evaluator.value` would read it
            value = record.get(column) if column in stored else evaluator.value(record, column)
            if type(value) in _WORDED_ONCE:
                memo = (column, type(value), value)  # the type too: True == 1, and they are worded apart
                text = worded.get(memo)
                if text is None:
                    text = worded[memo] = _worded(evaluator, column, value, lang)
                shown[column] = text
            else:
                shown[column] = _worded(evaluator, column, value, lang)
        out.append(shown)
    return out


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
