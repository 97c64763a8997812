"""Renderers: one module per output file (or small family of files).

Each renderer module exposes ``render(ctx: RenderContext) -> Rendered``.
``render_all`` runs them in a fixed order and joins the results.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic
from ..filetree import FileEntry, FileTree
from ..instance import Instance

# Order matters only for the order of diagnostics; files never collide.
RENDERER_MODULES = (
    "kubelet",              # etc/kubernetes/kubelet/config.json (+ config.json.d drop-in)
    "kubeconfig",           # var/lib/kubelet/kubeconfig, etc/kubernetes/pki/ca.crt
    "kubelet_environment",  # etc/eks/kubelet/environment
    "credential_provider",  # etc/eks/image-credential-provider/config.json
    "containerd",           # etc/containerd/config.toml (+ SOCI files)
    "base_runtime_spec",    # etc/containerd/base-runtime-spec.json
    "system",               # systemd environment drop-ins, resolved.conf.d
    "cached_config",        # run/eks/nodeadm/config.json
)


@dataclass(frozen=True)
class RenderContext:
    config: dict[str, Any]  # merged NodeConfig: {"apiVersion", "kind", "spec": {...}}
    instance: Instance
    max_pods: Any           # nodecfg.maxpods.MaxPods, computed once per compile


@dataclass
class Rendered:
    files: FileTree = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # "<path>#<json pointer or flag name>" -> where the value came from, e.g.
    # "default", "instance:instanceType", "config:/spec/kubelet/config/maxPods"
    origins: dict[str, str] = field(default_factory=dict)

    def add(self, path: str, data: bytes, mode: int = 0o644) -> None:
        self.files[path] = FileEntry(data, mode)

    def extend(self, other: "Rendered") -> None:
        self.files.update(other.files)
        self.diagnostics.extend(other.diagnostics)
        self.origins.update(other.origins)


def render_all(ctx: RenderContext) -> Rendered:
    result = Rendered()
    for name in RENDERER_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        result.extend(module.render(ctx))
    result.files = dict(sorted(result.files.items()))
    return result
