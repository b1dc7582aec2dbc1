"""Monthly tracking of sales projects (seuranta), exactly as domain spec §7 defines it.

Computed only from the record fields the interface contract names —
`created`, `closed`, `status` and the `completed` dates of `stages` — so
records written by hand or imported count like any other.
"""

from dataclasses import dataclass

from crmctl.present.words import Words
from crmctl.reports import Definition, Metric, Report, month_rows
from crmctl.reports.common import created_on, first_month
from crmctl.reports.common import tracking_start  # noqa: F401  (tables show no change before it; tests import it here)
from crmctl.reports.months import as_date, month_number
from crmctl.workflows import record_types

PROJECT_TYPE = record_types.SALES_PROJECT


@dataclass(frozen=True)
class Project:
    """The facts of one sales project the metrics read, by month number.

    A date ≤ the end of month M is a month number ≤ M, a date ≥ its start
    is a month number ≥ M, so the definitions below read as §7 states them.
    """

    created: object         # month number, or None when the record has no creation date
    closed: object          # month number, or None while open
    status: str
    completions: frozenset  # month numbers in which a stage was completed

    @classmethod
    def of(cls, record):
        status = record.get("status") or "open"
        closed = month_number(as_date(record.get("closed"))) if status != "open" else None
        completions = frozenset(month_number(d) for d in (as_date((s or {}).get("completed"))
                                                          for s in record.get("stages") or [] if isinstance(s, dict))
                                if d)
        return cls(month_number(as_date(record.get("created"))), closed, status, completions)

    def open_at_end(self, month):
        """Created by the end of the month and not closed by then."""
        return self.created is not None and self.created <= month and (self.closed is None or self.closed > month)

    def active(self, month):
        """Created by the end of the month and not closed before it began."""
        return self.created is not None and self.created <= month and (self.closed is None or self.closed >= month)

    def progressed(self, month):
        return month in self.completions and self.active(month)

    def closed_as(self, status, month):
        return self.closed == month and self.status == status


# The metrics, in the order of the roll-out's tracking table: (metric, counts(project, month number)).
METRICS = [
    (Metric("open", Words("report.monthly.open"), Words("report.monthly.open.about")),
     Project.open_at_end),
    (Metric("new", Words("report.monthly.new"), Words("report.monthly.new.about")),
     lambda p, month: p.created == month),
    (Metric("progressed", Words("report.monthly.progressed"), Words("report.monthly.progressed.about")),
     Project.progressed),
    (Metric("not_progressed", Words("report.monthly.not_progressed"), Words("report.monthly.not_progressed.about")),
     lambda p, month: p.active(month) and not p.progressed(month)),
    (Metric("completed", Words("report.monthly.completed"), Words("report.monthly.completed.about")),
     lambda p, month: p.closed_as("completed", month)),
    (Metric("lost", Words("report.monthly.lost"), Words("report.monthly.lost.about")),
     lambda p, month: p.closed_as("lost", month)),
]
TITLE = Words("report.monthly")


def count_month(projects, month):
    number = month_number(month)
    return {metric.key: sum(1 for p in projects if counts(p, number)) for metric, counts in METRICS}


# Everything Project.of reads of a record, and `created_at` (its first history event, which created_on reads), so
# the column index's projections answer in place of whole records.
READS = ("status", "closed", "created", "stages", "created_at")


def build(context, months):
    read = context.read(PROJECT_TYPE, READS, lambda record: (Project.of(record), created_on(record)))
    projects = [project for project, _ in read]
    metrics = [metric for metric, _ in METRICS]
    rows = month_rows(months, lambda month: count_month(projects, month), metrics)
    return Report("monthly", TITLE, metrics, rows, tracked_from=first_month(created for _, created in read))


DEFINITION = Definition("monthly", TITLE, build)  # registered by crmctl.builtins
