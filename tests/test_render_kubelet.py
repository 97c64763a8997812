"""Kubelet config.json, its drop-in, the cached config and version parsing.

Expected texts are written by hand from nodeadm internal/kubelet/config.go:
Go struct field order (TypeMeta last), MarshalIndent with four spaces, maps
sorted, no trailing newline.
"""
from __future__ import annotations

import ipaddress
import json
import types

import pytest

from nodecfg.core.diagnostics import Severity, Span
from nodecfg.context.instance import instance_from_mapping
from nodecfg.render import RenderContext
from nodecfg.render import cached_config, kubelet
from nodecfg.nodeadm import gonet
from nodecfg.encode import gojson
from nodecfg.core.versions import Version, at_least, canonical_kubelet_version, parse_version

CONFIG = "etc/kubernetes/kubelet/config.json"
DROPIN = "etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf"
CACHE = "run/eks/nodeadm/config.json"

# kubeReserved for the (maxPods, vCPUs) pairs used below, worked out by hand
# from nodeadm's formula: cpu 60m for core 1 + 10m for core 2 + 5m each for
# cores 3-4; memory 11 * maxPods + 255 Mi.
KUBE_RESERVED = {
    (29, 2): {"cpu": "70m", "ephemeral-storage": "1Gi", "memory": "574Mi"},
    (110, 2): {"cpu": "70m", "ephemeral-storage": "1Gi", "memory": "1465Mi"},
    (58, 4): {"cpu": "80m", "ephemeral-storage": "1Gi", "memory": "893Mi"},
}


@pytest.fixture(autouse=True)
def fake_kube_reserved(monkeypatch):
    """Decouple from nodecfg.context.maxpods: its formula has its own tests."""
    calls = []

    def fake(max_pods: int, vcpus: int) -> dict[str, str]:
        calls.append((max_pods, vcpus))
        return KUBE_RESERVED[(max_pods, vcpus)]

    monkeypatch.setattr(kubelet, "_kube_reserved", fake)
    return calls


def max_pods(value=29, error=None, source="table"):
    return types.SimpleNamespace(value=value, standard=value, source=source,
                                 expression_error=error, default_enis=3, ips_per_eni=10)


def node_config(**spec):
    cluster = {"name": "blue", "apiServerEndpoint": "https://ABCD.gr7.eu-west-1.eks.amazonaws.com",
               "certificateAuthority": "aGVsbG8gY2E=", "cidr": "172.20.0.0/16"}
    cluster.update(spec.pop("cluster", {}))
    return {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig",
            "spec": {"cluster": cluster, **spec}}


def context(config=None, pods=None, **instance):
    values = {"instanceType": "c5.large", "instanceId": "i-0abc12345def67890",
              "region": "eu-west-1", "availabilityZone": "eu-west-1b",
              "privateDnsName": "ip-10-1-2-3.eu-west-1.compute.internal",
              "localIpv4": "10.1.2.3", "localIpv6": "2a05:d018::1234",
              "mac": "0a:1b:2c:3d:4e:5f", "kubeletVersion": "v1.28.15", "vcpus": 2,
              "memoryMiB": 3840}
    values.update(instance)
    return RenderContext(config or node_config(), instance_from_mapping(values),
                         pods or max_pods())


def text(rendered, path):
    return rendered.files[path].data.decode()


KUBELET_128 = """{
    "address": "0.0.0.0",
    "authentication": {
        "x509": {
            "clientCAFile": "/etc/kubernetes/pki/ca.crt"
        },
        "webhook": {
            "enabled": true,
            "cacheTTL": "2m0s"
        },
        "anonymous": {
            "enabled": false
        }
    },
    "authorization": {
        "mode": "Webhook",
        "webhook": {
            "cacheAuthorizedTTL": "5m0s",
            "cacheUnauthorizedTTL": "30s"
        }
    },
    "cgroupDriver": "systemd",
    "cgroupRoot": "/",
    "clusterDNS": [
        "172.20.0.10"
    ],
    "clusterDomain": "cluster.local",
    "containerRuntimeEndpoint": "unix:///run/containerd/containerd.sock",
    "evictionHard": {
        "memory.available": "100Mi",
        "nodefs.available": "10%",
        "nodefs.inodesFree": "5%"
    },
    "featureGates": {
        "RotateKubeletServerCertificate": true
    },
    "hairpinMode": "hairpin-veth",
    "kubeReserved": {
        "cpu": "70m",
        "ephemeral-storage": "1Gi",
        "memory": "574Mi"
    },
    "kubeReservedCgroup": "/runtime",
    "logging": {
        "verbosity": 2
    },
    "maxPods": 29,
    "protectKernelDefaults": true,
    "providerID": "aws:///eu-west-1b/i-0abc12345def67890",
    "readOnlyPort": 0,
    "serializeImagePulls": false,
    "serverTLSBootstrap": true,
    "systemReservedCgroup": "/system",
    "tlsCipherSuites": [
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_256_GCM_SHA384"
    ],
    "kind": "KubeletConfiguration",
    "apiVersion": "kubelet.config.k8s.io/v1beta1"
}"""


def test_kubelet_128_config_is_byte_exact(fake_kube_reserved):
    rendered = kubelet.render(context())
    assert text(rendered, CONFIG) == KUBELET_128
    assert fake_kube_reserved == [(29, 2)]
    assert DROPIN not in rendered.files
    assert rendered.diagnostics == []


def test_kubelet_135_adds_feature_gates_and_graceful_shutdown():
    document = json.loads(text(kubelet.render(context(kubeletVersion="v1.35.0")), CONFIG))
    assert document["featureGates"] == {"DynamicResourceAllocation": True,
                                        "MutableCSINodeAllocatableCount": True,
                                        "RotateKubeletServerCertificate": True}
    assert list(document["featureGates"]) == sorted(document["featureGates"])
    assert document["shutdownGracePeriod"] == "2m30s"
    assert document["shutdownGracePeriodCriticalPods"] == "30s"
    keys = list(document)
    assert keys.index("serverTLSBootstrap") < keys.index("shutdownGracePeriod") \
        < keys.index("shutdownGracePeriodCriticalPods") < keys.index("systemReservedCgroup")


def test_kubelet_133_gets_dra_only():
    document = json.loads(text(kubelet.render(context(kubeletVersion="v1.33.4")), CONFIG))
    assert document["featureGates"] == {"DynamicResourceAllocation": True,
                                        "RotateKubeletServerCertificate": True}
    assert "shutdownGracePeriod" not in document


def test_unparseable_kubelet_version_gets_no_toggles():
    document = json.loads(text(kubelet.render(context(kubeletVersion="unknown")), CONFIG))
    assert document["featureGates"] == {"RotateKubeletServerCertificate": True}


def test_ipv6_cluster_dns_appends_a_to_the_prefix():
    config = node_config(cluster={"cidr": "fd00:10:100::/108"})
    document = json.loads(text(kubelet.render(context(config)), CONFIG))
    assert document["clusterDNS"] == ["fd00:10:100::a"]


def test_cluster_dns_and_family_follow_go_rules():
    assert gonet.cluster_dns("10.100.0.0/16") == "10.100.0.10"
    assert gonet.cluster_dns("192.168.128.0/17") == "192.168.128.10"
    assert gonet.ip_family("::ffff:10.0.0.0/104") == "ipv4"
    assert gonet.cluster_dns("::ffff:10.100.0.5/112") == "::ffff:10.100.0.10"
    for bad in ("10.100.0.0", "10.100.0.0/33", "10.0.0.0/255.255.0.0", "fe80::%eth0/64",
                "cidr", "", 42, None, "::ffff:a64:0/104"):
        assert gonet.cluster_dns(bad) is None


def test_invalid_cidr_writes_null_dns_and_no_finding_of_its_own():
    # NC305 (validate/semantics.py) stops the pipeline before any renderer runs
    config = node_config(cluster={"cidr": "10.100.0.0/40"})
    rendered = kubelet.render(context(config))
    assert json.loads(text(rendered, CONFIG))["clusterDNS"] is None
    assert rendered.diagnostics == []


def test_missing_cidr_is_left_to_the_validator():
    config = node_config()
    del config["spec"]["cluster"]["cidr"]
    rendered = kubelet.render(context(config))
    assert json.loads(text(rendered, CONFIG))["clusterDNS"] is None
    assert rendered.diagnostics == []


def test_fast_image_pull_sets_image_service_endpoint_on_big_instances():
    config = node_config(featureGates={"FastImagePull": True})
    big = kubelet.render(context(config, max_pods(58), vcpus=4, memoryMiB=7168))
    document = json.loads(text(big, CONFIG))
    assert document["imageServiceEndpoint"] == \
        "unix:///run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
    keys = list(document)
    assert keys.index("containerRuntimeEndpoint") + 1 == keys.index("imageServiceEndpoint")
    small = kubelet.render(context(config, max_pods(58), vcpus=4, memoryMiB=7167))
    assert "imageServiceEndpoint" not in json.loads(text(small, CONFIG))


def test_user_config_goes_to_a_sorted_dropin_with_type_meta():
    config = node_config(kubelet={"config": {
        "registerWithTaints": [{"key": "dedicated", "effect": "NoSchedule", "value": "gpu"}],
        "evictionHard": {"nodefs.available": "15%", "memory.available": "300Mi"},
        "kubeAPIQPS": 50, "cpuCFSQuotaPeriod": "100ms", "podPidsLimit": 4096.0,
    }})
    rendered = kubelet.render(context(config))
    assert text(rendered, DROPIN) == """{
    "apiVersion": "kubelet.config.k8s.io/v1beta1",
    "cpuCFSQuotaPeriod": "100ms",
    "evictionHard": {
        "memory.available": "300Mi",
        "nodefs.available": "15%"
    },
    "kind": "KubeletConfiguration",
    "kubeAPIQPS": 50,
    "podPidsLimit": 4096,
    "registerWithTaints": [
        {
            "effect": "NoSchedule",
            "key": "dedicated",
            "value": "gpu"
        }
    ]
}"""
    assert rendered.origins[f"{DROPIN}#/kubeAPIQPS"] == "config:/spec/kubelet/config/kubeAPIQPS"
    assert rendered.origins[f"{DROPIN}#/kind"] == "default"


def test_set_empty_values_pass_through_to_the_dropin_only():
    config = node_config(kubelet={"config": {"kubeReservedCgroup": "", "systemReservedCgroup": "",
                                             "reservedSystemCPUs": "0-1"}})
    rendered = kubelet.render(context(config))
    assert text(rendered, DROPIN) == """{
    "apiVersion": "kubelet.config.k8s.io/v1beta1",
    "kind": "KubeletConfiguration",
    "kubeReservedCgroup": "",
    "reservedSystemCPUs": "0-1",
    "systemReservedCgroup": ""
}"""
    generated = json.loads(text(rendered, CONFIG))
    assert generated["kubeReservedCgroup"] == "/runtime"
    assert generated["systemReservedCgroup"] == "/system"


def test_user_type_meta_overrides_the_default():
    config = node_config(kubelet={"config": {"apiVersion": "kubelet.config.k8s.io/v1"}})
    dropin = json.loads(text(kubelet.render(context(config)), DROPIN))
    assert dropin == {"apiVersion": "kubelet.config.k8s.io/v1", "kind": "KubeletConfiguration"}


def test_empty_user_config_writes_no_dropin():
    rendered = kubelet.render(context(node_config(kubelet={"config": {}})))
    assert DROPIN not in rendered.files


def test_origins_name_where_values_came_from():
    origins = kubelet.render(context(kubeletVersion="v1.35.1")).origins
    assert origins[f"{CONFIG}#/clusterDNS"] == "config:/spec/cluster/cidr"
    assert origins[f"{CONFIG}#/maxPods"] == "computed:maxPods"
    assert origins[f"{CONFIG}#/providerID"] == "instance:availabilityZone,instanceId"
    assert origins[f"{CONFIG}#/shutdownGracePeriod"] == "instance:kubeletVersion"
    assert origins[f"{CONFIG}#/address"] == "default"


def test_nc401_when_user_max_pods_meets_an_expression():
    config = node_config(kubelet={"config": {"maxPods": 110},
                                  "maxPodsExpression": "default_enis * 10"})
    rendered = kubelet.render(context(config, max_pods(58, source="expression"), vcpus=4))
    [finding] = rendered.diagnostics
    assert (finding.code, finding.severity) == ("NC401", Severity.WARNING)
    assert finding.span == Span("pointer:/spec/kubelet/config/maxPods")
    assert json.loads(text(rendered, CONFIG))["kubeReserved"]["memory"] == "893Mi"
    assert json.loads(text(rendered, DROPIN))["maxPods"] == 110


def test_user_max_pods_without_expression_is_not_nc401():
    config = node_config(kubelet={"config": {"maxPods": 110}})
    # no NC401; 110 is above c5.large's 29 addressable pods, which is NC403's (tests/test_no_silent_answer.py)
    assert [d.code for d in kubelet.render(context(config)).diagnostics] == ["NC403"]


def test_the_renderer_leaves_a_fallen_back_expression_to_the_linter():
    """NC402 is retired: the linter's sweep (NC405/NC404) covers the instance rendered, so the renderer is silent."""
    config = node_config(kubelet={"maxPodsExpression": "max_pods +"})
    pods = max_pods(110, error="syntax error at 1:11", source="table")
    assert kubelet.render(context(config, pods)).diagnostics == []


@pytest.mark.parametrize("number, expected", [
    (58.0, "58"), (0.25, "0.25"), (1.5e-5, "0.000015"), (1e-7, "1e-7"),
    (2.5e-10, "2.5e-10"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
    (float(2 ** 63), "9223372036854776000"), (-0.0, "-0"),
])
def test_go_float_formatting(number, expected):
    assert gojson.go_float(number) == expected


def test_go_string_escapes_like_encoding_json():
    assert gojson.go_string("a<b>&c\u2028\n\x01é") == '"a\\u003cb\\u003e\\u0026c\\u2028\\n\\u0001é"'


def test_rendering_is_deterministic():
    first = kubelet.render(context(kubeletVersion="v1.35.0"))
    second = kubelet.render(context(kubeletVersion="v1.35.0"))
    assert first.files == second.files and first.origins == second.origins


# --- versions ----------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("v1.31.2", Version(1, 31, 2)), ("1.31", Version(1, 31, 0)), ("2.1.4", Version(2, 1, 4)),
    ("v1.35.0-eks-5e0fdde", Version(1, 35, 0)), ("Kubernetes v1.29.10", Version(1, 29, 10)),
    ("latest", None), ("", None), (None, None), (131, None),
])
def test_parse_version(raw, expected):
    assert parse_version(raw) == expected


def test_at_least_treats_junk_as_oldest():
    assert at_least("v1.34.0", "v1.34.0")
    assert at_least("1.35", "v1.34.0")
    assert not at_least("v1.33.9", "v1.34.0")
    assert not at_least("nightly", "v1.0.0")
    assert canonical_kubelet_version("1.31") == "v1.31.0"
    assert canonical_kubelet_version("junk") == ""


# --- run/eks/nodeadm/config.json -------------------------------------------

def test_cached_config_is_compact_internal_node_config():
    config = node_config(kubelet={"flags": ["--v=4"], "config": {"maxPods": 30}})
    rendered = cached_config.render(context(config, kubeletVersion="v1.31.4-eks-1a2b3c"))
    expected = (
        '{"metadata":{},'
        '"spec":{"cluster":{"name":"blue",'
        '"apiServerEndpoint":"https://ABCD.gr7.eu-west-1.eks.amazonaws.com",'
        '"certificateAuthority":"aGVsbG8gY2E=","cidr":"172.20.0.0/16"},'
        '"containerd":{},"instance":{"localStorage":{},"network":{}},'
        '"kubelet":{"config":{"maxPods":30},"flags":["--v=4"]}},'
        '"status":{"instance":{"id":"i-0abc12345def67890","region":"eu-west-1",'
        '"type":"c5.large","availabilityZone":"eu-west-1b","mac":"0a:1b:2c:3d:4e:5f",'
        '"privateDnsName":"ip-10-1-2-3.eu-west-1.compute.internal"},'
        '"default":{"sandboxImage":"localhost/kubernetes/pause:latest"},'
        '"kubeletVersion":"v1.31.4"}}\n')
    assert text(rendered, CACHE) == expected


def test_cached_config_orders_and_omits_like_go():
    config = node_config(
        cluster={"enableOutpost": False, "id": "", "certificateAuthority": "aGVs\nbG8gY2E="},
        featureGates={"InstanceIdNodeName": True, "FastImagePull": False},
        instance={"environment": {"kubelet": {"B": "2", "A": "1"}},
                  "network": {"nameservers": ["10.0.0.2"], "domains": []}},
        containerd={"config": "version = 3\n"},
    )
    document = json.loads(text(cached_config.render(context(config)), CACHE))
    spec = document["spec"]
    assert list(spec) == ["cluster", "containerd", "instance", "kubelet", "featureGates"]
    assert spec["cluster"]["enableOutpost"] is False and "id" not in spec["cluster"]
    assert spec["cluster"]["certificateAuthority"] == "aGVsbG8gY2E="
    assert list(spec["featureGates"]) == ["FastImagePull", "InstanceIdNodeName"]
    assert list(spec["instance"]) == ["localStorage", "environment", "network"]
    assert list(spec["instance"]["environment"]["kubelet"]) == ["A", "B"]
    assert spec["instance"]["network"] == {"nameservers": ["10.0.0.2"]}
    assert spec["containerd"] == {"config": "version = 3\n"}
    # nodeadm never looks the DNS name up when nodes are named by instance ID
    assert "privateDnsName" not in document["status"]["instance"]


@pytest.mark.parametrize("cidr, host_bits", [
    ("10.100.0.0/16", False), ("10.100.0.1/16", True), ("10.100.0.0/15", False), ("10.101.0.0/15", True),
    ("0.0.0.0/0", False), ("1.2.3.4/0", True), ("1.2.3.4/32", False),
    ("::ffff:10.0.0.0/104", False), ("::ffff:10.100.0.0/104", True),  # /104: the IPv4 part keeps 8 bits
    ("fd00::/108", False), ("fd00::1/108", True), ("::1/128", False), ("::1/0", True),
])
def test_host_bits_are_those_ipaddress_sees(cidr, host_bits):
    address, prefix = gonet.parse_cidr(cidr)
    assert (ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address != address) is host_bits
    assert gonet.has_host_bits(cidr) is host_bits
