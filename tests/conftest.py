"""Fixtures: stores built in tmp_path, frozen time, a CLI runner.

The peopled store is built once per session and copied per test (building it re-reads the
configuration many times); records are written without fsync (CRMCTL_FSYNC=0, test-only).
"""

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from crmctl.cli import cli
from crmctl.demo.people import add_people
from crmctl.store.store import Store
from crmctl.workflows.new_store import create_store

NOW = "2011-01-25T10:00:00+02:00"
USER = "mette.murto"
DEMO = Path(__file__).resolve().parents[1] / "records"
DEMO_LAST_DAY = "2011-03-31T10:00:00+03:00"  # the demo's last day: open requests, some overdue


@pytest.fixture(scope="session", autouse=True)
def no_fsync():
    """Tests do not wait for the disk; a crash mid-test loses nothing worth keeping."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRMCTL_FSYNC", "0")
        yield


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    """Every test runs at a known moment, as the acting user mette.murto unless it says otherwise."""
    monkeypatch.setenv("CRMCTL_NOW", NOW)
    monkeypatch.setenv("CRMCTL_USER", USER)
    for name in ("CRMCTL_ROOT", "CRMCTL_LANG", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def peopled_store_template(tmp_path_factory, no_fsync):
    """The default store with the demo users and regions, built once, at NOW, for `store` to copy."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRMCTL_NOW", NOW)
        patch.setenv("CRMCTL_USER", USER)
        for name in ("CRMCTL_ROOT", "CRMCTL_LANG"):
            patch.delenv(name, raising=False)
        template = create_store(tmp_path_factory.mktemp("template") / "store")
        add_people(template)
    return template.root


@pytest.fixture
def store(tmp_path, peopled_store_template):
    """A store with the demo users and regions (a fresh copy of the session's template)."""
    root = tmp_path / "store"
    shutil.copytree(peopled_store_template, root)  # copy2 keeps mtimes, so the record cache stays valid
    return Store(root)


@pytest.fixture
def empty_store(request, tmp_path):
    """A store with the default configuration and no users.

    A test that also uses `store` (directly or through `run`) gets that store here, peopled:
    the two name one directory, as when `store` was built by adding people to `empty_store`.
    """
    if "store" in request.fixturenames:
        return request.getfixturevalue("store")
    return create_store(tmp_path / "store")


@pytest.fixture
def run(store):
    """Run crmctl against `store`: run("sr", "list") -> click Result (stdout/stderr separate)."""
    runner = CliRunner()

    def invoke(*args, input=None, root=store.root):
        return runner.invoke(cli, ["--root", str(root), *args], input=input, catch_exceptions=False)

    return invoke


def new_request(run, *extra):
    """A new service request made through the CLI; its id."""
    result = run("sr", "new", "title=Laskussa virhe", "customer=CUST-GENERAL", "person_name=Matti Meikäläinen",
                 "subject=billing", "phone=040 1234567", *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def snapshot(root):
    """Every file under root with its bytes: to prove a failed command changed nothing."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".cache" not in p.parts}


def store_built_once(tmp_path_factory, template, name, fill):
    """A copy of `template` in which `fill(run)` makes the records a module's tests share (built once, so each test
    pays for a copy, not for the commands): (root, what fill returned)."""
    root = tmp_path_factory.mktemp(name) / "store"
    shutil.copytree(template, root)
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRMCTL_NOW", NOW)
        patch.setenv("CRMCTL_USER", USER)
        return root, fill(lambda *args: runner.invoke(cli, ["--root", str(root), *args], catch_exceptions=False))


def copy_of_store(root, tmp_path):
    """A test's own copy of a store built once (copy2 keeps mtimes, so the derived caches stay valid)."""
    shutil.copytree(root, tmp_path / "store")
    return Store(tmp_path / "store")


def copy_of_demo(root):
    """The demo store's records and configuration at `root`, without its derived data."""
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".cache"))
    return root


@pytest.fixture
def demo(tmp_path, monkeypatch):
    """A copy of the demo store, the clock at its last day."""
    monkeypatch.setenv("CRMCTL_NOW", DEMO_LAST_DAY)
    return copy_of_demo(tmp_path / "records")


def invoke_indexed(root, monkeypatch, args, indexed):
    """(exit code, stdout, stderr) of a command through the derived data (column index, findings cache, kept
    answers), or with CRMCTL_NO_INDEX=1 by a plain full read: the equivalence tests compare the two."""
    with monkeypatch.context() as patch:
        if indexed:
            patch.delenv("CRMCTL_NO_INDEX", raising=False)
        else:
            patch.setenv("CRMCTL_NO_INDEX", "1")
        result = CliRunner().invoke(cli, ["--root", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def same_indexed_or_not(root, monkeypatch, *args):
    """The answer through the derived data; asserts it is the full read's answer."""
    indexed = invoke_indexed(root, monkeypatch, args, True)
    assert indexed == invoke_indexed(root, monkeypatch, args, False), args
    return indexed


def age_files(root, generation):
    """Every file's mtime (derived data's aside) a day and more in the past, different for each generation: a file
    written within two seconds of a run is not trusted by its stat, in one run and not another. Returns it."""
    moment = 946_684_800 + generation * 3600
    for path in root.rglob("*"):
        if path.is_file() and ".cache" not in path.parts:
            os.utime(path, (moment, moment))
    return moment
