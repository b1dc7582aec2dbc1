"""What `check` decides across files, every run, from the small facts of each file (checks/record_scan.py):
duplicate ids, duplicate unique values and the places the slots of checks/file_check.py leave open. No record is
parsed here."""

from collections import Counter

from crmctl.checks.file_check import root_length
from crmctl.kernel import ids
from crmctl.kernel.i18n import t


class OwnPaths:
    """Where Store.path_of puts a record, relative to the store root, as text: the same answer without building
    a Path per id (thousands of link findings and duplicates ask)."""

    def __init__(self, store):
        self.store = store
        self.cut = root_length(store)
        self.folders = {rtype.prefix: str(store.root / rtype.dir)[self.cut:] for rtype in store.config.types.values()}

    def rel(self, record_id):
        folder = self.folders.get(ids.prefix_of(record_id)) if isinstance(record_id, str) else None
        day = ids.day_of(record_id) if folder is not None and ids.is_valid(record_id) else None
        if day is None:  # a fixed system id, or no id at all: Store.path_of answers (or raises) as it always has
            return str(self.store.path_of(record_id))[self.cut:]
        return f"{folder}/{day:%Y}/{day:%m}/{record_id}.yaml"


NO_FIELDS = {}  # shared by the records with no unique or link field to keep (most of them): read, never written


class KeptRecord:
    """A record as the cross-record checks read it: its id and its unique and link fields, through `get` and
    `[]` as a record's dict answers. An object of two slots, not a dict per record: 100,000 dicts cost 25 MiB."""

    __slots__ = ("id", "fields")

    def __init__(self, result):
        # a readable file's id is its name; the scan's id is the same text, already held (None for a bad id)
        self.id = result.rid if result.rid is not None else result.rel[result.rel.rfind("/") + 1:-len(".yaml")]
        self.fields = result.fields() if result.facts is not None else NO_FIELDS

    def get(self, key, default=None):
        return self.id if key == "id" else self.fields.get(key, default)

    def __getitem__(self, key):
        if key == "id":
            return self.id
        return self.fields[key]


class Facts:
    """The records as the store's lists see them (`Store.records`: readable files, each id once), each as its id
    and the fields the cross-record checks read, built from the scan's results."""

    def __init__(self, store, results):
        self.store = store
        self._by_type = {}
        for result in results:
            if result.readable:
                self._by_type.setdefault(result.type_key, []).append(result)
        self._records = {}
        self._unique = {}
        self.own_paths = OwnPaths(store)
        self._kept = {}
        self.left_out = {}  # type key -> [(path, path of the copy kept)] of second copies of an id

    def records(self, rtype):
        """The type's records in Store.records' order, duplicates of an id left out as Store._once_each does."""
        if rtype.key not in self._records:
            self._records[rtype.key] = [KeptRecord(result) for result in self.kept(rtype)]
        return self._records[rtype.key]

    def kept(self, rtype):
        """The scan's results of the type's records in Store.records' order, each id once (the copy at the id's
        own path wins, as Store._once_each decides); the copies left out are in left_out[type key]."""
        if rtype.key in self._kept:
            return self._kept[rtype.key]
        kept, left_out = {}, []
        self.left_out[rtype.key] = left_out
        for result in self._by_type.get(rtype.key, []):
            record_id = result.rel.rsplit("/", 1)[-1][:-len(".yaml")]  # a readable file's id is its name
            first = kept.get(record_id)
            if first is None:
                kept[record_id] = result
                continue
            dropped = result
            if result.rel == self._own(record_id):
                kept[record_id], dropped = result, first
            left_out.append((dropped.rel, kept[record_id].rel))
        self._kept[rtype.key] = list(kept.values())
        return self._kept[rtype.key]

    def _own(self, record_id):
        try:
            return self.own_paths.rel(record_id)
        except Exception:  # not an id of a known type: no own path
            return None

    def holders(self, type_key, key, value):
        """Ids of the records of a type whose `key` holds `value`, in the order the engine's index lists them."""
        index = self._unique.get((type_key, key))
        if index is None:
            index = self._unique[(type_key, key)] = {}
            for record in self.records(self.store.config.types[type_key]):
                try:
                    index.setdefault(record.get(key), []).append(record["id"])
                except TypeError:
                    pass  # a list or mapping where a value belongs: reported by the field's own rule
        try:
            return index.get(value, [])
        except TypeError:
            return []


def file_findings(store, lang, results, shown_prefix, facts, finding, layout=None):
    """The findings of every chosen file, in order, slots filled; `finding(path, line, level, code, message)`.

    `layout` (a dict), when given, receives where each result's findings start ("starts", one more for the end)
    and the paths of the files whose findings other files may change or that may change others' ("entangled":
    unreadable, with unique or link values, a path or unique slot, a duplicated id)."""
    findings, seen, memo = [], {}, {}
    starts, entangled = [], set()
    if layout is not None:
        layout.update(starts=starts, entangled=entangled)
        counted = Counter(result.rid for result in results)
    for result in results:
        if layout is not None:
            starts.append(len(findings))
            if not result.readable or result.rid is None or result.facts is not None or counted[result.rid] > 1:
                entangled.add(result.rel)
            elif result.items is not None and any(item[0] != "f" for item in result.findings_part(memo)[0]):
                entangled.add(result.rel)
        if not result.chosen:
            continue
        duplicate = None
        if result.rid is not None:
            if result.rid in seen:
                duplicate = finding(shown_prefix + result.rel, result.id_line, "error", "duplicate-id",
                                    t("check.duplicate-id", lang, id=result.rid, path=shown_prefix + seen[result.rid]))
            else:
                seen[result.rid] = result.rel
        if result.items is None and duplicate is None:
            continue  # a clean record: nothing to unpack
        shown = shown_prefix + result.rel
        items, dup_at = result.findings_part(memo)
        for index, item in enumerate(items):
            if index == dup_at and duplicate is not None:
                findings.append(duplicate)
            if item[0] == "f":
                findings.append(finding(shown, item[1], item[2], item[3], item[4]))
                continue
            made = _fill(store, lang, result, shown, item, facts, finding)
            if made is not None:
                findings.append(made)
        if duplicate is not None and dup_at >= len(items):
            findings.append(duplicate)
    starts.append(len(findings))
    return findings


def _fill(store, lang, result, shown, item, facts, finding):
    kind, line = item[0], item[1]
    if kind == "p":
        own = store.display_path(store.path_of(result.rid))
        return finding(shown, line, "error", "path-mismatch", t("check.path-mismatch", lang, id=result.rid, path=own))
    key, label, type_key, value = item[2:]
    holders = [other for other in facts.holders(type_key, key, value) if other != result.rid]
    if not holders:
        return None
    return finding(shown, line, "error", "duplicate", f"{key} ({label}): {t('duplicate', lang, other=holders[0])}")
