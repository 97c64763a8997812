"""The library surface: compile, lint, max_pods and compose_userdata, for launch-template generators.

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
PartInput = Union[str, bytes, os.PathLike]  # content as str/bytes, or a path to read
NodeConfigInput = Union[str, bytes, os.PathLike, Mapping[str, Any]]


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
            mode: str = "self-managed", instance_table: Mapping | None = None,
            cluster: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None) -> Compilation:
    """Compile NodeConfig sources (paths or raw bytes) into the node's file tree.

    ``files`` is what nodeadm would write.  It is empty only when nodeadm itself
    would stop (a document it cannot decode, a missing cluster field, ...); for
    errors nodeadm does not check (an unknown field, a CA that is not PEM) the
    files are rendered and ``ok`` is still False.  ``cluster`` (the keys of
    ``--cluster``) appends the NodeConfig Karpenter or EKS adds to user data
    read from an EC2NodeClass or launch template; ``params`` are Fn::Sub values.
    """
    from .pipeline import analyse, blocks_rendering, render_tree
    from .source import LoadOptions

    facts = None
    if cluster is not None:
        from .simulate import ClusterFacts, facts_from_mapping

        facts = ClusterFacts(**facts_from_mapping(dict(cluster)))
    resolved_instance = _instance(instance)
    options = LoadOptions(params=tuple((params or {}).items()), cluster=facts,
                          instance_type=resolved_instance.instance_type)
    analysis = analyse(list(sources), mode=mode, options=options)
    result = Compilation({}, list(analysis.diagnostics), analysis.merged.data, texts=analysis.loaded.texts)
    if blocks_rendering(result.diagnostics):
        return result
    rendered, resolved, _ = render_tree(analysis, resolved_instance, dict(instance_table) if instance_table else None)
    result.diagnostics.extend(rendered.diagnostics)
    result.instance = resolved
    result.origins = rendered.origins
    if not blocks_rendering(rendered.diagnostics):
        result.tree = rendered.files
        result.files = {path: entry.data for path, entry in rendered.files.items()}
    return result


def lint(sources: Iterable[SourceLike], *, mode: str = "self-managed",
         instance: Instance | Mapping[str, Any] | None = None, instance_table: Mapping | None = None,
         **context: Any) -> list[Diagnostic]:
    """Findings for the sources, as `nodecfg check` prints them.

    The instance context matters to the render-stage checks (containerd
    config schema, maxPodsExpression): give it as ``instance=`` (an Instance
    or a mapping with the keys of docs/instance context) and/or as keywords
    in snake case, e.g. ``kubelet_version="v1.30.0", instance_type="m5.large"``.
    Invalid context values come back as NC09x findings, like ``--instance``.
    """
    from .lint.engine import lint as run_lint

    resolved, problems = _lint_instance(instance, context)
    if problems:
        return problems
    table = dict(instance_table) if instance_table else None
    return run_lint(list(sources), mode=mode, instance=resolved, extra_table=table).diagnostics


def _lint_instance(instance: Instance | Mapping[str, Any] | None, keywords: dict[str, Any]
                   ) -> tuple[Instance | None, list[Diagnostic]]:
    """The Instance for lint (None: the documented default) and problems with the given values."""
    from .instance import CONTEXT_KEYS, validate_context

    by_attribute = {attribute: key for key, attribute in CONTEXT_KEYS.items()}
    unknown = sorted(set(keywords) - set(by_attribute))
    if unknown:
        raise TypeError(f"lint() got unexpected keyword arguments: {', '.join(unknown)}")
    if isinstance(instance, Instance):
        return instance.with_values({by_attribute[k]: v for k, v in keywords.items()}), []
    values = {**dict(instance or {}), **{by_attribute[k]: v for k, v in keywords.items()}}
    if not values:
        return None, []
    accepted, problems = validate_context(values, "<instance>")
    return (None, problems) if problems else (instance_from_mapping(accepted), [])


def max_pods(instance_type: str, expression: str | None = None) -> int:
    """maxPods nodeadm computes for instance_type (110 for unknown types)."""
    from .maxpods import compute_max_pods

    return compute_max_pods(instance_from_mapping({"instanceType": instance_type}), expression).value


def compose_userdata(nodeconfigs: Iterable[NodeConfigInput], scripts: Iterable[PartInput] = (),
                     cloud_configs: Iterable[PartInput] = (), base64: bool = False, gzip: bool = False, *,
                     boothooks: Iterable[PartInput] = (), merge_into: PartInput | None = None,
                     mode: str = "self-managed", instance: Instance | Mapping[str, Any] | None = None) -> bytes:
    """MIME multipart user data for EC2, checked like `nodecfg userdata` checks it.

    Each input is ``bytes`` or ``str`` (the content itself), an ``os.PathLike``
    such as ``pathlib.Path`` (a file to read), or for ``nodeconfigs`` also a
    mapping (written as YAML).  Every ``---`` document of a NodeConfig input
    becomes its own part.  Raises ``UserDataError`` (a ValueError carrying
    ``.diagnostics``) when the result would be refused: an error finding in
    any part, or more than 16384 bytes after gzip.  ``nodecfg.userdata.compose``
    returns the findings instead of raising.
    """
    from .userdata import UserDataError, compose

    resolved = None if instance is None else _instance(instance)
    composition = compose(nodeconfigs, scripts, cloud_configs, boothooks=boothooks, merge_into=merge_into,
                          base64=base64, gzip=gzip, mode=mode, instance=resolved)
    if not composition.ok:
        raise UserDataError(composition.diagnostics)
    return composition.data
