"""Timings of every report over a large generated store (prints figures; not a test).

    python bench/bench_reports.py [--projects 20000] [--requests 50000] [--leads 5000] [--keep DIR]

Records are written straight as YAML files (as an import or another tool
would), then each report runs twice: cold (every file parsed) and warm (the
store's cache). It also counts how often each record type is loaded per run:
a report must read the records of a type at most once.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crmctl.kernel import yamlio  # noqa: E402
from crmctl.demo.people import add_people  # noqa: E402
from crmctl.workflows.new_store import create_store  # noqa: E402
from crmctl.reports import Context, definitions, run  # noqa: E402
from crmctl.store.store import Store  # noqa: E402

TZ = timezone(timedelta(hours=2))
OWNERS = ["mette.murto", "taija.halme", "sanna.salo", "jussi.myyja", "kaisa.kauppinen", "teemu.tekninen"]
STAGES = ["needs_assessment", "offer", "contract_sent", "contract_returned", "connection_fee_invoiced",
          "connection_built", "billing_activated"]


def write(root, folder, prefix, day, number, record):
    record_id = f"{prefix}-{day:%Y%m%d}-{number_to_suffix(number)}"
    record = {"id": record_id, **record}
    path = root / folder / f"{day:%Y}" / f"{day:%m}" / f"{record_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yamlio.dump(record), encoding="utf-8")


def number_to_suffix(number):
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    text = ""
    for _ in range(5):
        number, digit = divmod(number, 32)
        text = alphabet[digit] + text
    return text


def history(day, by):
    return [{"at": datetime.combine(day, datetime.min.time(), TZ).replace(hour=9), "by": by, "event": "created"}]


def generate(root, projects, requests, leads):
    rng = random.Random(7)
    start = date(2009, 1, 1)
    for n in range(projects):
        created = start + timedelta(days=rng.randint(0, 800))
        done = rng.randint(0, 6)
        stages = []
        day = created
        for index, key in enumerate(STAGES):
            stage = {"key": key, "status": "not_started"}
            if index < done:
                day = day + timedelta(days=rng.randint(1, 40))
                stage.update(status="done", owner="jussi.myyja", completed=day)
            stages.append(stage)
        record = {"title": f"Projekti {n}", "type": "gas_connection", "customer": "CUST-GENERAL", "region": "kotka",
                  "owner": "jussi.myyja", "status": "open", "created": created, "stages": stages,
                  "history": history(created, "jussi.myyja")}
        if rng.random() < 0.2:
            record.update(status=rng.choice(["completed", "lost"]), closed=day + timedelta(days=rng.randint(0, 30)))
        write(root, "sales-projects", "PRJ", created, n, record)
    for n in range(requests):
        received = start + timedelta(days=rng.randint(0, 800))
        record = {"title": "Puhelu", "customer": "CUST-GENERAL", "person_name": "Matti", "subject": "billing",
                  "owner": rng.choice(OWNERS[:3]), "origin": "phone", "status_reason": "done", "priority": "normal",
                  "received": received, "responded": received + timedelta(days=rng.randint(0, 5)),
                  "resolution": "Vastattu.", "history": history(received, rng.choice(OWNERS[:3]))}
        write(root, "service-requests", "SR", received, n, record)
    for n in range(leads):
        created = start + timedelta(days=rng.randint(0, 800))
        record = {"topic": "gas_connection", "person_name": "Liisa", "phone": "+358 40 123 4567",
                  "owner": "jussi.myyja", "status": "open", "due": created + timedelta(days=2),
                  "history": history(created, "mette.murto")}
        write(root, "leads", "LEAD", created, n, record)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=50000)
    parser.add_argument("--leads", type=int, default=5000)
    parser.add_argument("--keep", metavar="DIR", help="build the store in DIR and keep it")
    args = parser.parse_args()
    os.environ.setdefault("CRMCTL_NOW", "2011-03-31T12:00:00+03:00")
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crmctl-bench-"))
    root = base / "store"
    try:
        if not (root / "crmctl.yaml").exists():
            began = time.perf_counter()
            store = create_store(root)
            add_people(store)
            generate(root, args.projects, args.requests, args.leads)
            print(f"generated {args.projects} projects, {args.requests} requests, {args.leads} leads "
                  f"in {time.perf_counter() - began:.1f} s")
        reports = definitions()
        for name in reports:
            for label in ("cold", "warm"):
                if label == "cold":
                    shutil.rmtree(root / ".cache", ignore_errors=True)
                store = Store(root)
                loads = []
                original = store._load_all
                store._load_all = lambda rtype, original=original: loads.append(rtype.key) or original(rtype)
                began = time.perf_counter()
                if name == "quality" or not reports[name].monthly:
                    run(store, name, context=Context(store))
                else:
                    run(store, name, "2009-01", "2011-03", context=Context(store))
                elapsed = time.perf_counter() - began
                repeated = sorted({k for k in loads if loads.count(k) > 1})
                print(f"report {name:9} {label}: {elapsed:6.2f} s  loads: {', '.join(loads) or '-'}"
                      + (f"  LOADED MORE THAN ONCE: {', '.join(repeated)}" if repeated else ""))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
