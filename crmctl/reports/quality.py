"""Data quality now: recommended-field fill rates, rule violations, probable duplicates, CUST-GENERAL share."""

import os
import re
import unicodedata
from collections import Counter

from crmctl.checks.quality_facts import MATCH_KEYS, PERSONAL_KEYS, summarise
from crmctl.checks.quality_rows import counted_from_cache, row_of
from crmctl.kernel.i18n import t
from crmctl.present.words import Words
from crmctl.reports import Definition, Report
from crmctl.reports.common import share
from crmctl.workflows.account_requests import GENERAL_CUSTOMER
from crmctl.kernel.ids import day_of
from crmctl.engine.rules import is_empty
from crmctl.workflows import record_types

TITLE = Words("report.quality")
# MATCH_KEYS and PERSONAL_KEYS (checks/quality_facts.py, where check keeps their values): a personal id names one
# person whatever the spelling of the name, so equal ids are duplicates on their own. The values are compared,
# never printed (the report names the key only).
# Column -> catalogue key of its heading.
HEAD = {
    "type": "report.quality.type", "field": "column.field", "filled": "report.quality.filled",
    "records": "report.quality.records", "fill_rate": "report.quality.fill_rate",
    "violations": "report.quality.violations", "warnings": "report.quality.warnings", "name": "column.name",
    "ids": "report.quality.ids", "same": "report.quality.same", "requests": "report.quality.requests",
    "general_customer_requests": "report.quality.general_customer_requests",
    "general_customer_share": "report.quality.general_customer_share",
}
# Section -> catalogue key of its title.
SECTIONS = {"fill": "report.quality.fill", "rules": "report.quality.rules", "duplicates": "report.quality.duplicates",
            "general": "report.quality.general"}


def normalised_name(name):
    """Case, accents' composition, punctuation and spacing do not make a different customer."""
    text = unicodedata.normalize("NFC", str(name or "")).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def probable_duplicates(customers):
    """Customers with the same normalised name and the same phone, email or business ID, and customers with the
    same personal id."""
    groups = {}
    known = [record for record in customers if day_of(record.get("id") or "") is not None]
    for record in known:
        groups.setdefault(normalised_name(record.get("name")), []).append(record)
    found = []
    for name, members in sorted(groups.items()):
        if len(members) < 2 or not name:
            continue
        for key in MATCH_KEYS:
            found += _same_value(members, key)
    for key in PERSONAL_KEYS:
        found += _same_value(known, key)
    merged = {}
    for item in found:  # one entry per set of customers, naming every matching key
        entry = merged.setdefault(tuple(item["ids"]), {"name": item["name"], "ids": item["ids"], "same": []})
        entry["same"].append(item["same"])
    return list(merged.values())


def _same_value(members, key):
    """One finding (name, ids, key) per value of `key` that several of `members` share."""
    by_value = {}
    for record in members:
        if not is_empty(record.get(key)):
            by_value.setdefault(str(record[key]).strip().casefold(), []).append(record)
    return [{"name": records[0].get("name"), "ids": sorted(r["id"] for r in records), "same": key}
            for records in by_value.values() if len(records) > 1]


def created_within(records, window):
    """The records created (by the date in their id) within window = (first day, last day), either end open."""
    first, last = window or (None, None)
    return [r for r in records if (day := day_of(r.get("id") or "")) is not None
            and (first is None or day >= first) and (last is None or day <= last)]


def plain_rows(context):
    """{type key: [Row]} of every record with a day in its id, each record read and validated."""
    rows = {}
    for rtype in context.store.config.types.values():
        engine = context.evaluator(rtype.key).engine
        rows[rtype.key] = [row_of(rtype, record["id"], day_of(record["id"]),
                                  summarise(rtype, record, engine.validate(rtype, record)), None)
                           for record in created_within(context.records(rtype.key), None)]
    return rows


def rows_within(rows, window):
    """The rows of the records created within window = (first day, last day), either end open."""
    first, last = window or (None, None)
    if first is None and last is None:
        return rows
    return [row for row in rows if (first is None or row.day >= first) and (last is None or row.day <= last)]


def measure(config, all_rows, window):
    """The report's numbers (its JSON shape) from the rows of every record."""
    types = {}
    for rtype in config.types.values():
        rows = rows_within(all_rows[rtype.key], window)
        recommended = [key for key, field in rtype.fields.items() if field.level == "recommended"]
        counted = Counter(key for row in rows for key in row.filled)
        filled = {key: counted[key] for key in recommended}
        violations = sum(1 for row in rows if row.error)
        warnings = sum(1 for row in rows if row.warning)
        types[rtype.key] = {"records": len(rows), "fill_rates": {k: share(n, len(rows)) for k, n in filled.items()},
                            "filled": filled, "violations": violations, "warnings": warnings}
    requests = rows_within(all_rows.get(record_types.SERVICE_REQUEST, []), window)
    on_general = sum(1 for r in requests if r.get("customer") == GENERAL_CUSTOMER)
    customers = rows_within(all_rows.get(record_types.CUSTOMER, []), window)
    return {"types": types, "duplicates": probable_duplicates(customers),
            "requests": len(requests), "general_customer_requests": on_general,
            "general_customer_share": share(on_general, len(requests))}


def build(context, window):
    """The quality of the records created within `window` (--from/--to; all records when not given).

    The rows come from check's findings cache, which keeps what the report counts of each file, so a warm
    report validates no record (and, when no file changed since the same report, reads no row either);
    CRMCTL_NO_INDEX=1 (or a store of given contents) reads and validates the records themselves, as the
    equivalence tests compare."""
    store = context.store
    config = store.config
    if store.files is None and not store._pending and not os.environ.get("CRMCTL_NO_INDEX"):
        first, last = window or (None, None)
        snapshot = counted_from_cache(store, context.lang, f"quality {first}..{last}",
                                      lambda rows: measure(config, rows, window))
    else:
        snapshot = measure(config, plain_rows(context), window)
    types = snapshot["types"]


    def sections(lang):
        def head(columns):
            return [t(HEAD[c], lang) for c in columns]

        def percent(value):
            return "" if value is None else f"{value * 100:.0f} %"

        fill_rows = []
        for type_key, data in types.items():
            rtype = config.types[type_key]
            for key, rate in data["fill_rates"].items():
                fill_rows.append({"type": rtype.label[lang], "field": f"{key} ({rtype.fields[key].label[lang]})",
                                  "filled": data["filled"][key], "records": data["records"], "fill_rate": percent(rate)})
        rule_rows = [{"type": config.types[k].label[lang], "records": d["records"], "violations": d["violations"],
                      "warnings": d["warnings"]} for k, d in types.items()]
        duplicate_rows = [{"name": d["name"], "ids": ", ".join(d["ids"]), "same": ", ".join(d["same"])}
                          for d in snapshot["duplicates"]]
        general_rows = [{"requests": snapshot["requests"],
                         "general_customer_requests": snapshot["general_customer_requests"],
                         "general_customer_share": percent(snapshot["general_customer_share"])}]
        layout = [("fill", ["type", "field", "filled", "records", "fill_rate"], fill_rows),
                  ("rules", ["type", "records", "violations", "warnings"], rule_rows),
                  ("duplicates", ["name", "ids", "same"], duplicate_rows),
                  ("general", ["requests", "general_customer_requests", "general_customer_share"], general_rows)]
        return [(t(SECTIONS[key], lang), columns, head(columns), rows) for key, columns, rows in layout]

    return Report("quality", TITLE, [], snapshot=snapshot, sections=sections)


DEFINITION = Definition("quality", TITLE, build, monthly=False)  # registered by crmctl.builtins
