"""`due` through the memos (the matched SLA target per field values, the working-day sum per start and days)
equals `due` computed afresh, across weekends, holidays and every SLA target."""

from datetime import date, timedelta

from crmctl.engine.query import Evaluator
from crmctl.kernel.workdays import Calendar
from crmctl.workflows import sla


def _requests():
    subjects = ["feedback", "meter_reading", "gas_contract", None]
    severities = [1, 2, 3, 4, None, "2", True]
    start = date(2010, 12, 15)  # over Christmas, New Year, Epiphany, Easter, May Day, Midsummer
    for number in range(220):
        received = start + timedelta(days=number * 1.7 // 1)
        yield {"id": f"SR-{number}", "subject": subjects[number % 4], "severity": severities[number % 7],
               "received": received, "history": [{"at": received, "by": "mette.murto", "event": "created"}]}


def _fresh_due(store, rtype, record):
    """Without any memo: a new evaluator and calendar, the day-by-day walk."""
    evaluator = Evaluator(store, rtype)
    days = sla._first_match(evaluator, store.config.sla.get(rtype.key) or [], record)
    if days is None:
        return None
    return Calendar()._walk(record["received"], days)


def test_memoised_due_equals_due_computed_afresh(store):
    rtype = store.config.types["service_request"]
    evaluator = Evaluator(store, rtype)
    records = list(_requests())
    for _ in range(2):  # the second pass answers from the memos
        for record in records:
            assert sla.due(evaluator, record) == _fresh_due(store, rtype, record), record
    assert sla._MATCHED[evaluator][2], "the targets' answers were kept"
    assert store.calendar._added, "the working-day sums were kept"


def test_targets_that_read_a_derived_key_are_matched_for_every_record(store):
    rtype = store.config.types["service_request"]
    evaluator = Evaluator(store, rtype)
    targets = [{"when": ["state = active"], "working_days": 1}, {"working_days": 5}]
    store.config.sla[rtype.key] = targets
    active = {"id": "SR-1", "status_reason": "in_progress", "received": date(2011, 4, 21)}
    closed = {"id": "SR-2", "status_reason": "done", "received": date(2011, 4, 21)}
    assert sla._read_keys(evaluator, targets) is None
    assert sla.target_days(evaluator, active) == 1
    assert sla.target_days(evaluator, closed) == 5


def test_values_of_no_plain_type_are_not_memoised(store):
    rtype = store.config.types["service_request"]
    evaluator = Evaluator(store, rtype)
    store.config.sla[rtype.key] = [{"when": ["subject = feedback"], "working_days": 2}, {"working_days": 3}]
    listed = {"id": "SR-1", "subject": ["feedback"], "received": date(2011, 1, 3)}
    assert sla.target_days(evaluator, listed) == 2
    assert sla._MATCHED[evaluator][2] == {}


def test_a_datetime_start_keeps_its_own_zone():
    from datetime import datetime, timezone

    calendar = Calendar()
    helsinki = datetime(2011, 4, 21, 10, 0, tzinfo=timezone(timedelta(hours=3)))
    utc = helsinki.astimezone(timezone.utc)
    assert helsinki == utc
    assert calendar.add_working_days(helsinki, 1).tzinfo == helsinki.tzinfo
    assert calendar.add_working_days(utc, 1).tzinfo == timezone.utc
    assert calendar.add_working_days(utc, 1) == calendar._walk(utc, 1)
    assert calendar._added == {}
