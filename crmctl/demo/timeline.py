"""The demo's clock: events scheduled at moments of the quarter and played in time order.

The helpers every part of the demo shares (the seeded generator, working days,
made-up names, phones, addresses, business ids, region owners) live here too.
"""

import heapq
import random
from datetime import date, datetime, timedelta

from crmctl.demo.facts import FIRST_NAMES, LAST_DAY, LAST_NAMES, MIGRATION_DAY, REGION_PLACES, SEED
from crmctl.engine.directory import region_owner
from crmctl.kernel.clock import frozen_time


class Timeline:
    """The store, the seeded generator and the event queue; `run()` plays every event in time order."""

    def __init__(self, store):
        self.store = store
        self.rng = random.Random(SEED)
        self.calendar = store.calendar
        self.events = []
        self.customers = []          # (id, data) of customers in the billing system
        self.sequence = 0
        self.new_customers = 0

    def at(self, day, minutes, action):
        """Schedule `action()` at `day` + `minutes` after midnight (local time)."""
        self.sequence += 1
        heapq.heappush(self.events, (datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes),
                                     self.sequence, action))

    def working_days(self, month):
        day, days = date(2011, month, 1), []
        while day.month == month and day <= LAST_DAY:
            if day >= MIGRATION_DAY and self.calendar.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def person(self):
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def phone(self):
        prefix = self.rng.choice(["040", "050", "044", "045"])
        return f"{prefix} {self.rng.randint(100, 999)} {self.rng.randint(1000, 9999)}"

    def address(self, region):
        city, postal, streets = REGION_PLACES[region]
        return {"street": f"{self.rng.choice(streets)} {self.rng.randint(1, 60)}",
                "postal_code": f"{postal}{self.rng.randint(100, 999)}", "city": city}

    def business_id(self):
        while True:
            digits = f"{self.rng.randint(1000000, 2999999)}"
            remainder = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2))) % 11
            if remainder != 1:
                return f"{digits}-{0 if remainder == 0 else 11 - remainder}"

    def owner_for(self, region, role):
        return region_owner(self.store.config, region, role)

    def run(self):
        self.schedule()
        while self.events:
            moment, _seq, action = heapq.heappop(self.events)
            with frozen_time(moment.isoformat(timespec="seconds")):
                action()
