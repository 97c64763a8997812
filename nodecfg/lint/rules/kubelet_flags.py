"""kubelet.flags: malformed, removed, owned by nodeadm, duplicated, better set in
kubelet.config; --node-labels the kubelet refuses; malformed taints (flags and
kubelet.config.registerWithTaints).

Facts:
* nodeadm appends the user's flags after its own in NODEADM_KUBELET_ARGS,
  unquoted and space separated (internal/kubelet/environment.go), and the
  kubelet parses them with pflag: the last occurrence of a single-value flag
  wins, map and list flags accumulate, a flag given on the command line
  overrides the same setting in the config file;
* removed flags make the kubelet exit with "unknown flag" (releases below).
"""
from __future__ import annotations

from ...diagnostics import Diagnostic, Severity
from .common import make, span_inside, spec_get

CODES: dict[str, tuple[Severity, str]] = {
    "NC410": (Severity.ERROR, "kubelet flag is not --name or --name=value"),
    "NC411": (Severity.WARNING, "kubelet flag contains whitespace: it is split into separate arguments"),
    "NC412": (Severity.ERROR, "kubelet flag was removed from the kubelet"),
    "NC413": (Severity.WARNING, "kubelet flag is set by nodeadm; the user's copy overrides it"),
    "NC414": (Severity.WARNING, "single-value kubelet flag given more than once: the last one wins"),
    "NC415": (Severity.WARNING, "kubelet flag has a kubelet.config field"),
    "NC416": (Severity.ERROR, "--node-labels sets a kubernetes.io/k8s.io label the kubelet may not set"),
    "NC417": (Severity.ERROR, "--node-labels entry is not a valid label"),
    "NC418": (Severity.ERROR, "taint is malformed"),
}

FLAGS = "/spec/kubelet/flags"
TAINTS = "/spec/kubelet/config/registerWithTaints"

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


def check(analysis, context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    flags = spec_get(analysis, FLAGS)
    if isinstance(flags, list):
        found += check_flags(analysis, context, flags)
    taints = spec_get(analysis, TAINTS)
    if isinstance(taints, list):
        found += check_config_taints(analysis, taints)
    return found


def parse_flag(text: str) -> tuple[str, str | None] | None:
    """(name, value or None for a bare flag) of '--name[=value]' or '-n[=value]'; None if not a flag."""
    if text.startswith("--"):
        name, equals, value = text[2:].partition("=")
    elif text.startswith("-") and len(text) >= 2 and text[1] != "=":
        name, equals, value = text[1:].partition("=")
        if len(name) != 1:  # pflag reads '-abc' as the shorthands a, b, c
            return None
    else:
        return None
    if not name or name.startswith("-") or not all(c.isalnum() or c in "-_." for c in name):
        return None
    return name, (value if equals else None)


def check_flags(analysis, context, flags: list) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(flags):
        span = analysis.merged.locate(f"{FLAGS}/{index}")
        if not isinstance(entry, str):
            continue  # the schema reports non-string flags
        parsed = parse_flag(entry.strip())
        if parsed is None:
            found.append(make(CODES, "NC410", span, f"{entry!r} is not a kubelet flag (--name or --name=value); "
                              "the kubelet refuses to start", "write it as --name=value"))
            continue
        if entry != entry.strip() or any(c.isspace() for c in entry.strip()):
            found.append(make(CODES, "NC411", span, f"{entry!r} contains whitespace: nodeadm writes the flags "
                              "unquoted, so systemd splits it into separate arguments",
                              "give each flag its own list item and no spaces inside values"))
        name, value = parsed
        found += _flag_findings(analysis, context, name, value, span, seen)
        seen.setdefault(name, index)
    return found


def _flag_findings(analysis, context, name: str, value: str | None, span, seen: dict) -> list[Diagnostic]:
    found = []
    removed = REMOVED_FLAGS.get(name)
    if removed:
        found.append(_removed(name, removed, span, context))
    elif name in NODEADM_FLAGS:
        found.append(make(CODES, "NC413", span, f"nodeadm already passes --{name}; this later copy overrides "
                          "nodeadm's value", "remove it and let nodeadm set it (nodecfg explain shows the value)"))
    if name in seen and name not in ACCUMULATING_FLAGS:
        first = analysis.merged.locate(f"{FLAGS}/{seen[name]}")
        found.append(make(CODES, "NC414", span, f"--{name} is given more than once (first at {first}); "
                          "the kubelet uses only the last one", "keep one occurrence"))
    field_name = CONFIG_FIELDS.get(name)
    if field_name:
        found.append(_config_field(analysis, name, field_name, span))
    if name == "node-labels" and value:
        found += _labels(value, span)
    if name == "register-with-taints" and value:
        found += _flag_taints(value, span)
    return found


def _removed(name: str, removed: tuple[str, str], span, context) -> Diagnostic:
    from ...versions import at_least

    release, advice = removed
    version = context.resolved_instance().kubelet_version
    if at_least(version, release):
        return make(CODES, "NC412", span, f"--{name} was removed in kubelet {release[:-2]}; kubelet {version} "
                    "exits with 'unknown flag'", advice)
    return make(CODES, "NC412", span, f"--{name} is deprecated and removed in kubelet {release[:-2]} "
                f"(this check assumed kubelet {version}); the node stops joining after an upgrade",
                advice, severity=Severity.WARNING)


def _config_field(analysis, name: str, field_name: str, span) -> Diagnostic:
    top = field_name.split(".")[0]
    config = spec_get(analysis, "/spec/kubelet/config")
    also = isinstance(config, dict) and top in config
    where = "kubelet.config also sets it and this flag overrides it" if also else "the kubelet warns it is deprecated"
    message = f"--{name} is the kubelet.config field {field_name}; {where}"
    if name == "max-pods":
        message += "; nodeadm still computes kubeReserved from its own maxPods"
    return make(CODES, "NC415", span, message, f"set kubelet.config.{field_name} instead")


def _labels(value: str, span) -> list[Diagnostic]:
    from .. import k8s_names

    found = []
    for pair in value.split(","):
        key, equals, label_value = pair.partition("=")
        key = key.strip()
        if not equals:
            found.append(make(CODES, "NC417", span, f"--node-labels entry {pair!r} is not key=value; "
                              "the kubelet refuses to start", "write key=value pairs separated by ','"))
            continue
        problem = k8s_names.qualified_name_problem(key) or k8s_names.label_value_problem(label_value)
        if problem:
            found.append(make(CODES, "NC417", span, f"--node-labels {key!r}: {problem}; the kubelet refuses to start"))
        elif k8s_names.is_restricted_label(key):
            found.append(make(CODES, "NC416", span, f"--node-labels {key!r} is in the kubernetes.io/k8s.io "
                              "namespace but not a label a kubelet may set on itself; the kubelet refuses to start",
                              "use a key outside kubernetes.io/k8s.io (e.g. example.com/role) or under "
                              "node.kubernetes.io/, or label the node after it registers"))
    return found


def _flag_taints(value: str, span) -> list[Diagnostic]:
    from .. import k8s_names

    found, seen = [], set()
    for spec in value.split(","):
        problem = k8s_names.taint_problem(spec)
        if problem is None:
            key, effect = spec.split(":")[0].split("=")[0], spec.split(":")[1]
            if (key, effect) in seen:
                problem = f"taint {key!r} with effect {effect} is given twice"
            seen.add((key, effect))
        if problem:
            consequence = "" if spec.endswith("-") else "; the kubelet refuses to start"
            found.append(make(CODES, "NC418", span, f"--register-with-taints: {problem}{consequence}",
                              "write key=value:Effect, comma separated"))
    return found


def check_config_taints(analysis, taints: list) -> list[Diagnostic]:
    """registerWithTaints items; a wrong effect spelling is left to the schema (NC211)."""
    from .. import k8s_names

    found = []
    for index, taint in enumerate(taints):
        if not isinstance(taint, dict):
            continue  # the KubeletConfiguration schema reports the type
        problems = k8s_names.taint_field_problems(taint.get("key"), taint.get("value"), taint.get("effect"),
                                                  enum_checked_elsewhere=True)
        for field_name, problem in problems:
            pointer = f"{TAINTS}/{index}/{field_name}" if field_name in taint else f"{TAINTS}/{index}"
            found.append(make(CODES, "NC418", span_inside(analysis, TAINTS, pointer),
                              f"registerWithTaints[{index}]: {problem}; the node cannot register",
                              "each taint needs a key, an optional value and an effect"))
    return found
