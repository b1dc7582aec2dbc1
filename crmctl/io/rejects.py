"""The rejects file: each rejected row as given, plus `_line` and `_reason`, in the input's format.

Written as the rows are rejected (a big import's rejects are not held in
memory), created only when there is a first one. A CSV rejects file has the
input's columns, so once its cells are fixed it imports as it is (import
ignores `_line` and `_reason`); a JSONL line that was not a JSON object is
kept whole under `_raw`.
"""

import csv
import json

from crmctl.present.formats import neutralise_formula, plain
from crmctl.io.rows import MARKS


class Rejects:
    def __init__(self, path, kind, source):
        self.path, self.kind = path, kind
        self.columns = [c for c in source.columns or [] if c not in MARKS]
        self.delimiter, self.bom = source.delimiter, source.bom  # as the input: `;` and a BOM for Finnish Excel
        self.handle = None
        self.writer = None
        self.items = []  # JSON: written as one array at the end

    def add(self, outcome):
        if self.kind == "json":
            self.items.append(self._mapping(outcome))
            return
        if self.handle is None:
            encoding = "utf-8-sig" if self.kind == "csv" and self.bom else "utf-8"
            self.handle = open(self.path, "w", encoding=encoding, newline="")
            if self.kind == "csv":
                self.writer = csv.writer(self.handle, delimiter=self.delimiter, lineterminator="\n")
                self.writer.writerow(self.columns + ["_line", "_reason"])
        if self.kind == "csv":
            data = outcome.data or {}
            cells = [_cell(data.get(c)) for c in self.columns]
            self.writer.writerow(cells + [outcome.line, outcome.reason])
        else:
            self.handle.write(json.dumps(self._mapping(outcome), ensure_ascii=False) + "\n")

    def _mapping(self, outcome):
        if outcome.data is None:
            return {"_line": outcome.line, "_reason": outcome.reason, "_raw": outcome.raw or ""}
        row = {k: v for k, v in plain(outcome.data).items() if k not in MARKS}
        return {**row, "_line": outcome.line, "_reason": outcome.reason}

    def close(self):
        if self.kind == "json" and self.items:
            with open(self.path, "w", encoding="utf-8", newline="") as handle:
                handle.write(json.dumps(self.items, ensure_ascii=False, indent=2) + "\n")
        if self.handle is not None:
            self.handle.close()


def _cell(value):
    """A cell as the row gave it, a formula start neutralised again (the file may be opened in a spreadsheet)."""
    if value is None:
        return ""
    return neutralise_formula(value) if isinstance(value, str) else value
