"""Benchmark: compile a full node tree for 500 instance types, in one process.

Prints milliseconds per tree for
  compile      nodecfg.compile(sources, instance) end to end (parse, validate, merge, render)
  render-only  pipeline.render_tree on one analysed config (what a generator looping over types pays)
and, as the named baseline measured in the same run, a plain ruamel.yaml load of the same input file.
Target: compile at most 2 ms per tree.

    python benchmarks/bench_compile.py [--types 500] [--source examples/nodeconfig.yaml]
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def per_call_ms(function, items) -> float:
    samples = []
    for item in items:
        start = time.perf_counter()
        function(item)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--types", type=int, default=500)
    parser.add_argument("--source", default=str(ROOT / "examples" / "nodeconfig.yaml"))
    args = parser.parse_args()

    import nodecfg
    from nodecfg.context.instance import instance_from_mapping, with_resources
    from nodecfg.context.instance_table import all_types
    from nodecfg.pipeline import analyse, render_tree
    from ruamel.yaml import YAML

    types = all_types()[: args.types]
    source = Path(args.source)
    text = source.read_text()
    nodecfg.compile([source], instance={"instanceType": types[0]})  # warm imports and caches

    baseline = per_call_ms(lambda _: list(YAML(typ="rt", pure=True).compose_all(text)), types)
    full = per_call_ms(lambda t: nodecfg.compile([source], instance={"instanceType": t}), types)
    analysis = analyse([source])
    render_only = per_call_ms(lambda t: render_tree(analysis, with_resources(instance_from_mapping({"instanceType": t}))), types)

    print(f"instance types: {len(types)}  source: {source.name}")
    print(f"baseline  ruamel.yaml compose of the source : {baseline:7.3f} ms")
    print(f"compile   full tree per instance type        : {full:7.3f} ms  ({full / baseline:.1f}x baseline)")
    print(f"render    one analysed config, per type      : {render_only:7.3f} ms  ({render_only / baseline:.1f}x baseline)")
    print("target: compile <= 2 ms per tree ->", "OK" if full <= 2 else "OVER")


if __name__ == "__main__":
    main()
