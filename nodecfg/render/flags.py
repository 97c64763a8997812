"""The kubelet command line nodeadm builds (NODEADM_KUBELET_ARGS).

nodeadm collects its own flags in a Go map filled by several writers
(internal/kubelet/config.go, kubeconfig.go, image-credential-provider.go)
and prints them in map iteration order, i.e. randomly, as ``--name=value``
without any quoting; the user's ``kubelet.flags`` follow verbatim, so they
take precedence (pflag: the last occurrence of a single-value flag wins).
nodecfg prints nodeadm's flags sorted by name, then the user's in merge order.
What the kubelet makes of that line is nodecfg.nodeadm.kubelet_argv.
"""

from functools import lru_cache
from typing import Any

from nodecfg.context.instance import Instance
from nodecfg.nodeadm import gonet
from nodecfg.core.versions import at_least
from nodecfg.render.kubelet import (CONFIG_PATH, CONTAINERD_ENDPOINT, DROPIN_DIR, before_eol_cleanup,
                      feature_enabled, merged_into_config, spec_value, user_kubelet_config)

KUBECONFIG_PATH = "/var/lib/kubelet/kubeconfig"
BOOTSTRAP_KUBECONFIG_PATH = "/var/lib/kubelet/bootstrap-kubeconfig"
CREDENTIAL_PROVIDER_DIR = "/etc/eks/image-credential-provider"
CREDENTIAL_PROVIDER_CONFIG = f"{CREDENTIAL_PROVIDER_DIR}/config.json"
RUNTIME_CGROUP = "/runtime.slice/containerd.service"
NVIDIA_GPU_LABEL = "nvidia.com/gpu.present=true"


class KubeletFlag:
    """One flag of the kubelet's command line (read by attribute only: a plain class, no NamedTuple to
    build at import)."""

    __slots__ = ("name", "value", "text", "origin", "from_user")

    def __init__(self, name: str, value: str, text: str, origin: str, from_user: bool = False) -> None:
        self.name = name            # without leading dashes; "" when a user entry is not a flag
        self.value = value          # "" for a bare boolean flag
        self.text = text            # exactly as it appears on the command line
        self.origin = origin        # "default", "instance:<key>", "config:/spec/..."
        self.from_user = from_user


def outpost_enabled(config: dict[str, Any]) -> bool:
    return spec_value(config, "cluster", "enableOutpost") is True


def node_name(config: dict[str, Any], instance: Instance) -> tuple[str, str]:
    """(--hostname-override value, its origin): instance ID or private DNS name."""
    if feature_enabled(config, "InstanceIdNodeName"):
        return instance.instance_id, "instance:instanceId"
    return instance.private_dns_name, "instance:privateDnsName"


def node_ip(config: dict[str, Any], instance: Instance) -> tuple[str, str]:
    """(--node-ip value, origin): the address of the cluster CIDR's family."""
    if gonet.ip_family(spec_value(config, "cluster", "cidr")) == "ipv6":
        return instance.local_ipv6, "instance:localIpv6"
    return instance.local_ipv4, "instance:localIpv4"


def _nodeadm_flag_values(config: dict[str, Any], instance: Instance) -> dict[str, tuple[str, str]]:
    from nodecfg.nodeadm.release import KUBELET_DROPIN_ALL_VERSIONS, NVIDIA_GPU_LABEL as GPU_LABEL, \
        OUTPOST_KUBECONFIG, RUNTIME_CGROUPS

    profile = instance.profile
    flags = {
        "cloud-provider": ("external", "default"),
        "config": ("/" + CONFIG_PATH, "default"),
        "hostname-override": node_name(config, instance),
        "image-credential-provider-bin-dir": (CREDENTIAL_PROVIDER_DIR, "default"),
        "image-credential-provider-config": (CREDENTIAL_PROVIDER_CONFIG, "default"),
        "kubeconfig": (KUBECONFIG_PATH, "default"),
        "node-ip": node_ip(config, instance),
    }
    if profile.has(RUNTIME_CGROUPS):
        flags["runtime-cgroups"] = (RUNTIME_CGROUP, "default")
    if before_eol_cleanup(instance, "v1.26.0"):  # internal/kubelet/config.go withCloudProvider before 41298160
        flags["cloud-provider"] = ("aws", "instance:kubeletVersion")
        del flags["hostname-override"]
    if before_eol_cleanup(instance, "v1.27.0"):  # withVersionToggles before 41298160
        flags["container-runtime"] = ("remote", "instance:kubeletVersion")
        flags["container-runtime-endpoint"] = (CONTAINERD_ENDPOINT, "instance:kubeletVersion")
    if user_kubelet_config(config) and not merged_into_config(config, instance):
        flags["config-dir"] = ("/" + DROPIN_DIR, "config:/spec/kubelet/config")
    if outpost_enabled(config):
        flags["bootstrap-kubeconfig"] = (BOOTSTRAP_KUBECONFIG_PATH,
                                         "config:/spec/cluster/enableOutpost")
        if not profile.has(OUTPOST_KUBECONFIG):  # internal/kubelet/kubeconfig.go: one or the other before
            del flags["kubeconfig"]
    if not profile.has(KUBELET_DROPIN_ALL_VERSIONS) and not at_least(instance.kubelet_version, "v1.29.0"):
        flags["pod-infra-container-image"] = (instance.sandbox_image, "instance:sandboxImage")
    # nodeadm labels GPU nodes itself from 1.35 on (it looks for an NVIDIA PCI device).
    if at_least(instance.kubelet_version, "v1.35.0") and instance.accelerator == "nvidia" and profile.has(GPU_LABEL):
        flags["node-labels"] = (NVIDIA_GPU_LABEL, "instance:accelerator")
    return flags


def nodeadm_flags(config: dict[str, Any], instance: Instance) -> list[KubeletFlag]:
    """nodeadm's own flags, sorted by name."""
    return [KubeletFlag(name, value, f"--{name}={value}", origin)
            for name, (value, origin) in sorted(_nodeadm_flag_values(config, instance).items())]


def user_flags(config: dict[str, Any], own: list[KubeletFlag] = ()) -> list[KubeletFlag]:
    """The merged kubelet.flags in order; non-string entries are skipped.

    Each item's name and value are those of the first flag the kubelet gets
    from it (nodecfg.nodeadm.kubelet_argv, after nodeadm's own flags ``own``); an
    item that starts no flag has the name "".
    """
    entries = spec_value(config, "kubelet", "flags", default=[])
    if not isinstance(entries, list):
        return []
    strings = [(index, entry) for index, entry in enumerate(entries) if isinstance(entry, str)]
    first = _first_flags(tuple(flag.text for flag in own), tuple(entry for _, entry in strings))
    flags = []
    for position, (index, entry) in enumerate(strings):
        name, value = first.get(position, ("", entry))
        flags.append(KubeletFlag(name, value, entry, f"config:/spec/kubelet/flags/{index}", from_user=True))
    return flags


@lru_cache(maxsize=8)
def _first_flags(own: tuple[str, ...], entries: tuple[str, ...]) -> dict[int, tuple[str, str]]:
    """User item position -> (name, value) of the first flag the kubelet gets from it (one argv per line)."""
    from nodecfg.nodeadm.kubelet_argv import kubelet_argv

    first: dict[int, tuple[str, str]] = {}
    for arg in kubelet_argv([*own, *entries]).flags():
        first.setdefault(arg.start[0] - len(own), (arg.name, arg.value or ""))
    return first


def kubelet_flags(config: dict[str, Any], instance: Instance) -> list[KubeletFlag]:
    """The full command line in nodecfg's order: sorted nodeadm flags, then the user's."""
    own = nodeadm_flags(config, instance)
    return own + user_flags(config, own)


def kubelet_args(config: dict[str, Any], instance: Instance) -> str:
    return " ".join(flag.text for flag in kubelet_flags(config, instance))


def occurrences(flags: list[KubeletFlag]) -> dict[str, list[KubeletFlag]]:
    """Flag name -> its occurrences in command-line order.

    For a single-value flag the kubelet honours the last one; map-valued flags
    such as --node-labels merge all occurrences, later keys winning.
    """
    found: dict[str, list[KubeletFlag]] = {}
    for flag in flags:
        if flag.name:
            found.setdefault(flag.name, []).append(flag)
    return dict(sorted(found.items()))
