"""A whole `check` after a few hand edits: the last whole run's findings with the edited files' own findings
replaced, when nothing else can depend on what changed.

A file's own findings depend on its bytes, the configuration, the day and which ids exist; other files'
findings depend on it only through its id, its path, its unique and link values (duplicates, links) and, for
rules that read other records (volatile), its contents. So the last run's answer still holds for every other
file when: the same paths exist (no id appears or vanishes), the configuration, code, language, day and
working directory are the same (the base of the tag), no rule read another record, and each edited file was
and stays readable under the same id with no unique or link value and no slot another file decides. Anything
else is checked in full.
"""

import hashlib
from array import array

LAYOUT = " layout"  # the snapshot kind of a whole run's layout: `check layout`
MOST = 50  # more edited files than this: a full run costs about the same


def layout_payload(scan, kind, extra, layout):
    """What a later run needs to patch this run's findings (`layout` as store_check._every_finding fills it)."""
    return {"base": scan.base_tag(extra), "paths": _paths(scan), "stamps": _stamps(scan), "first": layout["first"],
            "starts": layout["starts"], "entangled": layout["entangled"], "volatile": scan.volatile}


def _paths(scan):
    """A digest of every record file's type and path, in the scan's order: a list of them (and its pickle) cost
    25 MiB at 100,000 files, and a patch needs only to know that they are the same."""
    digest = hashlib.blake2b(digest_size=20)
    for type_key, listed in scan.files().items():
        digest.update(f"\0\0{type_key}\0".encode())  # no path holds a NUL: one reading only
        for start in range(0, len(listed), 1000):
            digest.update("".join(f"{rel}\0" for rel, _ in listed[start:start + 1000]).encode())
    return digest.digest()


def _stamps(scan):
    """Every record file's (mtime_ns, size, inode), in the scan's order, as one array of integers; None when one
    does not fit in 64 bits, or for a store of given contents (no stats): then no run is patched."""
    if not scan.on_disk:
        return None
    try:
        return array("q", [number for listed in scan.files().values() for _, stamp in listed for number in stamp])
    except OverflowError:
        return None


def patched(store, scan, kind, extra, shown_prefix):
    """(findings, layout payload) of the last whole run patched for the edited files, or None when the last run
    cannot be patched (see the module's text)."""
    latest, shape = scan.latest_snapshot(kind), scan.latest_snapshot(kind + LAYOUT)
    if latest is None or shape is None or latest[0] != shape[0]:
        return None  # none kept, or not of the same run
    findings, shape = latest[1], shape[1]
    if shape["volatile"] or shape["base"] != scan.base_tag(extra):
        return None
    if _paths(scan) != shape["paths"]:
        return None  # a file added, deleted or moved: ids may appear or vanish
    stamps, before = _stamps(scan), shape["stamps"]
    if stamps is None or before is None or len(stamps) != len(before):
        return None
    files = _flat(scan)
    edited = []
    for index in sorted({at // 3 for at, (now, then) in enumerate(zip(stamps, before)) if now != then}):
        if files[index][1] in shape["entangled"] or len(edited) == MOST:
            return None
        edited.append(index)
    first, starts = shape["first"], shape["starts"]
    segments = {}
    for index in edited:
        type_key, rel, _ = files[index]
        rid, readable, items, has_facts, volatile = scan.examine_alone(store.config.types[type_key], rel)
        if volatile or not readable or rid is None or has_facts or any(item[0] != "f" for item in items):
            return None
        shown = shown_prefix + rel
        segments[index] = [(shown, line, level, code, message) for _, line, level, code, message in items]
    new, new_starts, taken = findings[:first], [], first
    for index, segment in sorted(segments.items()):
        new += findings[taken:first + starts[index]]
        new += segment
        taken = first + starts[index + 1]
    new += findings[taken:]
    shift = 0
    for index, start in enumerate(starts):
        new_starts.append(start + shift)
        if index in segments:
            shift += len(segments[index]) - (starts[index + 1] - start)
    return new, {**shape, "stamps": stamps, "starts": new_starts}


def _flat(scan):
    """(type key, path, stamp) of every record file, in the scan's order."""
    return [(type_key, rel, stamp) for type_key, listed in scan.files().items() for rel, stamp in listed]
