"""containerd 2.x's migration of a schema v2 config to schema v3.

nodeadm runs ``containerd config migrate`` when a user config on containerd
2.x names no v3 plugin.  The CRI plugin registrations carry the migration
rules (containerd ``plugins/cri/{images,runtime}/plugin.go`` and
``plugins/cri/cri.go``); they are reproduced here for the keys a config sets.
containerd's command also prints every default of every plugin: that dump is
not reproduced (see docs/containerd.md).
"""
from __future__ import annotations

import copy
from typing import Any

V2_CRI = "io.containerd.grpc.v1.cri"
V3_IMAGES = "io.containerd.cri.v1.images"
V3_RUNTIME = "io.containerd.cri.v1.runtime"

IMAGE_KEYS_OF_CONTAINERD = ("snapshotter", "disable_snapshot_annotations", "discard_unpacked_layers")
IMAGE_KEYS_OF_CRI = (
    "registry",
    "image_decryption",
    "max_concurrent_downloads",
    "image_pull_progress_timeout",
    "image_pull_with_sync_fs",
    "stats_collect_period",
)
STREAMING_KEYS = (
    "disable_tcp_service",
    "stream_server_address",
    "stream_server_port",
    "stream_idle_timeout",
    "enable_tls_streaming",
    "x509_key_pair_streaming",
)


def migrate_v2_to_v3(config: dict[str, Any]) -> dict[str, Any]:
    """Return a schema v3 copy of a schema v2 containerd config."""
    migrated = copy.deepcopy(config)
    migrated["version"] = 3
    plugins = migrated.get("plugins")
    if not isinstance(plugins, dict) or not isinstance(plugins.get(V2_CRI), dict):
        return migrated
    cri = plugins[V2_CRI]
    _migrate_images(plugins, cri)
    _migrate_runtime(plugins, cri)
    if "disable_tcp_service" in cri:
        plugins[V2_CRI] = {"disable_tcp_service": cri["disable_tcp_service"]}
    else:
        del plugins[V2_CRI]
    return migrated


def _table(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _migrate_images(plugins: dict[str, Any], cri: dict[str, Any]) -> None:
    containerd = _table(cri, "containerd")
    # containerd bails out of the image migration when no runtime is declared.
    if "runtimes" not in containerd:
        return
    images = _table(plugins, V3_IMAGES)
    if "sandbox_image" in cri:
        pinned = _table(images, "pinned_images")
        pinned["sandbox"] = cri["sandbox_image"]
        images["pinned_images"] = pinned
    for key in IMAGE_KEYS_OF_CONTAINERD:
        if key in containerd:
            images[key] = containerd[key]
    for key in IMAGE_KEYS_OF_CRI:
        if key in cri:
            images[key] = cri[key]
    plugins[V3_IMAGES] = images


def _migrate_runtime(plugins: dict[str, Any], cri: dict[str, Any]) -> None:
    runtime = _table(plugins, V3_RUNTIME)
    moved_elsewhere = {"cni", "containerd", "sandbox_image", *IMAGE_KEYS_OF_CRI, *STREAMING_KEYS}
    for key, value in cri.items():
        if key not in moved_elsewhere:
            runtime.setdefault(key, value)
    if isinstance(cri.get("cni"), dict):
        cni = _table(runtime, "cni")
        for key, value in cri["cni"].items():
            cni.setdefault(key, value)
        runtime["cni"] = cni
    if isinstance(cri.get("containerd"), dict):
        runtime["containerd"] = _migrate_containerd_section(_table(runtime, "containerd"), cri["containerd"])
    plugins[V3_RUNTIME] = runtime


def _migrate_containerd_section(target: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    for key, value in source.items():
        if key not in IMAGE_KEYS_OF_CONTAINERD:
            target.setdefault(key, value)
    runtimes = target.get("runtimes")
    if isinstance(runtimes, dict):
        for runtime in runtimes.values():
            if isinstance(runtime, dict) and "sandbox_mode" in runtime and "sandboxer" not in runtime:
                runtime["sandboxer"] = runtime.pop("sandbox_mode")
    return target


def v3_spelling(path: tuple[str, ...]) -> tuple[str, ...] | None:
    """Where a v2 key lives in schema v3 (None: containerd drops it)."""
    if len(path) < 3 or path[:2] != ("plugins", V2_CRI):
        return path
    key, rest = path[2], path[3:]
    if key == "sandbox_image":
        return ("plugins", V3_IMAGES, "pinned_images", "sandbox")
    if key in IMAGE_KEYS_OF_CRI:
        return ("plugins", V3_IMAGES, key, *rest)
    if key == "disable_tcp_service":
        return path
    if key in STREAMING_KEYS:
        return None
    if key == "containerd" and rest and rest[0] in IMAGE_KEYS_OF_CONTAINERD:
        return ("plugins", V3_IMAGES, *rest)
    return ("plugins", V3_RUNTIME, key, *rest)
