"""Working-day calendar for SLA due dates and stall checks."""

from datetime import date, datetime, timedelta

from crmctl.kernel.finnish_holidays import FIRST_YEAR, finnish_holidays

ONE_DAY = timedelta(days=1)


class Calendar:
    """Working days: Monday to Friday except the country's public holidays.

    Holidays come from the `holidays` package (its default, public category).
    For Finland ("FI") that includes the de facto non-working Midsummer Eve
    (the Friday between June 19 and 25) and Christmas Eve (December 24), as
    well as Epiphany, Good Friday, Easter Monday, May Day, Ascension Day,
    Midsummer Day, All Saints' Day, Independence Day, Christmas Day and
    St Stephen's Day. The two eves are added explicitly too, so they stay
    non-working whatever a `holidays` release files them under. Without the
    package, Finland's holidays from 1991 on are computed (`finnish_holidays`,
    the same days); anything else then names the package to install.
    """

    def __init__(self, country: str = "FI"):
        if country != "FI" and country not in _countries():
            raise ValueError(f"unknown holiday calendar: {country}")
        self.country = country
        # Year -> holidays falling on weekdays; reports ask thousands of times per year.
        self._weekday_holidays: dict[int, frozenset[date]] = {}
        # (start, n) -> the answer: a store's records share a few hundred received days and a few SLA targets,
        # and walking day by day was a quarter of computing the column index's `due` for a fresh clone
        self._added: dict[tuple[date, int], date] = {}

    def weekday_holidays(self, year: int) -> frozenset[date]:
        """The holidays of `year` that fall on Monday to Friday."""
        if year not in self._weekday_holidays:
            try:
                import holidays
            except ModuleNotFoundError:
                if self.country != "FI" or year < FIRST_YEAR:
                    raise
                days = finnish_holidays(year)
            else:
                days = set(holidays.country_holidays(self.country, years=year))
                if self.country == "FI":
                    days |= {date(year, 12, 24), _midsummer_eve(year)}
            self._weekday_holidays[year] = frozenset(d for d in days if d.weekday() < 5)
        return self._weekday_holidays[year]

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):  # a moment (a due date counted from a timestamp): its day is what counts
            day = day.date()
        return day.weekday() < 5 and day not in self.weekday_holidays(day.year)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start`; `start` itself when n is 0."""
        if n < 0:
            raise ValueError("n must not be negative")
        if type(start) is not date:  # a datetime keeps its time and zone: equal moments in two zones differ here
            return self._walk(start, n)
        key = (start, n)
        found = self._added.get(key)
        if found is None:
            if len(self._added) > 100_000:  # a bound, not an expected size
                self._added.clear()
            found = self._added[key] = self._walk(start, n)
        return found

    def _walk(self, start, n):
        day = start
        while n:
            day += ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days d have start < d <= end; negative if end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        holidays_in_range = sum(
            1
            for year in range(start.year, end.year + 1)
            for day in self.weekday_holidays(year)
            if start < day <= end
        )
        return _weekdays_through(end) - _weekdays_through(start) - holidays_in_range


def _countries():
    """Every name `holidays.country_holidays` accepts (codes, aliases, class names), from the package's registry:
    asking country_holidays itself imports every country's module (about 0.5 s), which a command that computes no
    date (a warm `check`, whose dated findings are cached) should not pay for."""
    from holidays.registry import COUNTRIES  # here, not at the top: start-up time of commands needing no dates

    return {name for names in COUNTRIES.values() for name in names}


def _weekdays_through(day: date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) up to and including `day`."""
    weeks, extra_days = divmod(day.toordinal(), 7)
    return 5 * weeks + min(extra_days, 5)


def _midsummer_eve(year: int) -> date:
    """The Friday between June 19 and 25."""
    june_19 = date(year, 6, 19)
    return june_19 + timedelta(days=(4 - june_19.weekday()) % 7)
