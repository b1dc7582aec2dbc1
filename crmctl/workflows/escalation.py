"""Escalation: overdue records reach the owner's supervisor, once.

Every record type with SLA targets (`config/sla.yaml`) and an `owner` is
covered. A record is escalated once: a history event `escalated {to, due}`,
the type's `escalated` field (when it has one) set to today, and an
assignment for the owner's supervisor, which inbox and notify deliver.
An owner without a supervisor is reported and the record left for the next
run (escalating to nobody would hide it).
"""

from dataclasses import dataclass

from crmctl.engine.assignments import assign
from crmctl.engine.query import Evaluator
from crmctl.engine.records import change, event

FLAG_FIELD = "escalated"
OWNER_FIELD = "owner"


@dataclass
class Escalation:
    id: str
    owner: str
    supervisor: str  # None: cannot be escalated
    due: object


def already_escalated(record):
    return bool(record.get(FLAG_FIELD)) or any(e.get("event") == "escalated" for e in record.get("history") or [])


def candidates(store):
    """Overdue records not yet escalated, in id order."""
    found = []
    for key, targets in sorted(store.config.sla.items()):
        rtype = store.config.types.get(key)
        if rtype is None or not isinstance(targets, list) or OWNER_FIELD not in rtype.fields:
            continue
        evaluator = Evaluator(store, rtype)
        for record in store.records(rtype):
            if already_escalated(record) or not evaluator.value(record, "overdue"):
                continue
            owner = record.get(OWNER_FIELD)
            supervisor = (store.config.users.get(owner) or {}).get("supervisor")
            found.append(Escalation(record["id"], owner, supervisor, evaluator.value(record, "due")))
    return sorted(found, key=lambda e: e.id)


def escalate(store, actor, lang="fi", dry_run=False):
    """Escalate every overdue record once; returns the Escalations found (written unless dry_run)."""
    with store.lock():
        found = candidates(store)
        if dry_run:
            return found
        for item in found:
            if item.supervisor is None:
                continue
            _escalate_one(store, item, actor, lang)
    return found


def _escalate_one(store, item, actor, lang):
    rtype = store.type_of(item.id)

    def mutate(record, engine):
        if FLAG_FIELD in rtype.fields:
            record[FLAG_FIELD] = store.today()
        assign(record, item.supervisor, "escalated", actor, store.now(), owner=item.owner)
        return [event(store, actor, "escalated", to=item.supervisor, owner=item.owner, due=item.due)]

    change(store, item.id, actor, lang, mutate, acknowledges=False)
