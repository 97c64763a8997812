"""Benchmark: compile() of full node trees, per instance type, in one process.

Two measures, in CPU time of this process (a busy machine inflates it far less than wall time):
  corpus   every complete config at hand (examples/, the golden inputs and, with NODECFG_REALWORLD
           set, the real-world samples; complete: compile() gives a tree) compiled for --types
           instance types each: the median milliseconds per tree over all of them, and the
           distribution of the per-config medians (p90, worst and which file).  Target: 1.5 ms.
  richer   the richer NodeConfig of issue 24 (a maxPodsExpression, a containerd config, a flow
           mapping: bench_check.RICHER_NODECONFIG) for --richer-types types, as well as
           render_tree alone on its analysed config (what a generator looping over types pays),
           and a plain ruamel.yaml compose of it as the named baseline.  Target: 2 ms per tree.

    [NODECFG_REALWORLD=/work/.mirror] python benchmarks/bench_compile.py [--types 100] [--richer-types 500]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_corpus import percentile  # noqa: E402 - one percentile for the benchmarks


def per_call_ms(function, items) -> list[float]:
    samples = []
    for item in items:
        start = time.process_time()
        function(item)
        samples.append((time.process_time() - start) * 1000)
    return samples


def complete_configs(scratch: Path, first_type: str) -> list[Path]:
    """The corpus files compile() makes a tree of (bench_corpus.py's list of files)."""
    import nodecfg

    from bench_corpus import corpus_files

    complete = []
    for path in corpus_files(scratch):
        try:
            if nodecfg.compile([path], instance={"instanceType": first_type}).tree:
                complete.append(path)
        except Exception:  # noqa: BLE001 - a file compile() refuses (a usage error) is not timed
            continue
    return complete


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--types", type=int, default=100, help="instance types per corpus config")
    parser.add_argument("--richer-types", type=int, default=500)
    args = parser.parse_args()

    import nodecfg
    from nodecfg.context.instance import instance_from_mapping, with_resources
    from nodecfg.nodeadm.instance_table import all_types
    from nodecfg.pipeline import analyse, render_tree
    from ruamel.yaml import YAML

    os.environ.setdefault("NODECFG_NO_CACHE", "1")
    every = all_types()
    step = max(1, len(every) // args.types)
    types = every[::step][: args.types]  # spread over the table, not the first letters only
    with tempfile.TemporaryDirectory() as scratch:
        configs = complete_configs(Path(scratch), types[0])
        per_config: dict[Path, float] = {}
        samples: list[float] = []
        for path in configs:
            nodecfg.compile([path], instance={"instanceType": types[0]})  # warm: the first parse is not per tree
            times = per_call_ms(lambda t: nodecfg.compile([path], instance={"instanceType": t}), types)
            per_config[path] = statistics.median(times)
            samples += times

    from bench_check import richer_nodeconfig

    richer_types = every[: args.richer_types]
    text = richer_nodeconfig()
    richer = text.encode()  # compile() takes raw bytes as a source
    nodecfg.compile([richer], instance={"instanceType": richer_types[0]})
    baseline = statistics.median(per_call_ms(lambda _: list(YAML(typ="rt", pure=True).compose_all(text)),
                                             richer_types[:100]))
    full = statistics.median(per_call_ms(lambda t: nodecfg.compile([richer], instance={"instanceType": t}),
                                         richer_types))
    analysis = analyse([richer])
    render_only = statistics.median(per_call_ms(
        lambda t: render_tree(analysis, with_resources(instance_from_mapping({"instanceType": t}))), richer_types))

    worst = max(per_config, key=per_config.__getitem__)
    medians = list(per_config.values())
    print(f"corpus: {len(configs)} complete configs x {len(types)} instance types, CPU ms per tree")
    print(f"  median over all trees {statistics.median(samples):6.3f}   per-config medians: "
          f"median {statistics.median(medians):.3f}, p90 {percentile(medians, 0.9):.3f}, "
          f"worst {per_config[worst]:.3f} ({worst.parent.name}/{worst.name})")
    print("  target: median <= 1.5 ms ->", "OK" if statistics.median(samples) <= 1.5 else "OVER")
    print(f"richer NodeConfig of issue 24, {len(richer_types)} instance types:")
    print(f"  baseline  ruamel.yaml compose of the source : {baseline:7.3f} ms")
    print(f"  compile   full tree per instance type        : {full:7.3f} ms  ({full / baseline:.1f}x baseline)")
    print(f"  render    one analysed config, per type      : {render_only:7.3f} ms")
    print("  target: compile <= 2 ms per tree ->", "OK" if full <= 2 else "OVER")


if __name__ == "__main__":
    main()
