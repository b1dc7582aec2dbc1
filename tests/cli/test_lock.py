"""The lock and the files a write leaves (issue 11, items 10 and 11)."""

import os
import subprocess
import sys
import time

from pathlib import Path

from conftest import NOW, USER, new_request, snapshot

REPO = Path(__file__).resolve().parents[2]


def _cli(store, *args):
    """crmctl in a process of its own (to run beside the test's commands)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "CRMCTL_NOW": NOW, "CRMCTL_USER": USER}
    return subprocess.Popen([sys.executable, "-m", "crmctl", "--root", str(store.root), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

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


def test_notify_does_not_hold_the_lock_while_the_server_does_not_answer(run, store, monkeypatch):
    import socket

    sr = new_request(run)
    assert run("sr", "delegate", sr, "taija.halme").exit_code == 0
    silent = socket.socket()  # accepts the connection, never greets: smtplib waits for its 30 s timeout
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    silent.settimeout(30)
    host, port = silent.getsockname()
    notifier = _cli(store, "notify", "--smtp", f"{host}:{port}", "--from", "crm@example.fi")
    try:
        connection, _ = silent.accept()  # notify is talking to the server now
        monkeypatch.setenv("CRMCTL_LOCK_TIMEOUT", "5")
        started = time.monotonic()
        result = run("sr", "set", sr, "title=Kirjoitettu kesken lähetyksen")
        assert result.exit_code == 0, result.stderr
        assert time.monotonic() - started < 5
        # A second notify meanwhile does not send the claimed email again.
        second = run("notify", "--smtp", f"{host}:{port}", "--from", "crm@example.fi", "-q")
        assert second.exit_code == 0 and second.stdout == ""
        connection.close()
    finally:
        notifier.kill()
        notifier.wait()
        silent.close()
    assert store.get(sr)["title"] == "Kirjoitettu kesken lähetyksen"
    assert "notified" not in store.get(sr)["assignments"][0]


def test_a_store_made_before_the_ignore_line_gets_it_with_its_next_write(run, store):
    ignore = store.root / ".gitignore"
    ignore.write_text("notes.txt\n", encoding="utf-8")  # a user's own .gitignore, from before the line existed
    refused = run("sr", "set", "SR-nothing", "title=x")
    assert refused.exit_code == 1 and ignore.read_text(encoding="utf-8") == "notes.txt\n"  # a failed command: as it was
    assert run("sr", "new", "title=x", "customer=CUST-GENERAL", "person_name=A B", "subject=billing",
               "phone=040 1234567").exit_code == 0
    assert ignore.read_text(encoding="utf-8") == "notes.txt\n.*.tmp\n"
