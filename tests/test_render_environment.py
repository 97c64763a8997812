"""etc/eks/kubelet/environment and the kubelet flags behind it.

Expected lines written by hand from nodeadm internal/kubelet/environment.go
(``KEY=VALUE`` joined by newlines, no trailing newline, ``--name=value``
unquoted) with nodecfg's order: nodeadm's flags sorted, the user's after.
"""
from __future__ import annotations

import types

from nodecfg.context.instance import instance_from_mapping
from nodecfg.render import RenderContext
from nodecfg.render import kubelet_environment
from nodecfg.render.flags import kubelet_flags, occurrences

ENVIRONMENT = "etc/eks/kubelet/environment"


def context(kubelet=None, feature_gates=None, cidr="172.20.0.0/16", outpost=False, **instance):
    spec = {"cluster": {"name": "blue", "apiServerEndpoint": "https://example.test",
                        "certificateAuthority": "aGVsbG8=", "cidr": cidr}}
    if outpost:
        spec["cluster"].update(enableOutpost=True, id="cluster-id")
    if kubelet is not None:
        spec["kubelet"] = kubelet
    if feature_gates is not None:
        spec["featureGates"] = feature_gates
    values = {"instanceId": "i-0fedcba9876543210", "privateDnsName": "ip-10-9-8-7.ec2.internal",
              "localIpv4": "10.9.8.7", "localIpv6": "2600:1f14::7", "kubeletVersion": "v1.31.2"}
    values.update(instance)
    return RenderContext({"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": spec},
                         instance_from_mapping(values), types.SimpleNamespace(value=29))


def environment(ctx):
    return kubelet_environment.render(ctx).files[ENVIRONMENT].data.decode()


DEFAULT_ARGS = ("--cloud-provider=external"
                " --config=/etc/kubernetes/kubelet/config.json"
                " --hostname-override=ip-10-9-8-7.ec2.internal"
                " --image-credential-provider-bin-dir=/etc/eks/image-credential-provider"
                " --image-credential-provider-config=/etc/eks/image-credential-provider/config.json"
                " --kubeconfig=/var/lib/kubelet/kubeconfig"
                " --node-ip=10.9.8.7"
                " --runtime-cgroups=/runtime.slice/containerd.service")


def test_default_environment_is_exact():
    assert environment(context()) == "NODEADM_KUBELET_ARGS=" + DEFAULT_ARGS


def test_user_flags_follow_in_merge_order_verbatim():
    flags = ["--v=4", "--node-labels=team=a,tier=web", "--register-with-taints=gpu=true:NoSchedule",
             "--v=2"]
    text = environment(context(kubelet={"flags": flags}))
    assert text.endswith(" --runtime-cgroups=/runtime.slice/containerd.service " + " ".join(flags))


def test_user_flag_origin_is_the_last_occurrence():
    rendered = kubelet_environment.render(context(kubelet={"flags": ["--v=4", "--v=2"]}))
    assert rendered.origins[f"{ENVIRONMENT}#--v"] == "config:/spec/kubelet/flags/1"
    assert rendered.origins[f"{ENVIRONMENT}#--node-ip"] == "instance:localIpv4"


def test_user_flag_overriding_a_nodeadm_flag_wins_in_origins():
    rendered = kubelet_environment.render(context(kubelet={"flags": ["--node-ip=10.0.0.1"]}))
    assert rendered.origins[f"{ENVIRONMENT}#--node-ip"] == "config:/spec/kubelet/flags/0"


def test_instance_id_node_name():
    text = environment(context(feature_gates={"InstanceIdNodeName": True}))
    assert " --hostname-override=i-0fedcba9876543210 " in text


def test_instance_id_node_name_false_keeps_dns_name():
    text = environment(context(feature_gates={"InstanceIdNodeName": False}))
    assert " --hostname-override=ip-10-9-8-7.ec2.internal " in text


def test_ipv6_cluster_uses_the_ipv6_node_ip():
    text = environment(context(cidr="fd00:ec2::/108"))
    assert " --node-ip=2600:1f14::7 " in text


def test_user_config_adds_config_dir_and_alpha_switch_before_130():
    text = environment(context(kubelet={"config": {"maxPods": 20}}, kubeletVersion="v1.29.15"))
    first, second = text.split("\n")
    assert first == "KUBELET_CONFIG_DROPIN_DIR_ALPHA=on"
    assert " --config=/etc/kubernetes/kubelet/config.json" \
           " --config-dir=/etc/kubernetes/kubelet/config.json.d" \
           " --hostname-override=" in second
    assert not text.endswith("\n")


def test_no_alpha_switch_from_130():
    text = environment(context(kubelet={"config": {"maxPods": 20}}, kubeletVersion="v1.30.0"))
    assert text.startswith("NODEADM_KUBELET_ARGS=") and "\n" not in text
    assert "--config-dir=/etc/kubernetes/kubelet/config.json.d" in text


def test_outpost_adds_bootstrap_kubeconfig_first():
    text = environment(context(outpost=True))
    assert text.startswith("NODEADM_KUBELET_ARGS=--bootstrap-kubeconfig=/var/lib/kubelet/bootstrap-kubeconfig"
                           " --cloud-provider=external")
    assert "--kubeconfig=/var/lib/kubelet/kubeconfig" in text


def test_nvidia_label_only_from_135():
    labelled = environment(context(kubeletVersion="v1.35.0", accelerator="nvidia"))
    assert " --node-ip=10.9.8.7 --node-labels=nvidia.com/gpu.present=true --runtime-cgroups=" in labelled
    assert "node-labels" not in environment(context(kubeletVersion="v1.34.2", accelerator="nvidia"))
    assert "node-labels" not in environment(context(kubeletVersion="v1.35.0", accelerator="neuron"))


def test_flag_names_are_what_the_kubelet_gets():
    entries = ["--node-labels=a=b,c=d", "-v=3", "--fail-swap-on", "stray", '--node-labels "q=1"', "--max_pods=9"]
    flags = kubelet_flags(context(kubelet={"flags": entries}).config, context().instance)
    assert [(f.name, f.value, f.text) for f in flags if f.from_user] == [
        ("node-labels", "a=b,c=d", entries[0]), ("v", "3", entries[1]), ("fail-swap-on", "", entries[2]),
        ("", "stray", entries[3]), ("node-labels", "q=1", entries[4]), ("max-pods", "9", entries[5])]


def test_flag_occurrences():
    flags = kubelet_flags(context(kubelet={"flags": ["--node-labels=x=1", "--node-labels=y=2"]}).config,
                          context().instance)
    labels = occurrences(flags)["node-labels"]
    assert [flag.value for flag in labels] == ["x=1", "y=2"]
    assert all(flag.from_user for flag in labels)


def test_non_string_flags_are_skipped():
    text = environment(context(kubelet={"flags": ["--v=3", 7, None]}))
    assert text.endswith("--runtime-cgroups=/runtime.slice/containerd.service --v=3")


def test_a_flag_with_a_line_break_is_refused_not_written():
    import nodecfg
    from pathlib import Path

    base = (Path(__file__).parent.parent / "golden" / "plain-yaml" / "nodeconfig.yaml").read_bytes()
    injected = b'apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    flags:\n      - "--v=2"\n      - "--node-labels=a\\nEVIL=1"\n'
    result = nodecfg.compile([base, injected])
    assert result.files == {}
    assert [(d.code, d.span.uri, d.span.line, d.span.col) for d in result.diagnostics if d.code == "NC406"] == [
        ("NC406", "<input 2>", 7, 9)]
