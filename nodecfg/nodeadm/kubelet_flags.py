"""The kubelet's command-line flags as nodeadm passes them and the kubelet reads them.

Facts:
* the flags nodeadm itself always passes (awslabs/amazon-eks-ami
  nodeadm/internal/kubelet/config.go, kubeconfig.go, image-credential-provider.go:
  ``k.flags[...]``), which it joins before the user's ``kubelet.flags``
  (nodeadm/internal/kubelet/environment.go, ``writeKubeletEnvironment``:
  user flags last, "to give them precedence");
* the kubelet parses its argv with pflag: the last occurrence of a
  single-value flag wins, map and list flags accumulate
  (``ACCUMULATING_FLAGS``); flags removed from the kubelet make it exit with
  "unknown flag" (``REMOVED_FLAGS``, with the release that removed each);
* a deprecated flag and the KubeletConfiguration (v1beta1) field it sets
  (``CONFIG_FIELDS``), and how its value reads as that field
  (``convert``): kubernetes/kubernetes cmd/kubelet/app/options/options.go and
  k8s.io/component-base/cli/flag: ``k=v,k2=v2`` maps, ``<``-separated maps
  for the eviction thresholds, comma lists, ``key=value:Effect`` taints.  The
  field's JSON type comes from the KubeletConfiguration schema nodecfg
  validates with.  A value that does not convert (a template placeholder, a
  typo) gives None: the caller keeps the flag.

The kubelet-flag rules (linter/rules/kubelet_flags.py), ``migrate``
(userdata/migrate.py) and NC415's fix read these tables.
"""
from __future__ import annotations

import re
from typing import Any

# flag -> (first kubelet release without it, what to do instead)
REMOVED_FLAGS: dict[str, tuple[str, str]] = {
    "container-runtime": ("v1.27.0", "remove it: containerd over CRI is the only runtime"),
    "network-plugin": ("v1.24.0", "remove it: networking is the CNI plugin's job (the VPC CNI on EKS)"),
    "network-plugin-mtu": ("v1.24.0", "remove it: set the MTU in the CNI configuration"),
    "cni-bin-dir": ("v1.24.0", "remove it: containerd's CRI plugin owns the CNI paths"),
    "cni-conf-dir": ("v1.24.0", "remove it: containerd's CRI plugin owns the CNI paths"),
    "cni-cache-dir": ("v1.24.0", "remove it: containerd's CRI plugin owns the CNI paths"),
    "docker-endpoint": ("v1.24.0", "remove it: dockershim is gone"),
    "experimental-dockershim-root-directory": ("v1.24.0", "remove it: dockershim is gone"),
    "image-pull-progress-deadline": ("v1.24.0", "remove it: it only applied to dockershim"),
    "non-masquerade-cidr": ("v1.24.0", "remove it: it only applied to dockershim's kubenet"),
    "azure-container-registry-config": ("v1.30.0", "remove it: use an image credential provider"),
    "keep-terminated-pod-volumes": ("v1.31.0", "remove it"),
    "pod-infra-container-image": ("v1.35.0", "remove it: the sandbox image is containerd's setting "
                                             "(nodeadm configures it)"),
}

# Flags nodeadm always passes (internal/kubelet: config.go, kubeconfig.go,
# image-credential-provider.go); config-dir and bootstrap-kubeconfig only sometimes.
NODEADM_FLAGS = frozenset({
    "cloud-provider", "config", "config-dir", "hostname-override", "image-credential-provider-bin-dir",
    "image-credential-provider-config", "kubeconfig", "node-ip", "runtime-cgroups", "bootstrap-kubeconfig",
})

# nodeadm's flags that older AMI releases do not always pass (--runtime-cgroups before v20260209,
# --hostname-override for kubelet < 1.26 and --kubeconfig on Outposts before v20251002).
RELEASE_DEPENDENT_FLAGS = frozenset({"runtime-cgroups", "hostname-override", "kubeconfig"})

# Flags whose repeated occurrences accumulate (pflag map and slice values).
ACCUMULATING_FLAGS = frozenset({
    "node-labels", "feature-gates", "eviction-hard", "eviction-soft", "eviction-soft-grace-period",
    "eviction-minimum-reclaim", "kube-reserved", "system-reserved", "qos-reserved", "cluster-dns",
    "tls-cipher-suites", "allowed-unsafe-sysctls", "enforce-node-allocatable", "reserved-memory",
    "cpu-manager-policy-options", "topology-manager-policy-options",
})

# Deprecated kubelet flags and their KubeletConfiguration field (v1beta1).
CONFIG_FIELDS: dict[str, str] = {
    "address": "address", "allowed-unsafe-sysctls": "allowedUnsafeSysctls",
    "anonymous-auth": "authentication.anonymous.enabled", "authorization-mode": "authorization.mode",
    "cgroup-driver": "cgroupDriver", "cgroup-root": "cgroupRoot", "cgroups-per-qos": "cgroupsPerQOS",
    "client-ca-file": "authentication.x509.clientCAFile", "cluster-dns": "clusterDNS",
    "cluster-domain": "clusterDomain", "container-log-max-files": "containerLogMaxFiles",
    "container-log-max-size": "containerLogMaxSize", "container-runtime-endpoint": "containerRuntimeEndpoint",
    "cpu-cfs-quota": "cpuCFSQuota", "cpu-manager-policy": "cpuManagerPolicy",
    "enforce-node-allocatable": "enforceNodeAllocatable", "event-burst": "eventBurst",
    "event-qps": "eventRecordQPS", "eviction-hard": "evictionHard",
    "eviction-max-pod-grace-period": "evictionMaxPodGracePeriod", "eviction-minimum-reclaim": "evictionMinimumReclaim",
    "eviction-pressure-transition-period": "evictionPressureTransitionPeriod", "eviction-soft": "evictionSoft",
    "eviction-soft-grace-period": "evictionSoftGracePeriod", "fail-swap-on": "failSwapOn",
    "feature-gates": "featureGates", "file-check-frequency": "fileCheckFrequency",
    "hairpin-mode": "hairpinMode", "healthz-bind-address": "healthzBindAddress", "healthz-port": "healthzPort",
    "image-gc-high-threshold": "imageGCHighThresholdPercent", "image-gc-low-threshold": "imageGCLowThresholdPercent",
    "image-service-endpoint": "imageServiceEndpoint", "kube-api-burst": "kubeAPIBurst", "kube-api-qps": "kubeAPIQPS",
    "kube-reserved": "kubeReserved", "kube-reserved-cgroup": "kubeReservedCgroup", "kubelet-cgroups": "kubeletCgroups",
    "make-iptables-util-chains": "makeIPTablesUtilChains", "max-open-files": "maxOpenFiles", "max-pods": "maxPods",
    "minimum-image-ttl-duration": "imageMinimumGCAge", "node-status-update-frequency": "nodeStatusUpdateFrequency",
    "oom-score-adj": "oomScoreAdj", "pod-manifest-path": "staticPodPath", "pod-max-pids": "podPidsLimit",
    "pods-per-core": "podsPerCore", "port": "port", "protect-kernel-defaults": "protectKernelDefaults",
    "provider-id": "providerID", "read-only-port": "readOnlyPort", "register-node": "registerNode",
    "register-with-taints": "registerWithTaints", "registry-burst": "registryBurst",
    "registry-qps": "registryPullQPS", "reserved-cpus": "reservedSystemCPUs", "resolv-conf": "resolvConf",
    "rotate-certificates": "rotateCertificates", "runtime-request-timeout": "runtimeRequestTimeout",
    "serialize-image-pulls": "serializeImagePulls", "streaming-connection-idle-timeout":
    "streamingConnectionIdleTimeout", "sync-frequency": "syncFrequency", "system-reserved": "systemReserved",
    "system-reserved-cgroup": "systemReservedCgroup", "tls-cert-file": "tlsCertFile",
    "tls-cipher-suites": "tlsCipherSuites", "tls-min-version": "tlsMinVersion",
    "tls-private-key-file": "tlsPrivateKeyFile", "topology-manager-policy": "topologyManagerPolicy",
    "volume-plugin-dir": "volumePluginDir",
}

LANGLE_MAPS = frozenset({"eviction-hard", "eviction-soft"})
# bool flags the kubelet accepts without a value (pflag NoOptDefVal "true")
_BOOL_TEXT = {"true": True, "false": False, "1": True, "0": False, "t": True, "f": False,
              "True": True, "False": False, "TRUE": True, "FALSE": False, "T": True, "F": False}


def config_field(flag: str) -> str | None:
    """The KubeletConfiguration field (``a.b`` for a nested one) a deprecated flag sets, or None."""
    return CONFIG_FIELDS.get(flag)


def _field_schema(schema: dict, path: str) -> dict:
    node: dict = schema
    for part in path.split("."):
        node = _resolve(schema, node).get("properties", {}).get(part, {})
    return _resolve(schema, node)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _types(node: dict) -> set[str]:
    kind = node.get("type", [])
    kinds = {kind} if isinstance(kind, str) else set(kind)
    if "enum" in node:
        kinds |= {type(v).__name__ for v in node["enum"] if v is not None}
    return kinds - {"null"}


def convert(flag: str, value: str | None, schema: dict) -> Any:
    """The config value for ``--flag=value``, or None when it cannot be converted faithfully.

    ``schema`` is the KubeletConfiguration JSON Schema (nodecfg/validate/schemas,
    ``load_schema(KUBELET_CONFIG)``): the field's type decides how the text reads.
    """
    field = config_field(flag)
    if field is None:
        return None
    node = _field_schema(schema, field)
    kinds = _types(node)
    if value is None:
        return True if kinds == {"boolean"} else None
    if "$" in value or "`" in value:
        return None
    if kinds == {"boolean"}:
        return _BOOL_TEXT.get(value)
    if kinds == {"integer"}:
        # int64 has at most 19 digits; longer text is no kubelet integer (and int() refuses 4,300+ digits)
        return int(value) if re.fullmatch(r"[+-]?[0-9]{1,19}", value) else None
    if kinds == {"object"}:
        return _map(flag, value, node)
    if kinds == {"array"}:
        if field == "registerWithTaints":
            return _taints(value)
        return [item for item in value.split(",") if item] or None
    if kinds <= {"string", "str"}:
        if "enum" in node and value not in node["enum"]:
            return None
        return value
    return None


def _map(flag: str, value: str, node: dict) -> dict | None:
    separator = "<" if flag in LANGLE_MAPS else "="
    boolean = _types(node.get("additionalProperties", {})) == {"boolean"}
    result: dict[str, Any] = {}
    for item in value.split(","):
        if not item:
            continue
        key, found, text = item.partition(separator)
        key, text = key.strip(), text.strip()
        if not found or not key:
            return None
        if boolean:
            if text not in _BOOL_TEXT:
                return None
            result[key] = _BOOL_TEXT[text]
        else:
            result[key] = text
    return result or None


def _taints(value: str) -> list[dict] | None:
    """key[=value]:Effect,... as registerWithTaints entries (the kubelet's taint parsing)."""
    taints = []
    for spec in value.split(","):
        head, colon, effect = spec.partition(":")
        if not colon or effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            return None
        key, _, taint_value = head.partition("=")
        if not key:
            return None
        taint = {"key": key, "value": taint_value, "effect": effect} if taint_value else {"key": key, "effect": effect}
        taints.append(taint)
    return taints or None


def nest(path: str, value: Any) -> dict:
    """{'a': {'b': value}} for 'a.b'."""
    result: Any = value
    for part in reversed(path.split(".")):
        result = {part: result}
    return result
