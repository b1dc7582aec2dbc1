"""Issue 14: a first list after a clone that takes over two seconds says on stderr how far the index build is,
on a terminal only, and prints the same list as without it."""

import shutil
from types import SimpleNamespace

import pytest
from conftest import new_request

from crmctl.cli import generic
from crmctl.store import index


@pytest.fixture
def cloned(store, run):
    """Three requests and no derived data, as after `git clone`."""
    for _ in range(3):
        new_request(run)
    shutil.rmtree(store.root / ".cache", ignore_errors=True)
    return store


def on_a_terminal(monkeypatch):
    monkeypatch.setattr(generic, "sys", SimpleNamespace(stderr=SimpleNamespace(isatty=lambda: True)))


def test_the_bar_waits_two_seconds():
    assert index.PROGRESS_AFTER == 2.0


def test_a_slow_build_on_a_terminal_shows_the_bar_and_clears_it(cloned, run, monkeypatch):
    plain = run("sr", "list", "--lang", "en")
    assert plain.exit_code == 0 and plain.stderr == ""
    shutil.rmtree(cloned.root / ".cache")
    on_a_terminal(monkeypatch)
    monkeypatch.setattr(index, "PROGRESS_AFTER", 0)  # as if the build had run for two seconds already
    shown = run("sr", "list", "--lang", "en")
    assert shown.stdout == plain.stdout
    assert "\rindexing service requests: [" in shown.stderr and "] 3/3" in shown.stderr
    # the bar is wiped before the list is printed ("\r\033[K"; click drops the escape off a real terminal)
    assert shown.stderr.replace("\033[K", "").endswith("3/3\r")


def test_a_fast_build_or_no_terminal_shows_nothing(cloned, run, monkeypatch):
    on_a_terminal(monkeypatch)
    assert run("sr", "list", "--lang", "en").stderr == ""  # well under two seconds
    shutil.rmtree(cloned.root / ".cache")
    monkeypatch.undo()
    monkeypatch.setattr(index, "PROGRESS_AFTER", 0)
    assert run("sr", "list", "--lang", "en").stderr == ""  # not a terminal
