#!/usr/bin/env python3
"""Auto-commit benchmark: a `set` in a store of N record files, with `git.commit: auto` against `off`.

    python bench/bench_autocommit.py [N] [--rounds R] [--keep DIR]

Builds a store (the default configuration with the demo people), writes one service request through crmctl,
clones its file N times under new ids straight to disk (ids spread over 2011, so months hold N/12 files each),
commits everything once, then times real `crmctl sr set` processes, alternating auto-commit on and off in one
run (A/B/A/B...), and prints the median of each and their ratio (the target is under 1.5): first with git's
single index file, then after `crmctl git setup` (which turns on git's split index). Never a unit test.
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crmctl.kernel import ids  # noqa: E402
from crmctl.demo.people import add_people  # noqa: E402
from crmctl.workflows.new_store import create_store  # noqa: E402

NOW = "2011-12-30T10:00:00+02:00"
USER = "mette.murto"


def crmctl(root, *args, check=True):
    program = Path(sys.executable).parent / "crmctl"
    command = [str(program)] if program.is_file() else [sys.executable, "-m", "crmctl"]
    env = {**os.environ, "CRMCTL_NOW": NOW, "CRMCTL_USER": USER}
    return subprocess.run([*command, "--root", str(root), *args], capture_output=True, text=True, env=env, check=check)


def git(root, *args):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)


def generate(root, count, seed=2011):
    """A store with `count` copies of one service request; the id of the original."""
    store = create_store(root)
    add_people(store)
    original = crmctl(root, "sr", "new", "title=Laskussa virhe", "customer=CUST-GENERAL", "person_name=Matti",
                      "subject=billing", "phone=040 1234567").stdout.strip()
    text = store.path_of(original).read_text(encoding="utf-8")
    rng = random.Random(seed)
    taken = {original}
    folders = set()
    with ids.seeded(rng):
        made = [ids.new_id("SR", date(2011, 1, 1) + timedelta(days=rng.randrange(365)), taken.__contains__)
                for _ in range(count - 1)]
    for record_id in made:
        taken.add(record_id)
        day = ids.day_of(record_id)
        folder = root / "service-requests" / f"{day:%Y}" / f"{day:%m}"
        if folder not in folders:
            folder.mkdir(parents=True, exist_ok=True)
            folders.add(folder)
        (folder / f"{record_id}.yaml").write_text(text.replace(original, record_id), encoding="utf-8")
    return original


def set_commit(root, mode):
    path = root / "crmctl.yaml"
    text = path.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith(("git:", "  commit:"))]
    path.write_text("\n".join(lines) + f"\ngit:\n  commit: {mode}\n", encoding="utf-8")


def measure(root, record_id, rounds, title):
    """`sr set` with auto-commit on and off, alternated; prints the medians and their ratio."""
    times = {"off": [], "auto": []}
    priorities = ["high", "normal"]
    for number in range(rounds * 2):
        mode = ("auto", "off")[number % 2]
        set_commit(root, mode)
        start = time.perf_counter()
        crmctl(root, "sr", "set", record_id, f"priority={priorities[number % 2]}")
        times[mode].append(time.perf_counter() - start)
    auto, off = statistics.median(times["auto"]), statistics.median(times["off"])
    print(f"{title}:")
    print(f"  sr set, auto-commit off:  median {off * 1000:.0f} ms of {rounds}")
    print(f"  sr set, auto-commit auto: median {auto * 1000:.0f} ms of {rounds}")
    print(f"  ratio auto/off: {auto / off:.2f} (target < 1.5)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--keep", metavar="DIR", help="build the store here and keep it (reused when it exists)")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crmctl-bench-"))
    root = base / "store"
    started = time.perf_counter()
    if (root / "crmctl.yaml").exists():
        record_id = (root / "bench-id").read_text().strip()
    else:
        record_id = generate(root, args.count)
        (root / "bench-id").write_text(record_id + "\n")
        set_commit(root, "off")
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        # No automatic gc in the middle of the timings; the objects packed as a clone's would be.
        for key, value in (("user.name", "Bench"), ("user.email", "bench@example.fi"), ("gc.auto", "0")):
            git(root, "config", key, value)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "bench store")
        git(root, "repack", "-adq")
        git(root, "prune-packed")
    files = sum(1 for _ in (root / "service-requests").rglob("*.yaml"))
    print(f"store: {files} service request files in {root} (ready in {time.perf_counter() - started:.1f} s)")
    crmctl(root, "sr", "show", record_id)  # warm the record cache and the disk once
    git(root, "config", "core.splitIndex", "false")
    git(root, "update-index", "--no-split-index")
    measure(root, record_id, args.rounds, "one index file (core.splitIndex false)")
    git(root, "config", "--unset", "core.splitIndex")
    crmctl(root, "git", "setup")  # what every clone runs once: it turns the split index on
    measure(root, record_id, args.rounds, "after `crmctl git setup` (core.splitIndex true)")
    head = git(root, "log", "-1", "--format=%an|%s").stdout.strip()
    print(f"last commit: {head}")


if __name__ == "__main__":
    main()
