#!/usr/bin/env python3
"""`check` against grep: warm, after one changed file, cold, and peak memory, in one run.

    python bench/bench_check.py [N] [--keep DIR] [--rounds R] [--baseline REV]

Builds a store of N service requests with bench_store's generator (or reuses the one in --keep DIR when it is
there), then alternates `grep -rl meter_reading` over the records (A) with `crmctl check` (B) and prints the
medians and the ratios B/A. With --baseline REV the crmctl package as of git revision REV is measured on the same
store in the same run, and both must print the same findings. Peak memory is the child's ru_maxrss.
The issue's `check` goals are rows of bench_scale.py, which prints every goal; this script stays for --baseline.
Never a unit test.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import NOW, REPO, extract, generate  # noqa: E402

CACHES = ("check.sqlite", "check.sqlite-wal", "check.sqlite-shm", "check.pickle")


def check(root, code):
    """Run `crmctl check` of the package in `code`; (seconds, peak MiB, stdout, return code)."""
    env = {**os.environ, "CRMCTL_NOW": NOW, "CRMCTL_USER": "mette.murto", "CRMCTL_ROOT": str(root),
           "PYTHONPATH": str(code)}
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "crmctl", "--lang", "en", "check"], env=env, cwd=root.parent,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss / 1024, out, os.waitstatus_to_exitcode(status)


def grep(root):
    started = time.perf_counter()
    subprocess.run(["grep", "-rl", "meter_reading", str(root / "service-requests")], stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def clear(root):
    for name in CACHES:
        (root / ".cache" / name).unlink(missing_ok=True)


def touch_one(root, rounds):
    """Change one record file by hand, differently each round, on the same lines (findings keep their lines)."""
    path = next((root / "service-requests").rglob("*.yaml"))
    lines = path.read_text().splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.startswith("  Kysyi laskusta"))
    lines[at] = f"  Kysyi laskusta {rounds}.\n"
    path.write_text("".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=100000, help="service requests to generate")
    parser.add_argument("--keep", metavar="DIR", help="build the store here (or reuse the one there) and keep it")
    parser.add_argument("--rounds", type=int, default=3, help="alternated runs of each measurement")
    parser.add_argument("--baseline", metavar="REV", help="also measure `check` as of this git revision")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as temp:
        root = Path(options.keep or temp) / "store"
        if not (root / "crmctl.yaml").is_file():
            started = time.perf_counter()
            generate(root, options.count)
            print(f"generated {options.count} service requests in {time.perf_counter() - started:.1f} s")
            os.sync()
        count = sum(1 for _ in (root / "service-requests").rglob("*.yaml"))
        print(f"store: {root} ({count} service requests); load average {os.getloadavg()[0]:.2f}")
        codes = {"after": REPO}
        old_dir = None
        if options.baseline:
            old_dir = tempfile.mkdtemp()
            codes = {"before": extract(options.baseline, Path(old_dir)), **codes}
        try:
            run(root, codes, options)
        finally:
            if old_dir:
                shutil.rmtree(old_dir)
        print(f"load average at the end {os.getloadavg()[0]:.2f}")


def run(root, codes, options):
    figures = {}  # (label, measurement) -> [seconds]
    peaks = {}
    outputs = {}

    def note(label, what, seconds, peak=None):
        figures.setdefault((label, what), []).append(seconds)
        if peak is not None:
            peaks[(label, what)] = max(peaks.get((label, what), 0), peak)

    for label, code in codes.items():  # cold runs (no cache) also warm the caches for what follows
        note("grep", "grep", grep(root))
        clear(root)
        seconds, peak, out, _ = check(root, code)
        note(label, "cold", seconds, peak)
    for round_ in range(options.rounds):
        for label, code in codes.items():
            # One file changed by hand since this code's last run (the other code's rounds change files too),
            # then nothing changed since that run: each code's cache is judged on the same footing.
            note("grep", "grep", grep(root))
            touch_one(root, f"{label}{round_}")
            seconds, peak, out, _ = check(root, code)
            note(label, "one changed", seconds, peak)
            note("grep", "grep", grep(root))
            seconds, peak, out, _ = check(root, code)
            note(label, "warm", seconds, peak)
            outputs[label] = out
    if len(outputs) == 2:
        before, after = outputs.values()
        print("same findings before and after:", before == after, f"({len(after.splitlines())} lines)")
    grep_median = statistics.median(figures[("grep", "grep")])
    print(f"grep -rl meter_reading: {grep_median:.2f} s (median of {len(figures[('grep', 'grep')])})")
    for (label, what), values in figures.items():
        if label == "grep":
            continue
        median = statistics.median(values)
        print(f"{label:6s} check {what:12s} {median:7.2f} s  {median / grep_median:6.1f}x grep"
              f"  peak {peaks[(label, what)]:6.0f} MiB")


if __name__ == "__main__":
    main()
