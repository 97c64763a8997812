"""Renderers: one module per output file (or small family of files).

Each renderer module exposes ``render(ctx: RenderContext) -> Rendered``.
``render_all`` runs them in a fixed order and joins the results.
"""

import importlib
from typing import Any

from nodecfg.core.diagnostics import Diagnostic
from nodecfg.core.filetree import FileEntry, FileTree
from nodecfg.context.instance import Instance

# Every renderer, in order (order matters only for the order of diagnostics;
# files never collide), with the pointers of the values it checks: a renderer
# reports findings only about those values, so a configuration that sets none
# of them needs that renderer only for its files, never for `nodecfg check`.
# tests/test_render_checks.py holds every renderer to its declaration.
RENDERERS: dict[str, tuple[str, ...]] = {
    "kubelet": ("/spec/kubelet/maxPodsExpression", "/spec/kubelet/config/maxPods"),  # config.json (+ drop-in)
    "kubeconfig": (),                                  # var/lib/kubelet/kubeconfig, pki/ca.crt
    "kubelet_environment": (),                         # etc/eks/kubelet/environment
    "credential_provider": (),                         # etc/eks/image-credential-provider/config.json
    "containerd": ("/spec/containerd/config",),        # etc/containerd/config.toml (+ SOCI files)
    "base_runtime_spec": (),                           # etc/containerd/base-runtime-spec.json
    "system": ("/spec/instance/environment", "/spec/instance/network"),  # systemd drop-ins, resolved.conf.d
    "cached_config": (),                               # run/eks/nodeadm/config.json
}
RENDERER_MODULES = tuple(RENDERERS)


class RenderContext:
    """What every renderer reads (by attribute only: a plain class, no NamedTuple to build at import)."""

    __slots__ = ("config", "instance", "max_pods")

    def __init__(self, config: dict[str, Any], instance: Instance, max_pods: Any) -> None:
        self.config = config        # merged NodeConfig: {"apiVersion", "kind", "spec": {...}}
        self.instance = instance
        self.max_pods = max_pods    # nodecfg.context.maxpods.MaxPods, computed once per compile


class Rendered:
    """What renderers wrote, filled in as they write it."""

    def __init__(self) -> None:
        self.files: FileTree = {}
        self.diagnostics: list[Diagnostic] = []
        # "<path>#<json pointer or flag name>" -> where the value came from, e.g.
        # "default", "instance:instanceType", "config:/spec/kubelet/config/maxPods"
        self.origins: dict[str, str] = {}

    def add(self, path: str, data: bytes, mode: int = 0o644) -> None:
        self.files[path] = FileEntry(data, mode)

    def extend(self, other: "Rendered") -> None:
        self.files.update(other.files)
        self.diagnostics.extend(other.diagnostics)
        self.origins.update(other.origins)


def renderers_checking(config: dict[str, Any]) -> tuple[str, ...]:
    """The renderers that check a value config sets (see RENDERERS)."""
    from nodecfg.merge.nodeconfig import get_pointer

    return tuple(name for name, pointers in RENDERERS.items()
                 if any(get_pointer(config, pointer) not in (None, "", {}, []) for pointer in pointers))


def render_all(ctx: RenderContext, only: tuple[str, ...] | None = None) -> Rendered:
    """Run the renderers (all, or only those named) and join their results."""
    result = Rendered()
    for name in RENDERER_MODULES if only is None else only:
        module = importlib.import_module(f"{__name__}.{name}")
        result.extend(module.render(ctx))
    result.files = dict(sorted(result.files.items()))
    return result
