"""containerd 2.x's migration of a schema v2 config to schema v3.

nodeadm runs ``containerd config migrate`` when a user config on containerd
2.x names no v3 plugin.  The CRI plugin registrations carry the migration
rules (containerd ``plugins/cri/{images,runtime}/plugin.go`` and
``plugins/cri/cri.go``); the command then prints the whole configuration with
every plugin's defaults (``migrated_text``), as containerd 2.0.5 does.
"""
from __future__ import annotations

import copy
from typing import Any

from nodecfg.encode.gotoml import dumps

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
    """Return a copy of a schema v2 config with the CRI plugins' migrations applied.

    The three migrations run in containerd's plugin graph order: the image
    service, the runtime service, then the CRI server keeps only its
    streaming keys.
    """
    migrated = copy.deepcopy(config)
    migrated["version"] = 3
    plugins = migrated.get("plugins")
    if not isinstance(plugins, dict) or not isinstance(plugins.get(V2_CRI), dict):
        return migrated
    cri = plugins[V2_CRI]
    _migrate_images(plugins, cri)
    _migrate_runtime(plugins, cri)
    plugins[V2_CRI] = {key: cri[key] for key in STREAMING_KEYS if key in cri}
    return migrated


def _table(parent: dict[str, Any], key: str) -> dict[str, Any]:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def _migrate_images(plugins: dict[str, Any], cri: dict[str, Any]) -> None:
    images = _table(plugins, V3_IMAGES)
    pinned = _table(images, "pinned_images")
    if "sandbox_image" in cri:
        pinned["sandbox"] = cri["sandbox_image"]
    if pinned:
        images["pinned_images"] = pinned
    for key in IMAGE_KEYS_OF_CRI:
        if key in cri:
            images[key] = cri[key]
    containerd = cri.get("containerd")
    # containerd stops here when the v2 config declares no runtime.
    if isinstance(containerd, dict) and "runtimes" in containerd:
        for key in IMAGE_KEYS_OF_CONTAINERD:
            if key in containerd:
                images[key] = containerd[key]
    plugins[V3_IMAGES] = images


def _migrate_runtime(plugins: dict[str, Any], cri: dict[str, Any]) -> None:
    runtime = _table(plugins, V3_RUNTIME)
    moved_elsewhere = {"containerd", "sandbox_image", *IMAGE_KEYS_OF_CRI, *STREAMING_KEYS}
    for key, value in cri.items():
        if key not in moved_elsewhere:
            runtime.setdefault(key, value)
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
    if key in STREAMING_KEYS:
        return path
    if key == "containerd" and rest and rest[0] in IMAGE_KEYS_OF_CONTAINERD:
        return ("plugins", V3_IMAGES, *rest)
    return ("plugins", V3_RUNTIME, key, *rest)


# --- what ``containerd config migrate`` prints --------------------------------
#
# containerd 2.0.5 (cmd/containerd/command/config.go, "migrate") loads the
# file over its built-in defaults, runs the plugins' migrations (above), then
# decodes each registered plugin's section into that plugin's default config
# struct and prints the whole srvconfig.Config with go-toml v2's encoder and
# indented tables.  The structs below are those defaults, in Go field order,
# as containerd 2.0.5 on linux/amd64 prints them; maps print sorted.

class GoMap(dict):
    """A Go map field: entries print sorted; ``element()`` is a new entry's zero value."""

    def __init__(self, entries: dict[str, Any] | None = None, element: Any = None, replace: bool = False,
                 nil: bool = False):
        super().__init__(entries or {})
        self.element = element  # None: values are interface{} (kept as written)
        self.replace = replace  # mergo (top level) replaces a whole entry
        self.nil = nil          # a nil map by default: go-toml leaves it out while empty


def _runtime(**values: Any) -> dict[str, Any]:
    """cri config.Runtime with these fields set (the zero value otherwise)."""
    runtime: dict[str, Any] = {
        "runtime_type": "", "runtime_path": "", "pod_annotations": [], "container_annotations": [],
        "privileged_without_host_devices": False,
        "privileged_without_host_devices_all_devices_allowed": False,
        "base_runtime_spec": "", "cni_conf_dir": "", "cni_max_conf_num": 0, "snapshotter": "",
        "sandboxer": "", "io_type": "",
    }
    runtime.update(values)
    return runtime


def _runc_options() -> GoMap:
    return GoMap({"BinaryName": "", "CriuImagePath": "", "CriuWorkPath": "", "IoGid": 0, "IoUid": 0,
                  "NoNewKeyring": False, "Root": "", "ShimCgroup": ""})


def _new_runtime() -> dict[str, Any]:
    return _runtime(options=GoMap(nil=True))


def _images_plugin() -> dict[str, Any]:
    return {
        "snapshotter": "overlayfs", "disable_snapshot_annotations": True, "discard_unpacked_layers": False,
        "max_concurrent_downloads": 3, "image_pull_progress_timeout": "5m0s", "image_pull_with_sync_fs": False,
        "stats_collect_period": 10,
        "pinned_images": GoMap({"sandbox": "registry.k8s.io/pause:3.10"}, element=""),
        "registry": {"config_path": "", "mirrors": GoMap(element=lambda: {"endpoint": []}, nil=True),
                     "configs": GoMap(nil=True), "auths": GoMap(nil=True), "headers": GoMap(element=[], nil=True)},
        "image_decryption": {"key_model": "node"},
    }


def _runtime_plugin() -> dict[str, Any]:
    return {
        "enable_selinux": False, "selinux_category_range": 1024, "max_container_log_line_size": 16384,
        "disable_apparmor": False, "restrict_oom_score_adj": False, "disable_proc_mount": False,
        "unset_seccomp_profile": "", "tolerate_missing_hugetlb_controller": True,
        "disable_hugetlb_controller": True, "device_ownership_from_security_context": False,
        "ignore_image_defined_volumes": False, "netns_mounts_under_state_dir": False,
        "enable_unprivileged_ports": True, "enable_unprivileged_icmp": True, "enable_cdi": True,
        "cdi_spec_dirs": ["/etc/cdi", "/var/run/cdi"], "drain_exec_sync_io_timeout": "0s",
        "ignore_deprecation_warnings": [],
        "containerd": {
            "default_runtime_name": "runc", "ignore_blockio_not_enabled_errors": False,
            "ignore_rdt_not_enabled_errors": False,
            "runtimes": GoMap({"runc": _runtime(runtime_type="io.containerd.runc.v2", sandboxer="podsandbox",
                                                options=_runc_options())}, element=_new_runtime),
        },
        "cni": {"bin_dir": "/opt/cni/bin", "conf_dir": "/etc/cni/net.d", "max_conf_num": 1,
                "setup_serially": False, "conf_template": "", "ip_pref": "", "use_internal_loopback": False},
    }


def _plugins() -> GoMap:
    """Every plugin of containerd 2.0.5 (linux) that has a config, with its defaults."""
    return GoMap({
        V3_IMAGES: _images_plugin(),
        V3_RUNTIME: _runtime_plugin(),
        "io.containerd.gc.v1.scheduler": {
            "pause_threshold": 0.02, "deletion_threshold": 0, "mutation_threshold": 100,
            "schedule_delay": "0s", "startup_delay": "100ms"},
        V2_CRI: {"disable_tcp_service": True, "stream_server_address": "127.0.0.1", "stream_server_port": "0",
                 "stream_idle_timeout": "4h0m0s", "enable_tls_streaming": False,
                 "x509_key_pair_streaming": {"tls_cert_file": "", "tls_key_file": ""}},
        "io.containerd.image-verifier.v1.bindir": {
            "bin_dir": "/opt/containerd/image-verifier/bin", "max_verifiers": 10, "per_verifier_timeout": "10s"},
        "io.containerd.internal.v1.opt": {"path": "/opt/containerd"},
        "io.containerd.internal.v1.tracing": {},
        "io.containerd.metadata.v1.bolt": {"content_sharing_policy": "shared"},
        "io.containerd.monitor.container.v1.restart": {"interval": "10s"},
        "io.containerd.monitor.task.v1.cgroups": {"no_prometheus": False},
        "io.containerd.nri.v1.nri": {
            "disable": False, "socket_path": "/var/run/nri/nri.sock", "plugin_path": "/opt/nri/plugins",
            "plugin_config_path": "/etc/nri/conf.d", "plugin_registration_timeout": "5s",
            "plugin_request_timeout": "2s", "disable_connections": False},
        "io.containerd.runtime.v2.task": {"platforms": ["linux/amd64"]},
        "io.containerd.service.v1.diff-service": {"default": ["walking"], "sync_fs": False},
        "io.containerd.service.v1.tasks-service": {"blockio_config_file": "", "rdt_config_file": ""},
        "io.containerd.shim.v1.manager": {"env": []},
        "io.containerd.snapshotter.v1.blockfile": {
            "root_path": "", "scratch_file": "", "fs_type": "", "mount_options": [], "recreate_scratch": False},
        "io.containerd.snapshotter.v1.btrfs": {"root_path": ""},
        "io.containerd.snapshotter.v1.devmapper": {
            "root_path": "", "pool_name": "", "base_image_size": "", "async_remove": False,
            "discard_blocks": False, "fs_type": "", "fs_options": ""},
        "io.containerd.snapshotter.v1.native": {"root_path": ""},
        "io.containerd.snapshotter.v1.overlayfs": {
            "root_path": "", "upperdir_label": False, "sync_remove": False, "slow_chown": False,
            "mount_options": []},
        "io.containerd.snapshotter.v1.zfs": {"root_path": ""},
        "io.containerd.tracing.processor.v1.otlp": {},
        "io.containerd.transfer.v1.local": {
            "max_concurrent_downloads": 3, "max_concurrent_uploaded_layers": 3, "config_path": ""},
    })


def _stream_processor(media: str) -> dict[str, Any]:
    suffix = {"tar": "", "tar.gzip": "+gzip"}[media]
    return {
        "accepts": [f"application/vnd.oci.image.layer.v1.tar{suffix}+encrypted"],
        "returns": f"application/vnd.oci.image.layer.v1.tar{suffix}",
        "path": "ctd-decoder",
        "args": ["--decryption-keys-path", "/etc/containerd/ocicrypt/keys"],
        "env": ["OCICRYPT_KEYPROVIDER_CONFIG=/etc/containerd/ocicrypt/ocicrypt_keyprovider.conf"],
    }


def _server_config() -> dict[str, Any]:
    """srvconfig.Config as ``config migrate`` starts from it (platformAgnosticDefaultConfig)."""
    address = "/run/containerd/containerd.sock"
    return {
        "version": 3, "root": "/var/lib/containerd", "state": "/run/containerd", "temp": "", "plugin_dir": "",
        "grpc": {"address": address, "tcp_address": "", "tcp_tls_ca": "", "tcp_tls_cert": "", "tcp_tls_key": "",
                 "uid": 0, "gid": 0, "max_recv_message_size": 16777216, "max_send_message_size": 16777216},
        "ttrpc": {"address": "", "uid": 0, "gid": 0},
        "debug": {"address": "", "uid": 0, "gid": 0, "level": "", "format": ""},
        "metrics": {"address": "", "grpc_histogram": False},
        "disabled_plugins": [], "required_plugins": [],
        "plugins": GoMap(),
        "oom_score": 0,
        "cgroup": {"path": ""},
        "proxy_plugins": GoMap(element=lambda: {"type": "", "address": "", "platform": "",
                                                "exports": GoMap(element="", nil=True), "capabilities": []},
                               replace=True, nil=True),
        "timeouts": GoMap(element="", replace=True, nil=True),
        "imports": [],
        "stream_processors": GoMap({name: _stream_processor(media) for name, media in (
            ("io.containerd.ocicrypt.decoder.v1.tar", "tar"),
            ("io.containerd.ocicrypt.decoder.v1.tar.gzip", "tar.gzip"))},
            element=lambda: {"accepts": [], "returns": "", "path": "", "args": [], "env": []}, replace=True),
    }


def _fresh(element: Any) -> Any:
    return element() if callable(element) else copy.deepcopy(element)


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and (isinstance(default, float) or isinstance(value, int))
    return isinstance(value, type(default))


def _decode(target: Any, value: Any) -> Any:
    """go-toml v2 Unmarshal of ``value`` into the Go value ``target`` (unknown keys ignored)."""
    if isinstance(target, GoMap):
        if not isinstance(value, dict):
            return target
        target.nil = False  # decoding a table makes the map
        for key, item in value.items():
            if target.element is None:
                old = target.get(key)
                target[key] = _merge_raw(old, item) if isinstance(old, dict) else _raw(item)
            else:
                start = _fresh(target.element) if target.replace or key not in target else target[key]
                target[key] = _decode(start, item)
        return target
    if isinstance(target, dict):
        if not isinstance(value, dict):
            return target
        for key, item in value.items():
            if key in target:
                target[key] = _decode(target[key], item)
        return target
    if isinstance(target, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return copy.deepcopy(value) if _same_kind(target, value) else target


def _raw(value: Any) -> Any:
    """A value decoded into interface{}: its tables are Go maps."""
    if isinstance(value, dict):
        return GoMap({key: _raw(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_raw(item) for item in value]
    return value


def _merge_raw(old: dict[str, Any], new: dict[str, Any]) -> GoMap:
    merged = GoMap(old)
    for key, item in new.items():
        merged[key] = _merge_raw(merged[key], item) if isinstance(merged.get(key), dict) \
            and isinstance(item, dict) else _raw(item)
    return merged


def _is_zero(value: Any) -> bool:
    return value in ("", 0, False, None) and not (isinstance(value, float) and value != 0) \
        or (isinstance(value, (list, dict)) and not value)


def _load_over_defaults(config: dict[str, Any], file: dict[str, Any]) -> None:
    """srvconfig.LoadConfig: mergo.Merge(defaults, file, WithOverride): non-zero values win."""
    for key, value in file.items():
        if key not in config or key == "plugins":
            continue
        target = config[key]
        if isinstance(target, GoMap):
            _decode(target, value)
        elif isinstance(target, dict) and isinstance(value, dict):
            for field, item in value.items():
                if field in target and not _is_zero(item) and _same_kind(target[field], item):
                    target[field] = copy.deepcopy(item)
        elif not _is_zero(value) and _same_kind(target, value):
            config[key] = copy.deepcopy(value)


def migrated_config(file: dict[str, Any]) -> dict[str, Any]:
    """What containerd 2.0.5's ``config migrate`` prints for a schema v2 file, as data."""
    config = _server_config()
    _load_over_defaults(config, file)
    version = file.get("version")
    old = isinstance(version, int) and not isinstance(version, bool) and version < 3
    raw_plugins = (migrate_v2_to_v3(file) if old else file).get("plugins")
    plugins = _plugins()
    if isinstance(raw_plugins, dict):
        for plugin_id, section in raw_plugins.items():
            if plugin_id in plugins:
                plugins[plugin_id] = _decode(plugins[plugin_id], section)
            else:
                plugins[plugin_id] = _raw(section)
    config["plugins"] = plugins
    config["version"] = 3
    # LoadPlugins (cmd/containerd/server/server.go) adds each proxy plugin's
    # address to its exports map, which the printed config shares.
    for proxy in config["proxy_plugins"].values():
        if not proxy["exports"].nil:
            proxy["exports"]["address"] = proxy["address"]
    return _go_order(config)


def _printed(value: Any) -> bool:
    return not (isinstance(value, GoMap) and value.nil and not value)


def _go_order(value: Any) -> Any:
    """Struct fields keep their order, maps are sorted and nil maps left out, as go-toml prints them."""
    if isinstance(value, GoMap):
        return {key: _go_order(value[key]) for key in sorted(value) if _printed(value[key])}
    if isinstance(value, dict):
        return {key: _go_order(item) for key, item in value.items() if _printed(item)}
    if isinstance(value, list):
        return [_go_order(item) for item in value]
    return value


def migrated_text(file: dict[str, Any]) -> str:
    """``containerd config migrate``'s output: go-toml v2, struct order, indented tables."""
    return dumps(migrated_config(file), sort_keys=False, indent_tables=True)
