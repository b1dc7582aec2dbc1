"""What `report quality` counts of each record, kept by `check`'s scan beside the file's findings, so a warm
report reads one row per file of `.cache/check.sqlite` instead of reading and validating every record.

A record's summary is (levels, unique slots, filled, compared): the levels ("e", "w") of the problems the rule
engine finds in it, as `engine.validate` reports them (not check's other findings: parse errors, history,
stored forms, canonical form, links); its unique values, to be compared with the other records every run (a
duplicate is an error that another file decides); which of its recommended fields hold a value; and the few
fields the report compares across records (a customer's name and contact details, a request's customer).
"""

from crmctl.engine.rules import is_empty
from crmctl.workflows import record_types

# Probable duplicate customers: the same normalised name and one of MATCH_KEYS, or the same PERSONAL_KEYS.
MATCH_KEYS = ("phone", "email", "business_id")
PERSONAL_KEYS = ("personal_id",)
# type key -> the fields whose values the report compares across records (the rest it only counts).
COMPARED = {record_types.CUSTOMER: ("name", *MATCH_KEYS, *PERSONAL_KEYS), record_types.SERVICE_REQUEST: ("customer",)}


def summarise(rtype, record, problems, unique_slots=()):
    """The summary of one record from the problems the rule engine found in it; `unique_slots` are
    (type key, field key, value) of its unique values, whose duplicates are not among `problems`."""
    levels = {problem.level for problem in problems}
    filled = tuple(key for key, field in rtype.fields.items()
                   if field.level == "recommended" and not is_empty(record.get(key)))
    compared = tuple(record.get(key) for key in COMPARED.get(rtype.key, ()))
    levels_text = ("e" if "error" in levels else "") + ("w" if "warning" in levels else "")
    return levels_text, tuple(unique_slots), filled, compared
