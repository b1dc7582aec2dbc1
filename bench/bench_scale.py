#!/usr/bin/env python3
"""Scale benchmark (issue 14): a store of N service requests, every goal as a ratio measured in one run.

    python bench/bench_scale.py [N] [--keep DIR] [--rounds K] [--only NAME ...]

Builds (or, with --keep DIR and a store already there, reuses) a store of the demo's records plus N service
requests, N/20 customers and N/20 sales projects, each a clone of a record crmctl wrote for the demo (a new
id of the same day, the same valid content, about 1 KB), so the store stays valid without re-running crmctl
N times. Then for each measurement runs A and B alternately, K rounds each, as whole processes (a busy
machine slows both alike), and prints the medians, their ratio and the issue's target.

Measurements are rows of MEASUREMENTS: a name, A and B as functions of the bench's `Setup`, an optional
`before` run ahead of each A (not timed), the target ratio (or, without B, A's target in seconds), whether A's
peak memory has the issue's 150 MiB goal, and the files the row writes: those are put back afterwards, bytes
and mtime, so a kept store (--keep) ends as it began. Rows marked `extra` (cold `check`, minutes per round)
run only when --only names them. At the end the rows are printed again as a Markdown table for the README.
`bench_check.py` stays for comparing `check` with an older revision (--baseline); its goal rows are here.
Never a unit test.
"""

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crmctl.kernel import ids  # noqa: E402

NOW = "2011-06-30T10:00:00+03:00"
YEAR = NOW[:4]  # the cloned records' year: `report calls` covers its twelve months
DEMO = REPO / "records"
CLONED = {"service-requests": 1.0, "customers": 0.05, "sales-projects": 0.05}  # share of N per folder


# -- building the store ------------------------------------------------------------------------------------------

def build(root, count, seed=2011):
    """The demo store copied to `root` plus clones of its records; returns the ids of the cloned requests."""
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".cache"))
    rng = random.Random(seed)
    taken = {p.stem for p in root.rglob("*.yaml")}
    made = {}
    for folder, share in CLONED.items():
        templates = sorted((root / folder).rglob("*.yaml"))
        texts = [(p, p.read_bytes()) for p in templates if ids.is_valid(p.stem) and ids.day_of(p.stem)]
        made[folder] = []
        for number in range(int(count * share)):
            path, text = texts[number % len(texts)]
            old = path.stem
            new = _new_id(old, taken, rng)
            target = path.with_name(new + ".yaml")
            clone = text.replace(old.encode(), new.encode())
            if folder == "customers":  # customer_number is unique: a clone keeping it would be an error
                clone = re.sub(rb"customer_number: '\d+'", f"customer_number: '{9_000_000 + number}'".encode(), clone)
            # A clone's link to a lead would be one-way (the lead links back to the original only): drop it.
            clone = re.sub(rb"(?m)^lead: .*\n", b"", clone)
            target.write_bytes(clone)
            made[folder].append(new)
    return made["service-requests"]


def _new_id(old, taken, rng):
    """Another id of the same type and day (so the clone sits in the same folder)."""
    stem = old.rsplit("-", 1)[0]
    while True:
        candidate = f"{stem}-" + "".join(rng.choice(ids.CROCKFORD) for _ in range(5))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def one_record_store(root):
    """A store with the demo's configuration and one service request: the `set` baseline."""
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".cache", "service-requests", "customers",
                                                               "leads", "sales-projects", "account-requests"))
    source = sorted((DEMO / "service-requests").rglob("*.yaml"))[0]
    customer = sorted((DEMO / "customers").rglob("*.yaml"))
    for path in [source, *customer]:  # the request's customer must exist for `set` to validate it
        target = root / path.relative_to(DEMO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return source.stem


# -- running -------------------------------------------------------------------------------------------------------

@dataclass
class Setup:
    root: Path  # the big store
    small: Path  # the one-record store
    request: str  # a cloned request's id
    small_request: str
    env: dict
    flip: list = field(default_factory=lambda: [0])

    def crmctl(self, *args, root=None):
        return [sys.executable, "-m", "crmctl", "--root", str(root or self.root), *args]

    def request_path(self):
        return next((self.root / "service-requests").rglob(self.request + ".yaml"))

    def small_path(self):
        return next((self.small / "service-requests").rglob(self.small_request + ".yaml"))

    def next_priority(self):
        """`set` must change something every time: alternate the priority."""
        self.flip[0] += 1
        return "priority=" + ("high" if self.flip[0] % 2 else "normal")


def run(args, env, cwd):
    """Seconds, peak resident memory (MiB) and CPU seconds of a whole process; fails loudly on a non-zero exit.
    CPU seconds say what a command costs when the machine is shared (wall time then includes the waits)."""
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):  # grep -l finding nothing is 1
        raise SystemExit(f"{' '.join(map(str, args))} exited {child.returncode}: {stderr.decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def drop_cache(setup):
    shutil.rmtree(setup.root / ".cache", ignore_errors=True)


def drop_check_cache(setup):
    for path in (setup.root / ".cache").glob("check.*"):
        path.unlink()


def edit_one(setup):
    """A hand edit of one record (its title), different every round, so `check` has one changed file."""
    path = setup.request_path()
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.startswith("title: "))
    setup.flip[0] += 1
    lines[at] = lines[at].split(" (bench")[0].rstrip("\n") + f" (bench {setup.flip[0]})\n"
    path.write_text("".join(lines), encoding="utf-8")


MEMORY_GOAL = 150  # MiB, peak resident memory of list, check and reports


@dataclass
class Measurement:
    name: str
    a: object  # Setup -> argv
    b: object  # Setup -> argv, or None: then `target` is A's goal in seconds
    target: float
    before: object = None  # Setup -> None, run untimed before each A (dropping the derived data, ...)
    memory: bool = False  # A's peak memory has the MEMORY_GOAL
    writes: object = None  # Setup -> [Path]: files the row changes, restored (bytes and mtime) after it
    extra: bool = False  # run only when --only names it


def grep(word):
    return lambda s: ["grep", "-rl", word, str(s.root)]


def views(root):
    """Every view of the service requests, as named in the configuration."""
    sys.path.insert(0, str(REPO))
    from crmctl.store.store import Store

    return list(Store(root).config.types["service_request"].views)


def crmctl_row(name, *args, target=2.0, **more):
    """A crmctl command against `grep -rl meter_reading` over the same files."""
    return Measurement(name, lambda s: s.crmctl(*args), grep("meter_reading"), target, **more)


def measurements(root):
    rows = [
        Measurement("warm: sr list subject=meter_reading --view unresolved",
                    lambda s: s.crmctl("sr", "list", "subject=meter_reading", "--view", "unresolved"),
                    grep("meter_reading"), 2.0, memory=True),
    ]
    for view in views(root):
        rows.append(Measurement(f"warm: sr list --view {view}", lambda s, v=view: s.crmctl("sr", "list", "--view", v),
                                grep("meter_reading"), 2.0, memory=True))
    rows += [
        Measurement("warm: sr list -q (every record)", lambda s: s.crmctl("sr", "list", "-q"),
                    grep("meter_reading"), 2.0, memory=True),
        Measurement("warm: sr list (every record, table)", lambda s: s.crmctl("sr", "list"),
                    grep("meter_reading"), 2.0, memory=True),
        Measurement("warm: sr list --view resolved --format csv",
                    lambda s: s.crmctl("sr", "list", "--view", "resolved", "--format", "csv"),
                    grep("meter_reading"), 2.0, memory=True),
        Measurement("cold: first list after a clone (no .cache)",
                    lambda s: s.crmctl("sr", "list", "subject=meter_reading", "--view", "unresolved"),
                    grep("meter_reading"), 20.0, before=drop_cache, memory=True),
        Measurement("sr show PREFIX vs sr show FULL-ID", lambda s: s.crmctl("sr", "show", s.request[:-2]),
                    lambda s: s.crmctl("sr", "show", s.request), 1.2),
        Measurement("crmctl --version vs python -c 'import click, yaml'",
                    lambda s: [sys.executable, "-m", "crmctl", "--version"],
                    lambda s: [sys.executable, "-c", "import click, yaml"], 1.3),
        Measurement("sr set: big store vs one-record store",
                    lambda s: s.crmctl("sr", "set", s.request, s.next_priority()),
                    lambda s: s.crmctl("sr", "set", s.small_request, s.next_priority(), root=s.small), 1.5,
                    writes=lambda s: [s.request_path(), s.small_path()]),
        crmctl_row("warm: check, nothing changed", "check", memory=True),
        crmctl_row("warm: check after one changed file", "check", before=edit_one, memory=True,
                   writes=lambda s: [s.request_path()]),
        crmctl_row("cold: check (no findings cache)", "check", target=None, before=drop_check_cache,
                   memory=True, extra=True),
        crmctl_row(f"warm: report calls --from {YEAR}-01 --to {YEAR}-12", "report", "calls", "--from",
                   f"{YEAR}-01", "--to", f"{YEAR}-12", memory=True),
        crmctl_row("warm: report quality", "report", "quality", memory=True),
        Measurement("warm: report monthly (seconds)", lambda s: s.crmctl("report", "monthly"), None, 1.0,
                    memory=True),
    ]
    return rows


MEASUREMENTS = measurements  # the hook: a function of the store root returning the rows to measure


@dataclass
class Result:
    row: Measurement
    a: float  # median seconds
    b: float  # median seconds, or None
    peak: float  # MiB, the largest of A's runs
    a_cpu: float
    b_cpu: float

    @property
    def figure(self):
        return self.a / self.b if self.b else self.a

    @property
    def time_met(self):
        return None if self.row.target is None else self.figure <= self.row.target

    @property
    def memory_met(self):
        return self.peak <= MEMORY_GOAL if self.row.memory else None

    @property
    def verdict(self):
        """"met", "missed: time", "missed: memory", "missed: time, memory", or "no goal"."""
        goals = {"time": self.time_met, "memory": self.memory_met}
        missed = [name for name, met in goals.items() if met is False]
        if missed:
            return "missed: " + ", ".join(missed)
        return "met" if any(met for met in goals.values()) else "no goal"


def measure(setup, row, rounds):
    a_times, b_times, peaks, a_cpu, b_cpu = [], [], [], [], []
    saved = [(path, path.read_bytes(), path.stat()) for path in (row.writes(setup) if row.writes else [])]
    try:
        # One untimed A first: a row's derived data (check's findings, the record cache of reports) may not exist
        # yet, and building it belongs to the cold rows, not to the median of a warm one.
        run(row.a(setup), setup.env, setup.root.parent)
        for _ in range(rounds):
            if row.before:
                row.before(setup)
            seconds, peak, cpu = run(row.a(setup), setup.env, setup.root.parent)
            a_times.append(seconds)
            peaks.append(peak)
            a_cpu.append(cpu)
            if row.b:
                seconds, _, cpu = run(row.b(setup), setup.env, setup.root.parent)
                b_times.append(seconds)
                b_cpu.append(cpu)
    finally:
        for path, data, stat in saved:
            path.write_bytes(data)
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    result = Result(row, statistics.median(a_times), statistics.median(b_times) if b_times else None,
                    max(peaks), statistics.median(a_cpu), statistics.median(b_cpu) if b_cpu else 0.0)
    if result.b:
        figure = f"B {result.b:7.3f} s  ratio {result.figure:6.2f}"
    else:
        figure = f"{'':9s}    absolute {result.a:5.2f} s"
    goal = "" if row.target is None else f" (<= {row.target:g}{'' if row.b else ' s'}"
    goal += f"{', ' + str(MEMORY_GOAL) + ' MiB' if row.memory else ''}"
    goal = f"{goal}: {result.verdict})" if goal else " (no goal)"
    memory = f"  peak {result.peak:4.0f} MiB" if row.memory else ""
    memory += f"  cpu A {result.a_cpu:6.2f} s B {result.b_cpu:5.2f} s"
    print(f"{row.name:58s} A {result.a:7.3f} s  {figure}{goal}{memory}", flush=True)
    return result


def markdown(results, heading):
    """The rows again as the README's table."""
    print()
    print(heading)
    print()
    print("| measurement | A (median) | B (median) | A / B | goal | peak MiB of A | CPU s A / B | met |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        ratio = f"{r.figure:.2f}x" if r.b else "-"
        goal = "-" if r.row.target is None else f"<= {r.row.target:g}{'x' if r.row.b else ' s'}"
        if r.row.memory:
            goal += f", <= {MEMORY_GOAL} MiB"
        peak = f"{r.peak:.0f}" if r.row.memory else "-"
        b = f"{r.b:.2f} s" if r.b else "-"
        print(f"| {r.row.name} | {r.a:.2f} s | {b} | {ratio} | {goal} | {peak} | {r.a_cpu:.2f} / {r.b_cpu:.2f} "
              f"| {r.verdict} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=100_000, help="service requests (default 100000)")
    parser.add_argument("--keep", metavar="DIR", help="build the stores here, or reuse the ones already there")
    parser.add_argument("--rounds", type=int, default=5, help="runs of A and of B per measurement (default 5)")
    parser.add_argument("--only", nargs="*", default=[], help="measure only rows whose name contains one of these")
    options = parser.parse_args()
    import tempfile

    base = Path(options.keep) if options.keep else Path(tempfile.mkdtemp(prefix="bench-scale-"))
    root, small = base / "store", base / "small"
    try:
        if (root / "crmctl.yaml").is_file():
            request = sorted((root / "service-requests").rglob("*.yaml"))[-1].stem
            small_request = next((small / "service-requests").rglob("*.yaml")).stem
            print(f"reusing {root}")
        else:
            started = time.perf_counter()
            request = build(root, options.count)[-1]
            small_request = one_record_store(small)
            print(f"built {options.count} service requests in {time.perf_counter() - started:.1f} s")
        files = sum(1 for _ in root.rglob("*.yaml"))
        size = sum(p.stat().st_size for p in root.rglob("*.yaml"))
        load = os.getloadavg()[0]
        print(f"store: {files} files, {size / 2**20:.0f} MiB; load {load:.1f}; {options.rounds} rounds")
        env = {**os.environ, "CRMCTL_NOW": NOW, "CRMCTL_USER": "mette.murto", "PYTHONPATH": str(REPO),
               "CRMCTL_LANG": "en"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        setup = Setup(root, small, request, small_request, env)
        run(setup.crmctl("sr", "list", "-q"), env, base)  # warm: derived data and the file-system cache
        results = []
        for row in MEASUREMENTS(root):
            named = any(word in row.name for word in options.only)
            if (options.only and not named) or (row.extra and not named):
                continue
            results.append(measure(setup, row, options.rounds))
        cached = 0
        if (root / ".cache").is_dir():
            cached = sum(p.stat().st_size for p in (root / ".cache").rglob("*") if p.is_file())
            print(f"derived data in .cache/: {cached / 2**20:.1f} MiB")
        requests = sum(1 for _ in (root / "service-requests").rglob("*.yaml"))
        markdown(results, f"N = {requests} service requests ({files} files, {size / 2**20:.0f} MiB), "
                          f"{options.rounds} rounds, load average {load:.1f} at the start and "
                          f"{os.getloadavg()[0]:.1f} at the end; B is `grep -rl meter_reading` over the store "
                          f"unless the row names another; `.cache/` {cached / 2**20:.1f} MiB.")
    finally:
        if not options.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
