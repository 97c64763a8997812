#!/usr/bin/env python3
"""Start-up benchmark over a corpus: cold `nodecfg check FILE` against `yamllint FILE`, file by file.

One file invites tuning to that file, so this script times every input it can find:
  * the richer 27-line NodeConfig of issue 24 (bench_check.RICHER_NODECONFIG);
  * the real-world corpus (tests/realworld/manifest.toml), when NODECFG_REALWORLD points at the fetched
    checkouts (see tests/realworld/corpus.py); each sample's user data is extracted into a scratch file;
  * every file under examples/;
  * every golden case's inputs (golden/*/ except expected/).
Each file is checked by a whole `python -m nodecfg check` process (result cache off, bytecode written once)
and by `python -m yamllint -d relaxed` on the same file, interleaved, so machine load hits both alike.
The measure is the child's CPU time (user + system, from wait4), which a busy machine inflates far less
than wall time.  It prints, for the ratio nodecfg/yamllint per file: the median, the 90th percentile and
the worst (with its file); the slowest few timed again with more runs (`--confirm-runs`), since a few
runs per file leave which file is worst to chance; then `check --each` against yamllint on the same files,
for two selections of 50: the first (examples/ and the golden inputs) and 50 spread over all the files.

    NODECFG_REALWORLD=/work/.mirror python benchmarks/bench_corpus.py [--runs N] [--confirm-runs N]

This is a script, not a test: the figures depend on the machine.  yamllint is needed only here.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUFFIXES = {".yaml", ".yml", ".json", ".mime", ".txt", ".b64", ".userdata", ""}


def child_cpu_seconds(command: list[str], env: dict[str, str]) -> float:
    """CPU time (user + system) of one whole process, taken from wait4."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO)
    stderr = process.stderr.read() if process.stderr else b""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1, 2):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}): {stderr.decode()[:500]}")
    return usage.ru_utime + usage.ru_stime


def corpus_files(scratch: Path) -> list[Path]:
    """The richer NodeConfig of issue 24, examples/, the golden inputs and (when fetched) the
    real-world samples, as files to check."""
    from bench_check import richer_nodeconfig

    richer = scratch / "richer-nodeconfig.yaml"
    richer.write_text(richer_nodeconfig())
    files = [richer] + [path for path in sorted((REPO / "examples").rglob("*"))
             if path.is_file() and path.suffix in SUFFIXES and path.name != "instance.yaml"]
    for case in sorted((REPO / "golden").iterdir()):
        if case.is_dir():
            files += [path for path in sorted(case.iterdir())
                      if path.is_file() and path.suffix in SUFFIXES and "instance" not in path.name]
    root = os.environ.get("NODECFG_REALWORLD")
    if root:
        sys.path.insert(0, str(REPO / "tests" / "realworld"))
        import corpus  # tests/realworld/corpus.py: the one reader of the manifest

        for sample in corpus.load_manifest():
            blob = corpus.read_blob(Path(root), sample)
            if blob is None:
                continue
            try:
                data = corpus.extract(blob.decode("utf-8"), sample.extract).encode() if sample.extract else blob
            except Exception:  # noqa: BLE001 - an unextractable sample is simply not timed
                continue
            target = scratch / f"{sample.id}.userdata"
            target.write_bytes(data)
            files.append(target)
    else:
        print("NODECFG_REALWORLD is not set: timing examples/ and the golden inputs only")
    return files


def file_medians(path: Path, runs: int, env: dict[str, str]) -> dict[str, float]:
    """Median CPU seconds of a cold `nodecfg check` and of yamllint on one file, interleaved, after a warm-up."""
    commands = {"nodecfg": [sys.executable, "-m", "nodecfg", "check", str(path)],
                "yamllint": [sys.executable, "-m", "yamllint", "-d", "relaxed", str(path)]}
    for command in commands.values():  # bytecode and file cache, once
        child_cpu_seconds(command, env)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(child_cpu_seconds(command, env))
    return {name: statistics.median(values) for name, values in samples.items()}


def each_ratio(files: list[Path], runs: int, env: dict[str, str]) -> float:
    """Median CPU seconds of `nodecfg check --each FILES` over yamllint's on the same files, interleaved."""
    commands = {"nodecfg": [sys.executable, "-m", "nodecfg", "check", "--each", *map(str, files)],
                "yamllint": [sys.executable, "-m", "yamllint", "-d", "relaxed", *map(str, files)]}
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(child_cpu_seconds(command, env))
    return statistics.median(samples["nodecfg"]) / statistics.median(samples["yamllint"])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per file and tool (median taken)")
    parser.add_argument("--show", type=int, default=5, help="list this many of the slowest files (by ratio)")
    parser.add_argument("--confirm-runs", type=int, default=15, help="runs per file when the slowest are timed again")
    args = parser.parse_args()
    if importlib.util.find_spec("yamllint") is None:
        raise SystemExit("yamllint is not installed (pip install yamllint): it is the baseline")
    env = dict(os.environ, NODECFG_NO_CACHE="1",
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as scratch:
        files = corpus_files(Path(scratch))
        ratios: dict[Path, float] = {}
        totals = {"nodecfg": 0.0, "yamllint": 0.0}
        for path in files:
            medians = file_medians(path, max(args.runs, 3), env)
            ratios[path] = medians["nodecfg"] / medians["yamllint"]
            for name in totals:
                totals[name] += medians[name]
        # A few runs per file leave the slowest ones to chance: time the candidates again, longer.
        slowest = sorted(ratios, key=ratios.__getitem__, reverse=True)[:args.show]
        confirmed = {}
        for path in slowest:
            medians = file_medians(path, args.confirm_runs, env)
            confirmed[path] = medians["nodecfg"] / medians["yamllint"]
        # the first 50 (the richer file, examples/ and the golden inputs: every feature, many findings)
        # and 50 spread evenly over all the files (the real-world ones among them)
        selections = {"first 50": files[:50],
                      "50 spread over all": [files[index * len(files) // 50] for index in range(min(50, len(files)))]}
        each_ratios = {name: each_ratio(chosen, max(args.runs, 5), env) for name, chosen in selections.items()}
    values = list(ratios.values())
    worst = max(ratios, key=ratios.__getitem__)
    print(f"{len(files)} files, {max(args.runs, 3)} runs each, CPU time of the child process:")
    print(f"  nodecfg check / yamllint per file: median {statistics.median(values):.2f}, "
          f"p90 {percentile(values, 0.9):.2f}, worst {ratios[worst]:.2f} ({worst.name})")
    print(f"  the {len(slowest)} slowest, first ratio and again with {args.confirm_runs} runs each:")
    for path in slowest:
        print(f"    {ratios[path]:.2f}  {confirmed[path]:.2f}  {path.parent.name}/{path.name}")
    worst_confirmed = max(confirmed, key=confirmed.__getitem__)
    print(f"  worst confirmed: {confirmed[worst_confirmed]:.2f} ({worst_confirmed.name})")
    print(f"  sums: nodecfg {totals['nodecfg'] * 1000:.0f} ms, yamllint {totals['yamllint'] * 1000:.0f} ms")
    for name, ratio in each_ratios.items():
        print(f"  check --each on {name} / yamllint on the same files: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
