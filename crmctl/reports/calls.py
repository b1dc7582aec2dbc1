"""Call tracking (puheluseuranta): service requests received, resolved and open per month."""

from bisect import bisect_right
from functools import lru_cache

from crmctl.engine.listing import STATUS_EVENTS
from crmctl.present.words import Words
from crmctl.reports import Definition, Metric, Report, month_rows
from crmctl.reports.common import counts, created_on, first_month, median_or_none, share, status_reached_on
from crmctl.reports.months import as_date, month_number
from crmctl.workflows import record_types

TYPE = record_types.SERVICE_REQUEST
TITLE = Words("report.calls")
METRICS = [
    Metric("received", Words("report.calls.received"), Words("report.calls.received.about")),
    Metric("resolved", Words("report.calls.resolved"), Words("report.calls.resolved.about")),
    Metric("open", Words("report.calls.open"), Words("report.calls.open.about")),
    Metric("median_working_days_to_resolve", Words("report.calls.median_working_days_to_resolve"),
           Words("report.calls.median_working_days_to_resolve.about"),
           kind="number", change=False, chart=False),
    Metric("resolved_within_sla_share", Words("report.calls.resolved_within_sla_share"),
           Words("report.calls.resolved_within_sla_share.about"),
           kind="share", change=False, chart=False),
    Metric("by_subject", Words("report.calls.by_subject"),
           Words("report.calls.by_subject.about"), kind="breakdown", change=False),
    Metric("by_origin", Words("report.calls.by_origin"),
           Words("report.calls.by_origin.about"), kind="breakdown", change=False),
    Metric("by_unit", Words("report.calls.by_unit"),
           Words("report.calls.by_unit.about"), kind="breakdown", change=False),
    Metric("by_owner", Words("report.calls.by_owner"),
           Words("report.calls.by_owner.about"), kind="breakdown", change=False),
]


BREAKDOWNS = ("subject", "origin", "unit", "owner")
# Everything a Call reads of a record (`created_at`: its first history event, which created_on reads), so the
# column index's projections answer in place of whole records.
READS = ("received", "responded", "state", "status_reason", "due", "created_at", STATUS_EVENTS, *BREAKDOWNS)


class Call:
    """What the report reads of one service request (a few values: a record is not kept)."""

    __slots__ = ("received", "resolved", "cancelled", "due", "created", "breakdown")

    def __init__(self, evaluator, record):
        get = record.get
        self.received = as_date(get("received"))
        self.resolved = self.cancelled = self.due = None
        state = evaluator.value(record, "state")
        if state == "resolved":
            self.resolved = as_date(get("responded")) or status_reached_on(record, get("status_reason"))
            if self.resolved is not None:
                self.due = evaluator.value(record, "due")
        elif state == "cancelled":
            self.cancelled = status_reached_on(record, get("status_reason"))
        self.created = created_on(record)
        self.breakdown = tuple(map(get, BREAKDOWNS))


def build(context, months):
    evaluator = context.evaluator(TYPE)
    # many requests share their (received, resolved) days: each pair's working days are counted once
    working_days_between = lru_cache(maxsize=None)(context.store.calendar.working_days_between)
    calls = context.read(TYPE, READS, lambda record: Call(evaluator, record))

    # Calls by the month they were received and resolved, and sorted month numbers for "open at month end":
    # open at the end of M = received by M minus those that also ended (resolved/cancelled) by M.
    received_in, resolved_in = {}, {}
    for call in calls:
        if call.received is not None:
            received_in.setdefault(month_number(call.received), []).append(call)
        if call.resolved is not None:
            resolved_in.setdefault(month_number(call.resolved), []).append(call)
    starts = sorted(month_number(c.received) for c in calls if c.received is not None)
    ends = sorted(max(month_number(c.received), month_number(c.resolved or c.cancelled)) for c in calls
                  if c.received is not None and (c.resolved or c.cancelled))

    def compute(month):
        number = month_number(month)
        received = received_in.get(number, [])
        resolved = resolved_in.get(number, [])
        days = [working_days_between(c.received, c.resolved) for c in resolved if c.received]
        met = [c for c in resolved if c.due is not None and c.resolved <= c.due]
        timed = [c for c in resolved if c.due is not None]
        return {
            "received": len(received), "resolved": len(resolved),
            "open": bisect_right(starts, number) - bisect_right(ends, number),
            "median_working_days_to_resolve": median_or_none(days),
            "resolved_within_sla_share": share(len(met), len(timed)),
            **{f"by_{key}": counts(c.breakdown[n] for c in received) for n, key in enumerate(BREAKDOWNS)},
        }

    rows = month_rows(months, compute, METRICS)
    labels = {f"by_{key}": context.vocabulary_labels(TYPE, key) for key in ("subject", "origin", "unit")}
    labels["by_owner"] = context.user_labels()
    return Report("calls", TITLE, METRICS, rows, key_labels=labels, tracked_from=first_month(c.created for c in calls))


DEFINITION = Definition("calls", TITLE, build)  # registered by crmctl.builtins
