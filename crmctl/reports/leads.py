"""Leads per month: created, handled, handled without action, within the 2-working-day target, converted."""

from crmctl.engine.listing import STATUS_EVENTS
from crmctl.present.words import Words
from crmctl.reports import Definition, Metric, Report, month_rows
from crmctl.reports.common import created_on, first_month, share, status_reached_on, within
from crmctl.reports.months import as_date, last_day
from crmctl.workflows import record_types

TYPE = record_types.LEAD
TITLE = Words("report.leads")
HANDLED = ("handled", "handled_no_action")
METRICS = [
    Metric("created", Words("report.leads.created"), Words("report.leads.created.about")),
    Metric("handled", Words("report.leads.handled"), Words("report.leads.handled.about")),
    Metric("handled_no_action", Words("report.leads.handled_no_action"),
           Words("report.leads.handled_no_action.about")),
    Metric("handled_within_target_share", Words("report.leads.handled_within_target_share"),
           Words("report.leads.handled_within_target_share.about"),
           kind="share", change=False, chart=False),
    Metric("converted", Words("report.leads.converted"), Words("report.leads.converted.about")),
]


# Everything a Lead reads of a record (`created_at`: its first history event, which created_on reads), so the
# column index's projections answer in place of whole records.
READS = ("created_at", "status", STATUS_EVENTS, "due", "project")


class Lead:
    """What the report reads of one lead (a few values: a record is not kept)."""

    __slots__ = ("created", "status", "handled", "due", "project")

    def __init__(self, record):
        self.created = created_on(record)
        self.status = record.get("status")
        self.handled = status_reached_on(record, self.status) if self.status in HANDLED else None
        self.due = as_date(record.get("due"))
        self.project = record.get("project")


def build(context, months):
    leads = context.read(TYPE, READS, Lead)

    def compute(month):
        start, end = month, last_day(month)
        handled = [lead for lead in leads if within(lead.handled, start, end)]
        timed = [lead for lead in handled if lead.due is not None]
        return {
            "created": sum(1 for lead in leads if within(lead.created, start, end)),
            "handled": sum(1 for lead in handled if lead.status == "handled"),
            "handled_no_action": sum(1 for lead in handled if lead.status == "handled_no_action"),
            "handled_within_target_share": share(sum(1 for lead in timed if lead.handled <= lead.due), len(timed)),
            "converted": sum(1 for lead in handled if lead.project),
        }

    return Report("leads", TITLE, METRICS, month_rows(months, compute, METRICS),
                  tracked_from=first_month(lead.created for lead in leads))


DEFINITION = Definition("leads", TITLE, build)  # registered by crmctl.builtins
