"""Due dates in working days from the SLA targets of the configuration (`config/sla.yaml`)."""

import weakref
from datetime import date

from crmctl.kernel.errors import ConfigError

# Values whose equality (with the same type) means every filter operator answers alike: not a float (-0.0 and 0.0
# are equal, their texts not), not a datetime (equal moments in two zones have different texts), no container.
_PLAIN_TYPES = frozenset({str, int, bool, date, type(None)})
_MEMO_BOUND = 10_000  # distinct inputs kept per evaluator before starting again
# evaluator -> (the targets, the stored keys their filters read or None, {inputs: the matched target's days})
_MATCHED = weakref.WeakKeyDictionary()


def target_days(evaluator, record):
    """Working days allowed for a record: the first SLA target of its type that matches.

    Which target matches depends only on the stored values its filters read (the subject, the severity...), which
    thousands of records share: the answer is kept per such values, so a fresh clone's column index matches the
    targets' filters once per combination instead of once per record."""
    targets = evaluator.store.config.sla.get(evaluator.rtype.key) or []
    memo = _MATCHED.get(evaluator)
    if memo is None or memo[0] is not targets:
        memo = _MATCHED[evaluator] = (targets, _read_keys(evaluator, targets), {})
    keys, answers = memo[1], memo[2]
    inputs = None
    if keys is not None:
        values = [evaluator.value(record, key) for key in keys]
        if all(type(value) in _PLAIN_TYPES for value in values):
            inputs = tuple((type(value), value) for value in values)
            if inputs in answers:
                return answers[inputs]
    days = _first_match(evaluator, targets, record)
    if inputs is not None:
        if len(answers) >= _MEMO_BOUND:
            answers.clear()
        answers[inputs] = days
    return days


def _first_match(evaluator, targets, record):
    for target in targets:
        if evaluator.matches(record, evaluator.filters(target.get("when") or [])):
            return target.get("working_days")
    return None


def _read_keys(evaluator, targets):
    """The keys the targets' filters read, when each is a stored field's (its value a function of the record
    alone); None when one is derived or a target is malformed (then every record is matched afresh and any error
    raised as before)."""
    keys = []
    try:
        for target in targets:
            for flt in evaluator.filters(target.get("when") or []):
                if flt.key != "id" and flt.key.split(".")[0] not in evaluator.rtype.fields:
                    return None
                if flt.key not in keys:
                    keys.append(flt.key)
    except Exception:  # noqa: BLE001 - the unmemoised path raises it again, where it always did
        return None
    return keys


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
