#!/usr/bin/env python3
"""Start-up benchmark: `nodecfg check` on a typical 30-line NodeConfig, as a whole process.

Compares, in one run and interleaved (so machine load hits all alike):
  * python -c pass                      (the floor: interpreter start-up)
  * python -m yamllint FILE             (the target: nodecfg should be no slower)
  * python -m nodecfg check FILE        (what a pre-commit hook runs: without and with the result cache)
  * nodecfg check --each on 50 distinct files against yamllint on the same 50 (cache off)
and prints the median wall time of each and their ratios (targets: 1.0 and 0.7).  This is a script,
not a test: timings depend on the machine.  yamllint is needed only here
(install it with pip); without it the script says so and compares with
python alone.

    python benchmarks/bench_check.py [--runs N]
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# A typical self-managed NodeConfig: cluster coordinates, kubelet settings, flags.
TYPICAL_NODECONFIG = """\
---
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: platform-prod
    apiServerEndpoint: https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com
    certificateAuthority: {ca}
    cidr: 10.100.0.0/16
  instance:
    localStorage:
      strategy: RAID0
  kubelet:
    config:
      shutdownGracePeriod: 30s
      shutdownGracePeriodCriticalPods: 10s
      imageGCHighThresholdPercent: 85
      imageGCLowThresholdPercent: 80
      evictionHard:
        memory.available: 200Mi
        nodefs.available: 10%
      systemReserved:
        cpu: 100m
        memory: 200Mi
    flags:
      - --node-labels=team=platform,tier=general
      - --v=2
  featureGates:
    InstanceIdNodeName: true
"""

# The richer NodeConfig of issue 24 (27 lines): a maxPodsExpression, a containerd config, one flow
# mapping.  Its certificate is filled in by richer_nodeconfig().
RICHER_NODECONFIG = """\
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: platform-prod
    apiServerEndpoint: https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com
    certificateAuthority: CA
    cidr: 10.100.0.0/16
  containerd:
    config: |
      [plugins."io.containerd.grpc.v1.cri".containerd]
      discard_unpacked_layers = false
      [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "/etc/containerd/certs.d"
  kubelet:
    maxPodsExpression: "default_enis * (ips_per_eni - 1) + 2 > 110 ? 110 : default_enis * (ips_per_eni - 1) + 2"
    config:
      shutdownGracePeriod: 30s
      evictionHard: {memory.available: 200Mi, nodefs.available: 10%}
      systemReserved:
        cpu: 100m
        memory: 200Mi
    flags:
      - --node-labels=team=platform,tier=general
      - --v=2
  featureGates:
    InstanceIdNodeName: true
"""


def richer_nodeconfig() -> str:
    return RICHER_NODECONFIG.replace("certificateAuthority: CA", f"certificateAuthority: {example_ca()}")


def example_ca() -> str:
    """The CA bundle of examples/nodeconfig.yaml (a real self-signed certificate)."""
    for line in (REPO / "examples" / "nodeconfig.yaml").read_text().splitlines():
        if "certificateAuthority:" in line:
            return line.split(":", 1)[1].strip()
    raise SystemExit("examples/nodeconfig.yaml has no certificateAuthority")


def time_once(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=REPO)
    elapsed = time.perf_counter() - start
    if completed.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({completed.returncode}): {completed.stderr.decode()[:500]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs per command (at least 15)")
    args = parser.parse_args()
    runs = max(args.runs, 15)
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what users run: with bytecode caches written once
    with tempfile.TemporaryDirectory() as scratch:
        target = Path(scratch) / "nodeconfig.yaml"
        target.write_text(TYPICAL_NODECONFIG.format(ca=example_ca()))
        many = []
        for number in range(50):
            path = Path(scratch) / f"node-{number:02d}.yaml"
            path.write_text(TYPICAL_NODECONFIG.format(ca=example_ca()).replace("platform-prod", f"cluster-{number}"))
            many.append(str(path))
        check_command = [sys.executable, "-m", "nodecfg", "check", str(target)]
        envs = {"nodecfg check": dict(env, NODECFG_NO_CACHE="1"),
                "check (cached)": dict(env, NODECFG_CACHE_DIR=str(Path(scratch) / "cache"))}
        commands = {"python -c pass": [sys.executable, "-c", "pass"],
                    "nodecfg check": check_command, "check (cached)": check_command}
        envs["check --each x50"] = envs["nodecfg check"]
        commands["check --each x50"] = [sys.executable, "-m", "nodecfg", "check", "--each", *many]
        if importlib.util.find_spec("yamllint") is not None:
            commands["yamllint"] = [sys.executable, "-m", "yamllint", "-d", "relaxed", str(target)]
            commands["yamllint x50"] = [sys.executable, "-m", "yamllint", "-d", "relaxed", *many]
        else:
            print("yamllint is not installed (pip install yamllint): comparing with python -c pass only")
        check = subprocess.run(check_command, capture_output=True, text=True, env=envs["nodecfg check"], cwd=REPO)
        if check.returncode != 0:
            raise SystemExit(f"the typical NodeConfig is not clean:\n{check.stdout}{check.stderr}")
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for name, command in commands.items():  # warm the file system cache
            time_once(command, envs.get(name, env))
        for _ in range(runs):
            for name, command in commands.items():
                samples[name].append(time_once(command, envs.get(name, env)))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"{runs} runs each, medians:")
    for name, value in medians.items():
        print(f"  {name:<16} {value * 1000:7.1f} ms")
    base = medians["python -c pass"]
    print(f"  nodecfg check / python -c pass: {medians['nodecfg check'] / base:5.2f}  (no cache: every run parses)")
    print(f"  check (cached)/ python -c pass: {medians['check (cached)'] / base:5.2f}  (result cache hit)")
    if "yamllint" in medians:
        print(f"  yamllint      / python -c pass: {medians['yamllint'] / base:5.2f}")
        ratio = medians["nodecfg check"] / medians["yamllint"]
        verdict = "within target" if ratio <= 1.0 else "SLOWER than yamllint"
        print(f"  nodecfg check / yamllint:       {ratio:5.2f}  ({verdict})")
        each = medians["check --each x50"] / medians["yamllint x50"]
        print(f"  check --each x50 / yamllint x50: {each:5.2f}  ({'within target 0.7' if each <= 0.7 else 'over target 0.7'})")
        print(f"  check (cached)/ yamllint:       {medians['check (cached)'] / medians['yamllint']:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
