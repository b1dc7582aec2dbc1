"""`crmctl diff`: the records created, changed and deleted between two revisions, field by field.

A revision is anything git names (HEAD, origin/main, a commit id); None is the working tree. Values are compared
as stored and shown masked (confidential fields) unless revealed. Nested objects are compared key by key under
dotted keys (`site.address`), a project's stages stage by stage (`stages.offer.status`); `history` shows the
events added.
"""

import os
from pathlib import Path

from crmctl.kernel import ids, yamlio
from crmctl.kernel.errors import YamlError
from crmctl.team.repo import GitError, git, require_repository
from crmctl.team.staged import read_blobs

HISTORY = "history"


class Side:
    """One revision of the store's files, or the working tree (`rev` None)."""

    def __init__(self, store, top, inside, rev):
        self.store, self.top, self.inside, self.rev = store, top, inside, rev

    def read(self, relatives):
        """{store-relative path: bytes or None} for the given files at this revision."""
        if self.rev is None:
            found = {}
            for relative in relatives:
                path = self.store.root / relative
                found[relative] = path.read_bytes() if path.is_file() else None
            return found
        names = [f"{self.rev}:{self._from_top(relative)}" for relative in relatives]
        return dict(zip(relatives, read_blobs(self.top, names)))

    def _from_top(self, relative):
        return relative if self.inside == "." else f"{self.inside}/{relative}"


def is_revision(top, given):
    return git(top, "rev-parse", "--verify", "-q", f"{given}^{{commit}}", check=False).returncode == 0


def changed_paths(top, inside, rev, rev2):
    """Store-relative paths of the files that differ between `rev` and `rev2` (None: the working tree, new
    untracked files included)."""
    spec = "." if inside == "." else inside
    if rev2 is None:
        named = git(top, "diff", "--name-only", "--no-renames", "-z", rev, "--", spec).stdout.split("\0")
        named += git(top, "ls-files", "--others", "--exclude-standard", "-z", "--", spec).stdout.split("\0")
    else:
        named = git(top, "diff", "--name-only", "--no-renames", "-z", rev, rev2, "--", spec).stdout.split("\0")
    cut = 0 if inside == "." else len(inside) + 1
    return sorted({name[cut:] for name in named if name})


def sides(store, rev="HEAD", rev2=None):
    """The two sides a diff or log compares, and the record files that differ between them:
    ((old Side, new Side), [(record type, store-relative path)])."""
    root = Path(store.root).resolve()
    top = require_repository(root)
    inside = os.path.relpath(root, top)
    for given in (rev, rev2):  # a revision git does not know is named before anything else is read
        if given is not None and not is_revision(top, given):
            raise GitError(code="git.unknown_revision", rev=given)
    dirs = {rtype.dir: rtype for rtype in store.config.types.values()}
    records = []
    for relative in changed_paths(top, inside, rev, rev2):
        parts = relative.split("/")
        rtype = dirs.get(parts[0])
        if rtype is not None and relative.endswith(".yaml") and ids.is_valid(Path(relative).stem):
            records.append((rtype, relative))
    return (Side(store, top, inside, rev), Side(store, top, inside, rev2)), records


def parse(raw):
    """A record from a file's bytes; None for no file, or for one that cannot be read as a record."""
    if raw is None:
        return None
    try:
        record = yamlio.load(yamlio.decode(raw))
    except YamlError:
        return None
    return record if isinstance(record, dict) else None


def record_diff(store, rev="HEAD", rev2=None, reveal=False):
    """[{"id", "type", "change": created|changed|deleted, "fields": {KEY: [OLD, NEW]}}] sorted by id, and the
    store-relative paths of the changed files that could not be read as records."""
    from crmctl.present.display import mask

    (old_side, new_side), records = sides(store, rev, rev2)
    relatives = [relative for _, relative in records]
    olds, news = old_side.read(relatives), new_side.read(relatives)
    found, unreadable = [], []
    for rtype, relative in records:
        old, new = parse(olds[relative]), parse(news[relative])
        if (old is None and olds[relative] is not None) or (new is None and news[relative] is not None):
            unreadable.append(relative)
            continue
        if old is None and new is None:
            continue
        shown_old = old if old is None or reveal else mask(rtype, old)
        shown_new = new if new is None or reveal else mask(rtype, new)
        fields = field_changes(old, new, shown_old, shown_new)
        if not fields:
            continue
        change = "created" if old is None else "deleted" if new is None else "changed"
        found.append({"id": Path(relative).stem, "type": rtype.key, "change": change, "fields": fields})
    return sorted(found, key=lambda item: item["id"]), unreadable


def field_changes(old, new, shown_old, shown_new):
    """{KEY: [OLD, NEW]} of the fields that differ (compared as stored, values as shown); `history`: the events
    added ([None, [events]]), or all of them for a created or deleted record."""
    flat_old, flat_new = flatten(old or {}), flatten(new or {})
    show_old, show_new = flatten(shown_old or {}), flatten(shown_new or {})
    changes = {}
    for key in list(flat_old) + [k for k in flat_new if k not in flat_old]:
        if key in (HISTORY, "id"):  # the id is the change's own; history is shown as events
            continue
        if flat_old.get(key) != flat_new.get(key):
            changes[key] = [show_old.get(key), show_new.get(key)]
    old_events = (old or {}).get(HISTORY) or []
    new_events = (new or {}).get(HISTORY) or []
    if new is None:
        if old_events:
            changes[HISTORY] = [(shown_old or {}).get(HISTORY), None]
    else:
        added = [index for index, entry in enumerate(new_events) if entry not in old_events]
        if added:
            shown = (shown_new or {}).get(HISTORY) or []
            changes[HISTORY] = [None, [shown[index] for index in added]]
    return changes


def flatten(record, prefix=""):
    """A record as {dotted key: value}: objects key by key, lists of keyed objects (stages) by their key."""
    flat = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(flatten(value, name + "."))
        elif key != HISTORY and _keyed(value):
            flat.update(flatten({item["key"]: {k: v for k, v in item.items() if k != "key"} for item in value},
                                name + "."))
        else:
            flat[name] = value
    return flat


def _keyed(value):
    return (isinstance(value, list) and value and all(isinstance(item, dict) and "key" in item for item in value)
            and len({str(item["key"]) for item in value}) == len(value))
