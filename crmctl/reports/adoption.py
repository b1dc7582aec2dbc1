"""Adoption: how many planned users used crmctl each month, against the success criterion (≥ 80 %)."""

from crmctl.engine.listing import ACTOR_EVENTS
from crmctl.present.words import Words
from crmctl.reports import Definition, Metric, Report, month_rows
from crmctl.reports.common import created_on, first_month, share
from crmctl.reports.months import as_date, label

TITLE = Words("report.adoption")
CRITERION = 0.8
METRICS = [
    Metric("planned_users", Words("report.adoption.planned_users"), Words("report.adoption.planned_users.about")),
    Metric("active_planned_users", Words("report.adoption.active_planned_users"),
           Words("report.adoption.active_planned_users.about")),
    Metric("share", Words("report.adoption.share"), Words("report.adoption.share.about"), kind="share", chart=False),
    Metric("criterion_met", Words("report.adoption.criterion_met"), Words("report.adoption.criterion_met.about"),
           kind="flag", change=False, chart=False),
]


def actors_of(record):
    """{(month label, handle)} of the history events of a record: who wrote in it in which month. A `by` that is
    not a text (a hand-written list or mapping) is no one's handle, so it counts for no one."""
    found = set()
    for entry in record.get("history") or []:
        if isinstance(entry, dict) and isinstance(entry.get("by"), str):
            day = as_date(entry.get("at"))
            if day is not None:
                found.add((label(day), entry["by"]))
    return found


def actors_by_month(context):
    """({"2011-01": {handles}} of everyone who wrote a history event, the first day of the month of the first
    record created) over every record of every type, in one pass."""
    result, created = {}, []

    def note(record):
        for month, handle in actors_of(record):
            result.setdefault(month, set()).add(handle)
        created.append(created_on(record))

    for type_key in context.store.config.types:
        # the projections keep one event per person and month, and the first (`created_at`)
        context.read(type_key, (ACTOR_EVENTS, "created_at"), note)
    return result, first_month(created)


def build(context, months):
    users = context.store.config.users
    planned = sorted(handle for handle, data in users.items() if data.get("planned"))
    actors, tracked_from = actors_by_month(context)

    def compute(month):
        active = [handle for handle in planned if handle in actors.get(label(month), set())]
        ratio = share(len(active), len(planned))
        return {"planned_users": len(planned), "active_planned_users": len(active), "share": ratio,
                "criterion_met": ratio is not None and ratio >= CRITERION,
                "inactive_planned_users": [h for h in planned if h not in active]}

    rows = month_rows(months, compute, METRICS)
    notes = []
    for row in rows:
        if row["inactive_planned_users"]:
            names = ", ".join(users[h].get("name") or h for h in row["inactive_planned_users"])
            notes.append(Words("report.adoption.not_active", month=row["month"], names=names))
    return Report("adoption", TITLE, METRICS, rows, notes=notes, tracked_from=tracked_from)


DEFINITION = Definition("adoption", TITLE, build)  # registered by crmctl.builtins
