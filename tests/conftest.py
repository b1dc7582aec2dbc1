"""Fixtures: stores built in tmp_path, frozen time, a CLI runner."""

import pytest
from click.testing import CliRunner

from crmctl.cli import cli
from crmctl.demo.people import add_people
from crmctl.workflows.new_store import create_store

NOW = "2011-01-25T10:00:00+02:00"


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    """Every test runs at a known moment, as the acting user mette.murto unless it says otherwise."""
    monkeypatch.setenv("CRMCTL_NOW", NOW)
    monkeypatch.setenv("CRMCTL_USER", "mette.murto")
    for name in ("CRMCTL_ROOT", "CRMCTL_LANG", "EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def empty_store(tmp_path):
    """A store with the default configuration and no users."""
    return create_store(tmp_path / "store")


@pytest.fixture
def store(empty_store):
    """A store with the demo users and regions."""
    add_people(empty_store)
    empty_store.reload_config()
    return empty_store


@pytest.fixture
def run(store):
    """Run crmctl against `store`: run("sr", "list") -> click Result (stdout/stderr separate)."""
    runner = CliRunner()

    def invoke(*args, input=None, root=store.root):
        return runner.invoke(cli, ["--root", str(root), *args], input=input, catch_exceptions=False)

    return invoke


def snapshot(root):
    """Every file under root with its bytes: to prove a failed command changed nothing."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".cache" not in p.parts}
