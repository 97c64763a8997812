"""containerd.config sections that no containerd plugin reads.

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

from nodecfg.core.codes import NC505
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


def check(analysis, context) -> list[Diagnostic]:
    text = spec_get(analysis, POINTER)
    if not isinstance(text, str) or SNAPSHOTTER_PREFIX not in text:
        return []
    from nodecfg.render.containerd import _span_of_substring
    from nodecfg.merge.toml import parse_toml

    config, error = parse_toml(text)
    plugins = config.get("plugins") if isinstance(config, dict) and error is None else None
    if not isinstance(plugins, dict):
        return []
    found = []
    for plugin_id in sorted(plugins):
        name = plugin_id[len(SNAPSHOTTER_PREFIX):] if plugin_id.startswith(SNAPSHOTTER_PREFIX) else None
        if not name or name in BUILTIN_SNAPSHOTTERS:
            continue
        found.append(NC505.at(_span_of_substring(text, plugin_id), _message(plugin_id, name),
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
