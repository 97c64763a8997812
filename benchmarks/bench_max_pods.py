#!/usr/bin/env python3
"""Time ``nodecfg max-pods`` as whole processes against ``python -c pass``.

Run from the repository root:  python benchmarks/bench_max_pods.py [-n RUNS]
Prints the median wall time of each case and its ratio to the baseline
measured in the same run, so numbers from different machines compare.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES = {
    "baseline: python -c pass": ["-c", "pass"],
    "max-pods -t m5.large": ["-m", "nodecfg", "max-pods", "-t", "m5.large"],
    "max-pods --all": ["-m", "nodecfg", "max-pods", "--all"],
    "max-pods --all --format json": ["-m", "nodecfg", "max-pods", "--all", "--format", "json"],
    "max-pods --all -e <arithmetic> (fast evaluator)":
        ["-m", "nodecfg", "max-pods", "--all", "-e", "max_pods < 110 ? max_pods : 110"],
    "max-pods --all -e <needs cel-python>":
        ["-m", "nodecfg", "max-pods", "--all", "-e", "int(max_pods) < 110 ? max_pods : 110"],
}


# measure what users run: with bytecode caches written once, and no result cache
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"NODECFG_NO_CACHE": "1"}


def median_seconds(arguments: list[str], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        completed = subprocess.run([sys.executable, *arguments], cwd=REPO, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env=ENVIRONMENT)
        timings.append(time.perf_counter() - start)
        if completed.returncode not in (0, 1):
            raise SystemExit(f"{arguments} exited {completed.returncode}")
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--runs", type=int, default=15)
    args = parser.parse_args()
    results = {name: median_seconds(arguments, args.runs) for name, arguments in CASES.items()}
    baseline = next(iter(results.values()))
    print(f"median of {args.runs} runs, Python {sys.version.split()[0]}")
    for name, seconds in results.items():
        print(f"{name:52} {seconds * 1000:8.1f} ms  {seconds / baseline:6.1f}x baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
