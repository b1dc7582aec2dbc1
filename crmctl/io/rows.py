"""Reading an import file as rows, streamed: CSV (BOM, `,` or `;`), JSON Lines and JSON.

Every row comes out as a `Row`: its line (CSV, JSONL) or position (JSON),
the mapping read, or a problem and the raw text. A damaged row is a problem
of that row, never an exception: hostile files (nesting 100,000 levels deep,
a cell of 100 MB, bytes that are not UTF-8) end as rejected rows or as one
clear error before any row is returned, so nothing is written by then.
"""

import codecs
import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime

from crmctl.kernel.errors import CrmError
from crmctl.kernel.i18n import both
from crmctl.present.formats import restore_formula

KINDS = ("csv", "jsonl", "json")
MAX_LINE = 8 * 1024 * 1024  # bytes in one JSONL line; a record is far smaller
MAX_CELL = 1024 * 1024  # characters in one CSV cell (the csv module's own limit is 128 KiB)
MAX_JSON = 64 * 1024 * 1024  # a JSON array is read whole; bigger files are for JSONL
CHUNK = 1024 * 1024
MARKS = ("_line", "_reason", "_raw")  # what a rejects file adds to a row: import ignores them


@dataclass
class Row:
    line: int
    data: dict = None  # the row as read (None when it could not be read)
    problem: dict = None  # {lang: text} why it could not be read
    raw: str = None  # the text of a line that is not a JSON object


def kind_of(name, head):
    """csv, jsonl or json: by the file's extension, else by its first character."""
    lowered = name.lower()
    for kind in KINDS:
        if lowered.endswith("." + kind):
            return kind
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return {b"{": "jsonl", b"[": "json"}.get(first, "csv")


@dataclass
class Source:
    """The rows of a file, and for CSV how it was written (a rejects file is written the same way)."""

    rows: object
    columns: list = None
    delimiter: str = ","
    bom: bool = False


def read(handle, kind, name):
    """The `Source` of the binary `handle` (seekable): its rows as `Row`s, streamed."""
    if kind == "jsonl":
        return Source(_jsonl(handle))
    if kind == "json":
        return Source(_json(handle, name))
    return _csv(handle, name)


# -- JSON Lines ---------------------------------------------------------------------------


def _jsonl(handle):
    number = 0
    while True:
        line = handle.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while True:  # the rest of the overlong line, skipped in bounded pieces
                rest = handle.readline(CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield Row(number, problem=both("import.line_too_long", max=MAX_LINE), raw="")
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as err:
            yield Row(number, problem=both("import.not_utf8_byte", byte=err.start),
                      raw=line.decode("utf-8", "replace").rstrip("\r\n"))
            continue
        text = text.lstrip("\ufeff") if number == 1 else text
        if not text.strip():
            continue
        yield _json_row(number, text.rstrip("\r\n"))


def _json_row(number, text):
    try:
        data = json.loads(text)
    except RecursionError:
        return Row(number, problem=both("import.too_deep"), raw=text)
    except ValueError as err:  # JSONDecodeError, and integers longer than Python converts
        return Row(number, problem=both("import.not_json", reason=getattr(err, "msg", str(err))), raw=text)
    if not isinstance(data, dict):
        return Row(number, problem=both("import.not_object"), raw=text)
    return Row(number, data)


# -- JSON ----------------------------------------------------------------------------------


def _json(handle, name):
    raw = handle.read(MAX_JSON + 1)
    if len(raw) > MAX_JSON:
        raise CrmError(code="import.json_too_big", path=name, max=MAX_JSON)
    text = _decoded(raw, name)
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except RecursionError:
        raise CrmError(code="import.file_too_deep", path=name) from None
    except ValueError as err:
        line = getattr(err, "lineno", 1)
        raise CrmError(code="import.file_not_json", path=name, line=line,
                       reason=getattr(err, "msg", str(err))) from None
    if not isinstance(data, list):
        raise CrmError(code="import.json_not_list", path=name)
    return _json_items(data)


def _json_items(data):
    for number, item in enumerate(data, 1):
        if isinstance(item, dict):
            yield Row(number, item)
        else:
            yield Row(number, problem=both("import.not_object"), raw=json.dumps(item, ensure_ascii=False))


def _decoded(raw, name):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CrmError(code="import.not_utf8", path=name, line=raw[:err.start].count(b"\n") + 1) from None


# -- CSV -----------------------------------------------------------------------------------


def check_utf8(handle, name):
    """A clear error, before anything is written, when the file is not UTF-8 (streamed; then back to the start)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    while True:
        chunk = handle.read(CHUNK)
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as err:
            raise CrmError(code="import.not_utf8", path=name, line=lines + chunk[:max(err.start, 0)].count(b"\n") + 1) \
                from None
        if not chunk:
            break
        lines += chunk.count(b"\n")
    handle.seek(0)


def delimiter(header):
    """`;` (the Finnish spreadsheet default) or `,`: whichever the header line uses more, outside quotes."""
    bare = re.sub(r'"[^"]*"', "", header)
    return ";" if bare.count(";") > bare.count(",") else ","


def _csv(handle, name):
    check_utf8(handle, name)
    header = handle.readline(MAX_CELL).decode("utf-8", "replace")
    bom = header.startswith("\ufeff")
    header = header.lstrip("\ufeff")
    if not header.strip():
        return Source(iter(()), [])
    handle.seek(0)
    lines = _Lines(io.TextIOWrapper(handle, encoding="utf-8-sig", newline=""))
    csv.field_size_limit(MAX_CELL)
    separator = delimiter(header)
    reader = csv.reader(lines, delimiter=separator)
    columns = next(reader)
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise CrmError(code="import.column_twice", path=name, column=", ".join(twice))
    return Source(_csv_rows(reader, columns, lines), columns, separator, bom)


class _Lines:
    """The lines of a text file, none longer than MAX_CELL: the rest of an overlong line is skipped in bounded
    pieces (memory stays bounded whatever the file) and the row it was in is marked too long."""

    def __init__(self, text):
        self.text = text
        self.overlong = False

    def __iter__(self):
        return self

    def __next__(self):
        line = self.text.readline(MAX_CELL + 1)
        if not line:
            raise StopIteration
        if len(line) > MAX_CELL and not line.endswith(("\n", "\r")):
            self.overlong = True
            while True:
                rest = self.text.readline(CHUNK)
                if not rest or rest.endswith(("\n", "\r")):
                    break
            return "\n"
        return line


def _csv_rows(reader, columns, lines):
    previous = reader.line_num
    while True:
        start = previous + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            previous = reader.line_num
            lines.overlong = False
            yield Row(start, problem=both("import.bad_csv", reason=str(err)))
            continue
        previous = reader.line_num
        if lines.overlong:
            lines.overlong = False
            yield Row(start, problem=both("import.line_too_long", max=MAX_CELL))
            continue
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(columns):
            yield Row(start, dict(zip(columns, cells)), problem=both("import.extra_cells"))
            continue
        # Cells crmctl's export neutralised against spreadsheets (`'=...`) get their value back.
        yield Row(start, {column: restore_formula(cell) for column, cell in zip(columns, cells)})


# -- values that JSON carries as text ----------------------------------------------------------

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")


def restore_dates(value):
    """History and assignments as stored: the ISO dates and timestamps JSON carries as text back to dates."""
    if isinstance(value, dict):
        return {k: restore_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restore_dates(v) for v in value]
    if isinstance(value, str):
        try:
            if _MOMENT.fullmatch(value):
                return datetime.fromisoformat(value.replace("Z", "+00:00"))
            if _DATE.fullmatch(value):
                return date.fromisoformat(value)
        except ValueError:
            return value
    return value
