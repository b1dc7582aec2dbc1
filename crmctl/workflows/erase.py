"""Erasing personal values: out of the record and out of every event of its history.

A personal value (a confidential field such as `personal_id`) that a customer asks to be forgotten must not
survive in the record's history either, where each change keeps the old and the new value. The values become
`[erased]`; an `erased` event names the fields (never the values). Git keeps earlier versions of the file;
rewriting that is the store owner's decision.
"""

import copy

from crmctl.kernel.errors import CrmError
from crmctl.engine import records
from crmctl.engine.directory import has_role

ERASED = "[erased]"


def erase(store, record_id, fields, actor, lang="fi"):
    """Remove the values of the personal `fields` from the record and its history. Returns (record, erased):
    `erased` is False when nothing held a value (nothing is written then)."""
    if actor is None or not has_role(store.config, actor, "admin"):
        raise CrmError(code="erase.admin_only", actor=actor or "?")
    with store.lock():
        rtype = store.type_of(record_id)
        for key in fields:
            field = rtype.fields.get(key)
            if field is None:
                raise CrmError(code="erase.unknown_field", key=key, type=rtype.label)
            if not field.get("confidential"):
                raise CrmError(code="erase.not_personal", key=key,
                               personal=", ".join(k for k, f in rtype.fields.items() if f.get("confidential")) or "-")
        before = store.get(record_id)
        record = copy.deepcopy(before)
        for key in fields:
            record.pop(key, None)
        for entry in record.get("history") or []:
            _erase_from_event(entry, fields)
        if record == before:
            return before, False
        record["history"] = list(record.get("history") or []) + [
            records.event(store, actor, "erased", fields=list(dict.fromkeys(fields)))]
        record = records.ordered(rtype, record)
        store.save(record)
    return record, True


def _erase_from_event(entry, fields):
    changes = entry.get("changes") if isinstance(entry, dict) else None
    if not isinstance(changes, dict):
        return
    for key, values in changes.items():
        if key.split(".")[0] in fields and isinstance(values, list):
            changes[key] = [ERASED if value not in (None, "", ERASED) else value for value in values]
