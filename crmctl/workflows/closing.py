"""Finished work closes its assignments, whoever finished it.

A change hook (see `records.change`): when a record leaves its active state
(a request resolved, done or cancelled; a lead handled; an account request
processed or rejected; a project completed or lost), the open assignments it
had before the change are closed; when a stage is done or skipped, the open
assignments for that stage are. The actor's own are left to `change`, which
acknowledges them as before. Assignments the same change makes (the seller's,
when an account request is rejected) are new work and stay open.
"""

from crmctl.engine.assignments import close
from crmctl.engine.query import Evaluator

FINISHED_STAGE = ("done", "skipped")


def _state(engine, rtype, record):
    evaluator = engine.evaluators.get(rtype.key)
    if evaluator is None:
        evaluator = engine.evaluators[rtype.key] = Evaluator(engine.store, rtype, actor=engine.actor, engine=engine)
    return evaluator.value(record, "state")


def _stages_finished(before, record):
    was = {s.get("key"): s.get("status") for s in before.get("stages") or [] if isinstance(s, dict)}
    return {s.get("key") for s in record.get("stages") or []
            if isinstance(s, dict) and s.get("status") in FINISHED_STAGE and was.get(s.get("key")) not in FINISHED_STAGE}


def finished_work(before, record, engine, rtype, events):
    """Close the assignments of work this change finished (nothing to add to the history: the status
    or stage event says what was finished)."""
    earlier = (record.get("assignments") or [])[:len(before.get("assignments") or [])]
    others = [item for item in earlier if item.get("user") != engine.actor]
    if not others:
        return []
    store = engine.store
    if _state(engine, rtype, before) in (None, "active") and _state(engine, rtype, record) not in (None, "active"):
        close(others, engine.actor, store.now())
        return []
    stages = _stages_finished(before, record)
    if stages:
        close([item for item in others if item.get("stage") in stages], engine.actor, store.now())
    return []


def register(registry):
    """Finished work closes its assignments (called by crmctl.builtins)."""
    registry.add_change_hook(finished_work)
