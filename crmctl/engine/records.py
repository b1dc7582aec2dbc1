"""Generic record operations for every type: create, change, with history events."""

import copy
import hashlib

from crmctl.kernel import ids
from crmctl.config.model import SYSTEM_KEYS
from crmctl.kernel.errors import CrmError, ValidationError
from crmctl.kernel.i18n import t
from crmctl.kernel.registry import registry
from crmctl.engine.rules import Engine, FieldError, Problem, is_empty

SYSTEM_USER = "crmctl"  # the author of records crmctl makes itself


def event(store, actor, name, **data):
    """A history event: `{at, by, event, ...}`."""
    return {"at": store.now(), "by": actor, "event": name, **data}


def ordered(rtype, record):
    """The record with its keys in schema order: id, fields, assignments, history."""
    result = {"id": record["id"]}
    for key in rtype.fields:
        if not is_empty(record.get(key)):
            result[key] = record[key]
    for key in record:
        if key not in result and key not in SYSTEM_KEYS:
            result[key] = record[key]  # unknown keys stay visible to validation
    for key in SYSTEM_KEYS:
        if record.get(key):
            result[key] = record[key]
    return result


def split_dotted(values):
    """`{"site.address": "x"}` -> `{"site": {"address": "x"}}` (later keys win)."""
    nested = {}
    for key, value in values.items():
        parts = key.split(".")
        target = nested
        for part in parts[:-1]:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        target[parts[-1]] = value
    return nested


def apply_values(engine, rtype, record, values, allow_system=False):
    """Convert and set `values` on `record`; returns the problems (nothing raised)."""
    problems = []
    for key, value in split_dotted(values).items():
        field = rtype.fields.get(key)
        if key == "id":
            problems.append(Problem(key, key, "error", "system", t("system_field", engine.lang)))
            continue
        if field is None:
            problems.append(Problem(key, key, "error", "unknown_field", t("unknown_field", engine.lang)))
            continue
        if field.level == "system" and not allow_system:
            problems.append(Problem(key, engine.label_of(rtype, key), "error", "system", t("system_field", engine.lang)))
            continue
        if field.type == "object" and isinstance(value, dict) and isinstance(record.get(key), dict):
            value = {**record[key], **value}  # `site.address=..` changes one part, keeps the rest
        try:
            converted = engine.convert(field, value)
        except FieldError as err:
            problems.append(Problem(key, engine.label_of(rtype, key), "error", "invalid", str(err)))
            continue
        if converted is None:
            record.pop(key, None)
        else:
            record[key] = converted
    return problems


def apply_defaults(engine, rtype, record):
    for key, field in rtype.fields.items():
        if key in record or field.default is None:
            continue
        default = field.default
        if default == "today":
            default = engine.store.today()
        elif default == "now":
            default = engine.store.now()
        elif default == "actor":
            default = engine.actor
        if default is not None:
            record[key] = copy.deepcopy(default)


def raise_errors(problems, lang):
    unique = {}
    for problem in problems:
        unique.setdefault((problem.key, problem.level), problem)  # one line per broken field
    problems = list(unique.values())
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise ValidationError(errors, t("rules_broken", lang))
    return [p for p in problems if p.level == "warning"]


def create(store, rtype, values, actor, lang="fi", system_values=None, prepare=None, dry_run=False, record_id=None,
           past=None, engine=None):
    """Validate and write a new record; returns (record, warnings). Nothing is written on error or dry_run.

    `record_id` keeps an id made elsewhere (an import); `past` ({history, assignments}) is a record's life in
    another store: kept as it is, followed by an `imported` event, and the workflows' create hooks, which
    would make its first assignments and defaults again, do not run. An `engine` given is reused (an import
    checks thousands of rows with one).
    """
    engine = engine or Engine(store, lang, actor)
    with store.transaction():  # the record and the links its hooks write land together or not at all
        record = {"id": None}
        problems = apply_values(engine, rtype, record, values)
        problems += apply_values(engine, rtype, record, system_values or {}, allow_system=True)
        apply_defaults(engine, rtype, record)
        record["id"] = record_id or ids.new_id(rtype.prefix, store.today(), store.exists)
        if past:
            record["history"] = list(past.get("history") or []) + [event(store, actor, "imported")]
            if past.get("assignments"):
                record["assignments"] = list(past["assignments"])
        else:
            record["history"] = [event(store, actor, "created")]
        for hook in () if past else registry().create_hooks.get(rtype.key, []):  # a workflow's defaults: owner, stages
            hook(record, engine)
        if prepare is not None:
            prepare(record, engine)
        record = ordered(rtype, record)
        warnings = raise_errors(problems + engine.validate(rtype, record), lang)
        if not dry_run:
            store.save(record)
            engine.remember(rtype, record)
            for hook in () if past else registry().created_hooks.get(rtype.key, []):  # links other records keep
                hook(record, store, actor, lang)
    return record, warnings


def change(store, record_id, actor, lang, mutate, event_name="changed", acknowledges=True):
    """Load, mutate, validate and save one record under the lock.

    `mutate(record, engine)` edits the record in place and returns extra
    history events (or None); the first of them carries the field changes,
    else they become one `changed` event. Problems it finds go to `engine.problems`, so
    they are reported together with the record's other broken rules;
    a change by an assignee acknowledges their assignment (unless
    `acknowledges` is False: bookkeeping such as notify/escalate). The
    registry's change hooks then see the record before and after and add what
    the change implies (a new owner's delegation, closed assignments of
    finished work) to the same write. Returns (record, warnings, changed).
    """
    engine = Engine(store, lang, actor)
    with store.transaction():  # joins the caller's, so a workflow's several changes land together
        rtype = store.type_of(record_id)
        before = store.get(record_id)
        record = copy.deepcopy(before)
        extra = list(mutate(record, engine) or [])
        for hook in registry().change_hooks:  # what every change implies: an owner change is a delegation, ...
            extra += hook(before, record, engine, rtype, extra) or []
        record = ordered(rtype, record)
        diff = {k: [before.get(k), record.get(k)] for k, f in rtype.fields.items()
                if before.get(k) != record.get(k) and f.get("track", True)}
        events = [dict(e) for e in extra]
        if diff and events:
            events[0]["changes"] = diff  # a workflow's own event (status, delegated, ...) carries the changes
        elif diff:
            events.append(event(store, actor, event_name, changes=diff))
        if not events:
            raise_errors(engine.problems, lang)  # bad input that changed nothing is still an error
            return before, [], False
        from crmctl.engine.assignments import acknowledge

        if acknowledges and acknowledge(record, actor, store.now()):
            events.append(event(store, actor, "acknowledged"))
        record["history"] = list(record.get("history") or []) + events
        record = ordered(rtype, record)
        warnings = raise_errors(engine.problems + engine.validate(rtype, record), lang)
        store.save(record)
    return record, warnings, True


def update(store, record_id, values, actor, lang="fi"):
    """Set fields from `key=value` input; refuses moving the status by hand."""
    rtype = store.type_of(record_id)
    status_field = (rtype.status or {}).get("field")

    def mutate(record, engine):
        engine.problems += apply_values(engine, rtype, record, values)

    if status_field and status_field in values:
        raise ValidationError([Problem(status_field, Engine(store, lang).label_of(rtype, status_field), "error",
                                       "status", t("use_status", lang, command=rtype.command))], t("rules_broken", lang))
    return change(store, record_id, actor, lang, mutate)


def file_digest(store, record_id):
    """The digest of the record's file as it is now: what `replace` compares to refuse saving over a
    change made since an edit read the record."""
    return hashlib.sha256(store.path_of(record_id).read_bytes()).hexdigest()


def replace(store, record_id, new_record, actor, lang="fi", read_digest=None, move_status=None):
    """Replace a record's fields with an edited copy (history and id are kept).

    The same rules as the verbs: system fields stay, an owner change is a
    delegation (a change hook), and a changed status is moved by
    `move_status(record, engine, wanted)` (the transition rules, see
    `transitions.edit_record`), or refused without it. With `read_digest`
    (the file's `file_digest` when the copy was read) a record changed since
    then is refused (`edit.changed_since_read`) rather than silently reverted.
    """
    rtype = store.type_of(record_id)
    status_field = (rtype.status or {}).get("field")

    def mutate(record, engine):
        if read_digest is not None and file_digest(store, record_id) != read_digest:
            raise CrmError(code="edit.changed_since_read", id=record_id)
        problems = []
        edited = {k: v for k, v in new_record.items() if k not in ("id",) + SYSTEM_KEYS}
        wanted = edited.pop(status_field) if status_field in edited else record.get(status_field)
        for key in [k for k in record if k not in ("id", status_field) + SYSTEM_KEYS]:
            field = rtype.fields.get(key)
            if field is not None and field.level != "system" and key not in edited:
                del record[key]
        for key, value in edited.items():
            field = rtype.fields.get(key)
            if field is not None and field.level == "system":
                if value != record.get(key):
                    problems.append(Problem(key, engine.label_of(rtype, key), "error", "system",
                                            t("system_field", lang)))
                continue
            problems += apply_values(engine, rtype, record, {key: value})
        engine.problems += problems
        if status_field and wanted != record.get(status_field):
            if move_status is None:
                raise ValidationError([Problem(status_field, engine.label_of(rtype, status_field), "error", "status",
                                               t("use_status", lang, command=rtype.command))], t("rules_broken", lang))
            return [move_status(record, engine, wanted)]
        return []

    return change(store, record_id, actor, lang, mutate)
