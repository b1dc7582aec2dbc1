"""Adoption: how many planned users used crmctl each month, against the success criterion (≥ 80 %)."""

from crmctl.reports import Definition, Metric, Report, month_rows
from crmctl.reports.common import share, tracking_start
from crmctl.reports.months import as_date, label

TITLE = {"fi": "Käyttöönoton seuranta", "en": "Adoption"}
CRITERION = 0.8
METRICS = [
    Metric("planned_users", {"fi": "Suunnitellut käyttäjät", "en": "planned users"},
           {"fi": "Käyttäjät, jotka on merkitty järjestelmän suunnitelluiksi käyttäjiksi (planned).",
            "en": "Users marked as planned users of the system (planned)."}),
    Metric("active_planned_users", {"fi": "Käyttäneet", "en": "active planned users"},
           {"fi": "Suunnitellut käyttäjät, jotka loivat tai muuttivat kuun aikana vähintään yhden tietueen.",
            "en": "Planned users who created or changed at least one record within the month."}),
    Metric("share", {"fi": "Osuus", "en": "share"},
           {"fi": "Käyttäneiden osuus suunnitelluista käyttäjistä.",
            "en": "Active planned users as a share of the planned users."}, kind="share", chart=False),
    Metric("criterion_met", {"fi": "Vähintään 80 %", "en": "at least 80 %"},
           {"fi": "Onnistumiskriteeri: vähintään 80 % suunnitelluista käyttäjistä käyttää järjestelmää säännöllisesti.",
            "en": "Success criterion: at least 80 % of the planned users use the system regularly."},
           kind="flag", change=False, chart=False),
]


def actors_by_month(store):
    """{"2011-01": {handles}} of everyone who wrote a history event, over every record (one pass)."""
    result = {}
    for _rtype, record in store.all_records():
        for entry in record.get("history") or []:
            if isinstance(entry, dict):
                day = as_date(entry.get("at"))
                if day is not None:
                    result.setdefault(label(day), set()).add(entry.get("by"))
    return result


def build(context, months):
    users = context.store.config.users
    planned = sorted(handle for handle, data in users.items() if data.get("planned"))
    actors = actors_by_month(context.store)

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
            notes.append((f"{row['month']}: ei käyttänyt: {names}", f"{row['month']}: not active: {names}"))
    return Report("adoption", TITLE, METRICS, rows, notes=notes, tracked_from=tracking_start(r for _, r in context.store.all_records()))


DEFINITION = Definition("adoption", TITLE, build)  # registered by crmctl.builtins
