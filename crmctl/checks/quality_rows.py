"""The records as `report quality` counts them, read from check's scan: one small row per record file (its
summary in checks/quality_facts.py), a unique value's duplicates decided from every file's facts, as `check`
decides them."""

from crmctl.checks.cross_checks import Facts
from crmctl.checks.quality_facts import COMPARED
from crmctl.checks.record_scan import RecordScan
from crmctl.kernel import ids
from crmctl.kernel.errors import YamlError


class Row:
    """One record as the quality report counts it: id, creation day, whether the rule engine finds an error or a
    warning in it, its filled recommended fields and its compared fields by key."""

    __slots__ = ("id", "day", "error", "warning", "filled", "values")

    def __init__(self, record_id, day, error, warning, filled, values):
        self.id, self.day = record_id, day
        self.error, self.warning, self.filled, self.values = error, warning, filled, values

    def get(self, key, default=None):
        """A compared field's value (or the id), as a record's `get` answers."""
        return self.id if key == "id" else self.values.get(key, default)

    def __getitem__(self, key):
        return self.get(key)


NOTHING_COMPARED = {}  # shared by the rows of types whose fields the report only counts (read, never written)


def row_of(rtype, record_id, day, summary, has_holders):
    """The Row of a summary; `has_holders(type key, key, value, id)` says whether another record holds a unique
    value (the engine's duplicate error)."""
    levels, unique_slots, filled, compared = summary
    error = "e" in levels or any(has_holders(type_key, key, value, record_id)
                                 for type_key, key, value in unique_slots)
    values = dict(zip(COMPARED[rtype.key], compared)) if compared else NOTHING_COMPARED
    return Row(record_id, day, error, "w" in levels, filled, values)


def counted_from_cache(store, lang, kind, count):
    """count({type key: [Row]}) over the records `Store.records` lists (only those whose id carries a day: the
    report counts no others), the rows from check's scan: the findings cache where it holds, each changed file
    examined afresh and kept for the next run. When no file changed since the last run of `kind` (a report and
    its window), its answer is that run's, kept as a snapshot: no file's row is read."""
    scan = RecordScan(store, lang, any_language=True)  # what the report counts is the same in every language
    try:
        kept = scan.snapshot(kind)
        if kept is None:
            rows, unreadable, left_out = _rows_of(store, scan.run())
            kept = (count(rows), unreadable, left_out)
            scan.keep_snapshots({kind: kept})
    finally:
        scan.close()
    answer, unreadable, left_out = kept
    for type_key in store.config.types:
        _note_left_out(store, unreadable.get(type_key, ()), left_out.get(type_key, ()))
    return answer


def _rows_of(store, results):
    """({type key: [Row]}, {type key: unreadable paths}, {type key: [(path left out, path kept)]}) of a scan's
    results."""
    facts = Facts(store, results)

    def has_holders(type_key, key, value, record_id):
        return any(other != record_id for other in facts.holders(type_key, key, value))

    unreadable = {}
    for result in results:
        if not result.readable and result.rel.endswith(".yaml"):
            unreadable.setdefault(result.type_key, []).append(result.rel)
    rows = {}
    for rtype in store.config.types.values():
        listed = rows[rtype.key] = []
        for result in facts.kept(rtype):
            day = ids.day_of(result.rid or "")
            if day is None:
                continue  # a system record or a bad id: never counted (the report counts by the day in the id)
            listed.append(row_of(rtype, result.rid, day, result.quality(), has_holders))
    return rows, unreadable, facts.left_out


def _note_left_out(store, unreadable, left_out):
    """What Store.records notes of the files it leaves out, so the command names them as after a full read:
    each unreadable `.yaml` file with its error (read again for the error's exact words; there are few) and
    each second copy of an id."""
    for rel in unreadable:
        path = store.root / rel
        try:
            store.read_path(path)
        except YamlError as err:
            store.skipped[path] = err
        except OSError:
            pass  # gone since the scan: as if it had never been there
    for rel, kept in left_out:
        store.duplicates[store.root / rel] = store.root / kept
