"""The record merge driver: what `crmctl git merge-file BASE OURS THEIRS [PATH]` does when git calls it.

git hands over three temporary files (`%O %A %B`) and the record's path (`%P`), and takes the result from OURS:
exit 0 when it merged cleanly, non-zero when conflicts are left in it. Three records merge field by field
(merge.py); the result is written canonically, each conflicting field between git's markers (conflicts.py).
When a side is not a readable record (a broken file, a configuration file routed here by mistake) git's own
text merge decides, as if there were no driver.

The merged record is validated with the store's rules when a store holds PATH (or the working directory): a rule
that neither side broke but their combination does is reported like a conflict on the field the rule names.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

from crmctl.config.model import load_config
from crmctl.engine.records import ordered
from crmctl.engine.rules import Engine
from crmctl.kernel import ids, yamlio
from crmctl.kernel.errors import CrmError, YamlError
from crmctl.kernel.resources import defaults_dir
from crmctl.store.store import Store, discover
from crmctl.team.conflicts import render
from crmctl.team.merge import MISSING, merge_records
from crmctl.team.repo import git


@dataclass
class DriverResult:
    """What the driver did: `status` is its exit code; `conflicts` [(path tuple, ours, theirs)] and `broken`
    [(path tuple, message)] the rules the combination breaks (also among the conflicts)."""

    status: int
    record_id: str = None
    conflicts: list = field(default_factory=list)
    broken: list = field(default_factory=list)
    text_merge: bool = False


def merge_file(base, ours, theirs, path=None, lang="en"):
    """Merge the files `theirs` and `base` into `ours` (paths); returns a DriverResult."""
    sides = [_record(Path(name)) for name in (base, ours, theirs)]
    if any(side is _UNREADABLE for side in sides) or sides[1] is None or sides[2] is None or \
            sides[1]["id"] != sides[2]["id"] or (sides[0] is not None and sides[0]["id"] != sides[1]["id"]):
        return _text_merge(base, ours, theirs)
    base_record, ours_record, theirs_record = sides
    store = _store_of(path)
    rtype = _record_type(store, ours_record["id"])
    logs = [key for key, spec in rtype.fields.items() if spec.get("append_only")] if rtype else []
    result = merge_records(base_record, ours_record, theirs_record, logs=logs)
    record = ordered(rtype, result.record) if rtype else result.record
    conflicts = list(result.conflicts)
    broken = []
    if store is not None and rtype is not None:
        broken = _broken_by_combination(store, rtype, lang, record, ours_record, theirs_record)
        taken = {path for path, _, _ in conflicts}
        for where in dict.fromkeys(where for where, _ in broken):
            sides = (_at(ours_record, where), _at(theirs_record, where))
            if where not in taken and sides != (MISSING, MISSING):  # a field neither side has cannot be marked
                conflicts.append((where, *sides))
    text = render(record, conflicts, lambda marked: ordered(rtype, marked) if rtype else marked) if conflicts else yamlio.dump(record)
    Path(ours).write_bytes(text.encode("utf-8"))
    return DriverResult(1 if conflicts or broken else 0, record["id"], conflicts, broken)


_UNREADABLE = object()


def _record(path):
    """The record in a file; None for an empty file (the base of a record both sides added); _UNREADABLE when
    it is not one."""
    try:
        raw = path.read_bytes()
    except OSError:
        return _UNREADABLE
    if not raw.strip():
        return None
    try:
        data = yamlio.parse(raw, str(path))
    except YamlError:
        return _UNREADABLE
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return _UNREADABLE
    return data


def _text_merge(base, ours, theirs):
    """git's own line merge, with the same labels as ours; its exit code (the number of conflicts)."""
    done = git(os.getcwd(), "merge-file", "-L", "ours", "-L", "base", "-L", "theirs",
               str(ours), str(base), str(theirs), check=False)
    if not 0 <= done.returncode <= 127:  # git's count of conflicts is capped at 127; above is its own failure
        raise CrmError(code="git.failed", command="git merge-file", output=done.stderr.strip())
    return DriverResult(done.returncode, text_merge=True)


def _store_of(path):
    """The store holding `path` (or the working directory), or None: a merge outside a store still merges."""
    try:
        where = Path(path).resolve().parent if path else Path.cwd()
        store = Store(discover(cwd=where))
        store.config  # a store whose configuration cannot be read cannot judge the merge either
        return store
    except (CrmError, OSError):
        return None


def _record_type(store, record_id):
    """The record's type, from the store or else from the default configuration (for the logs and key order)."""
    try:
        config = store.config if store is not None else load_config(defaults_dir())
        return config.type_by_prefix(ids.prefix_of(record_id))
    except (CrmError, OSError, ValueError):
        return None


def _errors(engine, rtype, record):
    try:
        return {(p.key, p.code): p for p in engine.validate(rtype, record) if p.level == "error"}
    except CrmError:
        return {}


def _broken_by_combination(store, rtype, lang, merged, ours, theirs):
    """[(path, message)]: rule errors of the merged record that neither side has on its own."""
    engine = Engine(store, lang)
    before = set(_errors(engine, rtype, ours)) | set(_errors(engine, rtype, theirs))
    return [(tuple(problem.key.split(".")), problem.text) for found, problem in _errors(engine, rtype, merged).items()
            if found not in before]


def _at(record, path):
    """The value at a (nested) key of a record, or MISSING."""
    for part in path:
        if not isinstance(record, dict) or part not in record:
            return MISSING
        record = record[part]
    return record
