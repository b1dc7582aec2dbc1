"""Auto-commit (`git: {commit: auto}`): a writing command commits exactly the files it wrote, by the acting user.

The commit is built with git's plumbing from HEAD's tree and the written files only, so nothing else of the working
tree is committed and whatever the user has staged stays staged (and uncommitted). The real index then gets the
committed versions of the written files, so `git status` shows them as committed.
"""

import os
from pathlib import Path

from crmctl.kernel.errors import CrmError
from crmctl.team.repo import git, start

SUBJECT_WIDTH = 100  # a longer summary is cut with "…": the subject is a line in `git log --oneline`
UNDER_WAY = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply")
FALLBACK = ("crmctl", "crmctl@localhost")  # a commit of a store nobody is a user of yet, on a machine without git identity


def enabled(config):
    """Whether the store's settings ask for auto-commit."""
    settings = config.settings.get("git")
    return isinstance(settings, dict) and settings.get("commit") == "auto"


def identity(name, email):
    """The environment that makes a person both the author and the committer: the commit says who did the work,
    whoever's machine or git configuration ran it (crmctl needs no git identity of its own)."""
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}


def fallback_identity(top):
    """git's own identity when it has one, else crmctl's placeholder (a new store has no users yet)."""
    if git(top, "var", "GIT_COMMITTER_IDENT", check=False).returncode == 0:
        return {}
    return identity(*FALLBACK)


def commit_paths(top, paths, message, env=None, state=None):
    """Commit the current contents of `paths` (relative to the work tree top `top`; a missing file is a deletion)
    on top of HEAD, and nothing else; the new commit's id, or None when they hold what HEAD holds already.

    Only the trees on the way to the written files are read and rebuilt (team/trees.py), so the cost does not
    grow with the number of records; the real index then gets the written files, as `git commit PATHS` does."""
    if not paths:
        return None
    from crmctl.team.trees import rebuilt_tree

    state = state or repository_state(top)
    head, head_tree = state["head"], state["tree"]
    # The real index gets the written files meanwhile: rewriting a big index is the slowest step, and the
    # index then holds exactly what the work tree holds for them, so it is right whether or not a commit follows.
    indexing = start(top, "update-index", "--add", "--remove", "-z", "--stdin",
                     stdin="".join(f"{path}\0" for path in paths))
    try:
        tree = rebuilt_tree(top, head_tree, paths, state["format"])
        if tree == head_tree:
            return None
        parents = ["-p", head] if head else []
        commit = git(top, "commit-tree", tree, *parents, stdin=message, env=env).stdout.strip()
        git(top, "update-ref", "-m", "commit (crmctl): " + message.splitlines()[0], "HEAD", commit, head or "")
    finally:
        indexing.wait()
    return commit


def repository_state(path):
    """{"top", "format", "head", "tree"} of the repository holding `path` in one git call (head and tree None
    before the first commit), or None when `path` is not inside a repository."""
    done = git(path, "rev-parse", "--show-toplevel", "--absolute-git-dir", "--show-object-format", "HEAD",
               "HEAD^{tree}", check=False)
    lines = done.stdout.splitlines()
    if len(lines) < 3:
        return None
    head, tree = (lines[3], lines[4]) if done.returncode == 0 and len(lines) >= 5 else (None, None)
    return {"top": Path(lines[0]), "git_dir": Path(lines[1]), "format": lines[2], "head": head, "tree": tree}


def in_the_middle(git_dir):
    """Whether a merge, rebase, cherry-pick or revert is under way: a commit of its own now would break it; the
    files written (`crmctl resolve` settling a conflict) belong to the commit that finishes it (`crmctl sync`)."""
    return any((Path(git_dir) / name).exists() for name in UNDER_WAY)


def commit_command(store, words, argument, actor):
    """After a writing command succeeded: commit the files it wrote as `actor`, with a subject of the command
    words, the record id and a short summary. A store outside git is a warning (returned), never a failure."""
    root = store.root.resolve()
    state = repository_state(root)
    if state is None:
        return CrmError(code="git.autocommit_no_repository", path=store.display_path(root))
    top = state["top"]
    if in_the_middle(state["git_dir"]):
        return None
    written = list(dict.fromkeys(Path(path).resolve() for path in store.written))
    paths = [os.path.relpath(path, top) for path in written]
    subject = _subject(store, words, argument, written)
    body = "".join(f"{os.path.relpath(path, root)}\n" for path in written)
    user = store.config.users.get(actor) if actor else None
    if isinstance(user, dict) and user.get("email"):
        env = identity(str(user.get("name") or actor), str(user["email"]))
    else:
        env = fallback_identity(top)
    with store.lock():  # crmctl processes of one store commit one at a time, each on the HEAD the last one left
        commit_paths(top, paths, f"{subject}\n\n{body}", env)
    return None


def _subject(store, words, argument, written):
    """`sr set SR-…: priority normal → high`: the record the command acted on (one it changed, else one it
    created) and what its new history events say, with confidential values masked."""
    records = []
    for path in written:
        try:
            rtype = store.type_of(path.stem)
        except CrmError:
            continue
        if path.is_file() and path.name.endswith(".yaml"):
            records.append((rtype, path))
    if not records:
        named = f" {argument}" if argument else ""
        return _cut(f"{words}{named}: " + ", ".join(path.name for path in written))
    summaries = [_summary(store, rtype, path) for rtype, path in records]
    changed = [item for item in summaries if not item[0]] or summaries
    _, record_id, text = changed[0]
    more = f" (+{len(records) - 1})" if len(records) > 1 else ""
    return _cut(f"{words} {record_id}{more}: {text}")


def _summary(store, rtype, path):
    """(created?, id, summary) of one written record: the events this command added (the store remembers how
    many events each record had when the command read it; a record it never read, it created)."""
    record = store.read_path(path)
    if any(field.get("confidential") for field in rtype.fields.values()):  # the masking costs an import: only then
        from crmctl.present.display import mask

        record = mask(rtype, record)
    before = store.events_read.get(record["id"])
    events = (record.get("history") or [])[before or 0:]
    return before is None, record["id"], "; ".join(describe(rtype, record, e) for e in events) or "-"


def describe(rtype, record, entry):
    """One history event in a few words: `priority normal → high`, `new → in_progress`, `→ user`, the title."""
    kind = entry.get("event")
    if kind == "created":
        return str(record.get(rtype.title_field) or "")
    if kind == "delegated":
        return f"→ {entry.get('to')}"
    parts = []
    if kind == "status":
        parts.append(f"{entry.get('from')} → {entry.get('to')}")
    elif kind != "changed":
        details = [f"{key}={value}" for key, value in entry.items()
                   if key not in ("at", "by", "event", "changes") and not isinstance(value, (dict, list))]
        parts.append(" ".join([str(kind), *details]))
    for key, pair in (entry.get("changes") or {}).items():
        if kind == "changed" and isinstance(pair, list) and len(pair) == 2:
            parts.append(f"{key} {_word(pair[0])} → {_word(pair[1])}")
    return ", ".join(parts)


def _word(value):
    text = "-" if value is None or value == "" else str(value)
    return text.replace("\n", " ")


def _cut(text):
    text = text.replace("\n", " ")
    return text if len(text) <= SUBJECT_WIDTH else text[:SUBJECT_WIDTH - 1] + "…"
