"""run/eks/nodeadm/config.json: the resolved NodeConfig nodeadm caches.

``nodeadm init --config-cache`` (cmd/nodeadm/init, internal/cli/config.go)
saves the merged and enriched *internal* NodeConfig with the apimachinery
JSON serializer in compact mode: one line plus a newline, Go struct field
order, ``omitempty`` fields dropped when empty (nested structs always stay,
so an unset section is ``{}``), maps sorted.  nodeadm encodes the internal object
(``internal/api/bridge/encode.go``), whose TypeMeta is empty, so no kind or
apiVersion is written; the apimachinery it vendors tags creationTimestamp
``omitempty,omitzero``, so the metadata is ``{}``.  The status carries what
nodeadm learnt at boot: instance details (no privateDnsName when
InstanceIdNodeName is on, since nodeadm then never looks it up), the default
sandbox image and the kubelet version.
"""
from __future__ import annotations

import base64
from typing import Any

from nodecfg.core.versions import canonical_kubelet_version
from nodecfg.render import Rendered, RenderContext
from nodecfg.render.kubeconfig import decode_certificate_authority
from nodecfg.encode.gojson import encode_go_json, go_key
from nodecfg.render.kubelet import feature_enabled, spec_value

CACHE_PATH = "run/eks/nodeadm/config.json"


def _omit_empty(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A Go struct whose fields are all ``omitempty``: drop "", 0-length, None."""
    return {key: value for key, value in pairs
            if value is not None and not (isinstance(value, (str, list, dict)) and not value)}


def _raw_document(value: Any) -> Any:
    """A runtime.RawExtension value as nodeadm re-encodes it: maps sorted by key."""
    if isinstance(value, dict):
        return {go_key(key): _raw_document(value[key]) for key in sorted(value, key=go_key)}
    if isinstance(value, list):
        return [_raw_document(item) for item in value]
    return value


def _typed(config: dict[str, Any], kind: type, *keys: str) -> Any:
    """The spec value at ``keys`` if it has the Go field's type, else None."""
    value = spec_value(config, *keys)
    if isinstance(value, bool) and kind is not bool:
        return None
    return value if isinstance(value, kind) else None


def _certificate_authority(config: dict[str, Any]) -> str | None:
    text = _typed(config, str, "cluster", "certificateAuthority")
    if text is None:
        return None
    decoded = decode_certificate_authority(text)
    # Go holds the decoded bytes and writes them back in canonical base64.
    return base64.b64encode(decoded).decode() if decoded is not None else text


def _cluster(config: dict[str, Any]) -> dict[str, Any]:
    return _omit_empty([
        ("name", _typed(config, str, "cluster", "name")),
        ("apiServerEndpoint", _typed(config, str, "cluster", "apiServerEndpoint")),
        ("certificateAuthority", _certificate_authority(config)),
        ("cidr", _typed(config, str, "cluster", "cidr")),
        ("enableOutpost", _typed(config, bool, "cluster", "enableOutpost")),
        ("id", _typed(config, str, "cluster", "id")),
    ])


def _containerd(config: dict[str, Any]) -> dict[str, Any]:
    runtime_spec = _typed(config, dict, "containerd", "baseRuntimeSpec")
    return _omit_empty([
        ("config", _typed(config, str, "containerd", "config")),
        ("baseRuntimeSpec", _raw_document(runtime_spec) if runtime_spec else None),
    ])


def _environment(config: dict[str, Any]) -> dict[str, Any] | None:
    environment = _typed(config, dict, "instance", "environment")
    if not environment:
        return None
    return _raw_document({service: variables if isinstance(variables, dict) else {}
                          for service, variables in environment.items()})


def _instance_options(config: dict[str, Any], profile) -> dict[str, Any]:
    local_storage = _omit_empty([
        ("strategy", _typed(config, str, "instance", "localStorage", "strategy")),
        ("mountPath", _typed(config, str, "instance", "localStorage", "mountPath")),
        ("disabledMounts", _typed(config, list, "instance", "localStorage", "disabledMounts")),
    ])
    network = _omit_empty([
        ("nameservers", _typed(config, list, "instance", "network", "nameservers")),
        ("domains", _typed(config, list, "instance", "network", "domains")),
    ])
    # localStorage and network are structs, always written; environment is a map.
    options: dict[str, Any] = {"localStorage": local_storage}
    environment = _environment(config)
    if environment:
        options["environment"] = environment
    from nodecfg.nodeadm.release import INSTANCE_NETWORK

    if profile.has(INSTANCE_NETWORK):  # the struct exists from v20251217 on
        options["network"] = network
    return options


def _kubelet(config: dict[str, Any]) -> dict[str, Any]:
    kubelet_config = _typed(config, dict, "kubelet", "config")
    return _omit_empty([
        ("config", _raw_document(kubelet_config) if kubelet_config else None),
        ("flags", _typed(config, list, "kubelet", "flags")),
        ("maxPodsExpression", _typed(config, str, "kubelet", "maxPodsExpression")),
    ])


def cached_spec(config: dict[str, Any], profile) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "cluster": _cluster(config),
        "containerd": _containerd(config),
        "instance": _instance_options(config, profile),
        "kubelet": _kubelet(config),
    }
    gates = _typed(config, dict, "featureGates")
    if gates:
        spec["featureGates"] = _raw_document(gates)
    return spec


def cached_status(ctx: RenderContext) -> dict[str, Any]:
    instance = ctx.instance
    private_dns = "" if feature_enabled(ctx.config, "InstanceIdNodeName") \
        else instance.private_dns_name
    details = _omit_empty([
        ("id", instance.instance_id),
        ("region", instance.region),
        ("type", instance.instance_type),
        ("availabilityZone", instance.availability_zone),
        ("mac", instance.mac),
        ("privateDnsName", private_dns),
    ])
    status: dict[str, Any] = {
        "instance": details,
        "default": _omit_empty([("sandboxImage", instance.sandbox_image)]),
    }
    version = canonical_kubelet_version(instance.kubelet_version)
    if version:
        status["kubeletVersion"] = version
    return status


def cached_document(ctx: RenderContext) -> dict[str, Any]:
    return {
        "metadata": {},
        "spec": cached_spec(ctx.config, ctx.instance.profile),
        "status": cached_status(ctx),
    }


def render(ctx: RenderContext) -> Rendered:
    from nodecfg.nodeadm.release import CONFIG_CHAIN

    out = Rendered()
    if not ctx.instance.profile.has(CONFIG_CHAIN):
        return out  # nodeadm-config.service passes --config-cache from v20251023 on
    out.add(CACHE_PATH, (encode_go_json(cached_document(ctx)) + "\n").encode())
    out.origins[f"{CACHE_PATH}#/spec"] = "config:/spec"
    out.origins[f"{CACHE_PATH}#/status"] = "instance:instanceId,region,instanceType," \
        "availabilityZone,mac,privateDnsName,sandboxImage,kubeletVersion"
    return out
