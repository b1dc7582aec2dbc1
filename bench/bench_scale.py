#!/usr/bin/env python3
"""Scale benchmark (issue 14): a store of N service requests, every goal as a ratio measured in one run.

    python bench/bench_scale.py [N] [--keep DIR] [--rounds K] [--only NAME ...]

Builds (or, with --keep DIR and a store already there, reuses) a store of the demo's records plus N service
requests, N/20 customers and N/20 sales projects, each a clone of a record crmctl wrote for the demo (a new
id of the same day, the same valid content, about 1 KB), so the store stays valid without re-running crmctl
N times. Then for each measurement runs A and B alternately, K rounds each, as whole processes (a busy
machine slows both alike), and prints the medians, their ratio and the issue's target.

Measurements are rows of MEASUREMENTS: a name, A and B as functions of the bench's `Setup`, an optional
`before` run ahead of each A (not timed) and the target ratio. Another measurement (`check`, reports) is one
more row. Never a unit test.
"""

import argparse
import os
import random
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
            target.write_bytes(text.replace(old.encode(), new.encode()))
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


@dataclass
class Measurement:
    name: str
    a: object  # Setup -> argv
    b: object  # Setup -> argv
    target: float
    before: object = None  # Setup -> None, run untimed before each A (dropping the derived data, ...)
    memory: bool = False  # also report A's peak memory


def grep(word):
    return lambda s: ["grep", "-rl", word, str(s.root)]


def views(root):
    """Every view of the service requests, as named in the configuration."""
    sys.path.insert(0, str(REPO))
    from crmctl.store.store import Store

    return list(Store(root).config.types["service_request"].views)


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
                    lambda s: s.crmctl("sr", "set", s.small_request, s.next_priority(), root=s.small), 1.5),
    ]
    return rows


MEASUREMENTS = measurements  # the hook: a function of the store root returning the rows to measure


def measure(setup, row, rounds):
    a_times, b_times, peaks, a_cpu, b_cpu = [], [], [], [], []
    for _ in range(rounds):
        if row.before:
            row.before(setup)
        seconds, peak, cpu = run(row.a(setup), setup.env, setup.root.parent)
        a_times.append(seconds)
        peaks.append(peak)
        a_cpu.append(cpu)
        seconds, _, cpu = run(row.b(setup), setup.env, setup.root.parent)
        b_times.append(seconds)
        b_cpu.append(cpu)
    a, b = statistics.median(a_times), statistics.median(b_times)
    verdict = "ok" if a / b <= row.target else "OVER"
    memory = f"  peak {max(peaks):4.0f} MiB" if row.memory else ""
    memory += f"  cpu A {statistics.median(a_cpu):6.2f} s B {statistics.median(b_cpu):5.2f} s"
    print(f"{row.name:58s} A {a:7.3f} s  B {b:7.3f} s  ratio {a / b:6.2f} (<= {row.target:g} {verdict}){memory}",
          flush=True)
    return a, b


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
        print(f"store: {files} files, {size / 2**20:.0f} MiB; load {os.getloadavg()[0]:.1f}; {options.rounds} rounds")
        env = {**os.environ, "CRMCTL_NOW": NOW, "CRMCTL_USER": "mette.murto", "PYTHONPATH": str(REPO),
               "CRMCTL_LANG": "en"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        setup = Setup(root, small, request, small_request, env)
        run(setup.crmctl("sr", "list", "-q"), env, base)  # warm: derived data and the file-system cache
        for row in MEASUREMENTS(root):
            if options.only and not any(word in row.name for word in options.only):
                continue
            measure(setup, row, options.rounds)
        if (root / ".cache").is_dir():
            cached = sum(p.stat().st_size for p in (root / ".cache").rglob("*") if p.is_file())
            print(f"derived data in .cache/: {cached / 2**20:.1f} MiB")
    finally:
        if not options.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
