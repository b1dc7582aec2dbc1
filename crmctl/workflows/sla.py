"""Due dates in working days from the SLA targets of the configuration (`config/sla.yaml`)."""

from datetime import date

from crmctl.kernel.errors import ConfigError


def target_days(evaluator, record):
    """Working days allowed for a record: the first SLA target of its type that matches."""
    targets = evaluator.store.config.sla.get(evaluator.rtype.key) or []
    for target in targets:
        if evaluator.matches(record, evaluator.filters(target.get("when") or [])):
            return target.get("working_days")
    return None


def start_date(evaluator, record):
    """What the due date counts from: `received` when the type has it, else the creation date."""
    start = record.get("received") if "received" in evaluator.rtype.fields else None
    if isinstance(start, date):
        return start
    return evaluator.value(record, "created_at")


def due(evaluator, record):
    days = target_days(evaluator, record)
    start = start_date(evaluator, record)
    if days is None or start is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        # a fault in the configuration, not in the record: name the file and key (check reports it too)
        raise ConfigError(code="config.sla_days", type=evaluator.rtype.key, value=days)
    return evaluator.calendar.add_working_days(start, days)


def overdue(evaluator, record):
    """Active and past its due date: overdue from the day after the due date.

    None (not "no") for records without a due date: for them the question does not apply.
    """
    when = evaluator.value(record, "due")
    if not isinstance(when, date):
        return None
    state = evaluator.value(record, "state")
    if state not in (None, "active"):
        return False
    return evaluator.today > when


def register(registry):
    """The SLA's derived keys `due` and `overdue` (called by crmctl.builtins)."""
    registry.add_derived("due", due)
    registry.add_derived("overdue", overdue)
