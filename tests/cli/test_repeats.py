"""Asking for what already holds succeeds, says so on stderr and writes nothing (cli.md "Exit codes"; issue 15
item 3): a status the record has, an `ack` already acknowledged, a `set` to the same values. A script may repeat
a command safely; the bytes on disk and git's history show nothing happened."""

import pytest

from conftest import new_request, snapshot
from git_store import git_env, make_repository, status, subjects


@pytest.fixture
def repo(store, monkeypatch):
    """The store under git with auto-commit on (a repeat that wrote anything would commit it)."""
    git_env(monkeypatch)
    return make_repository(store.root)


def _settled(run, store):
    record_id = new_request(run)
    assert run("sr", "delegate", record_id, "taija.halme").exit_code == 0
    assert run("--as", "taija.halme", "ack", record_id).exit_code == 0
    assert run("sr", "status", record_id, "in_progress").exit_code == 0
    return record_id


@pytest.mark.parametrize("args, fi, en", [
    (["sr", "status", "{id}", "in_progress"], "{id} on jo tilassa in_progress; ei muutoksia.",
     "{id} is already in_progress; nothing changed."),
    (["sr", "status", "{id}", "Kesken"], "{id} on jo tilassa in_progress; ei muutoksia.",
     "{id} is already in_progress; nothing changed."),
    (["--as", "taija.halme", "ack", "{id}"], "taija.halme on jo kuitannut tietueen {id}; ei muutoksia.",
     "taija.halme has already acknowledged {id}; nothing changed."),
    (["sr", "set", "{id}", "priority=normal", "subject=billing"], "{id}: kentillä on jo nämä arvot; ei muutoksia.",
     "{id}: the fields have these values already; nothing changed."),
    (["sr", "delegate", "{id}", "taija.halme"], "taija.halme on jo tietueen {id} vastuuhenkilö; ei muutoksia.",
     "taija.halme already owns {id}; nothing changed."),
    (["sr", "set", "{id}", "title=Laskussa virhe"], "{id}: kentillä on jo nämä arvot; ei muutoksia.",
     "{id}: the fields have these values already; nothing changed."),
])
@pytest.mark.parametrize("lang", ["fi", "en"])
def test_a_repeat_succeeds_says_so_and_writes_nothing(repo, run, store, args, fi, en, lang):
    record_id = _settled(run, store)
    head = subjects(repo)
    before = snapshot(store.root)
    result = run("--lang", lang, *[a.format(id=record_id) for a in args])
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (fi if lang == "fi" else en).format(id=record_id) + "\n"
    assert snapshot(store.root) == before
    assert subjects(repo) == head and status(repo) == ""


def test_set_of_a_changed_value_still_writes(repo, run, store):
    record_id = _settled(run, store)
    result = run("sr", "set", record_id, "priority=high", "subject=billing")
    assert result.exit_code == 0 and "ei muutoksia" not in result.stderr
    assert store.get(record_id)["priority"] == "high"
    assert subjects(repo)[0] == f"sr set {record_id}: priority normal → high"


@pytest.mark.parametrize("args, message", [
    (["user", "set", "taija.halme", "region=kotka", "active=true"],
     "käyttäjällä taija.halme on jo nämä arvot; ei muutoksia."),
    (["region", "set", "kotka", "name=Kotka"], "alueella kotka on jo nämä arvot; ei muutoksia."),
])
def test_user_and_region_set_to_the_same_values_write_nothing(repo, run, store, args, message):
    head = subjects(repo)
    before = snapshot(store.root)
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", message + "\n")
    assert snapshot(store.root) == before and subjects(repo) == head
