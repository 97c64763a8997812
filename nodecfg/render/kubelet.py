"""etc/kubernetes/kubelet/config.json and the config.json.d/40-nodeadm.conf drop-in (its name and layout by release).

Mirrors nodeadm internal/kubelet/config.go: the generated configuration is a
Go struct marshalled with ``json.MarshalIndent(v, "", "    ")``, so its keys
come in struct declaration order (the inline TypeMeta last), empty
``omitempty`` fields are left out, Go maps are sorted by key, and there is no
trailing newline.  The drop-in is the user's ``kubelet.config`` merged over
kind/apiVersion as a Go ``map[string]interface{}``: keys sorted at every
level and numbers written as float64.

This module also holds the small pieces the other kubelet renderers share:
spec access and feature-gate look-ups.  The cluster CIDR rules are in
nodecfg/nodeadm/gonet.py, the Go JSON encoder in nodecfg/encode/gojson.py.
"""
from __future__ import annotations

from typing import Any, Iterable

from nodecfg.nodeadm import gonet
from nodecfg.core.codes import NC401
from nodecfg.core.diagnostics import Diagnostic, Span
from nodecfg.core.document import escape_pointer_token
from nodecfg.core.locations import pointer_uri
from nodecfg.encode.gojson import as_go_interface, encode_go_json
from nodecfg.context.instance import Instance
from nodecfg.core.versions import at_least
from nodecfg.render import Rendered, RenderContext

CONFIG_PATH = "etc/kubernetes/kubelet/config.json"
DROPIN_DIR = "etc/kubernetes/kubelet/config.json.d"
CA_CERT_PATH = "/etc/kubernetes/pki/ca.crt"
CONTAINERD_ENDPOINT = "unix:///run/containerd/containerd.sock"
SOCI_ENDPOINT = "unix:///run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
KUBELET_KIND = "KubeletConfiguration"
KUBELET_API_VERSION = "kubelet.config.k8s.io/v1beta1"

TLS_CIPHER_SUITES = (
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
)

# --- spec access -----------------------------------------------------------

def spec_value(config: dict[str, Any], *keys: str, default: Any = None) -> Any:
    """``config["spec"][k1][k2]...`` or ``default`` when any level is missing."""
    node: Any = config.get("spec") if isinstance(config, dict) else None
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return default
        node = node[key]
    return default if node is None else node


def spec_string(config: dict[str, Any], *keys: str) -> str:
    value = spec_value(config, *keys)
    return value if isinstance(value, str) else ""


def user_kubelet_config(config: dict[str, Any]) -> dict[str, Any]:
    value = spec_value(config, "kubelet", "config")
    return value if isinstance(value, dict) else {}


def feature_enabled(config: dict[str, Any], gate: str) -> bool:
    """nodeadm's DefaultFalse gates (InstanceIdNodeName, FastImagePull)."""
    gates = spec_value(config, "featureGates")
    return isinstance(gates, dict) and gates.get(gate) is True


def pointer_span(pointer: str) -> Span:
    """A placeholder span the pipeline swaps for the value's real provenance."""
    return Span(pointer_uri(pointer))

# --- instance-derived values -----------------------------------------------

def _vcpus(instance: Instance) -> int:
    # The pipeline resolves vcpus from the instance table before rendering;
    # 2 only keeps a renderer called on its own from failing.
    return instance.vcpus if instance.vcpus is not None else 2


def use_soci(config: dict[str, Any], instance: Instance) -> bool:
    """The release's image pull gate on, and enough CPU and memory (4 vCPUs and 7 GiB today).

    nodeadm internal/containerd/config.go, UseSOCISnapshotter; the release profile
    names the gate (AggressiveImagePull before v20250821) and the thresholds. The
    containerd renderer and this one both ask it here, so the kubelet's config does
    not import the containerd renderer and its TOML stack.
    """
    profile = instance.profile
    if not profile.image_pull_gate or not feature_enabled(config, profile.image_pull_gate):
        return False
    min_millicores, min_gib = profile.soci_thresholds
    millicores = (instance.vcpus or 0) * 1000
    memory = (instance.memory_mib or 0) * 1024**2
    return millicores >= min_millicores and memory >= min_gib * 1024**3


def _kube_reserved(max_pods: int, vcpus: int) -> dict[str, str]:
    from nodecfg.context.maxpods import kube_reserved

    return kube_reserved(max_pods, vcpus)


# --- the generated config.json ---------------------------------------------

def _authentication() -> dict[str, Any]:
    return {
        "x509": {"clientCAFile": CA_CERT_PATH},
        "webhook": {"enabled": True, "cacheTTL": "2m0s"},
        "anonymous": {"enabled": False},
    }


def _authorization() -> dict[str, Any]:
    return {"mode": "Webhook",
            "webhook": {"cacheAuthorizedTTL": "5m0s", "cacheUnauthorizedTTL": "30s"}}


def before_eol_cleanup(instance: Instance, minimum: str) -> bool:
    """The kubelet is older than ``minimum`` and the release still has the toggles for it (41298160, v20250821)."""
    from nodecfg.nodeadm.release import EOL_CLEANUP_127

    return not instance.profile.has(EOL_CLEANUP_127) and not at_least(instance.kubelet_version, minimum)


def _feature_gates(kubelet_version: str, profile) -> dict[str, bool]:
    from nodecfg.nodeadm.release import DRA_GATE, EOL_CLEANUP_127, MUTABLE_CSI_GATE

    gates = {"RotateKubeletServerCertificate": True}
    if not profile.has(EOL_CLEANUP_127) and not at_least(kubelet_version, "v1.28.0"):
        gates["KubeletCredentialProviders"] = True  # the gate is gone from kubelet 1.28
    if at_least(kubelet_version, "v1.33.0") and profile.has(DRA_GATE):
        gates["DynamicResourceAllocation"] = True
    if at_least(kubelet_version, "v1.34.0") and profile.has(MUTABLE_CSI_GATE):
        gates["MutableCSINodeAllocatableCount"] = True
    return dict(sorted(gates.items()))


def _config_fields(ctx: RenderContext) -> Iterable[tuple[str, Any, str]]:
    """(key, value, origin) in kubeletConfig's Go field order; None = omitted."""
    from nodecfg.nodeadm.release import GRACEFUL_SHUTDOWN

    config, instance = ctx.config, ctx.instance
    version = instance.kubelet_version
    graceful = at_least(version, "v1.34.0") and instance.profile.has(GRACEFUL_SHUTDOWN)
    max_pods = ctx.max_pods.value
    yield "address", "0.0.0.0", "default"
    yield "authentication", _authentication(), "default"
    yield "authorization", _authorization(), "default"
    yield "cgroupDriver", "systemd", "default"
    yield "cgroupRoot", "/", "default"
    dns = gonet.cluster_dns(spec_value(config, "cluster", "cidr"))
    yield "clusterDNS", [dns] if dns else _GoNull, "config:/spec/cluster/cidr"
    yield "clusterDomain", "cluster.local", "default"
    yield "containerRuntimeEndpoint", CONTAINERD_ENDPOINT, "default"
    soci = use_soci(config, instance)  # the same rule that turns SOCI on in containerd
    yield "imageServiceEndpoint", SOCI_ENDPOINT if soci else None, \
        "config:/spec/featureGates/FastImagePull"
    yield "evictionHard", {"memory.available": "100Mi", "nodefs.available": "10%",
                           "nodefs.inodesFree": "5%"}, "default"
    yield "featureGates", _feature_gates(version, instance.profile), \
        "instance:kubeletVersion" if at_least(version, "v1.33.0") else "default"
    yield "hairpinMode", "hairpin-veth", "default"
    # 10/20 for kubelets with API Priority & Fairness (>= 1.22); 1.27 defaults to 50/100 itself
    old_api_limits = before_eol_cleanup(instance, "v1.27.0") and at_least(version, "v1.22.0")
    yield "kubeAPIBurst", 20 if old_api_limits else None, "instance:kubeletVersion"
    yield "kubeAPIQPS", 10 if old_api_limits else None, "instance:kubeletVersion"
    reserved = _kube_reserved(max_pods, _vcpus(instance))
    yield "kubeReserved", dict(sorted(reserved.items())), "computed:kubeReserved"
    yield "kubeReservedCgroup", "/runtime", "default"
    yield "logging", {"verbosity": 2}, "default"
    yield "maxPods", max_pods, "computed:maxPods"
    yield "protectKernelDefaults", True, "default"
    external = not before_eol_cleanup(instance, "v1.26.0")  # the in-tree aws cloud provider below 1.26
    yield "providerID", f"aws:///{instance.availability_zone}/{instance.instance_id}" if external else None, \
        "instance:availabilityZone,instanceId"
    yield "readOnlyPort", 0, "default"
    yield "serializeImagePulls", False, "default"
    yield "serverTLSBootstrap", True, "default"
    yield "shutdownGracePeriod", "2m30s" if graceful else None, "instance:kubeletVersion"
    yield "shutdownGracePeriodCriticalPods", "30s" if graceful else None, \
        "instance:kubeletVersion"
    yield "systemReservedCgroup", "/system", "default"
    yield "tlsCipherSuites", list(TLS_CIPHER_SUITES), "default"
    yield "kind", KUBELET_KIND, "default"
    yield "apiVersion", KUBELET_API_VERSION, "default"


class _GoNullType:
    """A nil slice without omitempty: Go writes ``null``."""


_GoNull = _GoNullType()


def generate_kubelet_config(ctx: RenderContext) -> tuple[dict[str, Any], dict[str, str]]:
    """The generated KubeletConfiguration and, per top-level key, its origin."""
    document: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for key, value, origin in _config_fields(ctx):
        if value is None:
            continue
        document[key] = None if value is _GoNull else value
        origins[key] = origin
    return document, origins


# --- the drop-in -------------------------------------------------------------

def merged_into_config(config: dict[str, Any], instance: Instance) -> bool:
    """The user's kubelet.config goes into config.json itself (kubelet older than 1.29, releases before v20260209).

    internal/kubelet/config.go writeKubeletConfigToFile: ``util.Merge`` of the
    generated struct and the user's map, written as a Go map (keys sorted).
    """
    from nodecfg.nodeadm.release import KUBELET_DROPIN_ALL_VERSIONS

    return (bool(user_kubelet_config(config)) and not instance.profile.has(KUBELET_DROPIN_ALL_VERSIONS)
            and not at_least(instance.kubelet_version, "v1.29.0"))


def dropin_path(instance: Instance) -> str:
    """The user's kubelet.config drop-in: its name is the release's (40-nodeadm.conf, 00-nodeadm.conf before)."""
    return f"{DROPIN_DIR}/{instance.profile.kubelet_dropin_name}"


def dropin_document(user_config: dict[str, Any]) -> dict[str, Any]:
    """kind/apiVersion overlaid by the user's keys, as Go's interface{} map."""
    merged: dict[str, Any] = {"kind": KUBELET_KIND, "apiVersion": KUBELET_API_VERSION}
    merged.update(user_config)
    return as_go_interface(merged)


def _dropin_origins(user_config: dict[str, Any]) -> dict[str, str]:
    origins = {"kind": "default", "apiVersion": "default"}
    for key in user_config:
        origins[str(key)] = f"config:/spec/kubelet/config/{escape_pointer_token(str(key))}"
    return origins


# --- diagnostics -----------------------------------------------------------

def _beyond_limits(error: str) -> bool:
    from nodecfg.context.cel import LimitRefusal

    return isinstance(error, LimitRefusal)


def kubelet_diagnostics(ctx: RenderContext) -> list[Diagnostic]:
    from nodecfg.nodeadm.release import MAX_PODS_EXPRESSION

    found: list[Diagnostic] = []
    expression = spec_string(ctx.config, "kubelet", "maxPodsExpression")
    if not ctx.instance.profile.has(MAX_PODS_EXPRESSION):
        expression = ""  # the release ignores the expression (NC180 says so): maxPods alone counts
    if expression and "maxPods" in user_kubelet_config(ctx.config):
        found.append(NC401.at(
            pointer_span("/spec/kubelet/config/maxPods"),
            f"kubelet.config.maxPods wins at the kubelet, but kubeReserved is still "
            f"computed for maxPods {ctx.max_pods.value}",
            "set only one of kubelet.config.maxPods and kubelet.maxPodsExpression"))
    if not expression:
        from nodecfg.context.maxpods import above_eni_limit

        too_many = above_eni_limit(user_kubelet_config(ctx.config).get("maxPods"), ctx.max_pods, ctx.instance,
                                   pointer_span("/spec/kubelet/config/maxPods"))
        found += [too_many] if too_many else []
    # an expression that fails for this instance is the linter's NC405 (or NC404): it sweeps every type,
    # this one included (linter/rules/max_pods_expression.py); NC402 is retired
    error = getattr(ctx.max_pods, "expression_error", None)
    if expression and error and _beyond_limits(error):
        from nodecfg.context.maxpods import beyond_limits

        found.append(beyond_limits(pointer_span("/spec/kubelet/maxPodsExpression"), error))
    return found


# --- render ----------------------------------------------------------------

def render(ctx: RenderContext) -> Rendered:
    out = Rendered()
    document, origins = generate_kubelet_config(ctx)
    user = user_kubelet_config(ctx.config)
    if merged_into_config(ctx.config, ctx.instance):
        from nodecfg.merge.nodeconfig import merge_json

        document = as_go_interface(merge_json(as_go_interface(document), user, "", {}, pointer_span))
        origins.update(_dropin_origins(user))
        user = {}
    out.add(CONFIG_PATH, encode_go_json(document, indent="    ").encode())
    out.origins.update({f"{CONFIG_PATH}#/{escape_pointer_token(k)}": v for k, v in origins.items()})
    if user:
        path = dropin_path(ctx.instance)
        out.add(path, encode_go_json(dropin_document(user), indent="    ").encode())
        out.origins.update({f"{path}#/{escape_pointer_token(k)}": v
                            for k, v in _dropin_origins(user).items()})
    out.diagnostics.extend(kubelet_diagnostics(ctx))
    return out
