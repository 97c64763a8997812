"""Which of nodeadm's end-to-end cases nodecfg can answer, and how.

Each entry restates, as data, what a case's ``run.sh`` does: the config
sources it passes to ``nodeadm init`` (in order), the versions its mocks
report, and each assertion it makes on a file nodeadm writes.  The fixtures
themselves are read from ``$NODEADM_SRC/test/e2e/cases/<name>/`` at run time;
nothing of theirs is stored here.

The instance is the one the e2e image mocks (``test/e2e/infra/``): IMDS from
``aemm-default-config.json``, two CPUs from ``mock/cpu/online`` (0-1).
Cases run on the containerd 1.7 image unless their name starts with
``containerdv2-`` (2.0.5 only) or ``containerd-`` (both images); see
``test/e2e/run.sh``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

# --- the mocked machine ------------------------------------------------------

MOCK_INSTANCE_TYPE = "m4.xlarge"
# The v1 image installs the newest "containerd-1.7.*" package; only the major
# version changes what nodeadm writes (template v2, no migration).
CONTAINERD_V1 = "1.7.27"
CONTAINERD_V2 = "2.0.5"  # the v2 image's pinned release tarball

MOCK_INSTANCE: dict[str, object] = {
    "instanceType": MOCK_INSTANCE_TYPE,
    "instanceId": "i-1234567890abcdef0",
    "region": "us-west-2",
    "availabilityZone": "us-west-2f",
    "privateDnsName": "ip-172-16-34-43.ec2.internal",
    "localIpv4": "172.16.34.43",
    "mac": "0e:49:61:0f:c3:11",
    "vcpus": 2,
    # Not mocked: the container sees the host's memory.  It matters only for
    # the SOCI threshold, which two vCPUs already fail; use m4.xlarge's 16 GiB.
    "memoryMiB": 16384,
    "sandboxImage": "localhost/kubernetes/pause:latest",
}


# --- where a step's configuration comes from ---------------------------------

@dataclass(frozen=True)
class CaseFile:
    """``--config-source file://NAME`` with NAME a file of the case directory."""
    name: str


@dataclass(frozen=True)
class DropInDir:
    """``--config-source file://DIR`` for a fresh directory holding these case files."""
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImdsUserData:
    """``imds://user-data``: the user data of infra/aemm-default-config.json."""


@dataclass(frozen=True)
class RunScriptDropIns:
    """``file://DIRECTORY`` holding the files run.sh writes there with heredocs."""
    directory: str


Source = Union[CaseFile, DropInDir, ImdsUserData, RunScriptDropIns]


# --- what a step asserts ------------------------------------------------------

BYTES = "bytes"            # assert::files-equal
JSON = "json"              # assert::json-files-equal (jq -S: compared as data)
CONTAINS = "contains"      # assert::file-contains (grep -e, line by line)
NOT_CONTAINS = "not-contains"  # assert::file-not-contains
ABSENT = "absent"          # assert::file-not-exists


@dataclass(frozen=True)
class Check:
    kind: str
    node_path: str          # rootfs-relative, as nodecfg names files
    expected: str = ""      # case-relative file, for BYTES and JSON
    pattern: str = ""       # for CONTAINS / NOT_CONTAINS
    select: str = ""        # JSON: compare this top-level key of nodecfg's file (`jq .spec FILE`)


@dataclass(frozen=True)
class Step:
    """One ``nodeadm init`` (or ``config check``) of a run.sh and its assertions."""
    label: str
    sources: tuple[Source, ...]
    kubelet_version: str
    containerd_version: str = CONTAINERD_V1
    accelerator: str = "none"  # nvidia when run.sh touches /usr/bin/nvidia-container-runtime
    instance_type: str = MOCK_INSTANCE_TYPE
    # Set where run.sh expects nodeadm to refuse the config: the nodecfg error
    # code that stands for nodeadm's reason.
    refused_with: str = ""
    checks: tuple[Check, ...] = ()

    def instance(self) -> dict[str, object]:
        return {**MOCK_INSTANCE, "instanceType": self.instance_type, "accelerator": self.accelerator,
                "kubeletVersion": self.kubelet_version, "containerdVersion": self.containerd_version}


@dataclass(frozen=True)
class Case:
    name: str
    steps: tuple[Step, ...]
    notes: str = ""
    skipped_assertions: tuple[str, ...] = field(default=())


# nodecfg's codes for nodeadm's refusals (nodecfg/validate/semantics.py, docs/containerd.md)
CLUSTER_FIELD_MISSING = "NC301"  # api validation: name/apiServerEndpoint/CA/cidr required
CONTAINERD_V3_ON_V1 = "NC502"    # "failed to get config template version"


# --- shorthands ---------------------------------------------------------------

CONTAINERD_CONFIG = "etc/containerd/config.toml"
KUBELET_CONFIG = "etc/kubernetes/kubelet/config.json"
KUBELET_DROPIN = "etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf"
KUBELET_ENVIRONMENT = "etc/eks/kubelet/environment"
SYSTEM_ENVIRONMENT = "etc/systemd/system.conf.d/environment.conf"
KUBELET_SERVICE_ENVIRONMENT = "etc/systemd/system/kubelet.service.d/environment.conf"
CONTAINERD_SERVICE_ENVIRONMENT = "etc/systemd/system/containerd.service.d/environment.conf"
CACHED_CONFIG = "run/eks/nodeadm/config.json"


def files(*names: str) -> tuple[Source, ...]:
    return tuple(CaseFile(name) for name in names)


def same_bytes(node_path: str, expected: str) -> Check:
    return Check(BYTES, node_path, expected=expected)


def same_json(node_path: str, expected: str, select: str = "") -> Check:
    return Check(JSON, node_path, expected=expected, select=select)


def kubelet_pair(config: str, drop_in: str) -> tuple[Check, ...]:
    return same_json(KUBELET_CONFIG, config), same_json(KUBELET_DROPIN, drop_in)


def containerd_check(config: str, expected: str, containerd: str) -> Check:
    # Every config.toml check is byte for byte, the `containerd config migrate` output included.
    return Check(BYTES, CONTAINERD_CONFIG, expected=expected)


def containerd_steps(configs: dict[str, str], kubelet: str, containerd: str,
                     accelerator: str = "none") -> tuple[Step, ...]:
    """A step per (config file -> expected containerd config.toml)."""
    return tuple(
        Step(config, files(config), kubelet, containerd, accelerator,
             checks=(containerd_check(config, expected, containerd),))
        for config, expected in configs.items())


def v3_refused_on_containerd_1(kubelet: str, accelerator: str = "none") -> Step:
    # config.go getConfigTemplateVersion: v3 plugin names on containerd 1.x are an error
    return Step("configv3.yaml refused", files("configv3.yaml"), kubelet, CONTAINERD_V1, accelerator,
                refused_with=CONTAINERD_V3_ON_V1)


# --- the table ------------------------------------------------------------------

CASES: tuple[Case, ...] = (
    Case("config-cache", (
        Step("cache from imds user data", (ImdsUserData(),), "v1.31.0",
             checks=(same_json(CACHED_CONFIG, "cached-config-1.json", select="spec"),)),
        Step("drop-in alone is refused", (RunScriptDropIns("/etc/eks/nodeadm.d"),), "v1.31.0",
             refused_with=CLUSTER_FIELD_MISSING),
        Step("cache from imds + drop-in", (ImdsUserData(), RunScriptDropIns("/etc/eks/nodeadm.d")),
             "v1.31.0", checks=(same_json(CACHED_CONFIG, "cached-config-2.json", select="spec"),)),
    ), notes="the cache's content only",
        skipped_assertions=("reusing an existing cache with --skip config",
                            "falling back to the cache when the chain resolves nothing")),
    Case("config-check", (
        Step("config-good.yaml", files("config-good.yaml"), "v1.31.0"),
        # name-not-real is dropped by nodeadm's decoder, so the name is missing
        Step("config-bad.yaml", files("config-bad.yaml"), "v1.31.0", refused_with=CLUSTER_FIELD_MISSING),
    )),
    Case("config-provider-chain", (
        Step("file + empty dir", (CaseFile("config.yaml"), DropInDir()), "v1.31.0"),
        Step("dir", (DropInDir(("config.yaml",)),), "v1.31.0"),
        Step("file + dir", (CaseFile("config.yaml"), DropInDir(("config.yaml",))), "v1.31.0"),
    )),
    Case("containerd-base-runtime-spec", tuple(
        Step(f"containerd {version}", files("config.yaml"), "v1.27.0", version,
             checks=(same_bytes("etc/containerd/base-runtime-spec.json", "expected-base-runtime-spec.json"),))
        for version in (CONTAINERD_V1, CONTAINERD_V2))),
    Case("containerdv1-config", (
        Step("configv2.yaml kubelet 1.31", files("configv2.yaml"), "v1.31.0",
             checks=(same_bytes(CONTAINERD_CONFIG, "expected-containerd-config-pre-1.32.toml"),)),
        Step("configv2.yaml kubelet 1.32", files("configv2.yaml"), "v1.32.0",
             checks=(same_bytes(CONTAINERD_CONFIG, "expected-containerd-config.toml"),)),
        v3_refused_on_containerd_1("v1.32.0"),
    )),
    Case("containerdv1-runtime-config-neuron", (
        *containerd_steps({"configv2.yaml": "expected-containerd-config.toml"}, "v1.27.0", CONTAINERD_V1),
        v3_refused_on_containerd_1("v1.27.0"),
    ), notes="no neuron mock: nodeadm keeps runc (accelerator none)"),
    Case("containerdv1-runtime-config-nvidia", (
        *containerd_steps({"configv2.yaml": "expected-containerd-config.toml"}, "v1.27.0", CONTAINERD_V1,
                          "nvidia"),
        v3_refused_on_containerd_1("v1.27.0", "nvidia"),
    )),
    Case("containerdv2-config", containerd_steps(
        {"configv2.yaml": "expected-containerd-configv2.toml",
         "configv3.yaml": "expected-containerd-configv3.toml"}, "v1.32.0", CONTAINERD_V2)),
    Case("containerdv2-runtime-config-neuron", containerd_steps(
        {"configv2.yaml": "expected-containerd-configv2.toml",
         "configv3.yaml": "expected-containerd-configv3.toml"}, "v1.32.0", CONTAINERD_V2),
        notes="no neuron mock: nodeadm keeps runc (accelerator none)"),
    Case("containerdv2-runtime-config-nvidia", containerd_steps(
        {"configv2.yaml": "expected-containerd-configv2.toml",
         "configv3.yaml": "expected-containerd-configv3.toml"}, "v1.32.0", CONTAINERD_V2, "nvidia")),
    Case("custom-max-pods-expression", (
        Step("scenarios/custom-networking", files("scenarios/custom-networking/config.yaml"), "v1.32.0",
             checks=(same_json(KUBELET_CONFIG, "scenarios/custom-networking/expected.json"),)),
        Step("scenarios/kubelet-config-max-pods", files("scenarios/kubelet-config-max-pods/config.yaml"),
             "v1.32.0",
             checks=(same_json(KUBELET_CONFIG, "scenarios/kubelet-config-max-pods/expected.json"),
                     # run.sh guards this with a path that never exists; the file is
                     # clearly meant for the drop-in, so it is checked here.
                     same_json(KUBELET_DROPIN, "scenarios/kubelet-config-max-pods/expected-dropin.json"))),
    ), notes="the loop over scenarios/*; the top-level config.yaml is not used by run.sh"),
    Case("image-credential-provider", (
        Step("kubelet 1.31", files("config.yaml"), "v1.31.0",
             checks=(same_json("etc/eks/image-credential-provider/config.json",
                               "expected-image-credential-provider-config-1.31.json"),)),
        Step("kubelet 1.36", files("config.yaml"), "v1.36.0",
             checks=(same_json("etc/eks/image-credential-provider/config.json",
                               "expected-image-credential-provider-config.json"),)),
    )),
    Case("kubeconfig", tuple(
        Step(f"kubelet {version}", files("config.yaml"), version,
             checks=(same_bytes("var/lib/kubelet/kubeconfig", "expected-kubeconfig.yaml"),))
        for version in ("v1.29.0", "v1.35.0"))),
    Case("kubeconfig-outpost", (
        Step("outpost config accepted", files("config.yaml"), "v1.35.0"),
    ), skipped_assertions=("/etc/hosts gains the API server's addresses from a DNS lookup at boot",)),
    Case("kubelet-config-dir", tuple(
        Step(config, files(config), "v1.29.0",
             checks=kubelet_pair("expected-kubelet-config.json", "expected-kubelet-config-drop-in.json"))
        for config in ("config.kubelet-config-json.yaml", "config.kubelet-config-yaml.yaml"))),
    Case("kubelet-config-new-instance-type", (
        Step("config.kubelet-config-json.yaml", files("config.kubelet-config-json.yaml"), "v1.35.0",
             instance_type="mock-type.large",
             checks=kubelet_pair("expected-kubelet-config.json", "expected-kubelet-config-drop-in.json")),
    ), notes="run.sh rewrites the IMDS instance type to mock-type.large"),
    Case("kubelet-config-set-empty", (
        Step("config.yaml", files("config.yaml"), "v1.35.0",
             checks=(*kubelet_pair("expected-kubelet-config.json", "expected-kubelet-config-drop-in.json"),
                     Check(CONTAINS, KUBELET_ENVIRONMENT, pattern="--hostname-override=ip.*ec2.internal"))),
    )),
    Case("kubelet-flags", (
        Step("config.yaml", files("config.yaml"), "v1.35.0", checks=(
            Check(CONTAINS, KUBELET_ENVIRONMENT,
                  pattern="--v=5 --node-labels=foo=bar,foo2=baz --register-with-taints=foo=bar:NoSchedule$"),
            Check(CONTAINS, KUBELET_ENVIRONMENT, pattern="--hostname-override=i-1234567890abcdef0"))),
    )),
    Case("kubelet-version", (
        Step("kubelet 1.35.0-eks-5e0fdde", files("config.yaml"), "v1.35.0-eks-5e0fdde", checks=(
            Check(NOT_CONTAINS, KUBELET_CONFIG, pattern='"kubeAPIQPS"'),
            Check(NOT_CONTAINS, KUBELET_CONFIG, pattern='"kubeAPIBurst"'))),
    )),
    Case("mime-userdata-merge", (
        Step("config.yaml", files("config.yaml"), "v1.35.0",
             checks=kubelet_pair("expected-kubelet-config.json", "expected-kubelet-config-drop-in.json")),
    )),
    Case("network-name-resolution", (
        Step("config.yaml", files("config.yaml"), "v1.31.0",
             checks=(same_bytes("run/systemd/resolved.conf.d/40-eks.conf", "expected-resolved.conf"),)),
    )),
    Case("nodeadm-environment-config", (
        Step("basic env", files("config-basic-env.yaml"), "v1.34.0",
             checks=(same_bytes(SYSTEM_ENVIRONMENT, "expected-config-basic-env.conf"),)),
        Step("quote escaping", files("config-quote-escaping.yaml"), "v1.34.0",
             checks=(same_bytes(SYSTEM_ENVIRONMENT, "expected-config-quote-escaping.conf"),)),
        Step("service specific", files("config-service-specific.yaml"), "v1.34.0", checks=(
            same_bytes(SYSTEM_ENVIRONMENT, "expected-config-service-specific-default.conf"),
            same_bytes(KUBELET_SERVICE_ENVIRONMENT, "expected-config-service-specific-kubelet.conf"),
            same_bytes(CONTAINERD_SERVICE_ENVIRONMENT, "expected-config-service-specific-containerd.conf"))),
        Step("service only", files("config-service-only.yaml"), "v1.34.0", checks=(
            Check(ABSENT, SYSTEM_ENVIRONMENT),
            same_bytes(KUBELET_SERVICE_ENVIRONMENT, "expected-config-service-only-kubelet.conf"),
            same_bytes(CONTAINERD_SERVICE_ENVIRONMENT, "expected-config-service-only-containerd.conf"))),
        *(Step(label, files(config), "v1.34.0", checks=(
            Check(ABSENT, SYSTEM_ENVIRONMENT), Check(ABSENT, KUBELET_SERVICE_ENVIRONMENT),
            Check(ABSENT, CONTAINERD_SERVICE_ENVIRONMENT)))
          for label, config in (("no env", "config-no-env.yaml"), ("empty env", "config-empty-env.yaml"))),
    )),
    Case("pod-infra-container", (
        Step("config.yaml", files("config.yaml"), "v1.35.0",
             checks=(Check(NOT_CONTAINS, KUBELET_ENVIRONMENT, pattern="pod-infra-container-image"),)),
    )),
)

# Cases nodecfg does not run, with the reason (docs/conformance.md repeats them).
NOT_APPLICABLE: dict[str, str] = {
    "aws-api-connection-timeout": "AWS SDK retry timing against an unreachable EC2 API",
    "boot-hook": "nodeadm-internal boot-hook waiting on networkctl link states",
    "imds-timeouts": "retrying while IMDS is unreachable or answers late",
    "local-disks": "running setup-local-disks (raid0) in the run phase",
    "nodeadm-http-proxy": "EC2/IMDS traffic routed through an HTTP proxy",
    "udev-net-manager": "udev interface events writing systemd-networkd files",
}

# Differences nodecfg is known to have from nodeadm's expectations, by test id.
# Each becomes a strict xfail, so a fix turns it into a failure to remove here.
KNOWN_DIFFERENCES: dict[str, str] = {}
