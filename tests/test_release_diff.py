"""nodecfg diff --release A --to-release B: the reasons are the release changes that change this input's files.

Each boundary crossed is rendered for the input just before and on it, and each change of a boundary with
several commits alone (nodecfg/output/diff.py release_effects). The expected reasons are reasoned from what
each commit does (docs/release-changes.md), not taken from the output.
"""
from __future__ import annotations

import json
import resource
from pathlib import Path

from nodecfg.cli.main import main

ROOT = Path(__file__).parent.parent
CLUSTER = (ROOT / "examples" / "nodeconfig.yaml").read_text().split("  kubelet:")[0]
CONTAINERD = "etc/containerd/config.toml"
CREDENTIALS = "etc/eks/image-credential-provider/config.json"
ENVIRONMENT = "etc/eks/kubelet/environment"
KUBELET = "etc/kubernetes/kubelet/config.json"
SOCI_CONFIG = "etc/soci-snapshotter-grpc/config.toml"
CACHE = "run/eks/nodeadm/config.json"
# the commits that matter only to GPU nodes or to SOCI (FastImagePull)
GPU_AND_SOCI = {"2ffb0d54", "55246f3e", "dc46be13", "69b11404", "4103be78", "28454ab9", "f4a39293", "f2bdcc06"}


def diff(capsys, tmp_path, body: str, *options: str, output: str = "json"):
    source = tmp_path / "nodeconfig.yaml"
    source.write_text(CLUSTER + body)
    assert main(["diff", "--format", output, *options, str(source)]) == 1
    text = capsys.readouterr().out
    return json.loads(text) if output == "json" else text


def commits(result) -> dict[str, list[str]]:
    """path -> the commits of its reasons ("TAG COMMIT SUBJECT" or "TAG revert of COMMIT SUBJECT")."""
    return {f["path"]: [reason.split()[3] if " revert of " in reason else reason.split()[1]
                        for reason in f.get("reasons", [])] for f in result["files"]}


def test_a_config_using_none_of_the_features_gets_no_reason_for_them(capsys, tmp_path):
    options = ("--release", "v20250116", "--to-release", "latest", "--kubernetes", "1.32", "--instance-type",
               "m5.large")
    result = diff(capsys, tmp_path, "", *options)
    assert commits(result) == {
        # enable_cdi for kubelet 1.32 (v20250317), containerd 2.2 gets the v3 template (v20250807), pause:latest
        CONTAINERD: ["2e8fa251", "bacd4c1c", "a02fc275"],
        # the eusc pattern, the struct encoder with public.ecr.aws, ecr-public.aws.com for 1.32 and newer
        CREDENTIALS: ["08d43b7a", "7c3efa72", "76ba007d"],
        ENVIRONMENT: ["e9ce09d6"],  # --runtime-cgroups; no kubelet.config, so no KUBELET_CONFIG_DROPIN_DIR_ALPHA
        # the cache appears with the config chain; instance.network: {} in its spec; its status sandbox image
        CACHE: ["0d558ec3", "c31f7a23", "a02fc275"],
    }
    # the markdown and the text name the same reasons
    markdown = diff(capsys, tmp_path, "", *options, output="markdown")
    text = diff(capsys, tmp_path, "", *options, output="text")
    for file in result["files"]:
        for reason in file["reasons"]:
            assert f"Reason: `{reason}`" in markdown and f"  reason: {reason}\n" in text
    assert not GPU_AND_SOCI & {commit for found in commits(result).values() for commit in found}
    assert text.count("  reason: ") == sum(len(file["reasons"]) for file in result["files"])


def test_a_config_using_a_feature_gets_exactly_its_reason(capsys, tmp_path):
    # m5.2xlarge (8 vCPUs, 32 GiB) reaches SOCI's threshold before v20251016. At v20250813 the gate is
    # AggressiveImagePull, so FastImagePull turns SOCI on only at v20250821, whose other commit (the EOL
    # cleanup) changes nothing for kubelet 1.33; v20250813's template only adds a blank line to config.toml
    result = diff(capsys, tmp_path, "  featureGates:\n    FastImagePull: true\n", "--release", "v20250807",
                  "--to-release", "v20250821", "--kubernetes", "1.33", "--instance-type", "m5.2xlarge")
    assert commits(result) == {CONTAINERD: ["28454ab9"], KUBELET: ["28454ab9"], SOCI_CONFIG: ["28454ab9"]}
    # m5.large (2 vCPUs) never reaches the threshold: none of the SOCI commits is a reason
    result = diff(capsys, tmp_path, "  featureGates:\n    FastImagePull: true\n", "--release", "v20250807",
                  "--to-release", "latest", "--kubernetes", "1.33", "--instance-type", "m5.large")
    assert SOCI_CONFIG not in commits(result)
    assert not GPU_AND_SOCI & {commit for found in commits(result).values() for commit in found}


def test_the_containerd_2_template_reverted_at_v20250519(capsys, tmp_path):
    node = ("--instance-type", "m5.large", "--kubelet-version", "v1.33.0", "--containerd-version", "2.0.5")
    result = diff(capsys, tmp_path, "", "--release", "v20250514", "--to-release", "v20250519", *node)
    assert [f["reasons"] for f in result["files"]] == [
        ["v20250519 revert of 3477d8f1 Upgrade to Containerd2.0 for 1.33+ (#2235)"]]
    # into its span: the template, not 55246f3e (the NVIDIA runtime by binary) of the same release
    result = diff(capsys, tmp_path, "", "--release", "v20250419", "--to-release", "v20250514", *node)
    assert commits(result) == {CONTAINERD: ["3477d8f1"]}
    # across the whole span nothing is left of it
    source = tmp_path / "nodeconfig.yaml"
    assert main(["diff", "--release", "v20250419", "--to-release", "v20250610", *node, str(source)]) == 0
    capsys.readouterr()
    # a g5 without the NVIDIA binary on containerd 1.7 (no v3 template): by family before v20250501, runc after
    result = diff(capsys, tmp_path, "", "--release", "v20250419", "--to-release", "v20250514", "--instance-type",
                  "g5.xlarge", "--kubelet-version", "v1.33.0", "--containerd-version", "1.7.27")
    assert commits(result) == {CONTAINERD: ["55246f3e"]}


def test_the_probes_of_the_whole_range_cost_little_cpu(capsys, tmp_path):
    before = resource.getrusage(resource.RUSAGE_SELF)
    diff(capsys, tmp_path, "  featureGates:\n    FastImagePull: true\n", "--release", "v20250103", "--to-release",
         "latest", "--kubernetes", "1.32", "--instance-type", "m5.2xlarge")
    after = resource.getrusage(resource.RUSAGE_SELF)
    assert (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) < 5.0


def test_a_node_that_renders_on_one_side_of_a_boundary_falls_back_to_its_patterns(capsys, tmp_path):
    # a schema v3 containerd config: containerd 1.7 (the old side's node) is refused it from v20250807 (bacd4c1c),
    # so that boundary is named by its patterns and the later ones by the new side's node (containerd 2.1.4) alone
    body = ("  containerd:\n    config: |\n      version = 3\n      [plugins.'io.containerd.cri.v1.images']\n"
            "      discard_unpacked_layers = false\n")
    result = diff(capsys, tmp_path, body, "--release", "v20250715", "--to-release", "v20251023", "--kubernetes",
                  "1.32", "--instance-type", "m5.large")
    assert commits(result) == {CONTAINERD: ["bacd4c1c"], CREDENTIALS: ["08d43b7a", "7c3efa72"], CACHE: ["0d558ec3"]}
