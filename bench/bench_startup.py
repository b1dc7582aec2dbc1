#!/usr/bin/env python3
"""Start-up benchmark: `crmctl --version` against `python -c "import click, yaml"`, in one run.

    python bench/bench_startup.py [ROUNDS]

Runs A (`crmctl --version`: the console script beside this Python, else `python -m crmctl`) and B (`python -c "import click, yaml"`) alternately, ROUNDS times each
(default 20), so a busy machine slows both alike, then prints the median of each and their ratio. Bytecode is
written and used (as for an installed package) even where PYTHONDONTWRITEBYTECODE is set. The goal is
a ratio of at most 1.3: a command pays only for the modules it uses. Never a unit test.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.3


def timed(args, env):
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # Compiled bytecode, as an installed package has: without it every run compiles crmctl's sources again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    script = Path(sys.executable).with_name("crmctl")
    crmctl = [str(script), "--version"] if script.exists() else [sys.executable, "-m", "crmctl", "--version"]
    baseline = [sys.executable, "-c", "import click, yaml"]
    timed(crmctl, env), timed(baseline, env)  # warm the file-system cache and the bytecode
    a_times, b_times = [], []
    for _ in range(rounds):
        a_times.append(timed(crmctl, env))
        b_times.append(timed(baseline, env))
    a, b = statistics.median(a_times), statistics.median(b_times)
    print(f"A crmctl --version            median {a * 1000:7.1f} ms ({rounds} rounds)")
    print(f"B python -c 'import click, yaml' median {b * 1000:7.1f} ms ({rounds} rounds)")
    print(f"ratio A/B {a / b:.2f} (target <= {TARGET_RATIO})")


if __name__ == "__main__":
    main()
