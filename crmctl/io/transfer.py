"""Import and export of records as CSV, JSON Lines or JSON, validated by the same rules."""

import csv
import io
import json

from crmctl.engine import records
from crmctl.workflows.delegation import created_for_someone_else
from crmctl.config.model import SYSTEM_KEYS
from crmctl.kernel.errors import CrmError, ValidationError
from crmctl.present.formats import neutralise_formula, plain, restore_formula


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


def read_rows(text, kind):
    """(line number, row dict) pairs from csv or jsonl text; a bad line is a row error, not a crash."""
    if kind == "jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                yield number, None, f"not JSON: {err.msg}"
                continue
            if not isinstance(row, dict):
                yield number, None, "not a JSON object"
                continue
            yield number, row, None
        return
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        if None in row:
            yield reader.line_num, None, "more cells than header columns"
            continue
        # Cells that export neutralised against spreadsheets (`'=...`) get their value back.
        yield reader.line_num, {k: restore_formula(v) for k, v in row.items() if v not in (None, "")}, None


def _unflatten_lists(row, rtype):
    """JSON text in a list field's cell (as export writes it) back to a list."""
    for key, field in rtype.fields.items():
        value = row.get(key)
        if field.type == "list" and isinstance(value, str) and value.startswith("["):
            try:
                row[key] = json.loads(value)
            except json.JSONDecodeError:
                pass
    return row


def import_rows(store, rtype, rows, actor, lang="fi", dry_run=False):
    """Validate each row with the record rules; write the valid ones (unless dry_run).

    Returns (created ids, rejects as (line, row, reason)). Fields crmctl
    normally sets itself (stages, closed, ...) may be given: an import is
    how history from an earlier system comes in.
    """
    created, rejects = [], []
    for line, row, problem in rows:
        if problem:
            rejects.append((line, row or {}, problem))
            continue
        row = _unflatten_lists(dict(row), rtype)
        row.pop("id", None)
        for key in SYSTEM_KEYS:
            row.pop(key, None)
        system = {k: row.pop(k) for k in list(row) if k in rtype.fields and rtype.fields[k].level == "system"}
        try:
            # a row naming its owner puts the work in that person's hands: they are told, as by a delegation
            tell = created_for_someone_else if row.get("owner") else None
            record, _ = records.create(store, rtype, row, actor, lang, system_values=system, dry_run=dry_run,
                                       prepare=tell)
        except ValidationError as err:
            rejects.append((line, row, "; ".join(p.text for p in err.problems)))
            continue
        except CrmError as err:
            rejects.append((line, row, str(err)))
            continue
        created.append(record["id"])
    return created, rejects


def write_rejects(path, rejects, kind):
    """The rejected rows with their reason, in the input's format."""
    if kind == "jsonl":
        text = "".join(json.dumps({**plain(row), "_line": line, "_reason": reason}, ensure_ascii=False) + "\n"
                       for line, row, reason in rejects)
    else:
        columns = []
        for _, row, _ in rejects:
            columns += [k for k in row if k not in columns]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns + ["_line", "_reason"], lineterminator="\n")
        writer.writeheader()
        for line, row, reason in rejects:
            writer.writerow({**{k: plain(v) for k, v in row.items()}, "_line": line, "_reason": reason})
        text = buffer.getvalue()
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
