"""The one output helper: rows and data as table, json, yaml, csv or md."""

import csv
import io
import json
import re
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


# Characters that drive a terminal instead of being read: C0 controls but newline and tab, DEL, C1 controls
# (U+009B is a one-character CSI) and the bidirectional marks, embeddings, overrides and isolates that reorder
# what is shown (U+202E makes "exe.txt" read "txt.exe").
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# A cell beginning with one of these is run as a formula by spreadsheets; a plain number is safe as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")

# Markdown and HTML punctuation that would change a table (|) or be rendered instead of shown.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def escape_unsafe(text):
    """`text` with every terminal-driving character written as its escape (`\\x1b`, `\\u202e`)."""
    return UNSAFE.sub(_escape_one, text)


def _escape_one(match):
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise_formula(text):
    """A CSV cell that a spreadsheet would run, with a leading `'` (import removes it again). A value that
    already begins with quotes before a formula start gets one more, so `restore_formula` gives every value back."""
    return "'" + text if _runs_as_formula(text.lstrip("'")) else text


def restore_formula(text):
    """The value of a CSV cell that crmctl neutralised: the `'` before a formula start removed."""
    if text.startswith("'") and _runs_as_formula(text.lstrip("'")):
        return text[1:]
    return text


def _runs_as_formula(text):
    return text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text)


def markdown_text(text):
    """A value shown as text in a Markdown table: its punctuation escaped, HTML as entities."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", "<br>")


def csv_cell(value):
    """A value as a CSV cell: text neutralised when a spreadsheet would run it (numbers stay numbers)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_formula(value)
    return _cell(value)


def render_rows(rows, columns, headers, fmt):
    """A list of flat rows: tables for people (labelled headers), csv keyed by column."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([csv_cell(_safe(row.get(c))) for c in columns])
        return buffer.getvalue()
    if fmt in ("json", "yaml"):
        return render_data([{c: row.get(c) for c in columns} for row in rows], fmt)
    table = [[value if type(value) is str else _cell(value) for value in map(row.get, columns)] for row in rows]
    # one search over every cell (newline, the separator, is not unsafe): escaping cell by cell cost a tenth of a
    # long list's time, for tables that almost never hold a control character
    if UNSAFE.search("\n".join(map("\n".join, table))):
        table = [[escape_unsafe(cell) for cell in line] for line in table]
    if fmt == "md":
        table = [[markdown_text(cell) for cell in line] for line in table]
    shown = markdown_text if fmt == "md" else (lambda text: text)
    headers = [shown(escape_unsafe(str(h))) for h in headers]
    style = "github" if fmt == "md" else "simple"
    if not table and fmt == "table":
        return ""
    if style == "simple" and not _NOT_PLAIN.search("".join(headers + [cell for line in table for cell in line])):
        return simple_table(table, headers)
    from tabulate import tabulate  # here, not at the top: commands that print no table start faster

    return tabulate(table, headers=headers, tablefmt=style, disable_numparse=True) + "\n"


# Text whose width is its length and that is one line: there `simple_table` is tabulate's "simple" table.
_NOT_PLAIN = re.compile("[^\x20-\x7e\xa0-\u02ff]")


def simple_table(table, headers):
    """tabulate's "simple" style for strings without numbers parsed, without importing tabulate (its import
    reads every installed package's metadata: a tenth of a warm list's time)."""
    table = [[cell.strip() for cell in line] for line in table]
    widths = [max([len(h) + 2, *map(len, cells)]) for h, cells in zip(headers, zip(*table) if table else
                                                                     [()] * len(headers))]
    line_of = "  ".join(f"{{:<{w}}}" for w in widths).format  # a cell padded as str.ljust pads it
    lines = [line_of(*headers), "  ".join("-" * w for w in widths)]
    lines += [line_of(*line) for line in table]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _safe(value):
    return escape_unsafe(value) if isinstance(value, str) else value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
