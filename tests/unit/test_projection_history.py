"""The column index's projection keeps of a history what reports and derived keys read, with the same answers.

Random histories (timestamps, dates, texts and nonsense as `at`; status events back and forth; the same person
several times a month; hand-written lists and mappings as `to` and `by`; entries that are not mappings) are read
whole and through listing.projection: the day a status was last reached, who wrote in which month, the day
created and the last change must be the same.
"""

import random
from datetime import date, datetime, timedelta, timezone

from crmctl.engine.listing import projection
from crmctl.reports.adoption import actors_of
from crmctl.reports.common import created_on, status_reached_on

STATUSES = ["new", "in_progress", "done", "resolved", "cancelled", None]
PEOPLE = ["sanna.salo", "mette.murto", "taija.halme", None]


def random_at(rng):
    moment = datetime(2011, 1, 1, 8, tzinfo=timezone(timedelta(hours=2))) + timedelta(hours=rng.randrange(24 * 120))
    return rng.choice([moment, moment, moment, moment.date(), moment.isoformat(), " " + moment.isoformat(), None,
                       "not a date", 20110105])


def random_event(rng):
    if rng.random() < 0.05:
        return rng.choice(["a line of text", None, ["a", "list"]])
    event = {"at": random_at(rng), "by": rng.choice(PEOPLE), "event": rng.choice(["status", "status", "comment"])}
    if event["event"] == "status":
        event["to"] = rng.choice(STATUSES) if rng.random() > 0.05 else ["done"]
    if rng.random() < 0.03:
        event["by"] = {"name": "hand written"}
    return event


def test_what_reports_read_of_a_history_is_the_same_through_the_projection():
    rng = random.Random(14)
    for _ in range(3000):
        history = [random_event(rng) for _ in range(rng.choice([1, 2, 3, 5, 8, 20]))]
        record = {"id": "SR-20110103-AAAAA", "status_reason": "done", "history": history}
        slim = projection(record, frozenset())
        assert len(slim["history"]) <= len(history)
        for status in STATUSES:
            assert status_reached_on(slim, status) == status_reached_on(record, status), history
        assert actors_of(slim) == actors_of(record), history
        assert created_on(slim) == created_on(record)
        for key in ("at", "by"):
            assert _get(slim["history"][0], key) == _get(history[0], key)
        assert _get(slim["history"][-1], "at") == _get(history[-1], "at")


def _get(entry, key):
    return entry.get(key) if isinstance(entry, dict) else entry


def test_a_long_history_keeps_a_few_events():
    at = datetime(2011, 1, 3, 9, tzinfo=timezone.utc)
    history = [{"at": at, "by": "sanna.salo", "event": "created"}]
    for n in range(200):  # back and forth between two statuses over two months, by two people
        history.append({"at": at + timedelta(hours=6 * n), "by": PEOPLE[n % 2], "event": "status",
                        "from": "a", "to": "in_progress" if n % 2 else "on_hold", "changes": {"x": [n, n + 1]}})
    kept = projection({"id": "SR-20110103-AAAAA", "history": history}, frozenset())["history"]
    assert len(kept) <= 6
    assert all("changes" not in event and "from" not in event for event in kept)
    assert date(2011, 1, 3) == created_on({"history": kept})
