"""What became of each import row: created, updated, unchanged or rejected, and the summary counting them."""

from dataclasses import dataclass

from crmctl.kernel.i18n import t

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
KINDS = (CREATED, UPDATED, UNCHANGED, REJECTED)


@dataclass
class Outcome:
    kind: str
    line: int
    record_id: str = None
    reason: str = None  # why a row was rejected, in the import's language
    data: dict = None  # the row as given (rejects keep it)
    raw: str = None  # a line that was not a JSON object, kept whole


class Tally:
    """Counts of each outcome, worded for the summary line on stderr."""

    def __init__(self):
        self.counts = dict.fromkeys(KINDS, 0)

    def add(self, outcome):
        self.counts[outcome.kind] += 1

    @property
    def rejected(self):
        return self.counts[REJECTED]

    @property
    def rows(self):
        return sum(self.counts.values())

    def summary(self, lang, dry_run=False):
        key = "import.summary_dry_run" if dry_run else "import.summary"
        return t(key, lang, **self.counts)
