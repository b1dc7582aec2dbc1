#!/usr/bin/env python3
"""Store benchmark: N records in a temporary store, timings of the everyday commands.

    python bench/bench_store.py [N] [--keep DIR] [--baseline REV]

Writes N service requests (plus one customer per 20 of them) straight to
disk in canonical form, then times real `crmctl` processes: a cold list (no
cache), a warm list, `show`, `set`, and `check` cold (no parse cache) and
warm. With --baseline REV it also runs `check` of the crmctl package as it
was at git revision REV (extracted to a temporary directory) on the same
store in the same run, and asserts both report the same findings.
Prints one line per figure; never a unit test.
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crmctl.kernel import ids
from crmctl.kernel import yamlio  # noqa: E402
from crmctl.demo.people import add_people  # noqa: E402
from crmctl.workflows.new_store import create_store  # noqa: E402

NOW = "2011-06-30T10:00:00+03:00"
SUBJECTS = ["meter_reading", "billing", "sales_inquiry", "callback", "feedback", "fault", "other"]
STATUSES = ["in_progress", "on_hold", "waiting_for_details", "researching", "resolved", "done"]
EEST = timezone(timedelta(hours=3))


def generate(root, count, seed=2011):
    """Write `count` service requests and count/20 customers; returns the SR ids."""
    store = create_store(root)
    add_people(store)
    store.reload_config()
    users = list(store.config.users)
    rng = random.Random(seed)
    taken = set()
    customers = ["CUST-GENERAL"]
    for number in range(max(1, count // 20)):
        day = date(2011, 1, 3) + timedelta(days=rng.randrange(170))
        record_id = _new_id("CUST", day, taken, rng)
        record = {
            "id": record_id, "name": f"Asiakas {number} Oy", "kind": "business",
            "customer_number": f"{100000 + number}", "business_id": _business_id(rng),
            "phone": f"+358 40 {rng.randrange(100, 999)} {rng.randrange(1000, 9999)}",
            "region": rng.choice(list(store.config.regions)), "segment": "basic",
            "history": [{"at": datetime(day.year, day.month, day.day, 9, 0, tzinfo=EEST),
                         "by": rng.choice(users), "event": "created"}],
        }
        _write(store, "customers", record)
        customers.append(record_id)
    requests = []
    for number in range(count):
        day = date(2011, 1, 3) + timedelta(days=rng.randrange(178))
        record_id = _new_id("SR", day, taken, rng)
        subject = rng.choice(SUBJECTS)
        customer = rng.choice(customers)
        status = rng.choice(STATUSES)
        record = {"id": record_id, "title": f"Puhelu {number}", "customer": customer}
        if customer == "CUST-GENERAL":
            record["person_name"] = f"Soittaja {number}"
        record.update({
            "phone": "+358 40 123 4567", "subject": subject, "owner": rng.choice(users), "case_type": "question",
            "unit": "paikallisjakelu", "origin": "phone", "status_reason": status, "priority": "normal",
            "service_method": "first_contact", "received": day,
        })
        if status in ("resolved", "done"):
            record["responded"] = day
        record["description"] = "Asiakas soitti.\nKysyi laskusta."
        if status in ("resolved", "done"):
            record["resolution"] = "Neuvottu."
        if subject == "meter_reading":
            record["meter_reading"] = rng.randrange(100000)
        record["history"] = [{"at": datetime(day.year, day.month, day.day, 10, 0, tzinfo=EEST),
                              "by": record["owner"], "event": "created"}]
        _write(store, "service-requests", record)
        requests.append(record_id)
    return requests


def _new_id(prefix, day, taken, rng):
    while True:
        candidate = f"{prefix}-{day:%Y%m%d}-" + "".join(rng.choice(ids.CROCKFORD) for _ in range(5))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _business_id(rng):
    while True:
        digits = f"{rng.randrange(10**7):07d}"
        remainder = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2))) % 11
        if remainder != 1:
            return f"{digits}-{0 if remainder == 0 else 11 - remainder}"


def _write(store, folder, record):
    day = ids.day_of(record["id"])
    path = store.root / folder / f"{day:%Y}" / f"{day:%m}" / f"{record['id']}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yamlio.dump(record), encoding="utf-8")


def crmctl(root, *args, code=REPO):
    """Run `python -m crmctl ARGS` from the package in `code`; returns (seconds, completed process)."""
    env = {**os.environ, "CRMCTL_NOW": NOW, "CRMCTL_USER": "mette.murto", "CRMCTL_ROOT": str(root),
           "PYTHONPATH": str(code)}
    started = time.perf_counter()
    # Run outside the repository: `python -m` puts the working directory first on sys.path.
    done = subprocess.run([sys.executable, "-m", "crmctl", *args], env=env, capture_output=True, text=True,
                          cwd=root.parent)
    return time.perf_counter() - started, done


def extract(revision, into):
    """The crmctl package as it was at a git revision, written under `into`."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "crmctl"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=20000, help="service requests to generate")
    parser.add_argument("--keep", metavar="DIR", help="build the store here and keep it")
    parser.add_argument("--baseline", metavar="REV", help="also time `check` as of this git revision")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as temp:
        root = Path(options.keep or temp) / "store"
        started = time.perf_counter()
        requests = generate(root, options.count)
        print(f"generate {options.count} service requests: {time.perf_counter() - started:.2f} s")
        os.sync()  # let the written files settle so they do not slow down the first timings

        figures = []
        seconds, done = crmctl(root, "sr", "list", "-q")
        assert done.returncode == 0 and len(done.stdout.split()) == options.count, done.stderr
        figures.append(("sr list (cold, no cache)", seconds))
        seconds, done = crmctl(root, "sr", "list", "-q")
        figures.append(("sr list (warm cache)", seconds))
        seconds, done = crmctl(root, "sr", "list", "--view", "unresolved")
        assert done.returncode == 0, done.stderr
        figures.append(("sr list --view unresolved (table)", seconds))
        seconds, done = crmctl(root, "sr", "show", requests[0][:16])
        assert done.returncode == 0, done.stderr
        figures.append(("sr show PREFIX", seconds))
        seconds, done = crmctl(root, "sr", "set", requests[1], "priority=high")
        assert done.returncode == 0, done.stderr
        figures.append(("sr set", seconds))
        baseline = None
        if options.baseline:
            with tempfile.TemporaryDirectory() as old_code:
                seconds, baseline = crmctl(root, "--lang", "en", "check", code=extract(options.baseline, Path(old_code)))
            assert baseline.returncode == 0, baseline.stderr
            figures.append((f"check as of {options.baseline} (before)", seconds))
        for name in ("check.pickle", "check.sqlite", "check.sqlite-wal", "check.sqlite-shm"):
            (root / ".cache" / name).unlink(missing_ok=True)
        seconds, cold = crmctl(root, "--lang", "en", "check")
        assert cold.returncode == 0, cold.stdout[-2000:] + cold.stderr
        figures.append(("check (cold: no cache)", seconds))
        seconds, warm = crmctl(root, "--lang", "en", "check")
        assert warm.stdout == cold.stdout
        figures.append(("check (warm)", seconds))
        if baseline is not None:
            assert baseline.stdout == cold.stdout, "the baseline finds something else"
            print(f"same findings before and after: {len(cold.stdout.splitlines())} lines")
        seconds, _ = crmctl(root, "--version")
        figures.append(("--version (start-up)", seconds))
        for name, seconds in figures:
            print(f"{name:40s} {seconds:7.2f} s")


if __name__ == "__main__":
    main()
