"""Helpers for tests with real git: a repository around a store, git's output, the installed crmctl in a process."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

# A fixed identity for commits git makes on its own (not crmctl's auto-commits, which name the acting user).
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "Test Person", "GIT_AUTHOR_EMAIL": "test@example.fi",
                "GIT_COMMITTER_NAME": "Test Person", "GIT_COMMITTER_EMAIL": "test@example.fi"}


def crmctl_program():
    """The crmctl console script of the running interpreter's environment (what hooks and drivers must call)."""
    beside = Path(sys.executable).parent / "crmctl"
    if beside.is_file():
        return str(beside)
    found = shutil.which("crmctl")
    return found or None


def git_env(monkeypatch):
    """Give git a known identity and keep the machine's configuration out (no global hooks path, no signing)."""
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)


def git(cwd, *args, check=True, input=None):
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, input=input)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stderr}")
    return done


def crmctl(cwd, *args, env=None):
    """The installed crmctl in a new process (as a hook or a person's shell runs it)."""
    program = crmctl_program()
    command = [program] if program else [sys.executable, "-m", "crmctl"]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def make_repository(root, auto=True):
    """A git repository at the store `root`, with everything committed (auto-commit on unless `auto` is false)."""
    if auto:
        with open(Path(root) / "crmctl.yaml", "a", encoding="utf-8") as handle:
            handle.write("git:\n  commit: auto\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "store")
    return root


def subjects(root):
    return git(root, "log", "--format=%s").stdout.splitlines()


def status(root):
    return git(root, "status", "--porcelain").stdout
