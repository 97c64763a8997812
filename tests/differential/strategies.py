"""Hypothesis strategies: NodeConfig sources and instances across nodeadm's input space.

An ``Example`` is what one ``nodeadm init`` sees: the config sources in
``--config-source`` order (a file, MIME user data, a drop-in directory, IMDS
user data), and the instance the harness mocks.  Values are chosen where
nodeadm's behaviour branches: schema v2/v3 containerd configs on containerd
1.7 and 2.x, the SOCI thresholds, IPv4/IPv6, outposts, NVIDIA, kubelet
1.27-1.36 with and without ``-eks-`` suffixes, instance types in and out of
the packaged table, YAML 1.1 spellings, and environment values with quotes,
``%``, ``$``, backslashes and spaces.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from nodecfg.encode.yaml import dump_yaml

# A self-signed P-256 certificate (made for these tests), base64 of its PEM.
CA = ("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJmekNDQVNXZ0F3SUJBZ0lVVStmemI0YXkyaGRPcmtWVTZYWThLRmwveUlrd0NnWUlLb1pJ"
      "emowRUF3SXcKRlRFVE1CRUdBMVVFQXd3S2EzVmlaWEp1WlhSbGN6QWVGdzB5TmpFeE1qQXlNekUyTXpaYUZ3MHpOakV4TVRjeQpNekUyTXpa"
      "YU1CVXhFekFSQmdOVkJBTU1DbXQxWW1WeWJtVjBaWE13V1RBVEJnY3Foa2pPUFFJQkJnZ3Foa2pPClBRTUJCd05DQUFTNnB4UVZzVy9MOEZP"
      "dC9aVXczVWZYSGNiVXhCTldVVlQ1Mm5kTzJFU2dwVzgxU0RxQ2g2b1cKMTJJWlFFeCtGYmFZSG5MVlFrak5WcXN5OExyVllPOGVvMU13VVRB"
      "ZEJnTlZIUTRFRmdRVWNXQnhUV1Z6NCtVTgpOVC8vakU2dWZaN3dmbnd3SHdZRFZSMGpCQmd3Rm9BVWNXQnhUV1Z6NCtVTk5ULy9qRTZ1Zlo3"
      "d2Zud3dEd1lEClZSMFRBUUgvQkFVd0F3RUIvekFLQmdncWhrak9QUVFEQWdOSUFEQkZBaUJVanozTzd6VXFwTVN5TGdsc1J0bjEKQXI3Y1Z1"
      "RzY1c3EyOGJBb1RPZE80UUloQU0yTFdsQ2ZrV1FINGNDMTlZSGQ4cklkMmVDb0JabU9IZ1JyVEtkSwpyOXRJCi0tLS0tRU5EIENFUlRJRklD"
      "QVRFLS0tLS0K")
# g5g: NVIDIA by instance family only from v20250224 (2ffb0d54) until the runtime is chosen by binary (v20250501)
PACKAGED_TYPES = ("m5.large", "m4.xlarge", "c5.4xlarge", "t3.micro", "m6i.2xlarge", "r5.xlarge", "g5.xlarge",
                  "g5g.xlarge")
UNKNOWN_TYPE = "mock-type.large"
V2_CRI = "io.containerd.grpc.v1.cri"

# YAML 1.1 spellings: written as a placeholder string, replaced in the text.
_SPELLED = "__yaml11_"


def spelled(word: str) -> str:
    return f"{_SPELLED}{word}__"


def _unspell(text: str) -> str:
    for word in ("yes", "no", "on", "off", "True", "FALSE", "y"):
        text = text.replace(spelled(word), word)
    return text


@dataclass
class Example:
    documents: list[dict[str, Any]]          # NodeConfig documents, merge order
    layout: str                              # file | mime | dir | file+dir | file+imds
    instance: dict[str, Any]                 # the harness's INSTANCE_JSON
    eni_figures: tuple[int, int] | None = None  # unknown type: what EC2 answers
    broken_mime: str = ""                    # see mime()
    yaml_texts: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.yaml_texts = [_unspell(dump_yaml(doc)).replace("__yaml_syntax__: true", "key: [unclosed")
                           for doc in self.documents]

    def nodecfg_instance(self) -> dict[str, Any]:
        keys = ("instanceType", "instanceId", "region", "availabilityZone", "privateDnsName", "localIpv4",
                "localIpv6", "mac", "kubeletVersion", "containerdVersion", "vcpus", "memoryMiB")
        values = {key: self.instance[key] for key in keys if self.instance.get(key) is not None}
        values["sandboxImage"] = "localhost/kubernetes/pause:latest"
        values["accelerator"] = "nvidia" if self.instance.get("pciVendors") else "none"
        return values

    def instance_table_text(self) -> str | None:
        if self.eni_figures is None:
            return None
        enis, ips = self.eni_figures
        return json.dumps({"instanceType": self.instance["instanceType"], "defaultMaxENIs": enis,
                           "ipv4AddressesPerInterface": ips}) + "\n"


def mime(parts: list[str], boundary: str = "//", broken: str = "") -> bytes:
    """MIME multipart user data with one application/node.eks.aws part per text.

    ``broken``: "no-close" leaves out the closing delimiter, "boundary" makes
    the header name a boundary the parts do not use.
    """
    header = "other" if broken == "boundary" else boundary
    out = ["MIME-Version: 1.0", f'Content-Type: multipart/mixed; boundary="{header}"', ""]
    for text in parts:
        out += [f"--{boundary}", "Content-Type: application/node.eks.aws", "", text.rstrip("\n")]
    if broken != "no-close":
        out += [f"--{boundary}--"]
    out += [""]
    return "\n".join(out).encode()


# --- values ---------------------------------------------------------------------

booleans = st.sampled_from([True, False, spelled("yes"), spelled("no"), spelled("on"), spelled("off"),
                            spelled("True"), spelled("FALSE")])
label = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
awkward = st.sampled_from(['say "hi"', "100%", "$HOME", "a\\b", "two words", "", "x=y", "'single'",
                           "tab\there", "%h %% $$", "end\\", "http://proxy.internal:3128"])
env_value = st.one_of(awkward, label)
env_name = st.sampled_from(["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "FOO", "GREETING", "A_B"])


def kubelet_versions(oldest_minor: int = 27) -> st.SearchStrategy[str]:
    plain = st.builds(lambda minor, patch, v: f"{v}1.{minor}.{patch}",
                      st.integers(oldest_minor, 36), st.integers(0, 5), st.sampled_from(["", "v"]))
    eks = st.builds(lambda base, h: f"{base}-eks-{h}", plain, st.text("0123456789abcdef", min_size=7, max_size=7))
    return st.one_of(plain, eks)


kubelet_config_values = st.fixed_dictionaries({}, optional={
    "maxPods": st.integers(1, 250),
    "clusterDNS": st.lists(st.sampled_from(["10.100.0.10", "169.254.20.10", "fd00::a"]), min_size=1, max_size=2),
    "kubeAPIQPS": st.integers(1, 100),
    "kubeAPIBurst": st.integers(1, 200),
    "evictionHard": st.dictionaries(st.sampled_from(["memory.available", "nodefs.available"]),
                                    st.sampled_from(["100Mi", "10%", "5%"]), max_size=2),
    "featureGates": st.dictionaries(st.sampled_from(["RotateKubeletServerCertificate", "DynamicResourceAllocation"]),
                                    st.booleans(), max_size=2),
    "registerWithTaints": st.lists(st.fixed_dictionaries({"key": label, "effect": st.just("NoSchedule")}),
                                   max_size=2),
    "systemReserved": st.dictionaries(st.sampled_from(["cpu", "memory"]), st.sampled_from(["100m", "1Gi"]),
                                      max_size=2),
    "cpuManagerPolicy": st.sampled_from(["none", "static"]),
    "imageGCHighThresholdPercent": st.integers(50, 100),
    "serializeImagePulls": st.booleans(),
    "containerLogMaxSize": st.sampled_from(["10Mi", "50Mi"]),
    "podPidsLimit": st.integers(-1, 4096),
    "cpuCFSQuotaPeriod": st.sampled_from(["100ms", "10ms"]),
})

flags = st.lists(st.one_of(
    st.builds(lambda k, v: f"--node-labels={k}={v}", label, label),
    st.sampled_from(["--v=2", "--v=4", "--register-with-taints=a=b:NoSchedule", "--max-pods=17",
                     "--hostname-override=custom", "--node-ip=10.0.0.9", "--cloud-provider=external"]),
), max_size=3)

max_pods_expressions = st.sampled_from([
    "default_enis * (ips_per_eni - 1) + 2", "max_pods", "max_pods + 10", "110", "(max_pods * 9) / 10",
    "max_pods > 100 ? 110 : max_pods", "min(max_pods, 30)", "1 / 0", "'x'", "1.5", "max_pods / 2.0",
    "9223372036854775807 + 1", "9223372036854775807", "-5", "0", "", "max_pods +", "unknown_var",
])

v2_containerd_keys = st.fixed_dictionaries({}, optional={
    "sandbox_image": st.sampled_from(["registry.k8s.io/pause:3.10", "example.com/pause:1"]),
    "enable_cdi": st.booleans(),
    "max_container_log_line_size": st.integers(1024, 65536),
    "discard_unpacked_layers": st.booleans(),
    "config_path": st.just("/etc/containerd/certs.d"),
    "SystemdCgroup": st.booleans(),
    "grpc_address": st.just("/run/foo/foo.sock"),
})


def _v2_text(keys: dict[str, Any]) -> str:
    cri = f'[plugins."{V2_CRI}"'
    out = ["version = 2", ""]
    if "grpc_address" in keys:
        out += ["[grpc]", f'address = "{keys["grpc_address"]}"', ""]
    top = [(k, keys[k]) for k in ("sandbox_image", "enable_cdi", "max_container_log_line_size") if k in keys]
    if top:
        out += [f"{cri}]"] + [f"{k} = {json.dumps(v)}" for k, v in top] + [""]
    if "discard_unpacked_layers" in keys:
        out += [f"{cri}.containerd]", f"discard_unpacked_layers = {json.dumps(keys['discard_unpacked_layers'])}", ""]
    if "config_path" in keys:
        out += [f"{cri}.registry]", f'config_path = "{keys["config_path"]}"', ""]
    if "SystemdCgroup" in keys:
        out += [f"{cri}.containerd.runtimes.runc.options]", f"SystemdCgroup = {json.dumps(keys['SystemdCgroup'])}", ""]
    return "\n".join(out)


v3_containerd_texts = st.sampled_from([
    "version = 3\n\n[grpc]\naddress = \"/run/foo/foo.sock\"\n\n"
    "[plugins.'io.containerd.cri.v1.images'.pinned_images]\nsandbox = 'registry.k8s.io/pause:3.10'\n",
    "[plugins.\"io.containerd.cri.v1.runtime\"]\nenable_cdi = false\nmax_container_log_line_size = 32768\n",
    "[plugins.'io.containerd.cri.v1.images']\ndiscard_unpacked_layers = false\n",
    "[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.runc.options]\nSystemdCgroup = false\n",
])
other_containerd_texts = st.sampled_from([
    "[grpc]\naddress = \"/run/other.sock\"\n", "[debug]\nlevel = \"debug\"\n", "oom_score = -999\n",
    "[grpc\naddress = 1\n", "   ", "[metrics]\naddress = '127.0.0.1:1338'\n",
])
containerd_configs = st.one_of(st.builds(_v2_text, v2_containerd_keys), v3_containerd_texts, other_containerd_texts)

base_runtime_specs = st.fixed_dictionaries({}, optional={
    "ociVersion": st.just("1.1.0"),
    "process": st.fixed_dictionaries({"rlimits": st.lists(st.fixed_dictionaries({
        "type": st.sampled_from(["RLIMIT_NOFILE", "RLIMIT_NPROC"]), "hard": st.integers(1024, 1048576),
        "soft": st.integers(1024, 65536)}), max_size=2)}),
    "linux": st.fixed_dictionaries({"maskedPaths": st.lists(st.sampled_from(["/proc/kcore", "/proc/keys"]),
                                                            max_size=2)}),
})

environments = st.dictionaries(
    st.sampled_from(["default", "kubelet", "containerd"]),
    st.dictionaries(env_name, env_value, max_size=3), max_size=3)

networks = st.fixed_dictionaries({}, optional={
    "nameservers": st.lists(st.sampled_from(["10.0.0.2", "8.8.8.8", "fd00::53", "1.1.1.1"]), max_size=3),
    "domains": st.lists(st.sampled_from(["example.com", "corp.internal", "~."]), max_size=2),
})


# --- documents ------------------------------------------------------------------

@st.composite
def specs(draw, ipv6: bool, outpost: bool) -> dict[str, Any]:
    """One full-featured spec (later split across sources)."""
    cluster: dict[str, Any] = {
        "name": draw(st.sampled_from(["my-cluster", "blue"])),
        "apiServerEndpoint": "https://localhost" if outpost else draw(st.sampled_from(
            ["https://example.com", "https://ABCD.gr7.us-west-2.eks.amazonaws.com"])),
        "certificateAuthority": CA,
        "cidr": "fd00:ec2::/108" if ipv6 else draw(st.sampled_from(["10.100.0.0/16", "172.20.0.0/16"])),
    }
    if outpost:
        cluster["enableOutpost"] = draw(st.sampled_from([True, spelled("yes")]))
        cluster["id"] = "0123456789abcdef"
    spec: dict[str, Any] = {"cluster": cluster}
    kubelet: dict[str, Any] = {}
    if draw(st.booleans()):
        kubelet["config"] = draw(kubelet_config_values)
    if draw(st.booleans()):
        kubelet["flags"] = draw(flags)
    if draw(st.integers(0, 3)) == 0:
        kubelet["maxPodsExpression"] = draw(max_pods_expressions)
    if kubelet:
        spec["kubelet"] = kubelet
    containerd: dict[str, Any] = {}
    if draw(st.integers(0, 2)) == 0:
        containerd["config"] = draw(containerd_configs)
    if draw(st.integers(0, 3)) == 0:
        containerd["baseRuntimeSpec"] = draw(base_runtime_specs)
    if containerd:
        spec["containerd"] = containerd
    instance: dict[str, Any] = {}
    if draw(st.integers(0, 2)) == 0:
        instance["environment"] = draw(environments)
    if draw(st.integers(0, 3)) == 0:
        instance["network"] = draw(networks)
    if instance:
        spec["instance"] = instance
    # AggressiveImagePull: the SOCI gate's name at v20250813-v20250819, before the rename (28454ab9)
    gates = draw(st.dictionaries(st.sampled_from(["InstanceIdNodeName", "FastImagePull", "AggressiveImagePull"]),
                                 booleans, max_size=2))
    if gates:
        spec["featureGates"] = gates
    return spec


def _split(spec: dict[str, Any], owners: list[int], count: int) -> list[dict[str, Any]]:
    """Spread the spec's sections over ``count`` documents (section i goes to owners[i])."""
    docs: list[dict[str, Any]] = [{} for _ in range(count)]
    for index, (key, value) in enumerate(spec.items()):
        if key == "cluster" or not isinstance(value, dict):
            docs[owners[index % len(owners)] % count][key] = value
            continue
        for sub_index, (sub, item) in enumerate(value.items()):
            docs[owners[(index + sub_index) % len(owners)] % count].setdefault(key, {})[sub] = item
    return [{"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": doc} for doc in docs]


@st.composite
def instances(draw, oldest_minor: int = 27) -> tuple[dict[str, Any], tuple[int, int] | None, bool, bool]:
    known = draw(st.integers(0, 5)) > 0
    instance_type = draw(st.sampled_from(PACKAGED_TYPES)) if known else UNKNOWN_TYPE
    eni = None if known or draw(st.booleans()) else (draw(st.integers(1, 8)), draw(st.integers(2, 30)))
    ipv6 = draw(st.integers(0, 4)) == 0
    outpost = not ipv6 and draw(st.integers(0, 6)) == 0
    instance: dict[str, Any] = {
        "instanceType": instance_type, "instanceId": "i-1234567890abcdef0", "region": "us-west-2",
        "availabilityZone": "us-west-2f", "mac": "0e:49:61:0f:c3:11", "localIpv4": "172.16.34.43",
        "privateDnsName": "ip-172-16-34-43.ec2.internal",
        "localIpv6": "2600:1f14:abcd::10" if ipv6 else None,
        "kubeletVersion": draw(kubelet_versions(oldest_minor)),
        "containerdVersion": draw(st.sampled_from(["1.7.27", "2.0.5"])),
        "vcpus": draw(st.sampled_from([1, 2, 3, 4, 8, 16])),
        "memoryMiB": draw(st.sampled_from([2048, 7168, 7167, 8192, 16384])),
    }
    if eni:
        instance["defaultMaxENIs"], instance["ipv4AddressesPerInterface"] = eni
    if draw(st.integers(0, 5)) == 0:
        instance["pciVendors"] = ["0x10de"]
        instance["files"] = {"/usr/bin/nvidia-container-runtime": ""}
    return instance, eni, ipv6, outpost


# Ways to make nodeadm refuse a config (nodecfg must refuse it for the same reason).
BREAKAGES = ("drop:name", "drop:apiServerEndpoint", "drop:certificateAuthority", "drop:cidr", "outpost-no-id",
             "kind", "apiVersion", "flags-type", "cidr-junk", "yaml-syntax", "unknown-field", "config-type")


def _break(docs: list[dict[str, Any]], how: str, target: int) -> None:
    holder = next((doc for doc in docs if "cluster" in doc["spec"]), docs[0])
    cluster = holder["spec"].setdefault("cluster", {})
    doc = docs[target % len(docs)]
    if how.startswith("drop:"):
        cluster.pop(how[5:], None)
    elif how == "outpost-no-id":
        cluster["enableOutpost"] = True
        cluster.pop("id", None)
    elif how == "kind":
        doc["kind"] = "NodeConfiguration"
    elif how == "apiVersion":
        doc["apiVersion"] = "node.eks.aws/v1beta9"
    elif how == "flags-type":
        doc["spec"].setdefault("kubelet", {})["flags"] = "--v=2"
    elif how == "cidr-junk":
        cluster["cidr"] = "not-a-cidr"
    elif how == "unknown-field":
        doc["spec"]["clutser"] = {"name": "typo"}
    elif how == "config-type":
        doc["spec"].setdefault("containerd", {})["config"] = {"version": 2}
    elif how == "yaml-syntax":
        doc["spec"]["__yaml_syntax__"] = True


@st.composite
def examples(draw, oldest_minor: int = 27) -> Example:
    """``oldest_minor``: the oldest kubelet minor drawn (releases before v20250821 still treat 1.24-1.26 apart)."""
    instance, eni, ipv6, outpost = draw(instances(oldest_minor))
    spec = draw(specs(ipv6, outpost))
    layout = draw(st.sampled_from(["file", "file", "mime", "dir", "file+dir", "file+imds"]))
    count = 1 if layout == "file" else draw(st.integers(1 if layout == "dir" else 2, 3))
    owners = draw(st.lists(st.integers(0, 2), min_size=1, max_size=6))
    docs = _split(spec, owners, count)
    if draw(st.integers(0, 7)) == 0:
        _break(docs, draw(st.sampled_from(BREAKAGES)), draw(st.integers(0, 2)))
    broken_mime = draw(st.sampled_from(["", "", "", "", "", "", "no-close", "boundary"])) \
        if layout in ("mime", "file+imds") else ""
    return Example(docs, layout, instance, eni, broken_mime)
