"""One import row as what a record is made of: its id, field values, past (history, assignments) and stages.

Rows are what spreadsheets and other systems write: dotted keys for nested
fields (`site.postal_code`), lists as JSON text in a CSV cell, enumerated
values by key or by label in either language (the engine converts those).
The columns a rejects file adds (`_line`, `_reason`, `_raw`) are ignored, so
a fixed rejects file imports as it is. Nothing else is dropped: a key the
type does not know reaches validation and rejects the row.
"""

import json
import re
from dataclasses import dataclass, field as dc_field
from datetime import datetime

from crmctl.config.model import SYSTEM_KEYS
from crmctl.kernel.errors import CrmError
from crmctl.io.rows import MARKS, restore_dates

STAGE_COLUMN = re.compile(r"stages\.([^.]+)\.(completed|started|owner)")


@dataclass
class Parsed:
    """A row taken apart: `values` are field input (dotted keys allowed), `system` the system-level fields."""

    record_id: str = None
    values: dict = dc_field(default_factory=dict)
    system: dict = dc_field(default_factory=dict)
    past: dict = None  # {"history": [...], "assignments": [...]} when the row carries them
    stages: dict = dc_field(default_factory=dict)  # stage key -> {completed, started, owner} (sales projects)


def parse(data, rtype, csv_row=False):
    """A `Parsed` of one row's mapping; raises CrmError for what cannot be a record at all."""
    row = {k: v for k, v in data.items() if k not in MARKS}
    if csv_row:
        row = {k: _from_cell(rtype, k, v) for k, v in row.items()}
    parsed = Parsed()
    record_id = row.pop("id", None)
    if record_id not in (None, ""):
        if not isinstance(record_id, str):
            raise CrmError(code="import.bad_id", value=record_id)
        parsed.record_id = record_id.strip().upper()
    past = {key: row.pop(key) for key in SYSTEM_KEYS if key in row}
    past = {k: v for k, v in past.items() if v not in (None, "", [])}
    if past:
        parsed.past = _checked_past(past)
    stages_given = "stages" in rtype.fields and any(STAGE_COLUMN.fullmatch(k) for k in row)
    for key in list(row):
        match = STAGE_COLUMN.fullmatch(key) if stages_given else None
        if match:
            value = row.pop(key)
            if value not in (None, ""):
                parsed.stages.setdefault(match.group(1), {})[match.group(2)] = value
            continue
        top = rtype.fields.get(key.split(".", 1)[0])
        if top is not None and top.level == "system":
            parsed.system[key] = row.pop(key)
    parsed.values = row
    return parsed


def _from_cell(rtype, key, value):
    """A CSV cell as the value it stands for: JSON text in a list field's cell (as export writes it) is the list."""
    field = rtype.fields.get(key)
    wants_json = (field is not None and field.type == "list") or key in SYSTEM_KEYS
    if wants_json and isinstance(value, str) and value.lstrip().startswith(("[", "{")):
        try:
            return json.loads(value)
        except RecursionError:
            raise CrmError(code="import.too_deep") from None
        except ValueError:
            return value  # left as text: validation says the field needs a list
    return value


def _checked_past(past):
    """History and assignments as stored (timestamps and dates back from text), each event `{at, by, event}`."""
    result = {}
    for key, items in past.items():
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise CrmError(code="import.bad_past", key=key)
        result[key] = restore_dates(items)
    for number, item in enumerate(result.get("history") or []):
        at = item.get("at")
        if not isinstance(at, datetime) or not item.get("by") or not isinstance(item.get("event"), str):
            raise CrmError(code="import.bad_event", index=number)
    return result


def given_for_create(parsed):
    """The field input of a new record: empty cells say nothing."""
    values = {k: v for k, v in parsed.values.items() if v not in (None, "")}
    system = {k: v for k, v in parsed.system.items() if v not in (None, "")}
    return values, system
