"""Leads per month: created, handled, handled without action, within the 2-working-day target, converted."""

from crmctl.reports import Definition, Metric, Report, month_rows
from crmctl.reports.common import created_on, share, status_reached_on, tracking_start, within
from crmctl.reports.months import as_date, last_day
from crmctl.workflows import record_types

TYPE = record_types.LEAD
TITLE = {"fi": "Liidien seuranta", "en": "Lead tracking"}
HANDLED = ("handled", "handled_no_action")
METRICS = [
    Metric("created", {"fi": "Uudet liidit", "en": "created"},
           {"fi": "Kuun aikana kirjatut liidit.", "en": "Leads logged within the month."}),
    Metric("handled", {"fi": "Hoidetut", "en": "handled"},
           {"fi": "Kuun aikana Hoidettu-tilaan viedyt liidit (myyntiprojekti perustettu).",
            "en": "Leads moved to Handled within the month (a sales project was started)."}),
    Metric("handled_no_action", {"fi": "Hoidettu, ei toimenpiteitä", "en": "handled, no action"},
           {"fi": "Kuun aikana hoidetuiksi ilman toimenpiteitä merkityt liidit.",
            "en": "Leads marked handled without action within the month."}),
    Metric("handled_within_target_share", {"fi": "Hoidettu määräajassa", "en": "handled within target"},
           {"fi": "Osuus kuun aikana hoidetuista liideistä, jotka hoidettiin määräaikaan (2 työpäivää) mennessä.",
            "en": "Share of the leads handled within the month that were handled by their due date "
                  "(2 working days)."},
           kind="share", change=False, chart=False),
    Metric("converted", {"fi": "Myyntiprojektiksi", "en": "converted"},
           {"fi": "Kuun aikana hoidetut liidit, joista perustettiin myyntiprojekti.",
            "en": "Leads handled within the month that became a sales project."}),
]


class Lead:
    def __init__(self, record):
        self.created = created_on(record)
        self.status = record.get("status")
        self.handled = status_reached_on(record, self.status) if self.status in HANDLED else None
        self.due = as_date(record.get("due"))
        self.project = record.get("project")


def build(context, months):
    records = context.records(TYPE)
    leads = [Lead(r) for r in records]

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

    return Report("leads", TITLE, METRICS, month_rows(months, compute, METRICS), tracked_from=tracking_start(records))


DEFINITION = Definition("leads", TITLE, build)  # registered by crmctl.builtins
