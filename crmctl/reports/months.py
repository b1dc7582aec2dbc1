"""Calendar months for reports: parsing `YYYY-MM`, ranges, first and last days."""

import re
from datetime import date, timedelta

from crmctl.kernel.errors import UsageError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text, option="--from"):
    """`2011-01` as the first day of that month; a usage error naming the option otherwise."""
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(code="months.bad_month", option=option, text=text)
    return date(int(match.group(1)), int(match.group(2)), 1)


def first_day(day):
    return day.replace(day=1)


def last_day(month):
    return next_month(month) - timedelta(days=1)


def next_month(month):
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month):
    return (first_day(month) - timedelta(days=1)).replace(day=1)


def label(month):
    return f"{month:%Y-%m}"


def month_range(start_text, end_text, today, default_months=3):
    """The months from..to (inclusive); by default the last `default_months` months up to today."""
    end = parse_month(end_text, "--to") if end_text else first_day(today)
    if start_text:
        start = parse_month(start_text, "--from")
    else:
        start = end
        for _ in range(default_months - 1):
            start = previous_month(start)
    if start > end:
        raise UsageError(code="months.reversed", start=label(start), end=label(end))
    months = []
    month = start
    while month <= end:
        months.append(month)
        month = next_month(month)
    if len(months) > 1200:
        raise UsageError(code="months.too_long")
    return months


def as_date(value):
    """A stored date (or ISO text, or a timestamp) as a date; None when it is not one."""
    if value is None:
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def month_number(day):
    """A date's month as one integer (2011-01 -> 24133), so month comparisons are integer comparisons."""
    return day.year * 12 + day.month - 1 if day is not None else None
