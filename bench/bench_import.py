#!/usr/bin/env python3
"""Import benchmark: `crmctl import sr FILE` of N service requests against the same rows made by `sr new` in a loop.

    python bench/bench_import.py [N] [--rounds R] [--loop M]

A imports N rows (CSV) into a fresh peopled store; B runs `crmctl sr new` once per row for the first M rows
(default 100; a process per row is slow, so B is timed on fewer rows and given per row). A and B alternate, R
rounds each (default 3), so a busy machine slows both alike. Prints the median rows/s of each and the ratio.
Writes are durable as in production (fsync on). The goal for A is at least 1,000 rows/s. Never a unit test.
"""

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 1000
FIELDS = ("title", "customer", "person_name", "subject", "phone", "site.postal_code")


def rows(n):
    subjects = ("billing", "callback", "feedback")
    for i in range(n):
        yield (f"Pyyntö {i}", "CUST-GENERAL", f"Asiakas {i}", subjects[i % 3], f"040 {1000000 + i}", "48100")


def crmctl():
    script = Path(sys.executable).with_name("crmctl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "crmctl"]


def template(work, env):
    """A peopled store made once (users and regions of the demo company), copied for every round."""
    root = work / "template"
    subprocess.run(crmctl() + ["init", str(root)], env=env, check=True, capture_output=True)
    code = ("import sys; from crmctl.store.store import Store; from crmctl.demo.people import add_people; "
            "add_people(Store(sys.argv[1]))")
    subprocess.run([sys.executable, "-c", code, str(root)], env=env, check=True)
    return root


def run_a(source, store, n, env):
    start = time.perf_counter()
    subprocess.run(crmctl() + ["--root", str(store), "import", "sr", str(source)], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return n / (time.perf_counter() - start)


def run_b(store, m, env):
    start = time.perf_counter()
    for row in list(rows(m)):
        pairs = [f"{k}={v}" for k, v in zip(FIELDS, row)]
        subprocess.run(crmctl() + ["--root", str(store), "sr", "new", *pairs], env=env, check=True,
                       stdout=subprocess.DEVNULL)
    return m / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loop", type=int, default=100)
    args = parser.parse_args()
    env = dict(os.environ, CRMCTL_NOW="2011-01-25T10:00:00+02:00", CRMCTL_USER="mette.murto",
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("CRMCTL_FSYNC", None)  # durable writes, as in production
    env.pop("CRMCTL_ROOT", None)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        base = template(work, env)
        source = work / "rows.csv"
        with open(source, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(FIELDS)
            writer.writerows(rows(args.n))
        a_rates, b_rates = [], []
        for number in range(args.rounds):
            for name, rates, measure in (("a", a_rates, lambda s: run_a(source, s, args.n, env)),
                                         ("b", b_rates, lambda s: run_b(s, args.loop, env))):
                store = work / f"{name}{number}"
                shutil.copytree(base, store)
                rates.append(measure(store))
                shutil.rmtree(store)
    a, b = statistics.median(a_rates), statistics.median(b_rates)
    print(f"A crmctl import sr ({args.n} rows)      median {a:8.0f} rows/s ({args.rounds} rounds)")
    print(f"B crmctl sr new in a loop ({args.loop} rows) median {b:8.1f} rows/s ({args.rounds} rounds)")
    print(f"ratio A/B {a / b:.0f} (target for A: >= {TARGET} rows/s)")


if __name__ == "__main__":
    main()
