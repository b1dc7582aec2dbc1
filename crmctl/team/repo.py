"""Running git for a store: the one place that starts the `git` executable and turns its failures into errors.

Every git call of crmctl goes through `git()`, so the environment (no pager, no prompts, a stable language for
the output we parse) is set in one place.
"""

import os
import subprocess
from pathlib import Path

from crmctl.kernel.errors import CrmError


class GitError(CrmError):
    """git is missing, the store is not in a repository, or a git command failed."""


def _environment(extra=None):
    env = dict(os.environ)
    # Output we parse must not be translated or paged, and git must never wait for a password on a terminal.
    env.update({"LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"})
    env.update(extra or {})
    return env


def git(cwd, *args, stdin=None, env=None, check=True, binary=False):
    """Run `git ARGS` in `cwd`; the completed process (text unless `binary`). A failure raises GitError
    naming the command and git's own message, unless `check` is false."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True,
                              text=not binary, env=_environment(env))
    except FileNotFoundError:
        raise GitError(code="git.missing") from None
    if check and done.returncode != 0:
        message = done.stderr if not binary else done.stderr.decode("utf-8", "replace")
        raise GitError(code="git.failed", command="git " + " ".join(args), output=message.strip())
    return done


def toplevel(path):
    """The work tree root of the repository holding `path`, or None when it is not inside one."""
    done = git(path, "rev-parse", "--show-toplevel", check=False)
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def require_repository(path):
    """The work tree root holding `path`; a GitError when there is none."""
    root = toplevel(path)
    if root is None:
        raise GitError(code="git.not_a_repository", path=path)
    return root


def remotes(path):
    """The names of the repository's remotes, in git's order."""
    return git(path, "remote").stdout.split()


class Running:
    """A git command started by `start()`; `wait()` gives what `git()` would have returned."""

    def __init__(self, args, process, stdin):
        self.args, self.process, self.stdin = args, process, stdin

    def wait(self, check=True):
        out, err = self.process.communicate(self.stdin)
        done = subprocess.CompletedProcess(["git", *self.args], self.process.returncode, out, err)
        if check and done.returncode != 0:
            raise GitError(code="git.failed", command="git " + " ".join(self.args), output=err.strip())
        return done


def start(cwd, *args, stdin=None, env=None):
    """Start `git ARGS` in `cwd` without waiting (text in and out): for work that may overlap other git calls."""
    try:
        process = subprocess.Popen(["git", *args], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, env=_environment(env))
    except FileNotFoundError:
        raise GitError(code="git.missing") from None
    return Running(args, process, stdin)
