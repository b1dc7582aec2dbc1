"""A new root tree: HEAD's tree with a few files replaced, built without an index.

Reading HEAD into a temporary index costs time in proportion to the whole repository (100,000 records: a quarter
of a second); rebuilding only the trees on the way to the written files costs a handful of small objects. Three
git calls whatever the number of files: one hashes the files, one reads the trees on their way, one writes the new
trees. Tree objects are serialised here as git defines them (`<mode> <name>\\0<binary id>`, entries sorted with a
folder's name compared as `name/`).
"""

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from crmctl.team.repo import git
from crmctl.team.staged import read_blobs

TREE = "40000"


def rebuilt_tree(top, head_tree, paths, object_format="sha1"):
    """The id of HEAD's tree (`head_tree`, None for none) with `paths` (relative to `top`, `/`-separated) as they
    are in the work tree now: a file that is gone is removed, folders left empty vanish."""
    top = Path(top)
    present = [path for path in paths if (top / path).is_file()]
    blobs = dict(zip(present, _hash_files(top, present)))
    folders = sorted({"/".join(parts[:depth]) for parts in (p.split("/") for p in paths) for depth in range(len(parts))})
    trees = _read_trees(top, head_tree, folders, 32 if object_format == "sha256" else 20)
    for path in paths:
        folder, _, name = path.rpartition("/")
        entries = trees.setdefault(folder, {})
        if path in blobs:
            entries[name.encode("utf-8")] = (_file_mode(top / path), blobs[path])
        else:
            entries.pop(name.encode("utf-8"), None)
    written = {}
    for folder in sorted(folders, key=lambda f: -(f.count("/") + 1 if f else 0)):  # deepest first
        entries = trees.get(folder, {})
        if folder:
            parent, _, name = folder.rpartition("/")
            key = name.encode("utf-8")
            if entries:
                written[folder] = _serialise(entries)
                trees.setdefault(parent, {})[key] = (TREE, _object_id(written[folder], object_format))
            else:
                trees.setdefault(parent, {}).pop(key, None)
        else:
            written[folder] = _serialise(entries)
    ids = _write_trees(top, list(written.values()))
    made = dict(zip(written, ids))
    expected = _object_id(written[""], object_format)
    if made[""] != expected:  # git and this module disagree on the format: never commit such a tree
        raise RuntimeError(f"tree id mismatch: git {made['']}, computed {expected}")
    return made[""]


def _hash_files(top, paths):
    if not paths:
        return []
    done = git(top, "hash-object", "-w", "--stdin-paths", stdin="".join(f"{path}\n" for path in paths))
    return done.stdout.split()


def _read_trees(top, head_tree, folders, width):
    """{folder: {name bytes: (mode, id)}} of the folders as HEAD has them (empty when it has none)."""
    if head_tree is None:
        return {folder: {} for folder in folders}
    names = [head_tree if not folder else f"{head_tree}:{folder}" for folder in folders]
    found = {}
    for folder, raw in zip(folders, read_blobs(top, names)):
        found[folder] = _parse(raw, width) if raw is not None else {}
    return found


def _parse(raw, width):
    """A tree object's entries; `width` is the byte length of an object id (20, or 32 for sha256)."""
    entries, at = {}, 0
    while at < len(raw):
        space = raw.index(b" ", at)
        nul = raw.index(b"\0", space)
        entries[raw[space + 1:nul]] = (raw[at:space].decode("ascii"), raw[nul + 1:nul + 1 + width].hex())
        at = nul + 1 + width
    return entries


def _serialise(entries):
    def order(item):
        name, (mode, _) = item
        return name + b"/" if mode == TREE else name

    return b"".join(f"{mode} ".encode("ascii") + name + b"\0" + bytes.fromhex(oid)
                    for name, (mode, oid) in sorted(entries.items(), key=order))


def _object_id(content, object_format):
    digest = hashlib.sha256 if object_format == "sha256" else hashlib.sha1
    return digest(b"tree %d\0" % len(content) + content).hexdigest()


def _write_trees(top, contents):
    """Write tree objects with one `git hash-object -t tree`; their ids in order."""
    with tempfile.TemporaryDirectory(prefix="crmctl-trees-") as folder:
        names = []
        for number, content in enumerate(contents):
            name = os.path.join(folder, str(number))
            with open(name, "wb") as handle:
                handle.write(content)
            names.append(name)
        done = git(top, "hash-object", "-w", "-t", "tree", "--stdin-paths", stdin="".join(f"{n}\n" for n in names))
    return done.stdout.split()


def _file_mode(path):
    return "100755" if os.stat(path).st_mode & stat.S_IXUSR else "100644"
