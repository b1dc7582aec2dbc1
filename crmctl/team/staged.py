"""What git's index holds for a store: the versions a commit would record, for `check --staged`."""

import os
from pathlib import Path

from crmctl.team.repo import git, require_repository

GITLINK = "160000"  # a submodule's entry: a commit, not a file


def read_blobs(top, names):
    """The contents of git objects (`HEAD:path`, `:path`, a blob id), in one `git cat-file --batch`: a list of
    bytes, None for an object that is missing."""
    if not names:
        return []
    out = git(top, "cat-file", "--batch", stdin="".join(f"{name}\n" for name in names).encode("utf-8"),
              binary=True).stdout
    found, at = [], 0
    for _ in names:
        end = out.index(b"\n", at)
        header = out[at:end].split()
        if len(header) < 3 or header[-1] == b"missing":
            found.append(None)
            at = end + 1
            continue
        size = int(header[2])
        found.append(out[end + 1:end + 1 + size])
        at = end + 1 + size + 1  # the content, then a newline
    return found


def staged_files(root):
    """{root / relative path: bytes} of every file of the store at `root` as git's index holds it. A file in
    the middle of a merge (no single staged version) holds our side's version."""
    top = require_repository(root)
    inside = os.path.relpath(Path(root).resolve(), top)
    pathspec = "." if inside == "." else inside
    listing = git(top, "ls-files", "-s", "-z", "--", pathspec).stdout.split("\0")
    chosen = {}
    for entry in filter(None, listing):
        meta, path = entry.split("\t", 1)
        mode, blob, stage = meta.split()
        if mode == GITLINK or stage not in ("0", "2"):
            continue
        relative = path if inside == "." else path[len(inside) + 1:]
        chosen[relative] = blob
    blobs = read_blobs(top, list(chosen.values()))
    return {Path(root) / relative: data for relative, data in zip(chosen, blobs) if data is not None}


def staged_changes(root):
    """Store-relative paths of the store's files that the next commit adds or changes (the index against HEAD;
    every staged file before the first commit)."""
    top = require_repository(root)
    inside = os.path.relpath(Path(root).resolve(), top)
    pathspec = "." if inside == "." else inside
    if git(top, "rev-parse", "-q", "--verify", "HEAD^{commit}", check=False).returncode == 0:
        named = git(top, "diff", "--cached", "--name-only", "--no-renames", "--diff-filter=ACMRT", "-z", "HEAD",
                    "--", pathspec).stdout.split("\0")
    else:
        named = git(top, "ls-files", "-z", "--", pathspec).stdout.split("\0")
    cut = 0 if inside == "." else len(inside) + 1
    return [name[cut:] for name in named if name]
