"""Delegation: give a record to another user so that it provably reaches them.

One atomic write (records.change): the owner changes, a line is appended to
the type's log field (`actions`, when the type has one), a `delegated
{from, to, by}` history event is added and the new owner gets an
unacknowledged assignment, which `crmctl inbox` shows and `crmctl notify`
emails. The previous owner's open assignments on the record are closed in
the same write (`handed_over`, `handed_over_to`): the work is no longer
theirs, so it leaves their inbox and is not emailed to them. When the
previous owner delegates it onwards themselves, their own change
acknowledges it instead. Works for every record type with an `owner` user field,
and for every owner change, however it is made (`owner_changed`, a change hook).

Decision: a record whose status is in a resolved or cancelled state cannot
be delegated (there is no work left to hand over); reopen it first with
`status`. Types without a status model can always be delegated.
"""

from crmctl.engine.assignments import assign, hand_over, is_open
from crmctl.kernel.errors import AlreadyHolds, CrmError, ValidationError
from crmctl.kernel.i18n import t
from crmctl.engine.query import Evaluator
from crmctl.engine.records import change, event
from crmctl.engine.rules import Engine, FieldError, Problem


OWNER_FIELD = "owner"
LOG_FIELD = "actions"


def initials(config, handle):
    """Short signature used in the actions log: `mmu` for Mette Murto (first name's
    first letter, last name's first two), or the user's own `initials` when set."""
    user = config.users.get(handle) or {}
    if user.get("initials"):
        return str(user["initials"])
    words = str(user.get("name") or handle).replace(".", " ").split()
    if len(words) < 2:
        return (words[0][:3] if words else handle).lower()
    return (words[0][:1] + words[-1][:2]).lower()


def display_name(config, handle):
    return str((config.users.get(handle) or {}).get("name") or handle)


def log_line(config, lang, to_user, by, day, note=None):
    """The line delegation appends to the log field, in the store's language."""
    line = t("delegated_line", lang, to=display_name(config, to_user), by=initials(config, by), date=day.isoformat())
    if note:
        line += f": {note}"
    return line


def _new_owner(store, rtype, user, lang, actor):
    """The handle of an existing, active user (key, email or name accepted)."""
    engine = Engine(store, lang, actor)
    field = rtype.fields[OWNER_FIELD]
    try:
        handle = engine.convert(field, user)
    except FieldError as err:
        raise ValidationError([Problem(OWNER_FIELD, engine.label_of(rtype, OWNER_FIELD), "error", "invalid",
                                       str(err))], t("rules_broken", lang)) from None
    if store.config.users.get(handle, {}).get("active") is False:
        raise CrmError(code="inactive_user", value=handle)
    return handle


def _refuse_closed(store, rtype, record, actor, lang):
    state = Evaluator(store, rtype, actor=actor, lang=lang).value(record, "state")
    if state not in (None, "active"):
        raise CrmError(code="delegate_closed", id=record["id"], status=record.get(rtype.status["field"]))


def hand_to(store, rtype, record, from_user, to_user, actor, note=None):
    """The bookkeeping of a delegation on `record`, whose owner is now `to_user`: the log line, the
    previous owner's open assignments handed over, the new owner's assignment; returns the event."""
    if LOG_FIELD in rtype.fields:
        line = log_line(store.config, store.config.language, to_user, actor, store.today(), note)
        old = str(record.get(LOG_FIELD) or "").rstrip("\n")
        record[LOG_FIELD] = f"{old}\n{line}" if old else line
    extra = {"note": note} if note else {}
    if from_user != actor:  # the actor's own open assignment is acknowledged by `change`
        hand_over(record, from_user, to_user, store.now())
    assign(record, to_user, "delegated", actor, store.now(), **extra)
    return event(store, actor, "delegated", **{"from": from_user, "to": to_user}, **extra)


def delegate(store, record_id, user, actor, lang="fi", note=None):
    """Make `user` the owner of the record; returns (record, warnings)."""
    rtype = store.type_of(record_id)
    if OWNER_FIELD not in rtype.fields:
        raise CrmError(code="delegation.no_owner", what=rtype.label, field=OWNER_FIELD)
    to_user = _new_owner(store, rtype, user, lang, actor)

    def mutate(record, engine):
        _refuse_closed(store, rtype, record, actor, lang)
        from_user = record.get(OWNER_FIELD)
        if from_user == to_user:
            if note is None:  # a repeat: what was asked holds (a note would be news, and has nowhere to go)
                raise AlreadyHolds(code="delegation.already_holds", id=record_id, user=to_user)
            raise CrmError(code="already_owner", id=record_id, user=to_user)
        record[OWNER_FIELD] = to_user
        return [hand_to(store, rtype, record, from_user, to_user, actor, note)]

    record, warnings, _ = change(store, record_id, actor, lang, mutate)
    return record, warnings


def owner_changed(before, record, engine, rtype, events):
    """A change hook: an owner changed any other way (`set owner=`, `edit`, an import's update) is a
    delegation too, with the same refusals (an inactive user, a closed record)."""
    if OWNER_FIELD not in rtype.fields or any(e.get("event") == "delegated" for e in events):
        return []
    from_user, to_user = before.get(OWNER_FIELD), record.get(OWNER_FIELD)
    if from_user == to_user or not to_user:
        return []
    store = engine.store
    if store.config.users.get(to_user, {}).get("active") is False:
        raise CrmError(code="inactive_user", value=to_user)
    _refuse_closed(store, rtype, before, engine.actor, engine.lang)
    return [hand_to(store, rtype, record, from_user, to_user, engine.actor)]


def created_for_someone_else(record, engine):
    """A `prepare` step for records created in someone else's name (an import row naming its owner): an active
    record owned by another user reaches that owner as a delegation, so the owner is told like any other."""
    rtype = engine.store.type_of(record["id"])
    owner, actor = record.get(OWNER_FIELD), engine.actor
    if OWNER_FIELD not in rtype.fields or not owner or owner == actor:
        return
    if any(item.get("user") == owner and is_open(item) for item in record.get("assignments") or []):
        return  # a workflow's own hook already gave it to the owner (a lead routed to its seller)
    if Evaluator(engine.store, rtype, actor=actor, lang=engine.lang).value(record, "state") not in (None, "active"):
        return  # finished work from an earlier system: nothing for the owner to do
    record["history"].append(hand_to(engine.store, rtype, record, None, owner, actor))


def register(registry):
    """Every owner change is a delegation (called by crmctl.builtins)."""
    registry.add_change_hook(owner_changed)
