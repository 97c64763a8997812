"""What the node's files are on an older AMI release: the renderers ask the release's profile.

Expected values are read from amazon-eks-ami at the tags named (nodeadm/internal/...):
see nodecfg/nodeadm/release.py for the commit of each boundary.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import nodecfg
from nodecfg.core.diagnostics import Severity

ROOT = Path(__file__).parent.parent
EXAMPLE = (ROOT / "examples" / "nodeconfig.yaml").read_text()
CLUSTER = EXAMPLE.split("  kubelet:")[0]  # header and spec.cluster of the example
ENVIRONMENT = "etc/eks/kubelet/environment"
CONTAINERD = "etc/containerd/config.toml"
CREDENTIALS = "etc/eks/image-credential-provider/config.json"
KUBELET = "etc/kubernetes/kubelet/config.json"


def compile_(body: str = "", release: str | None = None, kubernetes: str | None = None, **instance):
    source = (CLUSTER + body).encode()
    return nodecfg.compile([source], instance=instance or None, release=release, kubernetes=kubernetes,
                           settings=str(ROOT / "pyproject.toml"))


def text(result, path: str) -> str:
    return result.files[path].decode()


def test_latest_is_the_default_and_unchanged():
    assert compile_().files == compile_(release="latest").files == compile_(release="v20260724").files


def test_v20250715_for_kubernetes_1_32():
    result = compile_(EXAMPLE.split("spec:\n", 1)[1].split("  kubelet:", 1)[1].join(["  kubelet:", ""]),
                      release="v20250715", kubernetes="1.32", instanceType="m5.xlarge")
    assert result.instance.kubelet_version == "v1.32.3" and result.instance.containerd_version == "1.7.27"
    containerd = text(result, CONTAINERD)
    assert 'sandbox_image = "localhost/kubernetes/pause"\nenable_cdi = true\n' in containerd  # a02fc275 later
    assert "version = 2\n" in containerd
    credentials = text(result, CREDENTIALS)
    assert credentials.endswith("}\n") and '"defaultCacheDuration": "12h",' in credentials  # template, 7c3efa72 later
    assert "public.ecr.aws" not in credentials and "amazonaws.eu" not in credentials
    environment = text(result, ENVIRONMENT)
    assert "--runtime-cgroups" not in environment  # e9ce09d6 at v20260209
    assert "KUBELET_CONFIG_DROPIN_DIR_ALPHA=on" in environment  # every kubelet before b1e7d354
    assert "etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf" in result.files  # 70c91e3c at v20250620
    assert "run/eks/nodeadm/config.json" not in result.files  # --config-cache from v20251023


def test_the_oldest_release_writes_no_enable_cdi_and_a_00_dropin():
    result = compile_("  kubelet:\n    config:\n      shutdownGracePeriod: 30s\n", release="v20250103",
                      kubernetes="1.32")
    assert "enable_cdi" not in text(result, CONTAINERD)  # 2e8fa251 at v20250317
    assert "etc/kubernetes/kubelet/config.json.d/00-nodeadm.conf" in result.files


def test_max_pods_expression_is_ignored_before_v20251007():
    body = "  kubelet:\n    maxPodsExpression: \"max_pods > 30 ? 30 : max_pods\"\n"
    old = json.loads(text(compile_(body, release="v20250715", instanceType="m5.xlarge"), KUBELET))
    new = json.loads(text(compile_(body, release="v20251007", instanceType="m5.xlarge"), KUBELET))
    assert old["maxPods"] == 58 and new["maxPods"] == 30  # m5.xlarge: 4 ENIs * (15 - 1) + 2


def test_environment_and_network_files_come_with_their_releases():
    body = ("  instance:\n    environment:\n      default:\n        HTTP_PROXY: http://proxy:3128\n"
            "    network:\n      nameservers: [10.0.0.2]\n")
    paths = {tag: set(compile_(body, release=tag).files) for tag in ("v20251002", "v20251007", "v20251217")}
    environment, resolved = "etc/systemd/system.conf.d/environment.conf", "run/systemd/resolved.conf.d/40-eks.conf"
    assert environment not in paths["v20251002"] and environment in paths["v20251007"]
    assert resolved not in paths["v20251007"] and resolved in paths["v20251217"]


@pytest.mark.parametrize("tag, template_version", [("v20250419", 2), ("v20250501", 3), ("v20250519", 2),
                                                   ("v20250807", 3)])
def test_containerd_2_template_by_release(tag, template_version):
    result = compile_(release=tag, kubeletVersion="v1.33.0", containerdVersion="2.0.5")
    assert text(result, CONTAINERD).startswith(f"version = {template_version}\n")


def test_v3_config_on_containerd_1_7_is_accepted_before_v20250807():
    body = ("  containerd:\n    config: |\n      [plugins.'io.containerd.cri.v1.images']\n"
            "      discard_unpacked_layers = false\n")
    old = compile_(body, release="v20250715", kubeletVersion="v1.32.0", containerdVersion="1.7.27")
    new = compile_(body, release="v20250807", kubeletVersion="v1.32.0", containerdVersion="1.7.27")
    assert not [d for d in old.diagnostics if d.code == "NC502"]
    assert "io.containerd.cri.v1.images" in text(old, CONTAINERD)
    assert [d.code for d in new.diagnostics if d.code == "NC502"] == ["NC502"]


def test_kubelet_1_28_merges_the_user_config_before_v20260209():
    body = "  kubelet:\n    config:\n      shutdownGracePeriod: 30s\n"
    old = compile_(body, release="v20251112", kubernetes="1.28")
    config = json.loads(text(old, KUBELET))
    assert config["shutdownGracePeriod"] == "30s" and list(config) == sorted(config)  # a Go map
    environment = text(old, ENVIRONMENT)
    assert "--config-dir" not in environment and "KUBELET_CONFIG_DROPIN_DIR_ALPHA" not in environment
    assert "--pod-infra-container-image=localhost/kubernetes/pause" in environment.split()
    assert not [path for path in old.files if "config.json.d" in path]


def test_outpost_gets_kubeconfig_from_v20251002():
    source = CLUSTER.replace("    cidr: 10.100.0.0/16\n", "    cidr: 10.100.0.0/16\n    enableOutpost: true\n"
                             "    id: 0123abcd-0000-4000-8000-000000000000\n")
    for tag, expected in (("v20250920", False), ("v20251002", True)):
        result = nodecfg.compile([source.encode()], release=tag, settings=str(ROOT / "pyproject.toml"))
        assert ("--kubeconfig=" in text(result, ENVIRONMENT)) is expected, tag


def test_soci_gate_name_thresholds_and_files_by_release():
    def soci(tag, gate, instance_type):
        body = f"  featureGates:\n    {gate}: true\n"
        return compile_(body, release=tag, instanceType=instance_type).files

    files = soci("v20250813", "AggressiveImagePull", "m5.2xlarge")  # 8 vCPUs, 32 GiB
    assert b"max_concurrent_downloads_per_image = 32" in files["etc/soci-snapshotter-grpc/config.toml"]
    assert "etc/systemd/system/containerd.service.d/10-soci-snapshotter.conf" not in files  # f2bdcc06 at v20260512
    assert "etc/soci-snapshotter-grpc/config.toml" not in soci("v20250813", "FastImagePull", "m5.2xlarge")
    assert "etc/soci-snapshotter-grpc/config.toml" not in soci("v20251007", "FastImagePull", "m5.xlarge")  # 4 vCPUs
    assert "etc/soci-snapshotter-grpc/config.toml" in soci("v20251016", "FastImagePull", "m5.xlarge")
    assert "etc/systemd/system/containerd.service.d/10-soci-snapshotter.conf" in soci("v20260512", "FastImagePull",
                                                                                        "m5.xlarge")


def test_nvidia_runtime_by_instance_family_before_v20250501():
    assert 'default_runtime_name = "nvidia"' in text(compile_(release="v20250419", instanceType="g5.xlarge"),
                                                     CONTAINERD)
    assert 'default_runtime_name = "runc"' in text(compile_(release="v20250501", instanceType="g5.xlarge"),
                                                   CONTAINERD)


def test_check_reports_what_v20250715_ignores_and_latest_does_not(tmp_path):
    userdata = tmp_path / "nodeconfig.yaml"
    userdata.write_text(CLUSTER + "  featureGates:\n    FastImagePull: true\n"
                        "  kubelet:\n    maxPodsExpression: \"max_pods > 30 ? 30 : max_pods\"\n"
                        "  instance:\n    environment:\n      default:\n        HTTP_PROXY: http://proxy:3128\n")
    dropins = tmp_path / "nodeadm.d"
    dropins.mkdir()
    (dropins / "10-extra.yaml").write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n"
                                           "  kubelet:\n    config:\n      shutdownGracePeriod: 30s\n")

    def check(*release):
        return subprocess.run([sys.executable, "-m", "nodecfg", "check", "--no-cache", "--format", "json",
                               "--instance-type", "m5.xlarge", *release, str(userdata), str(dropins)],
                              capture_output=True, text=True, cwd=ROOT)

    old = check("--release", "v20250715")
    assert old.returncode == 1
    found = sorted((d["code"], Path(d["file"]).name, d["line"]) for d in json.loads(old.stdout)
                   if d["code"] == "NC180")
    assert found == [("NC180", "10-extra.yaml", 2), ("NC180", "nodeconfig.yaml", 11),
                     ("NC180", "nodeconfig.yaml", 13), ("NC180", "nodeconfig.yaml", 17)]
    messages = " ".join(d["message"] for d in json.loads(old.stdout))
    assert "ignored by nodeadm before v20251007" in messages and "maxPods 58" in messages
    latest = check()
    assert latest.returncode == 0, latest.stdout + latest.stderr
    assert "NC180" not in latest.stdout


def test_unknown_release_is_a_usage_error_naming_the_range():
    run = subprocess.run([sys.executable, "-m", "nodecfg", "build", "--release", "v20240213", "-o", "/dev/null",
                          str(ROOT / "examples" / "nodeconfig.yaml")], capture_output=True, text=True)
    assert run.returncode == 2 and "v20250103 to v20260724" in run.stderr and "NC095" in run.stderr


def test_kubernetes_minor_the_release_lacks_is_a_usage_error():
    found = nodecfg.lint([CLUSTER.encode()], release="v20250715", kubernetes="1.35")
    assert [(d.code, d.severity) for d in found if d.code == "NC095"] == [("NC095", Severity.ERROR)]


def test_release_from_settings_and_the_command_line_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nodecfg]\nrelease = "v20250715"\n')
    source = tmp_path / "nodeconfig.yaml"
    source.write_text(CLUSTER + "  kubelet:\n    maxPodsExpression: \"30\"\n")

    def check(*more):
        return subprocess.run([sys.executable, "-m", "nodecfg", "check", "--no-cache", *more, str(source)],
                              capture_output=True, text=True, cwd=tmp_path)

    assert "NC180" in check().stdout
    assert "NC180" not in check("--release", "latest").stdout


def test_bad_release_in_settings_is_a_usage_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nodecfg]\nrelease = "v1999"\n')
    run = subprocess.run([sys.executable, "-m", "nodecfg", "check", "--no-cache",
                          str(ROOT / "examples" / "nodeconfig.yaml")], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 2 and "v20250103 to v20260724" in run.stderr


def test_ec2nodeclass_alias_pins_the_release():
    result = nodecfg.compile([str(ROOT / "golden" / "karpenter-nodeclass-mime" / "ec2nodeclass.yaml")],
                             mode="karpenter", settings=str(ROOT / "pyproject.toml"))
    assert result.instance.release == "v20250920"
    given = nodecfg.compile([str(ROOT / "golden" / "karpenter-nodeclass-mime" / "ec2nodeclass.yaml")],
                            mode="karpenter", release="latest", settings=str(ROOT / "pyproject.toml"))
    assert given.instance.release == "v20260724"


def test_managed_node_group_release_version_pins_the_release(tmp_path):
    import base64

    userdata = base64.b64encode((CLUSTER + "  kubelet:\n    maxPodsExpression: \"30\"\n").encode()).decode()
    template = {"Resources": {
        "LaunchTemplate": {"Type": "AWS::EC2::LaunchTemplate",
                           "Properties": {"LaunchTemplateData": {"UserData": userdata}}},
        "NodeGroup": {"Type": "AWS::EKS::Nodegroup", "Properties": {"ReleaseVersion": "1.32.3-20250715"}}}}
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(template))
    found = nodecfg.lint([str(path)], settings=str(ROOT / "pyproject.toml"))
    assert [d.code for d in found if d.code == "NC180"] == ["NC180"]


def test_build_says_which_release_the_input_pinned(tmp_path):
    cluster = tmp_path / "cluster.json"
    cluster.write_text(json.dumps({"name": "shop", "endpoint": "https://x.example", "serviceCidr": "10.100.0.0/16",
                                   "certificateAuthority": CLUSTER.split("certificateAuthority: ")[1].split()[0]}))
    nodeclass = ROOT / "golden" / "karpenter-nodeclass-mime" / "ec2nodeclass.yaml"

    def build(*more):
        return subprocess.run([sys.executable, "-m", "nodecfg", "build", "--cluster", str(cluster), *more,
                               str(nodeclass), "-o", str(tmp_path / f"out{len(more)}.tar")],
                              capture_output=True, text=True)

    pinned = build()
    assert pinned.returncode == 0, pinned.stderr
    assert f"rendered for AMI release v20250920, pinned by {nodeclass}" in pinned.stderr
    assert "rendered for AMI release" not in build("--release", "latest").stderr


def test_a_pin_beats_settings_and_takes_the_kubernetes_minor(tmp_path):
    from nodecfg.linter.config import settings_from_table

    nodeclass = str(ROOT / "golden" / "karpenter-nodeclass-mime" / "ec2nodeclass.yaml")
    settings = settings_from_table({"release": "v20250715"}, str(tmp_path / "pyproject.toml"))
    pinned = nodecfg.compile([nodeclass], mode="karpenter", settings=settings, kubernetes="1.33")
    # al2023@v20250920 wins over [tool.nodecfg]; its 1.33 AMI ships kubelet 1.33.4 (CHANGELOG, release-versions)
    assert pinned.instance.release == "v20250920"
    from nodecfg.nodeadm.release import shipped_versions

    assert (pinned.instance.kubelet_version, pinned.instance.containerd_version) == shipped_versions("v20250920",
                                                                                                     "1.33")
    given = nodecfg.compile([nodeclass], mode="karpenter", settings=settings, release="v20251023", kubernetes="1.33")
    assert given.instance.release == "v20251023"
    plain = nodecfg.compile([CLUSTER.encode()], settings=settings)
    assert plain.instance.release == "v20250715" and plain.instance.release_source == "settings"


def test_the_pipeline_applies_the_settings_release_for_any_entry_point(tmp_path):
    from nodecfg.linter.config import settings_from_table
    from nodecfg.pipeline import Request, run

    settings = settings_from_table({"release": "v20250715"}, str(tmp_path / "pyproject.toml"))
    result = run(Request([(CLUSTER + "  kubelet:\n    maxPodsExpression: \"30\"\n").encode()], settings=settings,
                         render=False))
    assert [d.code for d in result.diagnostics if d.code == "NC180"] == ["NC180"]


def test_templates_before_soci_end_with_the_last_line():
    # config.template.toml before v20250813 has no {{if .UseSOCISnapshotter}} block after the cni section
    old = text(compile_(release="v20250807", kubeletVersion="v1.33.0", containerdVersion="2.0.5"), CONTAINERD)
    new = text(compile_(release="v20250813", kubeletVersion="v1.33.0", containerdVersion="2.0.5"), CONTAINERD)
    assert old.endswith('conf_dir = "/etc/cni/net.d"\n') and new.endswith('conf_dir = "/etc/cni/net.d"\n\n')


@pytest.mark.parametrize("command", ["render", "explain", "check"])
def test_every_command_takes_release(command):
    run = subprocess.run([sys.executable, "-m", "nodecfg", command, "--release", "v20250715",
                          str(ROOT / "examples" / "nodeconfig.yaml")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    run = subprocess.run([sys.executable, "-m", "nodecfg", command, "--release", "v2025",
                          str(ROOT / "examples" / "nodeconfig.yaml")], capture_output=True, text=True)
    assert run.returncode == 2 and "v20250103 to v20260724" in run.stdout + run.stderr  # check reports on stdout


def test_upgrade_diff_without_kubernetes_keeps_the_kubelet_minor_on_both_sides():
    run = subprocess.run([sys.executable, "-m", "nodecfg", "diff", "--format", "json", "--release", "v20260107",
                          "--to-release", "latest", str(ROOT / "examples" / "nodeconfig.yaml")],
                         capture_output=True, text=True)
    releases = json.loads(run.stdout)["releases"]
    # the default kubelet is 1.34: each side gets its release's 1.34 (CHANGELOG: 1.34.2 at v20260107, 1.34.9 now)
    assert releases == {"old": "v20260107", "new": "v20260724",
                        "versions": "kubelet v1.34.2 -> v1.34.9, containerd 2.1.5 -> 2.2.4"}


def test_kubelet_before_1_27_on_releases_before_the_eol_cleanup():
    # v20250715 still ships 1.25 and 1.26 AMIs; 41298160 (v20250821) removed these toggles
    result = compile_(release="v20250715", kubeletVersion="v1.25.16", containerdVersion="1.7.27")
    flags = text(result, ENVIRONMENT).split()
    assert "NODEADM_KUBELET_ARGS=--cloud-provider=aws" in flags
    assert not [flag for flag in flags if flag.startswith("--hostname-override")]
    assert "--container-runtime=remote" in flags
    assert "--container-runtime-endpoint=unix:///run/containerd/containerd.sock" in flags
    config = json.loads(text(result, KUBELET))
    assert "providerID" not in config and config["kubeAPIQPS"] == 10 and config["kubeAPIBurst"] == 20
    assert config["featureGates"] == {"KubeletCredentialProviders": True, "RotateKubeletServerCertificate": True}
    assert '"apiVersion": "kubelet.config.k8s.io/v1alpha1"' in text(result, CREDENTIALS)
    newer = json.loads(text(compile_(release="v20250821", kubeletVersion="v1.27.16", containerdVersion="1.7.27"),
                            KUBELET))
    assert "kubeAPIQPS" not in newer and "KubeletCredentialProviders" not in newer["featureGates"]


def test_api_limits_only_for_kubelets_with_priority_and_fairness():
    # kubelet/config.go at v20250715: 10/20 only for 1.22 <= kubelet < 1.27 (e2e case kubelet-version, 1.21.0)
    def limits(kubelet: str) -> tuple:
        config = json.loads(text(compile_(release="v20250715", kubeletVersion=kubelet, containerdVersion="1.7.27"),
                                 KUBELET))
        return config.get("kubeAPIQPS"), config.get("kubeAPIBurst")

    assert limits("v1.21.0") == (None, None)
    assert limits("v1.22.0") == (10, 20)
    assert limits("v1.26.0") == (10, 20)
    assert limits("v1.27.0") == (None, None)


def test_a_flag_nodeadm_does_not_pass_on_the_release_is_no_override():
    body = "  kubelet:\n    flags:\n      - --runtime-cgroups=/runtime.slice/containerd.service\n"
    old = nodecfg.lint([(CLUSTER + body).encode()], release="v20260107", settings=str(ROOT / "pyproject.toml"))
    new = nodecfg.lint([(CLUSTER + body).encode()], release="v20260209", settings=str(ROOT / "pyproject.toml"))
    assert "NC413" not in [d.code for d in old]  # e9ce09d6: nodeadm passes it from v20260209 on
    assert "NC413" in [d.code for d in new]
