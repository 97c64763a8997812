"""containerd.config settings that nothing reads, or that cut the kubelet off from containerd.

NC506, NC507: the kubelet reaches containerd through its CRI plugin at
``containerRuntimeEndpoint``, which nodeadm sets to
``unix:///run/containerd/containerd.sock`` whatever containerd.config says
(amazon-eks-ami nodeadm/internal/containerd/config.go,
``ContainerRuntimeEndpoint``, used by internal/kubelet/config.go as the
kubelet default; the containerd templates listen on the same path,
``[grpc] address``).  nodeadm merges the user's TOML over its template and
never compares the two, so moving the socket, or disabling the CRI plugins
(containerd cmd/containerd/server/config/config.go, ``disabled_plugins``),
leaves a kubelet that cannot reach the container runtime.

NC505: sections that no containerd plugin reads.

containerd decodes ``[plugins."<type>.<id>"]`` only for plugins it has
registered; the table of any other ID is never read and nothing says so.
Built-in snapshotters are registered under ``io.containerd.snapshotter.v1``
(containerd plugins/snapshots/*/plugin.go: blockfile, btrfs, devmapper,
erofs, native, overlayfs and the Windows ones; containerd 1.x also built in
zfs and aufs).  Remote snapshotters such as SOCI, stargz or nydus are
separate daemons that containerd reaches as proxy plugins
(``[proxy_plugins.NAME]``); nodeadm configures SOCI exactly that way when the
FastImagePull feature gate is on (amazon-eks-ami
nodeadm/internal/containerd/config2.template.toml, ``[proxy_plugins.soci]``).
"""
from __future__ import annotations

from typing import Any

from nodecfg.core.codes import NC505, NC506, NC507
from nodecfg.core.diagnostics import Diagnostic
from nodecfg.linter.rules.common import spec_get

POINTER = "/spec/containerd/config"
SNAPSHOTTER_PREFIX = "io.containerd.snapshotter.v1."
BUILTIN_SNAPSHOTTERS = frozenset({
    "aufs", "blockcim", "blockfile", "btrfs", "cimfs", "devmapper", "erofs", "native", "overlayfs",
    "windows", "windows-lcow", "zfs",
})
# Remote snapshotters, run as their own daemons next to containerd.
REMOTE_SNAPSHOTTERS = frozenset({"soci", "stargz", "nydus", "overlaybd"})


DEFAULT_SOCKET = "/run/containerd/containerd.sock"  # nodeadm's templates and its kubelet default
# containerd's CRI: the gRPC service (schema 2 and 3) and, in containerd 2.x, its runtime and image halves
CRI_PLUGINS = ("io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime", "io.containerd.cri.v1.images")


def check(analysis, context) -> list[Diagnostic]:
    text = spec_get(analysis, POINTER)
    if not isinstance(text, str) or not any(word in text for word in ("grpc", "disabled_plugins", SNAPSHOTTER_PREFIX)):
        return []
    from nodecfg.merge.toml import parse_toml

    config, error = parse_toml(text)
    if error is not None or not isinstance(config, dict):
        return []  # NC501 says why
    return _runtime_unreachable(analysis, text, config) + _plugins_nothing_reads(text, config)


def _runtime_unreachable(analysis, text: str, config: dict) -> list[Diagnostic]:
    from nodecfg.render.containerd import span_of_substring

    found = []
    grpc = config.get("grpc")
    address = grpc.get("address") if isinstance(grpc, dict) else None
    if isinstance(address, str) and address and address != DEFAULT_SOCKET:
        endpoint, where = _kubelet_endpoint(analysis)
        if endpoint.removeprefix("unix://") != address:
            found.append(NC506.at(
                span_of_substring(text, _grpc_address_text(text)),
                f"[grpc] address moves containerd's socket to {address}, but the kubelet's "
                f"containerRuntimeEndpoint is {endpoint} ({where}): nodeadm does not follow containerd's "
                "address, so the kubelet cannot reach the container runtime",
                f"set kubelet.config.containerRuntimeEndpoint: unix://{address} as well, or leave "
                "[grpc] address at its default"))
    disabled = config.get("disabled_plugins")
    for plugin in disabled if isinstance(disabled, list) else []:
        if plugin in CRI_PLUGINS:
            found.append(NC507.at(
                span_of_substring(text, plugin),
                f"disabled_plugins turns off {plugin}: the kubelet talks to containerd only through its CRI "
                "plugins, so it cannot run pods on this node",
                f"remove \"{plugin}\" from disabled_plugins"))
    return found


def _kubelet_endpoint(analysis) -> tuple[str, str]:
    """The kubelet's CRI endpoint (a flag wins over the config file, the last flag over the others)."""
    from nodecfg.linter.rules.kubelet_flags import parse_flag

    flags = spec_get(analysis, "/spec/kubelet/flags")
    endpoint = None
    for entry in flags if isinstance(flags, list) else []:
        parsed = parse_flag(entry.strip()) if isinstance(entry, str) else None
        if parsed and parsed[0] == "container-runtime-endpoint" and parsed[1]:
            endpoint = parsed[1]
    if endpoint:
        return endpoint, "its --container-runtime-endpoint flag"
    configured = spec_get(analysis, "/spec/kubelet/config/containerRuntimeEndpoint")
    if isinstance(configured, str) and configured:
        return configured, "kubelet.config.containerRuntimeEndpoint"
    return "unix://" + DEFAULT_SOCKET, "nodeadm's default"


def _grpc_address_text(text: str) -> str:
    """The text of the address line of the [grpc] table, for its span; "grpc" when not found."""
    import re

    match = re.search(r"(?ms)^[ \t]*\[grpc\][ \t]*(?:#[^\n]*)?\n.*?^[ \t]*(address[ \t]*=)", text) \
        or re.search(r"(?m)^[ \t]*(grpc\.address[ \t]*=)", text)
    return match.group(1) if match else "grpc"


def _plugins_nothing_reads(text: str, config: dict) -> list[Diagnostic]:
    from nodecfg.render.containerd import span_of_substring

    plugins = config.get("plugins")
    if not isinstance(plugins, dict):
        return []
    found = []
    for plugin_id in sorted(plugins):
        name = plugin_id[len(SNAPSHOTTER_PREFIX):] if plugin_id.startswith(SNAPSHOTTER_PREFIX) else None
        if not name or name in BUILTIN_SNAPSHOTTERS:
            continue
        found.append(NC505.at(span_of_substring(text, plugin_id), _message(plugin_id, name),
                          _hint(name, plugins[plugin_id])))
    return found


def _message(plugin_id: str, name: str) -> str:
    message = f"[plugins.\"{plugin_id}\"] is read by nothing: containerd has no built-in snapshotter '{name}'"
    if name in REMOTE_SNAPSHOTTERS:
        message += (f", and a remote snapshotter is reached as [proxy_plugins.{name}], not as a plugin "
                    "section; these settings never apply")
    return message


def _hint(name: str, table: Any) -> str:
    if name == "soci":
        return ("to use SOCI, enable the FastImagePull feature gate (spec.featureGates): nodeadm then writes "
                "[proxy_plugins.soci] and /etc/soci-snapshotter-grpc/config.toml itself; remove this section")
    if name in REMOTE_SNAPSHOTTERS:
        return f"declare it as [proxy_plugins.{name}] with type = \"snapshot\" and the daemon's address"
    return "check the snapshotter's name (containerd's built-in ones: overlayfs, native, btrfs, devmapper, " \
           "blockfile, erofs)"
