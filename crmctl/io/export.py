"""Export: whole records as JSON Lines or JSON (id, fields, history, assignments: what import reads back),
or one flat row per record as CSV (dotted keys for nested fields, lists as JSON text, formula cells neutralised)."""

import csv
import io
import json

from crmctl.present.formats import neutralise_formula, plain


def flatten(record, rtype):
    """A record as one flat row: objects as dotted keys, lists as JSON text."""
    row = {"id": record.get("id")}
    for key, field in rtype.fields.items():
        value = record.get(key)
        if field.type == "object":
            for sub in field.fields:
                row[f"{key}.{sub}"] = (value or {}).get(sub)
        elif isinstance(value, list):
            row[key] = json.dumps(plain(value), ensure_ascii=False)
        else:
            row[key] = value
    return row


def export_records(found, rtype, fmt):
    """Text of `found` records in csv, jsonl or json."""
    if fmt == "csv":
        rows = [flatten(r, rtype) for r in found]
        columns = list(flatten({}, rtype))
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _export_cell(v) for k, v in row.items()})
        return buffer.getvalue()
    if fmt == "jsonl":
        return "".join(json.dumps(plain(r), ensure_ascii=False) + "\n" for r in found)
    return json.dumps(plain(list(found)), ensure_ascii=False, indent=2) + "\n"


def _export_cell(value):
    """A value as an exported CSV cell, exact but for a `'` before what a spreadsheet would run."""
    if value is None:
        return ""
    return neutralise_formula(value) if isinstance(value, str) else plain(value)
