"""etc/containerd/base-runtime-spec.json (nodeadm base_runtime_spec.go).

Without ``containerd.baseRuntimeSpec`` nodeadm writes its default OCI spec as
shipped (two-space indent, trailing newline).  With one, it deep-merges it
over the default (maps merge, anything else replaces) and writes Go's
``json.MarshalIndent(v, "", "    ")``: keys sorted, four-space indent,
HTML-sensitive characters escaped, no trailing newline.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from nodecfg.core.document import join_pointer
from nodecfg.encode.gojson import as_go_interface, encode_go_json
from nodecfg.merge.toml import deep_merge
from nodecfg.render import RenderContext, Rendered

PATH = "etc/containerd/base-runtime-spec.json"

_CAPABILITIES = [
    "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
    "CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP",
    "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
]
_NO_SUID_EXEC_DEV = ["nosuid", "noexec", "nodev"]


def _mount(destination: str, options: list[str], source: str, kind: str) -> dict[str, Any]:
    return {"destination": destination, "options": options, "source": source, "type": kind}


def default_spec() -> dict[str, Any]:
    """nodeadm's default spec; key order is the order of its shipped file."""
    return {
        "linux": {
            "maskedPaths": [
                "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats", "/sys/firmware",
            ],
            "namespaces": [{"type": kind} for kind in ("ipc", "mount", "network", "pid", "uts")],
            "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
            "resources": {"devices": [{"access": "rwm", "allow": False}]},
        },
        "mounts": [
            _mount("/dev", ["nosuid", "strictatime", "mode=755", "size=65536k"], "tmpfs", "tmpfs"),
            _mount("/dev/mqueue", list(_NO_SUID_EXEC_DEV), "mqueue", "mqueue"),
            _mount("/dev/pts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
                   "devpts", "devpts"),
            _mount("/proc", list(_NO_SUID_EXEC_DEV), "proc", "proc"),
            _mount("/sys", [*_NO_SUID_EXEC_DEV, "ro"], "sysfs", "sysfs"),
        ],
        "ociVersion": "1.1.0",
        "process": {
            "capabilities": {name: list(_CAPABILITIES) for name in ("bounding", "effective", "permitted")},
            "cwd": "/",
            "noNewPrivileges": True,
            "rlimits": [{"type": "RLIMIT_NOFILE", "soft": 65536, "hard": 1048576}],
            "user": {"gid": 0, "uid": 0},
        },
        "root": {"path": "rootfs"},
    }


def render(ctx: RenderContext) -> Rendered:
    result = Rendered()
    spec = (ctx.config.get("spec") or {}).get("containerd") or {}
    user = spec.get("baseRuntimeSpec") if isinstance(spec, dict) else None
    if isinstance(user, dict) and user:
        result.add(PATH, encode_go_json(as_go_interface(deep_merge(default_spec(), user)), indent="    ").encode())
        result.origins.update(_origins(user))
    else:
        result.add(PATH, _default_file())
    result.origins.setdefault(f"{PATH}#", "default")
    return result


@lru_cache(maxsize=1)
def _default_file() -> bytes:
    """nodeadm's shipped file: two-space indent, trailing newline (the same bytes every time)."""
    return (json.dumps(default_spec(), indent=2) + "\n").encode()


def _origins(user: dict[str, Any]) -> dict[str, str]:
    origins = {}
    for key in user:
        pointer = join_pointer("", key)
        origins[f"{PATH}#{pointer}"] = f"config:/spec/containerd/baseRuntimeSpec{pointer}"
    return origins
