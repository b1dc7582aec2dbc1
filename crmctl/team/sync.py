"""`crmctl sync`: commit the store's pending changes, fetch, merge with the record merge driver, push.

A push that loses a race (another clone pushed between our fetch and our push) fetches and merges again, a few
times. A merge that leaves conflicts stops with the merge in progress: the conflicts are returned, to be settled
with `crmctl resolve`; the next `sync` stages what was settled, makes the merge commit and pushes. Nothing here
needs the user to know git: every git call is made here, as the acting user.
"""

import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from crmctl.kernel.errors import CrmError
from crmctl.team.autocommit import FALLBACK, commit_paths, identity, in_the_middle, repository_state
from crmctl.team.conflicts import conflicts_in, has_markers
from crmctl.team.repo import git, remotes

ATTEMPTS = 5
# What git says when a push lost a race: the remote's branch moved on (or was being updated at that moment).
RACE_WORDS = ("[rejected]", "fetch first", "non-fast-forward", "cannot lock ref", "failed to update ref",
              "stale info")


@dataclass
class Conflict:
    """One conflict left by a merge: a record's field (`record_id`, `field`, `ours`, `theirs`), or a whole file
    git could not merge field by field (`field` None)."""

    path: str
    record_id: str = None
    field: str = None
    ours: object = None
    theirs: object = None


@dataclass
class SyncResult:
    remote: str
    branch: str
    committed: int = 0  # pending store files committed before merging
    merged: int = 0  # commits taken from the remote
    pushed: bool = False
    finished_merge: bool = False  # a merge left by an earlier sync was committed
    retries: int = 0
    conflicts: list = field(default_factory=list)


@dataclass
class Clone:
    """The repository holding a store, the branch it syncs and where to."""

    top: Path
    git_dir: Path
    remote: str
    branch: str
    remote_ref: str  # refs/heads/... on the remote
    upstream: bool  # the branch already tracks the remote branch (else the first push sets it)

    @property
    def tracking(self):
        return f"refs/remotes/{self.remote}/{self.remote_ref[len('refs/heads/'):]}"


def author_env(store, actor):
    """The acting user as author and committer (users.yaml), else git's own identity, else crmctl's placeholder."""
    user = store.config.users.get(actor) if actor else None
    if isinstance(user, dict) and user.get("email"):
        return identity(str(user.get("name") or actor), str(user["email"]))
    state = repository_state(store.root)
    if state and git(state["top"], "var", "GIT_COMMITTER_IDENT", check=False).returncode == 0:
        return {}
    return identity(*FALLBACK)


def clone_of(store, remote=None):
    """Where this clone syncs: `remote` (or the branch's upstream) and the branch of the same name there."""
    state = repository_state(store.root.resolve())
    if state is None:
        raise CrmError(code="git.not_a_repository", path=store.display_path(store.root))
    top = state["top"]
    known = remotes(top)
    if not known:
        raise CrmError(code="sync.no_remote")
    done = git(top, "symbolic-ref", "-q", "--short", "HEAD", check=False)
    branch = done.stdout.strip()
    if done.returncode != 0 or not branch:
        raise CrmError(code="sync.detached")
    upstream_remote = _config(top, f"branch.{branch}.remote")
    upstream_ref = _config(top, f"branch.{branch}.merge")
    if remote is None:
        if not upstream_remote or upstream_remote not in known:
            raise CrmError(code="sync.no_upstream", branch=branch, remotes=", ".join(known))
        remote = upstream_remote
    elif remote not in known:
        raise CrmError(code="sync.unknown_remote", remote=remote, remotes=", ".join(known))
    tracks = remote == upstream_remote and bool(upstream_ref)
    remote_ref = upstream_ref if tracks else f"refs/heads/{branch}"
    return Clone(top, state["git_dir"], remote, branch, remote_ref, tracks)


def _config(top, key):
    return git(top, "config", "--get", key, check=False).stdout.strip() or None


def sync(store, remote=None, actor=None, attempts=ATTEMPTS):
    """Sync the store's clone with `remote` (default: the branch's upstream); a SyncResult. Conflicts are in
    `result.conflicts` (the merge stays in progress); other failures raise CrmError."""
    clone = clone_of(store, remote)
    env = author_env(store, actor)
    result = SyncResult(clone.remote, clone.branch)
    if in_the_middle(clone.git_dir):
        if not (clone.git_dir / "MERGE_HEAD").exists():
            raise CrmError(code="sync.other_operation")
        result.conflicts = finish_merge(store, clone, env)
        if result.conflicts:
            return result
        result.finished_merge = True
    else:
        result.committed = commit_pending(store, clone, env)
    for attempt in range(attempts):
        fetch(clone)
        merged, conflicts = merge(store, clone, env)
        result.merged += merged
        if conflicts:
            result.conflicts = conflicts
            return result
        if not ahead(clone):
            return result
        if push(clone):
            result.pushed = True
            return result
        result.retries += 1
        time.sleep(random.uniform(0.05, 0.3) * (attempt + 1))  # two losers must not collide again in step
    raise CrmError(code="sync.kept_moving", remote=clone.remote, branch=clone.branch, attempts=attempts)


def pending_paths(clone, root):
    """The store's changed, added and deleted files (relative to the work tree top), git-ignored ones left out."""
    done = git(clone.top, "status", "--porcelain", "-z", "--untracked-files=all", "--no-renames", "--",
               str(root))
    paths = []
    for entry in done.stdout.split("\0"):
        if len(entry) > 3:
            paths.append(entry[3:])
    return paths


def commit_pending(store, clone, env):
    """Commit what the store's files hold that HEAD does not (edits made without auto-commit, or by hand); the
    number of files committed."""
    root = store.root.resolve()
    with store.lock():
        paths = pending_paths(clone, root)
        if not paths:
            return 0
        for path in paths:  # a conflict left from some other merge must not reach every clone
            file = clone.top / path
            if file.is_file() and has_markers(file.read_text(encoding="utf-8", errors="replace")):
                raise CrmError(code="sync.markers", path=path)
        shown = "".join(f"{os.path.relpath(clone.top / path, root)}\n" for path in paths)
        committed = commit_paths(clone.top, paths, f"sync: {len(paths)} changed files\n\n{shown}", env)
    return len(paths) if committed else 0


def fetch(clone):
    """Fetch the remote branch (a remote without it yet is fine: the first push creates it); a clone synced with
    a named remote once tracks it from then on, so a plain `sync` finds it."""
    done = git(clone.top, "fetch", "-q", clone.remote, f"+{clone.remote_ref}:{clone.tracking}", check=False)
    if done.returncode != 0 and "couldn't find remote ref" not in done.stderr:
        raise CrmError(code="git.failed", command=f"git fetch {clone.remote}", output=done.stderr.strip())
    if not clone.upstream and _rev(clone, clone.tracking):
        git(clone.top, "config", f"branch.{clone.branch}.remote", clone.remote)
        git(clone.top, "config", f"branch.{clone.branch}.merge", clone.remote_ref)
        clone.upstream = True


def _rev(clone, ref):
    done = git(clone.top, "rev-parse", "-q", "--verify", ref + "^{commit}", check=False)
    return done.stdout.strip() if done.returncode == 0 else None


def ahead(clone):
    """Whether HEAD holds commits the remote branch lacks (or the remote has no such branch yet)."""
    theirs = _rev(clone, clone.tracking)
    head = _rev(clone, "HEAD")
    return head is not None and head != theirs and (
        theirs is None or git(clone.top, "merge-base", "--is-ancestor", head, theirs, check=False).returncode != 0)


def merge(store, clone, env):
    """Merge the fetched remote branch into HEAD through the record merge driver: (commits taken, conflicts)."""
    theirs = _rev(clone, clone.tracking)
    if theirs is None:
        return 0, []
    count = int(git(clone.top, "rev-list", "--count", f"HEAD..{theirs}").stdout.strip() or 0)
    if count == 0:
        return 0, []
    message = f"sync: merge {clone.remote}/{clone.remote_ref[len('refs/heads/'):]}"
    with store.lock():
        done = git(clone.top, "merge", "-q", "--no-edit", "-m", message, theirs, env=env, check=False)
    if done.returncode == 0:
        return count, []
    if not (clone.git_dir / "MERGE_HEAD").exists():  # git refused to start (local changes in the way)
        raise CrmError(code="git.failed", command="git merge", output=(done.stderr or done.stdout).strip())
    return count, conflicts(store, clone) or finish_merge(store, clone, env)


def unmerged(clone):
    """The paths (relative to the top) git still holds as unmerged, in order."""
    done = git(clone.top, "diff", "--name-only", "--diff-filter=U", "-z")
    return [path for path in done.stdout.split("\0") if path]


def conflicts(store, clone):
    """The conflicts of the paths git holds as unmerged: a record's fields, or the whole file (any other file,
    whose markers git's text merge wrote, even where they happen to hold one field)."""
    found = []
    for path in unmerged(clone):
        file = clone.top / path
        record_id = _record_id(store, file)
        fields = []
        if record_id is not None and file.is_file():
            try:
                fields = conflicts_in(file.read_text(encoding="utf-8", errors="replace"))
            except CrmError:
                fields = []
        if not fields:
            found.append(Conflict(path))
            continue
        found += [Conflict(path, record_id, name, ours, theirs) for name, ours, theirs in fields]
    return found


def _record_id(store, file):
    """The id of the record `file` is, or None for every other file of the repository."""
    try:
        return file.stem if store.path_of(file.stem).resolve() == file.resolve() else None
    except (CrmError, ValueError):
        return None


def finish_merge(store, clone, env):
    """A merge left by an earlier sync: stage every store file that holds no markers any more (settled by
    `resolve` or by hand), then commit the merge; the conflicts still left, when there are any."""
    root = store.root.resolve()
    with store.lock():
        settled = []
        for path in dict.fromkeys(unmerged(clone) + pending_paths(clone, root)):
            file = clone.top / path
            if not file.is_file() or not has_markers(file.read_text(encoding="utf-8", errors="replace")):
                settled.append(path)
        if settled:
            git(clone.top, "add", "-A", "--", *settled)
        left = conflicts(store, clone)
        if left:
            return left
        git(clone.top, "commit", "-q", "--no-edit", env=env)
    return []


def push(clone):
    """Push HEAD to the remote branch; False when the push lost a race (fetch, merge and try again)."""
    args = ["push", "-q", "--porcelain"]
    if not clone.upstream:
        args.append("--set-upstream")
    done = git(clone.top, *args, clone.remote, f"HEAD:{clone.remote_ref}", check=False)
    if done.returncode == 0:
        clone.upstream = True
        return True
    said = done.stderr + done.stdout
    if any(word in said for word in RACE_WORDS):
        return False
    raise CrmError(code="git.failed", command=f"git push {clone.remote}", output=said.strip())
