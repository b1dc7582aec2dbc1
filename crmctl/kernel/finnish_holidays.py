"""Finland's public holidays, computed: the calendar of working days when the `holidays` package is missing.

Finnish holidays follow fixed rules since 1991 (Epiphany and Ascension Day back on their own days), so crmctl
does not need a library to count Finnish working days: its answers equal `holidays.country_holidays("FI")` for
every year from 1991 on (tests/unit/test_workdays.py compares them). Other countries, and Finnish years before
1991, need the `holidays` package.
"""

from datetime import date, timedelta

FIRST_YEAR = 1991


def finnish_holidays(year: int) -> set[date]:
    """Every public holiday of `year` in Finland, Midsummer Eve and Christmas Eve included."""
    if year < FIRST_YEAR:
        raise ValueError(f"Finnish holidays before {FIRST_YEAR} follow older rules")
    easter = easter_sunday(year)
    midsummer_day = _first_saturday_from(date(year, 6, 20))
    return {
        date(year, 1, 1), date(year, 1, 6),
        easter - timedelta(days=2), easter, easter + timedelta(days=1),
        date(year, 5, 1), easter + timedelta(days=39), easter + timedelta(days=49),
        midsummer_day - timedelta(days=1), midsummer_day,
        _first_saturday_from(date(year, 10, 31)),
        date(year, 12, 6), date(year, 12, 24), date(year, 12, 25), date(year, 12, 26),
    }


def easter_sunday(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * weekday) // 433
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_saturday_from(day: date) -> date:
    return day + timedelta(days=(5 - day.weekday()) % 7)
