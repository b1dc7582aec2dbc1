"""The one output helper: rows and data as table, json, yaml, csv or md."""

import csv
import io
import json
import re
from datetime import date, datetime
from json.encoder import encode_basestring  # ensure_ascii=False's escaping, in C

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


def write_records(records, fmt, write):
    """`render_data(list(records), fmt)` for json or yaml, handed to `write` a record at a time (each piece a
    whole line or more): a list of whole records is never held at once. Each record is dumped as its own
    one-item list, or as JSON indented as inside the whole list."""
    held = None  # the JSON item before the one being made: its comma waits for the next
    for record in records:
        if fmt == "yaml":
            write(yamlio.dump([record]))
            held = True
            continue
        item = "  " + indented_json(record, "\n  ")
        write("[\n" if held is None else held + ",\n")
        held = item
    if held is None:
        write(render_data([], fmt))
    elif fmt != "yaml":
        write(held + "\n]\n")


def indented_json(value, newline):
    """`json.dumps(plain(value), ensure_ascii=False, indent=2)` of a value whose lines begin with `newline`
    (a newline and its level's spaces), built without `plain`'s copy and by C's string escaping: with an indent
    the json module encodes in Python, a third of a long json list's time. The order of the tests is json's."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, (datetime, date)):
        return encode_basestring(value.isoformat())
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    inner = newline + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{" + inner + ("," + inner).join([encode_basestring(str(key)) + ": " + indented_json(item, inner)
                                                 for key, item in value.items()]) + newline + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join([indented_json(item, inner) for item in value]) + newline + "]"
    return json.dumps(value)  # a float as json writes it; anything else refused as json refuses it


# Characters that drive a terminal instead of being read: C0 controls but newline and tab, DEL, C1 controls
# (U+009B is a one-character CSI) and the bidirectional marks, embeddings, overrides and isolates that reorder
# what is shown (U+202E makes "exe.txt" read "txt.exe").
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# A cell beginning with one of these is run as a formula by spreadsheets; a plain number is safe as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")

# Markdown and HTML punctuation that would change a table (|) or be rendered instead of shown.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|])")
# What markdown_text changes: that punctuation, HTML's &, < and >, and newlines.
_MARKDOWN_CHANGES = re.compile(r"[\\`*_\[\]|&<>\n]")


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
    """A list of flat rows (dicts): tables for people (labelled headers), csv keyed by column."""
    if fmt in ("json", "yaml"):
        return render_data([{c: row.get(c) for c in columns} for row in rows], fmt)
    values = [tuple(map(row.get, columns)) for row in rows]
    if fmt != "csv":
        values = [tuple(value if type(value) is str else _cell(value) for value in line) for line in values]
    pieces = []
    write_rows(values, columns, headers, fmt, pieces.append)
    return "".join(pieces)


# Lines handed to `write` at a time: a long list is written as it is formatted, never held as one text.
CHUNK = 2000


def write_rows(rows, columns, headers, fmt, write):
    """`render_rows`' text for table, csv and md, handed to `write` piece by piece. `rows`: a list of tuples in
    `columns`' order, of stored values for csv and of texts otherwise (read twice: a plain table's column widths
    come first)."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for start in range(0, len(rows), CHUNK):
            writer.writerows([csv_cell(_safe(value)) for value in line] for line in rows[start:start + CHUNK])
            write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
        if buffer.tell():  # no rows: the header alone
            write(buffer.getvalue())
        return
    # column by column, each one search over its cells (newline, the separator, is not unsafe): escaping cell
    # by cell cost a tenth of a long list's time, for tables that almost never hold a control character
    by_column = list(zip(*rows)) if rows else [()] * len(columns)
    if any(UNSAFE.search("\n".join(cells)) for cells in by_column):
        rows = [tuple(map(escape_unsafe, line)) for line in rows]
        by_column = list(zip(*rows))
    if fmt == "md" and rows:
        # only the columns with a character markdown_text changes get new texts: the others keep the texts the
        # rows share (a copy of every cell was 50 MiB of a 100,000-row list)
        marked = [tuple(map(markdown_text, cells)) if _MARKDOWN_CHANGES.search("\0".join(cells)) else cells
                  for cells in by_column]
        if any(new is not old for new, old in zip(marked, by_column)):
            by_column = marked
            rows = list(zip(*by_column))
    shown = markdown_text if fmt == "md" else (lambda text: text)
    headers = [shown(escape_unsafe(str(h))) for h in headers]
    if not rows and fmt == "table":
        return
    if not any(_NOT_PLAIN.search(text) for text in [*headers, *map("".join, by_column)]):
        (write_github_table if fmt == "md" else write_simple_table)(rows, by_column, headers, write)
        return
    from tabulate import tabulate  # here, not at the top: commands that print no table start faster

    write(tabulate([list(line) for line in rows], headers=headers, tablefmt="github" if fmt == "md" else "simple",
                   disable_numparse=True) + "\n")


# Text whose width is its length and that is one line: there `simple_table` is tabulate's "simple" table.
_NOT_PLAIN = re.compile("[^\x20-\x7e\xa0-\u02ff]")


def simple_table(table, headers):
    """tabulate's "simple" style for strings without numbers parsed, without importing tabulate (its import
    reads every installed package's metadata: a tenth of a warm list's time)."""
    pieces = []
    write_simple_table(table, list(zip(*table)) if table else [()] * len(headers), headers, pieces.append)
    return "".join(pieces)


def write_simple_table(rows, by_column, headers, write):
    """`simple_table` of `rows` (whose columns are `by_column`), handed to `write` a chunk of lines at a time."""
    _write_padded(rows, by_column, headers, write, "", "  ", "", "", "  ", "", str.rstrip)


def write_github_table(rows, by_column, headers, write):
    """tabulate's "github" table (Markdown) of plain one-line texts, without numbers parsed, written as
    `write_simple_table` writes: tabulate held every row's padded cells at once (250 MiB for 100,000 rows)."""
    _write_padded(rows, by_column, headers, write, "| ", " | ", " |", "|-", "-|-", "-|", None)


def _write_padded(rows, by_column, headers, write, left, between, right, rule_left, rule_between, rule_right,
                  trim):
    """Rows of cells padded to their column's width (the widest cell without the spaces around it, at least
    the header's and two), between the borders given; a rule of dashes under the header."""
    stripped = [list(map(str.strip, cells)) for cells in by_column]
    if any(texts != list(cells) for texts, cells in zip(stripped, by_column)):
        rows = list(zip(*stripped))  # a cell with spaces around it (rare): as tabulate, without them
    widths = [max([len(h) + 2, *map(len, texts)]) for h, texts in zip(headers, stripped)]
    del stripped
    line_of = (left + between.join(f"{{:<{w}}}" for w in widths) + right).format  # padded as str.ljust pads
    rule = rule_left + rule_between.join("-" * w for w in widths) + rule_right
    trim = trim or (lambda line: line)
    write(trim(line_of(*headers)) + "\n" + trim(rule) + "\n")
    for start in range(0, len(rows), CHUNK):
        write("".join([trim(line_of(*line)) + "\n" for line in rows[start:start + CHUNK]]))


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
