import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from crmctl.kernel.workdays import Calendar


@pytest.fixture(scope="module")
def fi():
    return Calendar()


def brute_force_between(calendar, start, end):
    """Reference count: walk day by day."""
    sign, low, high = (1, start, end) if start <= end else (-1, end, start)
    days = (low + timedelta(days=i) for i in range(1, (high - low).days + 1))
    return sign * sum(1 for day in days if calendar.is_working_day(day))


def test_add_working_days_examples(fi):
    assert fi.add_working_days(date(2011, 1, 25), 2) == date(2011, 1, 27)
    assert fi.add_working_days(date(2011, 1, 28), 1) == date(2011, 1, 31)  # Fri -> Mon
    # Good Friday Apr 22 and Easter Monday Apr 25, 2011.
    assert fi.add_working_days(date(2011, 4, 21), 1) == date(2011, 4, 26)
    # Dec 24 Sat, 25 Sun, 26 St Stephen's Day (Mon).
    assert fi.add_working_days(date(2011, 12, 23), 1) == date(2011, 12, 27)


def test_add_zero_working_days_returns_start_even_on_a_holiday(fi):
    assert fi.add_working_days(date(2011, 1, 25), 0) == date(2011, 1, 25)
    assert fi.add_working_days(date(2011, 1, 6), 0) == date(2011, 1, 6)
    assert fi.add_working_days(date(2011, 1, 29), 0) == date(2011, 1, 29)


def test_add_working_days_from_weekend_and_holiday(fi):
    assert fi.add_working_days(date(2011, 1, 29), 1) == date(2011, 1, 31)  # Sat -> Mon
    assert fi.add_working_days(date(2011, 1, 5), 1) == date(2011, 1, 7)  # over Epiphany
    assert fi.add_working_days(date(2011, 6, 22), 2) == date(2011, 6, 27)  # over Midsummer Eve
    assert fi.add_working_days(date(2011, 1, 25), 10) == date(2011, 2, 8)


def test_a_due_date_counted_from_a_moment_skips_the_holidays_too(fi):
    """A type without `received` counts its due date from its creation moment: the holidays in between count as
    they do from a date (a datetime never equals a holiday's date, so they were taken for working days)."""
    zone = timezone(timedelta(hours=2))
    start = datetime(2011, 4, 21, 15, 30, tzinfo=zone)  # Maundy Thursday: Good Friday and Easter Monday follow
    assert fi.add_working_days(start, 1) == datetime(2011, 4, 26, 15, 30, tzinfo=zone)
    assert fi.add_working_days(datetime(2011, 1, 5, 9, 0), 1) == datetime(2011, 1, 7, 9, 0)  # over Epiphany
    assert not fi.is_working_day(datetime(2011, 12, 6, 12, 0))  # Independence Day


def test_add_working_days_across_new_year(fi):
    # 2012: Dec 24 Mon, 25 Tue, 26 Wed; Jan 1 2013 Tue.
    assert fi.add_working_days(date(2012, 12, 21), 1) == date(2012, 12, 27)
    assert fi.add_working_days(date(2012, 12, 28), 1) == date(2012, 12, 31)
    assert fi.add_working_days(date(2012, 12, 28), 2) == date(2013, 1, 2)


def test_add_negative_working_days_rejected(fi):
    with pytest.raises(ValueError):
        fi.add_working_days(date(2011, 1, 25), -1)


@pytest.mark.parametrize("day", [
    date(2011, 1, 1),    # New Year's Day (Sat)
    date(2011, 1, 6),    # Epiphany (Thu)
    date(2011, 4, 22),   # Good Friday
    date(2011, 4, 25),   # Easter Monday
    date(2011, 6, 2),    # Ascension Day
    date(2011, 6, 24),   # Midsummer Eve (Fri)
    date(2011, 12, 6),   # Independence Day (Tue)
    date(2011, 12, 26),  # St Stephen's Day (Mon)
    date(2012, 12, 24),  # Christmas Eve (Mon)
    date(2012, 12, 25),
    date(2012, 5, 1),    # May Day (Tue)
    date(2024, 6, 21),   # Midsummer Eve (Fri)
    date(2011, 1, 29),   # Saturday
    date(2011, 1, 30),   # Sunday
])
def test_not_working(fi, day):
    assert fi.is_working_day(day) is False


@pytest.mark.parametrize("day", [
    date(2011, 1, 25),   # Tue
    date(2011, 1, 28),   # Fri
    date(2011, 1, 31),   # Mon
    date(2011, 4, 21),   # Maundy Thursday
    date(2011, 4, 26),
    date(2011, 6, 23),   # Thursday before Midsummer Eve
    date(2011, 12, 23),
    date(2011, 12, 27),
    date(2012, 12, 31),  # New Year's Eve is a working day
    date(2011, 2, 28),   # Kalevala Day: a flag day, not a holiday
    date(2011, 12, 8),   # Sibelius Day: a flag day, not a holiday
])
def test_working(fi, day):
    assert fi.is_working_day(day) is True


@pytest.mark.parametrize("year, eve", [
    (2011, date(2011, 6, 24)), (2015, date(2015, 6, 19)), (2016, date(2016, 6, 24)),
    (2019, date(2019, 6, 21)), (2021, date(2021, 6, 25)), (2022, date(2022, 6, 24)),
])
def test_midsummer_eve_is_the_friday_between_june_19_and_25(fi, year, eve):
    june = [date(year, 6, day) for day in range(19, 26)]
    assert [day for day in june if day.weekday() == 4] == [eve]
    assert fi.is_working_day(eve) is False
    assert fi.is_working_day(eve - timedelta(days=1)) is True


@pytest.mark.parametrize("year", [2013, 2014, 2019, 2025, 2030])
def test_christmas_eve_on_a_weekday_is_not_working(fi, year):
    eve = date(year, 12, 24)
    assert eve.weekday() < 5
    assert fi.is_working_day(eve) is False


def test_working_days_between_examples(fi):
    assert fi.working_days_between(date(2011, 1, 25), date(2011, 1, 27)) == 2
    assert fi.working_days_between(date(2011, 1, 28), date(2011, 1, 31)) == 1
    assert fi.working_days_between(date(2011, 4, 21), date(2011, 4, 26)) == 1
    assert fi.working_days_between(date(2011, 12, 23), date(2011, 12, 27)) == 1
    assert fi.working_days_between(date(2011, 1, 25), date(2011, 1, 25)) == 0
    assert fi.working_days_between(date(2011, 1, 28), date(2011, 1, 30)) == 0
    assert fi.working_days_between(date(2011, 1, 27), date(2011, 1, 25)) == -2
    assert fi.working_days_between(date(2011, 1, 31), date(2011, 1, 28)) == -1


def test_working_days_between_counts_end_not_start(fi):
    # Start on a holiday (not counted), end on a working day (counted).
    assert fi.working_days_between(date(2011, 1, 6), date(2011, 1, 7)) == 1
    # End on a holiday: not counted.
    assert fi.working_days_between(date(2011, 1, 5), date(2011, 1, 6)) == 0


def test_working_days_in_2011(fi):
    # 260 weekdays; weekday holidays: Jan 6, Apr 22, Apr 25, Jun 2, Jun 24, Dec 6, Dec 26.
    assert fi.working_days_between(date(2010, 12, 31), date(2011, 12, 31)) == 253


def test_between_inverts_add(fi):
    start = date(2011, 1, 25)
    for n in range(0, 400, 7):
        assert fi.working_days_between(start, fi.add_working_days(start, n)) == n


def test_between_matches_brute_force(fi):
    days = [date(2010, 12, 20) + timedelta(days=i) for i in range(0, 800, 13)]
    for start in days[::5]:
        for end in days:
            assert fi.working_days_between(start, end) == brute_force_between(fi, start, end)


def test_holiday_lookups_are_cached(monkeypatch):
    import holidays

    calendar = Calendar()
    calls = []
    real = holidays.country_holidays
    monkeypatch.setattr(holidays, "country_holidays", lambda *a, **k: calls.append(k) or real(*a, **k))
    for _ in range(1000):
        assert calendar.add_working_days(date(2011, 12, 20), 10) == date(2012, 1, 4)
    assert len(calls) == 2  # 2011 and 2012, once each


def test_many_records_are_fast(fi):
    started = time.perf_counter()
    for i in range(5000):
        start = date(2011, 1, 1) + timedelta(days=i % 700)
        fi.add_working_days(start, 3)
        fi.working_days_between(start, date(2013, 6, 30))
    assert time.perf_counter() - started < 2


def test_other_country():
    sweden = Calendar("SE")
    assert sweden.is_working_day(date(2011, 6, 6)) is False   # Swedish National Day
    assert sweden.is_working_day(date(2011, 12, 6)) is True   # Finnish Independence Day
    assert Calendar("FI").is_working_day(date(2011, 6, 6)) is True


def test_unknown_country():
    with pytest.raises(ValueError, match="unknown holiday calendar: XX"):
        Calendar("XX")


def test_a_calendar_loads_country_data_only_when_it_computes_a_date():
    """Validating the country reads the registry; the countries' modules (about 0.5 s) wait for a date."""
    probe = ("import sys; from datetime import date; from crmctl.kernel.workdays import Calendar; c = Calendar('FI'); "
             "before = 'holidays.countries' in sys.modules; c.is_working_day(date(2011, 6, 6)); "
             "print(before, 'holidays.countries' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out == "False True\n"


def test_the_computed_finnish_holidays_are_the_packages_from_1991_on():
    """Without the `holidays` package Finland's working days are computed (kernel/finnish_holidays.py): the same
    days as the package's, with the two eves crmctl adds, for every year it is used for."""
    import holidays

    from crmctl.kernel.finnish_holidays import finnish_holidays
    from crmctl.kernel.workdays import _midsummer_eve

    for year in range(1991, 2101):
        expected = set(holidays.country_holidays("FI", years=year)) | {date(year, 12, 24), _midsummer_eve(year)}
        assert finnish_holidays(year) == expected, year


def test_without_the_holidays_package_finland_is_computed_and_anything_else_names_it(monkeypatch, fi):
    import sys

    monkeypatch.setitem(sys.modules, "holidays", None)  # as if not installed: its import fails
    monkeypatch.setitem(sys.modules, "holidays.registry", None)
    computed = Calendar("FI")
    start = date(2011, 1, 1)
    for offset in range(0, 2 * 366, 3):
        day = start + timedelta(days=offset)
        assert computed.add_working_days(day, 5) == fi.add_working_days(day, 5), day
    with pytest.raises(ModuleNotFoundError):
        Calendar("SE")
    with pytest.raises(ModuleNotFoundError):
        computed.is_working_day(date(1990, 6, 22))  # before 1991 Finnish holidays followed other rules
