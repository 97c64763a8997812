"""pipeline.run and its memo of the front half."""
from __future__ import annotations

from pathlib import Path

import nodecfg
from nodecfg import pipeline

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "examples" / "nodeconfig.yaml").read_bytes()


def test_the_front_half_is_parsed_once_for_the_same_bytes(monkeypatch):
    pipeline._ANALYSES.clear()
    calls = []
    real = pipeline._analyse
    monkeypatch.setattr(pipeline, "_analyse", lambda *a: calls.append(a) or real(*a))
    first = nodecfg.compile([EXAMPLE], instance={"instanceType": "m5.large"})
    second = nodecfg.compile([EXAMPLE], instance={"instanceType": "c5.4xlarge"})
    assert len(calls) == 1
    assert first.files["etc/kubernetes/kubelet/config.json"] != second.files["etc/kubernetes/kubelet/config.json"]
    nodecfg.compile([EXAMPLE.replace(b"name: demo", b"name: other")])
    assert len(calls) == 2


def test_a_changed_file_is_read_again(tmp_path):
    path = tmp_path / "node.yaml"
    path.write_bytes(EXAMPLE)
    assert nodecfg.compile([path]).config["spec"]["cluster"]["name"] == "demo"
    path.write_bytes(EXAMPLE.replace(b"name: demo", b"name: renamed"))
    assert nodecfg.compile([path]).config["spec"]["cluster"]["name"] == "renamed"


def test_what_the_caller_changes_does_not_reach_the_next_compile():
    first = nodecfg.compile([EXAMPLE])
    first.config["spec"]["cluster"]["name"] = "changed by the caller"
    first.texts.clear()
    second = nodecfg.compile([EXAMPLE])
    assert second.config["spec"]["cluster"]["name"] == "demo" and second.texts


def test_the_memo_is_bounded():
    pipeline._ANALYSES.clear()
    for number in range(pipeline._ANALYSES_KEPT + 5):
        pipeline.analyse([EXAMPLE.replace(b"name: demo", f"name: c{number}".encode())])
    assert len(pipeline._ANALYSES) == pipeline._ANALYSES_KEPT


# --- the Request -------------------------------------------------------------------------------

NODECLASS = b"""\
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: web
spec:
  userData: |
    #!/bin/bash
    echo hi
"""


def test_the_rules_and_the_renderers_get_the_one_resolved_instance(monkeypatch):
    from nodecfg.context.instance import instance_from_mapping
    from nodecfg.linter.rules import LintContext

    seen = []
    real = LintContext.resolved_instance
    monkeypatch.setattr(LintContext, "resolved_instance", lambda self: seen.append(real(self)) or real(self))
    request = pipeline.Request([EXAMPLE], instance=instance_from_mapping({"instanceType": "m5.xlarge"}))
    result = pipeline.run(request)
    assert seen and result.instance is not None and set(seen) == {result.instance}
    # resolved once, with the figures of the instance table (4 vCPUs, 16 GiB for m5.xlarge), for both
    assert (result.instance.vcpus, result.instance.memory_mib, result.instance.resources_source) == (4, 16384, "table")


def test_the_mode_is_the_requests_and_what_the_inputs_imply_is_derived():
    request = pipeline.Request([NODECLASS], "self-managed", render=False)
    result = pipeline.run(request)
    assert request.mode == "self-managed"
    assert result.analysis.mode == result.mode == "karpenter"  # an EC2NodeClass is Karpenter's
    # the read options' mode is the request's, whatever the options said
    from nodecfg.parse.source import LoadOptions

    karpenter = pipeline.run(request._replace(mode="karpenter", options=LoadOptions(mode="self-managed")))
    assert karpenter.mode == "karpenter" and karpenter.diagnostics == result.diagnostics


def test_the_simulated_part_has_the_pod_capacity_of_the_requests_instance_type(tmp_path):
    from nodecfg.cli.main import main

    path = tmp_path / "nc.yaml"
    path.write_bytes(NODECLASS)
    cluster = {"name": "demo", "endpoint": "https://abc.example.com", "serviceCidr": "10.100.0.0/16"}
    # the ENI-limited pod count: m5.xlarge 4 ENIs * (15 - 1) + 2 = 58; the default m5.large 3 * (10 - 1) + 2 = 29
    assert nodecfg.compile([path], instance={"instanceType": "m5.xlarge"}, cluster=cluster
                           ).config["spec"]["kubelet"]["config"]["maxPods"] == 58
    assert nodecfg.compile([path], cluster=cluster).config["spec"]["kubelet"]["config"]["maxPods"] == 29
    facts = tmp_path / "cluster.yaml"
    facts.write_text("name: demo\nendpoint: https://abc.example.com\nserviceCidr: 10.100.0.0/16\n")
    from nodecfg.cli.commands._common import request_from
    from nodecfg.cli.main import build_parser

    args = build_parser("check").parse_args(["check", str(path), "--cluster", str(facts), "--instance-type", "m5.xlarge",
                                      "--mode", "karpenter"])
    request = request_from(args, render=False)
    assert (request.mode, request.instance.instance_type, request.options.cluster.name) == (
        "karpenter", "m5.xlarge", "demo")
    assert pipeline.run(request).analysis.merged.data["spec"]["kubelet"]["config"]["maxPods"] == 58
    assert main(["check", str(path), "--cluster", str(facts), "--instance-type", "m5.xlarge"]) == 0
