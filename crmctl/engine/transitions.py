"""Status transitions, driven by each type's `status:` configuration."""

from crmctl.engine.directory import has_role
from crmctl.kernel.errors import AlreadyHolds, CrmError
from crmctl.kernel.i18n import both, t
from crmctl.engine.records import apply_values, change, replace
from crmctl.engine.rules import FieldError, Problem, is_empty


def status_field(rtype):
    status = rtype.status or {}
    field = rtype.fields.get(status.get("field", ""))
    if field is None:
        raise CrmError(code="transition.no_status_model", what=rtype.label)
    return field


def _names(field, status_key):
    """A status matches a transition end by its key or by its state."""
    value = field.value(status_key)
    return {status_key, value.attrs.get("state")} if value else {status_key}


def _ends(spec):
    return set(spec) if isinstance(spec, list) else {spec}


def find_transition(rtype, current, target):
    field = status_field(rtype)
    for rule in rtype.status.get("transitions") or []:
        if _names(field, current) & _ends(rule.get("from")) and _names(field, target) & _ends(rule.get("to")):
            return rule
    return None


def allowed_targets(rtype, current):
    field = status_field(rtype)
    return [v.key for v in field.values if v.key != current and find_transition(rtype, current, v.key)]


def transition(store, record_id, target, actor, lang="fi", values=None, system_values=None, extra_events=None,
               before_save=None, generic=False):
    """Move a record to status `target` (key or label), with what the move needs.

    `values` may hold fields to set at the same time (`resolution=..`) and
    `reason`, recorded in the history event (and in the rule's
    `reason_field`, or in a field called `reason` when the type has one).
    `system_values` are fields a workflow sets (e.g. `closed`, from the closing date given);
    `before_save(record, engine, old, new)` lets a workflow add its own
    changes to the same atomic write. `generic` is the plain `status` verb: it
    refuses moves the configuration gives to a command of their own
    (`command: lead handle`), since that command does more than the move.
    Returns (record, warnings).
    """
    rtype = store.type_of(record_id)
    status_field(rtype)  # a type without a status model: a clear error before anything is read
    values = dict(values or {})
    reason = values.pop("reason", None) if "reason" not in rtype.fields else values.get("reason")

    def mutate(record, engine):
        event = move(store, rtype, record, engine, target, actor, lang, values, system_values, before_save,
                     generic, reason)
        return [event] + list(extra_events or [])

    record, warnings, _ = change(store, record_id, actor, lang, mutate)
    return record, warnings


def move(store, rtype, record, engine, target, actor, lang, values=None, system_values=None, before_save=None,
         generic=False, reason=None):
    """Move `record` (in place) to status `target` under its type's rules; returns the `status` event.

    The one place the rules of a move are applied: by the verbs (`transition`)
    and by `edit` (`edit_record`), so an edit cannot move a status in a way
    the verbs would refuse.
    """
    field = status_field(rtype)
    values = values or {}
    try:
        wanted = engine.convert(field, target)
    except FieldError as err:
        raise CrmError(code="about", what=field.key, problem=str(err)) from None
    record_id = record["id"]
    current = record.get(field.key)
    if wanted == current:
        raise AlreadyHolds(code="transition.already_holds", id=record_id, status=wanted)
    rule = find_transition(rtype, current, wanted)
    if rule is None:
        allowed = ", ".join(map(str, allowed_targets(rtype, current))) or both("word.none")
        raise CrmError(code="transition.not_allowed", id=record_id, current=current, target=wanted, allowed=allowed)
    if generic and rule.get("command"):
        raise CrmError(code="transition_by_command", id=record_id, current=current, target=wanted,
                       command=rule["command"])
    if rule.get("role") and not has_role(store.config, actor, rule["role"]):
        raise CrmError(code="transition.needs_role", current=current, target=wanted, role=rule["role"])
    if rule.get("require_reason") and is_empty(reason):
        raise CrmError(code="transition.needs_reason", current=current, target=wanted)
    for key in rule.get("clear") or []:
        record.pop(key, None)
    engine.problems += apply_values(engine, rtype, record, values, allow_system=False)
    engine.problems += apply_values(engine, rtype, record, system_values or {}, allow_system=True)
    if rule.get("reason_field") and reason:
        engine.problems += apply_values(engine, rtype, record, {rule["reason_field"]: reason}, allow_system=True)
    for key in rule.get("set_today") or []:
        if is_empty(values.get(key)) and is_empty((system_values or {}).get(key)):
            record[key] = store.today()
    for key in rule.get("require") or []:
        if is_empty(record.get(key)):
            engine.problems.append(Problem(key, engine.label_of(rtype, key), "error", "required",
                                           t("required_when", lang, condition=f"{field.key} = {wanted}")))
    record[field.key] = wanted
    if before_save is not None:
        before_save(record, engine, current, wanted)
    event = {"at": store.now(), "by": actor, "event": "status", "from": current, "to": wanted}
    if reason:
        event["reason"] = reason
    return event


def edit_record(store, record_id, new_record, actor, lang="fi", read_digest=None):
    """`edit`: replace the record's fields with an edited copy; a changed status moves as the `status`
    verb would move it (its rules, roles and reasons); returns (record, warnings, changed)."""
    rtype = store.type_of(record_id)

    def move_status(record, engine, wanted):
        return move(store, rtype, record, engine, wanted, actor, lang, generic=True)

    return replace(store, record_id, new_record, actor, lang, read_digest, move_status if rtype.status else None)
