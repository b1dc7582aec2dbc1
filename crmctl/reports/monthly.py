"""Monthly tracking of sales projects (seuranta), exactly as domain spec §7 defines it.

Computed only from the record fields the interface contract names —
`created`, `closed`, `status` and the `completed` dates of `stages` — so
records written by hand or imported count like any other.
"""

from dataclasses import dataclass

from . import Metric, Report, month_rows, report
from .common import tracking_start as first_recorded
from .months import as_date, last_day

PROJECT_TYPE = "sales_project"


@dataclass(frozen=True)
class Project:
    """The facts of one sales project the metrics read."""

    created: object         # date or None
    closed: object          # date, or None while open
    status: str
    completions: tuple      # stage completion dates

    @classmethod
    def of(cls, record):
        status = record.get("status") or "open"
        closed = as_date(record.get("closed")) if status != "open" else None
        completions = tuple(sorted(d for d in (as_date((s or {}).get("completed"))
                                                for s in record.get("stages") or [] if isinstance(s, dict)) if d))
        return cls(as_date(record.get("created")), closed, status, completions)

    def open_at(self, day):
        return self.created is not None and self.created <= day and (self.closed is None or self.closed > day)

    def active(self, start, end):
        """Created by the end of the month and not closed before it began."""
        return self.created is not None and self.created <= end and (self.closed is None or self.closed >= start)

    def progressed(self, start, end):
        return self.active(start, end) and any(start <= d <= end for d in self.completions)

    def closed_as(self, status, start, end):
        return self.status == status and self.closed is not None and start <= self.closed <= end


# The metrics, in the order of the roll-out's tracking table: (key, labels, description, count(project, start, end)).
METRICS = [
    (Metric("open", {"fi": "Avoimet", "en": "open"},
            {"fi": "Kaikki avoimet myyntiprojektit: perustettu viimeistään kuun lopussa eikä suljettu kuun loppuun mennessä.",
             "en": "All open sales projects: created by the end of the month and not closed by then."}),
     lambda p, start, end: p.open_at(end)),
    (Metric("new", {"fi": "Uudet", "en": "new"},
            {"fi": "Uudet myyntiprojektit: perustettu kuun aikana.",
             "en": "New sales projects: created within the month."}),
     lambda p, start, end: p.created is not None and start <= p.created <= end),
    (Metric("progressed", {"fi": "Edenneet", "en": "progressed"},
            {"fi": "Edenneet: kuun aikana aktiiviset projektit, joilta vähintään yksi vaihe valmistui kuun aikana.",
             "en": "Progressed: projects active during the month with at least one stage completed within it."}),
     Project.progressed),
    (Metric("not_progressed", {"fi": "Ei edenneet", "en": "not progressed"},
            {"fi": "Ei edenneet: kuun aikana aktiiviset projektit, joilta yksikään vaihe ei valmistunut.",
             "en": "Not progressed: projects active during the month with no stage completed within it."}),
     lambda p, start, end: p.active(start, end) and not p.progressed(start, end)),
    (Metric("completed", {"fi": "Valmistuneet", "en": "completed"},
            {"fi": "Valmistuneet: suljettu valmistuneena kuun aikana.",
             "en": "Completed: closed as completed within the month."}),
     lambda p, start, end: p.closed_as("completed", start, end)),
    (Metric("lost", {"fi": "Hävityt", "en": "lost"},
            {"fi": "Hävityt: suljettu hävittynä kuun aikana.",
             "en": "Lost: closed as lost within the month."}),
     lambda p, start, end: p.closed_as("lost", start, end)),
]
TITLE = {"fi": "Myyntiprojektien seuranta", "en": "Sales project tracking"}


def tracking_start(records):
    """The first month a sales project was recorded in crmctl.

    Before it there was no tracking, so the first tracked month has no change
    (as in the roll-out's January table) even when migrated projects give the
    month before it numbers.
    """
    return first_recorded(records)


def count_month(projects, month):
    start, end = month, last_day(month)
    return {metric.key: sum(1 for p in projects if count(p, start, end)) for metric, count in METRICS}


@report("monthly", TITLE)
def build(context, months):
    records = context.records(PROJECT_TYPE)
    projects = [Project.of(r) for r in records]
    metrics = [metric for metric, _ in METRICS]
    rows = month_rows(months, lambda month: count_month(projects, month), metrics, tracking_start(records))
    return Report("monthly", TITLE, metrics, rows)
