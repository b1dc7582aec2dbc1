"""Setting up a store's git repository: the files every clone shares (.gitattributes, .gitignore) and what each
clone must register itself (the merge driver in .git/config, the pre-commit hook), since git clones neither.

Everything here is idempotent: a second run finds each line, setting and hook in place and changes nothing.
"""

import os
import shlex
import shutil
import sys
from pathlib import Path

from crmctl.store.files import LEFTOVER_PATTERN
from crmctl.store.store import CACHE_DIR
from crmctl.team.repo import GitError, git, require_repository, toplevel

DRIVER = "crmctl"
DRIVER_NAME = "crmctl record merge (field by field)"
HOOK_MARKER = "# crmctl pre-commit hook"
IGNORED = (CACHE_DIR + "/", LEFTOVER_PATTERN)  # derived data, and the temporary copies of a crashed write


def crmctl_executable():
    """The absolute path of the crmctl that runs now: hooks and the driver must call this very program, whatever
    PATH holds when git runs them."""
    started = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if started and os.path.basename(started).startswith("crmctl") and os.path.isfile(started):
        return str(Path(started).resolve())
    found = shutil.which("crmctl")
    if found:
        return str(Path(found).resolve())
    # Run as `python -m crmctl`: the same interpreter with the module.
    return f"{shlex.quote(sys.executable)} -m crmctl"


def _command(executable):
    """The executable as a shell word (a path with spaces stays one word); `python -m crmctl` is already words."""
    return executable if " -m crmctl" in executable else shlex.quote(executable)


def store_files(root, record_dirs):
    """Write the store's .gitattributes (record files merge through the crmctl driver) and .gitignore lines that
    are missing; the names of the files changed."""
    routes = [f"{folder}/**/*.yaml merge={DRIVER}" for folder in sorted(record_dirs)]
    changed = []
    if _ensure_lines(Path(root) / ".gitattributes", routes):
        changed.append(".gitattributes")
    if _ensure_lines(Path(root) / ".gitignore", IGNORED):
        changed.append(".gitignore")
    return changed


def _ensure_lines(path, lines):
    """Append those of `lines` the file lacks (its other lines stay as they are); whether it changed."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    present = set(text.splitlines())
    missing = [line for line in lines if line not in present]
    if not missing:
        return False
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + "".join(line + "\n" for line in missing), encoding="utf-8")
    return True


def setup_clone(root, executable=None):
    """Register the merge driver and install the pre-commit hook in the repository holding the store at `root`;
    what changed, as a list of short descriptions (empty when everything was in place)."""
    root = Path(root).resolve()
    top = require_repository(root)
    command = _command(executable or crmctl_executable())
    hook_path = hook_file(top)
    hook = hook_text(command, root, top)
    _refuse_foreign_hook(hook_path)
    changed = []
    wanted = {f"merge.{DRIVER}.name": DRIVER_NAME, f"merge.{DRIVER}.driver": f"{command} git merge-file %O %A %B %P"}
    for key, value in wanted.items():
        now = git(top, "config", "--local", "--get", key, check=False).stdout.rstrip("\n")
        if now != value:
            git(top, "config", "--local", key, value)
            changed.append(key)
    # Auto-commit updates the index after every write; with git's split index a write rewrites only the changed
    # entries instead of one per record (100,000 records: 25 ms instead of 70). A clone's own choice is kept.
    if git(top, "config", "--get", "core.splitIndex", check=False).returncode == 1:
        git(top, "config", "--local", "core.splitIndex", "true")
        changed.append("core.splitIndex")
    if not hook_path.exists() or hook_path.read_text(encoding="utf-8", errors="replace") != hook:
        hook_path.parent.mkdir(parents=True, exist_ok=True)
        hook_path.write_text(hook, encoding="utf-8")
        changed.append(str(hook_path))
    if hook_path.stat().st_mode & 0o111 != 0o111:
        hook_path.chmod(0o755)
        changed.append(str(hook_path))
    return changed


def hook_file(top):
    """Where git looks for the pre-commit hook (core.hooksPath honoured)."""
    where = git(top, "rev-parse", "--git-path", "hooks/pre-commit").stdout.strip()
    return (Path(top) / where).resolve()


def hook_text(command, root, top):
    """The hook: `check --staged` of the store, found from the work tree's top, where git runs hooks."""
    relative = os.path.relpath(root, top)
    return (f"#!/bin/sh\n{HOOK_MARKER} (written by `crmctl git setup`): a commit whose staged records or\n"
            f"# configuration fail `crmctl check --staged` is refused (only the records it changes are read, all\n"
            f"# of them when it changes the configuration). Run `crmctl git setup` again to rewrite it.\n"
            f"exec {command} --root {shlex.quote(relative)} check --staged --changed\n")


def _refuse_foreign_hook(path):
    """A pre-commit hook crmctl did not write is someone's: never overwrite it; say what to add instead."""
    if path.exists() and HOOK_MARKER not in path.read_text(encoding="utf-8", errors="replace"):
        raise GitError(code="git.foreign_hook", path=path)


def check_hook_free(root):
    """Before `init --git` creates anything: a foreign hook in an existing repository stops it early."""
    existing = Path(root).resolve()
    while not existing.is_dir():
        existing = existing.parent
    top = toplevel(existing)
    if top is not None:
        _refuse_foreign_hook(hook_file(top))


def init_repository(root, record_dirs, executable=None):
    """`init --git` after the store's files exist: make `root` a repository unless it is inside one, write the
    shared git files, turn auto-commit on, set up this clone and commit the new store."""
    from crmctl.team.autocommit import commit_paths, fallback_identity

    root = Path(root).resolve()
    if toplevel(root) is None:
        git(root, "init", "-q")
    store_files(root, record_dirs)
    turn_auto_commit_on(root)
    setup_clone(root, executable)
    top = require_repository(root)
    git(top, "add", "-A", "--", str(root))
    staged = git(top, "diff", "--cached", "--name-only", "-z", "--", str(root)).stdout.split("\0")
    commit_paths(top, [path for path in staged if path], "init: new crmctl store", fallback_identity(top))


def turn_auto_commit_on(root):
    """`git: {commit: auto}` in crmctl.yaml, written as text so the file's comments stay."""
    path = Path(root) / "crmctl.yaml"
    text = path.read_text(encoding="utf-8")
    if any(line.startswith("git:") for line in text.splitlines()):
        return
    if text and not text.endswith("\n"):
        text += "\n"
    path.write_text(text + "git:\n  commit: auto          # auto | off: every writing command commits its files\n",
                    encoding="utf-8")

