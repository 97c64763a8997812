"""The library surface: compile, lint and max_pods, for launch-template generators.

    >>> import nodecfg
    >>> result = nodecfg.compile(["examples/nodeconfig.yaml"], instance={"instanceType": "m5.xlarge"})
    >>> sorted(result.files)[:1]
    ['etc/containerd/base-runtime-spec.json']
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Union

from .diagnostics import Diagnostic, has_errors
from .filetree import FileTree
from .instance import Instance, instance_from_mapping

SourceLike = Union[str, os.PathLike, bytes]


@dataclass
class Compilation:
    """What nodeadm would write, and what nodecfg found on the way."""

    files: dict[str, bytes]
    diagnostics: list[Diagnostic]
    config: dict[str, Any]  # the merged NodeConfig
    tree: FileTree = field(default_factory=dict)  # files with their modes
    instance: Instance | None = None  # the resolved instance context
    origins: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def _instance(instance: Instance | Mapping[str, Any] | None) -> Instance:
    if isinstance(instance, Instance):
        return instance
    return instance_from_mapping(dict(instance or {}))


def compile(sources: Iterable[SourceLike], instance: Instance | Mapping[str, Any] | None = None, *,
            mode: str = "self-managed", instance_table: Mapping | None = None) -> Compilation:
    """Compile NodeConfig sources (paths or raw bytes) into the node's file tree.

    ``files`` is what nodeadm would write.  It is empty only when nodeadm itself
    would stop (a document it cannot decode, a missing cluster field, ...); for
    errors nodeadm does not check (an unknown field, a CA that is not PEM) the
    files are rendered and ``ok`` is still False.
    """
    from .pipeline import analyse, blocks_rendering, render_tree

    analysis = analyse(list(sources), mode=mode)
    result = Compilation({}, list(analysis.diagnostics), analysis.merged.data, texts=analysis.loaded.texts)
    if blocks_rendering(result.diagnostics):
        return result
    rendered, resolved, _ = render_tree(analysis, _instance(instance), dict(instance_table) if instance_table else None)
    result.diagnostics.extend(rendered.diagnostics)
    result.instance = resolved
    result.origins = rendered.origins
    if not blocks_rendering(rendered.diagnostics):
        result.tree = rendered.files
        result.files = {path: entry.data for path, entry in rendered.files.items()}
    return result


def lint(sources: Iterable[SourceLike], *, mode: str = "self-managed") -> list[Diagnostic]:
    """Findings for the sources, as `nodecfg check` prints them."""
    from .pipeline import analyse

    return analyse(list(sources), mode=mode).diagnostics


def max_pods(instance_type: str, expression: str | None = None) -> int:
    """maxPods nodeadm computes for instance_type (110 for unknown types)."""
    from .maxpods import compute_max_pods

    return compute_max_pods(instance_from_mapping({"instanceType": instance_type}), expression).value
