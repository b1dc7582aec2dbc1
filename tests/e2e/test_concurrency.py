"""Concurrency under the store lock (issue 11, "must hold"): many parallel writers lose nothing, and a writer killed
with SIGKILL at any moment leaves no corrupt record, no stale lock and no half-done command."""

import multiprocessing
import os
import random
import signal
import time

import pytest

from conftest import new_request
from crmctl.engine import records
from crmctl.store.store import Store

NOW = "2011-01-25T10:00:00+02:00"


def _set_many(root, record_id, writer, count):
    os.environ["CRMCTL_NOW"] = NOW
    store = Store(root)
    for number in range(count):  # values no other writer sets: every update is a change
        records.update(store, record_id, {"title": f"writer {writer}, update {number}"}, "mette.murto")


def _set_forever(root, record_id):
    os.environ["CRMCTL_NOW"] = NOW
    store = Store(root)
    number = 0
    while True:
        number += 1
        records.update(store, record_id, {"title": f"title {number}"}, "mette.murto")


@pytest.mark.slow
def test_sixteen_parallel_writers_lose_no_update(run, store):
    request = new_request(run)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_set_many, args=(store.root, request, writer, 4)) for writer in range(16)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    history = store.get(request)["history"]
    assert len(history) == 1 + 16 * 4
    assert not [p for p in (store.root / "service-requests").rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_two_hundred_random_kills_leave_no_corrupt_record_and_no_stale_lock(run, store):
    request = new_request(run)
    context = multiprocessing.get_context("fork")
    rng = random.Random(2011)
    for _ in range(200):
        writer = context.Process(target=_set_forever, args=(store.root, request))
        writer.start()
        time.sleep(rng.uniform(0.0, 0.03))
        os.kill(writer.pid, signal.SIGKILL)
        writer.join()
    fresh = Store(store.root)
    record = fresh.get(request)  # parses: no write was left half-done
    assert record["id"] == request and record["history"][0]["event"] == "created"
    assert len(record["history"]) == 1 + sum(1 for e in record["history"][1:] if e["event"] == "changed")
    started = time.monotonic()
    with fresh.lock():  # the lock died with its holder
        assert time.monotonic() - started < 5
    checked = run("check", str(fresh.path_of(request)))
    assert checked.exit_code == 0, checked.stdout + checked.stderr
