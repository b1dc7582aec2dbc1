"""The lock and the files a write leaves (issue 11, items 10 and 11)."""

import os
import subprocess
import sys
import time

from conftest import new_request, snapshot

HOLD = """
import sys, time
from crmctl.store.store import Store
with Store(sys.argv[1]).lock():
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(root, seconds):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(root), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_held_lock_stops_a_writer_after_the_timeout_naming_the_holder(run, store, monkeypatch):
    sr = new_request(run)
    before = snapshot(store.root)
    holder = hold_lock(store.root, 30)
    try:
        monkeypatch.setenv("CRMCTL_LOCK_TIMEOUT", "0.5")
        started = time.monotonic()
        result = run("--lang", "en", "sr", "set", sr, "title=Uusi")
        assert time.monotonic() - started < 10
        assert result.exit_code == 1
        assert "locked" in result.stderr and str(holder.pid) in result.stderr
        assert "internal error" not in result.stderr
    finally:
        holder.kill()
        holder.wait()
    assert snapshot(store.root) == before
    assert run("sr", "set", sr, "title=Uusi").exit_code == 0  # a killed holder leaves no stale lock


def test_a_bad_lock_timeout_is_a_usage_error(run, store, monkeypatch):
    sr = new_request(run)
    monkeypatch.setenv("CRMCTL_LOCK_TIMEOUT", "soon")
    result = run("--lang", "en", "sr", "set", sr, "title=Uusi")
    assert result.exit_code == 2 and "CRMCTL_LOCK_TIMEOUT" in result.stderr


def test_the_next_write_removes_leftover_temporary_files(run, store):
    sr = new_request(run)
    folder = store.path_of(sr).parent
    leftover = folder / f".{sr}.yaml.abc123.tmp"
    leftover.write_text("personal_id: 131052-308T\n")
    other = folder / "notes.tmp"  # not crmctl's: stays
    other.write_text("x\n")
    assert run("sr", "set", sr, "title=Uusi").exit_code == 0
    assert not leftover.exists() and other.exists()


def test_a_new_store_ignores_temporary_files_in_git(store):
    assert ".*.tmp" in (store.root / ".gitignore").read_text().splitlines()


def test_record_files_respect_the_umask(run, store):
    old = os.umask(0o002)
    try:
        sr = new_request(run)
        assert store.path_of(sr).stat().st_mode & 0o777 == 0o664
        os.umask(0o077)
        assert run("sr", "set", sr, "title=Uusi").exit_code == 0
        assert store.path_of(sr).stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
