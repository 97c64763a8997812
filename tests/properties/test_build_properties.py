"""Properties of the compiled tree: determinism across environments, maxPods and kubeReserved."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import nodecfg
from nodecfg.nodeadm.instance_table import all_types, lookup

from strategies import kubelet_config

GOLDEN_INPUT = Path(__file__).parents[2] / "golden" / "plain-yaml" / "nodeconfig.yaml"
BASE = GOLDEN_INPUT.read_text()


def nodeconfig_bytes(extra_kubelet: dict) -> bytes:
    return (BASE + "  kubelet:\n    config: " + json.dumps(extra_kubelet) + "\n").encode()


SCRIPT = """
import hashlib, json, sys, nodecfg
from nodecfg.output.emit import tar_bytes
cases = json.load(sys.stdin)
out = []
for case in cases:
    result = nodecfg.compile([case["source"].encode()], instance=case["instance"])
    out.append(hashlib.sha256(tar_bytes(result.tree, gzip=True, mtime=0)).hexdigest() if result.files else "no files")
print(json.dumps(out))
"""


def digests_in(environment: dict, cases: list[dict], umask: int) -> list[str]:
    env = {**os.environ, **environment}
    completed = subprocess.run([sys.executable, "-c", f"import os; os.umask({umask})\n" + SCRIPT],
                               input=json.dumps(cases), capture_output=True, text=True, env=env, check=True)
    return json.loads(completed.stdout)


@settings(max_examples=3, deadline=None)
@given(st.lists(st.tuples(kubelet_config, st.sampled_from(["m5.large", "c6i.4xlarge", "t3.micro", "p4d.24xlarge"])),
                min_size=3, max_size=6))
def test_output_is_byte_identical_across_runs_and_environments(generated):
    cases = [{"source": nodeconfig_bytes(config).decode(), "instance": {"instanceType": itype}}
             for config, itype in generated]
    first = digests_in({"TZ": "UTC", "LC_ALL": "C"}, cases, 0o022)
    second = digests_in({"TZ": "Asia/Kolkata", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "12345"}, cases, 0o077)
    assert "no files" not in first
    assert first == second


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(all_types()))
def test_rendered_kube_reserved_memory_is_11_max_pods_plus_255(instance_type):
    result = nodecfg.compile([GOLDEN_INPUT], instance={"instanceType": instance_type})
    config = json.loads(result.files["etc/kubernetes/kubelet/config.json"])
    info = lookup(instance_type)
    assert config["maxPods"] == info.default_enis * (info.ips_per_eni - 1) + 2
    assert config["kubeReserved"]["memory"] == f"{11 * config['maxPods'] + 255}Mi"


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(all_types()))
def test_expression_equal_to_the_formula_renders_the_formula(instance_type):
    source = BASE + "  kubelet:\n    maxPodsExpression: default_enis * (ips_per_eni - 1) + 2\n"
    with_expression = nodecfg.compile([source.encode()], instance={"instanceType": instance_type})
    without = nodecfg.compile([GOLDEN_INPUT], instance={"instanceType": instance_type})
    rendered = json.loads(with_expression.files["etc/kubernetes/kubelet/config.json"])
    assert rendered == json.loads(without.files["etc/kubernetes/kubelet/config.json"])
