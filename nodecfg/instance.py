"""The instance context: what nodeadm learns from IMDS and the machine at boot.

nodecfg takes it as input (``--instance FILE`` plus single-key flags).  Every
key is optional; missing keys come from ``DEFAULT_INSTANCE`` and are recorded
in ``Instance.defaulted`` so outputs that depend on them can say so.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

# key in the instance file -> attribute name
CONTEXT_KEYS: dict[str, str] = {
    "instanceType": "instance_type",
    "instanceId": "instance_id",
    "region": "region",
    "availabilityZone": "availability_zone",
    "privateDnsName": "private_dns_name",
    "localIpv4": "local_ipv4",
    "localIpv6": "local_ipv6",
    "mac": "mac",
    "kubeletVersion": "kubelet_version",
    "containerdVersion": "containerd_version",
    "vcpus": "vcpus",
    "memoryMiB": "memory_mib",
    "sandboxImage": "sandbox_image",
    "accelerator": "accelerator",
}


@dataclass(frozen=True)
class Instance:
    instance_type: str = "m5.large"
    instance_id: str = "i-0123456789abcdef0"
    region: str = "us-west-2"
    availability_zone: str = "us-west-2a"
    private_dns_name: str = "ip-10-0-0-10.us-west-2.compute.internal"
    local_ipv4: str = "10.0.0.10"
    local_ipv6: str = ""
    mac: str = "02:00:00:00:00:01"
    kubelet_version: str = "v1.34.0"
    containerd_version: str = "2.1.4"
    vcpus: int | None = None  # None: derived from the instance table rule
    memory_mib: int | None = None
    sandbox_image: str = "localhost/kubernetes/pause:latest"
    accelerator: str = "none"  # nvidia | neuron | none
    defaulted: frozenset[str] = field(default=frozenset(), compare=False)

    def with_values(self, values: dict[str, Any]) -> "Instance":
        """Return a copy with context keys (camelCase) applied."""
        changes = {CONTEXT_KEYS[k]: v for k, v in values.items() if v is not None}
        defaulted = self.defaulted - set(values)
        return replace(self, **changes, defaulted=defaulted)


DEFAULT_INSTANCE = Instance(defaulted=frozenset(CONTEXT_KEYS))


def instance_from_mapping(values: dict[str, Any] | None) -> Instance:
    """Build an Instance from a context mapping (keys as in the spec table)."""
    return DEFAULT_INSTANCE.with_values(dict(values or {}))


__all__ = ["CONTEXT_KEYS", "DEFAULT_INSTANCE", "Instance", "instance_from_mapping", "fields"]
