"""Facts reports read from any record: when it was created, when its status last moved."""

from statistics import median

from crmctl.kernel.ids import day_of
from crmctl.reports.months import as_date


def created_on(record):
    """The day the record was created: its `created` event, else the date in its id."""
    history = record.get("history")
    if isinstance(history, list) and history and isinstance(history[0], dict):
        day = as_date(history[0].get("at"))
        if day is not None:
            return day
    return day_of(record.get("id") or "")


def tracking_start(records):
    """The first month any of `records` was recorded in crmctl (its `created` event), else None."""
    return first_month(created_on(r) for r in records)


def first_month(days):
    """The first day of the month of the earliest of `days` (None ignored), else None."""
    days = [d for d in days if d is not None]
    return min(days).replace(day=1) if days else None


def status_reached_on(record, status):
    """The day of the last `status` event that moved the record to `status` (None when none did)."""
    for entry in reversed(record.get("history") or []):
        if isinstance(entry, dict) and entry.get("event") == "status" and entry.get("to") == status:
            return as_date(entry.get("at"))
    return None


def within(day, start, end):
    return day is not None and start <= day <= end


def share(part, whole):
    """part / whole rounded to 4 decimals; None when there is nothing to divide."""
    return round(part / whole, 4) if whole else None


def median_or_none(values):
    return median(values) if values else None


def counts(values):
    """{value: how many}, sorted by value."""
    result = {}
    for value in values:
        key = "" if value is None else value
        result[key] = result.get(key, 0) + 1
    return dict(sorted(result.items(), key=lambda item: str(item[0])))
