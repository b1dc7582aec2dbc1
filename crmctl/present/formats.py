"""The one output helper: rows and data as table, json, yaml, csv or md."""

import csv
import io
import json
from datetime import date, datetime

from crmctl.kernel import yamlio

FORMATS = ("table", "json", "yaml", "csv", "md")


def plain(value):
    """JSON-able copy of stored data (dates and timestamps as ISO text)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def render_data(data, fmt):
    """Structured data (a record, a list of records, a report) as json or yaml."""
    if fmt == "yaml":
        return yamlio.dump(data)
    return json.dumps(plain(data), ensure_ascii=False, indent=2) + "\n"


def render_rows(rows, columns, headers, fmt):
    """A list of flat rows: tables for people (labelled headers), csv keyed by column."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else _cell(row.get(c)) for c in columns])
        return buffer.getvalue()
    if fmt in ("json", "yaml"):
        return render_data([{c: row.get(c) for c in columns} for row in rows], fmt)
    from tabulate import tabulate  # here, not at the top: commands that print no table start faster

    table = [[_cell(row.get(c)) for c in columns] for row in rows]
    style = "github" if fmt == "md" else "simple"
    if not table and fmt == "table":
        return ""
    return tabulate(table, headers=headers, tablefmt=style, disable_numparse=True) + "\n"


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
