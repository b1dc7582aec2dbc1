"""What time it is: the real clock, or the one frozen by CRMCTL_NOW."""

import os
import re
from contextlib import contextmanager
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from crmctl.kernel.errors import UsageError

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Clock:
    """Now and today in the store's timezone; CRMCTL_NOW freezes both."""

    def __init__(self, timezone="Europe/Helsinki", frozen=None):
        self.zone = ZoneInfo(timezone)
        self.frozen = frozen if frozen is not None else os.environ.get("CRMCTL_NOW", "")

    def now(self):
        if self.frozen:
            if getattr(self, "_frozen_moment", None) is None:
                self._frozen_moment = parse_moment(self.frozen, self.zone)
            return self._frozen_moment
        return datetime.now(self.zone).replace(microsecond=0)

    def today(self):
        return self.now().date()


def parse_moment(text, zone):
    """Parse `2011-01-25` (midnight in zone) or an ISO timestamp (naive = zone)."""
    text = text.strip()
    try:
        if _DATE.match(text):
            return datetime.combine(date.fromisoformat(text), time(9, 0), zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(code="clock.bad_now", text=text) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    # A moment given with another offset (22:30Z) is that instant in the store's zone (00:30 the next day in
    # Helsinki), so dates stamped from it are the store's dates.
    return moment.astimezone(zone).replace(microsecond=0)


def stamp(moment):
    """ISO 8601 with offset, seconds precision: the stored form of timestamps."""
    return moment.isoformat(timespec="seconds")


@contextmanager
def frozen_time(moment):
    """Run with CRMCTL_NOW set, so records made meanwhile carry that moment (the demo, the manual's examples)."""
    old = os.environ.get("CRMCTL_NOW")
    os.environ["CRMCTL_NOW"] = moment
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("CRMCTL_NOW", None)
        else:
            os.environ["CRMCTL_NOW"] = old
