"""The library surface: compile, lint, max_pods and compose_userdata, for launch-template generators.

All four go through ``nodecfg.pipeline.run``, so they give the same verdict as
``nodecfg check`` and ``nodecfg build`` on the same input.

    >>> import nodecfg
    >>> result = nodecfg.compile(["examples/nodeconfig.yaml"], instance={"instanceType": "m5.xlarge"})
    >>> result.ok, sorted(result.files)[:1]
    (True, ['etc/containerd/base-runtime-spec.json'])
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Union

from nodecfg.core.diagnostics import Diagnostic
from nodecfg.core.filetree import FileTree
from nodecfg.context.instance import Instance

if TYPE_CHECKING:
    from nodecfg.nodeadm.instance_table import InstanceTypeInfo
    from nodecfg.linter.config import Settings
    from nodecfg.pipeline import Mode, Verdict

SourceLike = Union[str, os.PathLike, bytes]
PartInput = Union[str, bytes, os.PathLike]  # content as str/bytes, or a path to read
NodeConfigInput = Union[str, bytes, os.PathLike, Mapping[str, Any]]
InstanceLike = Union[Instance, Mapping[str, Any], None]
SettingsLike = Union["Settings", str, os.PathLike, None]
SOURCE_TYPES = (str, bytes, os.PathLike)
SOURCE_WHAT = "str, bytes or os.PathLike (a path, or the content as bytes)"
PART_TYPES = (str, bytes, os.PathLike)
PART_WHAT = "str or bytes (the content) or os.PathLike (a file to read)"


@dataclass
class Compilation:
    """What nodeadm would write, and what nodecfg found on the way.

    ``ok`` is True exactly when ``nodecfg check`` passes.  ``files`` is what
    nodeadm would write; it is empty when nodeadm itself would stop (a
    document it cannot decode, a missing cluster field, ...) and when
    ``verdict`` is ``CANNOT_RENDER`` (a fragment without the cluster fields).
    For errors nodeadm does not check (an unknown field, a CA that is not PEM)
    the files are still rendered and ``ok`` is False.
    """

    files: dict[str, bytes]
    diagnostics: list[Diagnostic]
    config: dict[str, Any]  # the merged NodeConfig
    verdict: "Verdict"
    tree: FileTree = field(default_factory=dict)  # files with their modes
    instance: Instance | None = None  # the resolved instance context
    origins: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        from nodecfg.pipeline import Verdict

        return self.verdict is not Verdict.HAS_ERRORS


def instance_context(instance: InstanceLike, keywords: Mapping[str, Any] | None = None, *,
                     uri: str = "<instance>") -> tuple[Instance | None, list[Diagnostic]]:
    """(Instance or None for the documented default, findings about the given values).

    ``instance`` is an Instance or a mapping with the keys of the instance
    context (``instanceType``, ``kubeletVersion``, ...); ``keywords`` are the
    same keys in snake case (``instance_type=...``).  Bad keys and values come
    back as NC091/NC092 findings, as ``--instance`` reports them.
    """
    from nodecfg.context.instance import CONTEXT_KEYS, instance_from_mapping, validate_context

    by_attribute = {attribute: key for key, attribute in CONTEXT_KEYS.items()}
    keywords = dict(keywords or {})
    unknown = sorted(set(keywords) - set(by_attribute))
    if unknown:
        raise TypeError(f"unexpected instance context keyword arguments: {', '.join(unknown)}")
    given = {by_attribute[k]: v for k, v in keywords.items()}
    if isinstance(instance, Instance):
        accepted, problems = validate_context(given, uri)
        return instance.with_values(accepted), problems
    if instance is not None and not isinstance(instance, Mapping):
        raise TypeError(f"instance must be an Instance or a mapping, not {type(instance).__name__}")
    values = {**dict(instance or {}), **given}
    if not values:
        return None, []
    accepted, problems = validate_context(values, uri)
    return instance_from_mapping(accepted), problems


def sequence_of(value: Any, name: str, allowed: tuple[type, ...], what: str) -> list[Any]:
    """``value`` as a list, or TypeError: a bare str/bytes/path/mapping where a sequence of them is meant.

    A str is iterable, so without this check ``compile("x.yaml")`` would read
    each character as a source; a mapping would give its keys.
    """
    if isinstance(value, (str, bytes, os.PathLike, Mapping)):
        raise TypeError(f"{name} must be a sequence of {what}, not a single {type(value).__name__}; "
                        f"wrap it in a list: {name}=[...]")
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of {what}, not {type(value).__name__}") from None
    for index, item in enumerate(items):
        if not isinstance(item, allowed):
            raise TypeError(f"{name}[{index}] must be {what.removesuffix('s') if False else 'one of ' + what}, "
                            f"not {type(item).__name__}")
    return items


def string_mapping(value: Any, name: str) -> dict[str, str]:
    """A Mapping[str, str] as a dict, or TypeError naming the first key or value of another type."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping of str to str, not {type(value).__name__}")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise TypeError(f"{name} must map str to str; {key!r}: {item!r} is "
                            f"{type(key).__name__}: {type(item).__name__}")
    return dict(value)


def instance_table_of(value: Any) -> "dict[str, InstanceTypeInfo] | None":
    """The extra instance table, or TypeError: each value is an InstanceTypeInfo."""
    from nodecfg.nodeadm.instance_table import InstanceTypeInfo

    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"instance_table must be a mapping of instance type to InstanceTypeInfo, "
                        f"not {type(value).__name__}")
    for key, info in value.items():
        if not isinstance(key, str) or not isinstance(info, InstanceTypeInfo):
            raise TypeError(f"instance_table[{key!r}] must be a nodecfg.nodeadm.instance_table.InstanceTypeInfo "
                            f"keyed by its type name, not {type(info).__name__}")
    return dict(value)


def refuse_cycles(value: Any, name: str) -> None:
    """ValueError when a mapping given as a NodeConfig holds itself, or nests deeper than a source may.

    Such a mapping has no YAML text: dumping it would recurse without end.
    The depth bound is the one the YAML reader applies (nodecfg.parse.yaml.MAX_DEPTH).
    """
    from nodecfg.parse.yaml import MAX_DEPTH

    path: list[str] = []
    active: set[int] = set()

    def walk(node: Any) -> None:
        if not isinstance(node, (Mapping, list, tuple)):
            return
        where = ".".join(path) or "the top"
        if id(node) in active:
            raise ValueError(f"{name} refers to itself at {where}: a NodeConfig must be a tree of mappings, "
                             "lists and scalars")
        if len(path) > MAX_DEPTH:
            raise ValueError(f"{name} nests deeper than {MAX_DEPTH} levels at {where}")
        active.add(id(node))
        for key, item in node.items() if isinstance(node, Mapping) else enumerate(node):
            path.append(str(key))
            walk(item)
            path.pop()
        active.discard(id(node))

    walk(value)


def settings_of(settings: SettingsLike) -> "Settings | None":
    """Settings given as a Settings, a path to a settings file, or None (found as the CLI finds them)."""
    from nodecfg.linter.config import Settings, load_settings

    if isinstance(settings, Settings):
        return settings
    return load_settings(config=settings) if settings is not None else load_settings()


def on_release(resolved: Instance | None, problems: list[Diagnostic], release: str | None,
               kubernetes: str | None, settings: "Settings | None" = None) -> tuple[Instance | None, list]:
    """The instance context on ``release`` (else ``[tool.nodecfg] release``); NC095 for an unknown one."""
    settings_release = settings.release if settings is not None else ""
    if not release and not kubernetes and not settings_release:
        return resolved, problems
    from nodecfg.context.instance import DEFAULT_INSTANCE, on_release as instance_on_release

    resolved, more = instance_on_release(resolved if resolved is not None else DEFAULT_INSTANCE, release, kubernetes,
                                         settings_release)
    return resolved, problems + more


def compile(sources: Iterable[SourceLike], instance: InstanceLike = None, *, mode: "Mode" = "self-managed",
            instance_table: "Mapping[str, InstanceTypeInfo] | None" = None, settings: SettingsLike = None,
            cluster: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None,
            release: str | None = None, kubernetes: str | None = None) -> Compilation:
    """Compile NodeConfig sources (paths or raw bytes) into the node's file tree.

    ``settings`` is a ``nodecfg.linter.config.Settings``, a path to a
    pyproject.toml or nodecfg TOML file, or None to use the ``[tool.nodecfg]``
    table found from the working directory, as ``nodecfg check`` does.
    Raises ValueError for an unknown mode and ConfigError for bad settings.
    ``cluster`` (the keys of ``--cluster``) appends the NodeConfig Karpenter
    or EKS adds to user data read from an EC2NodeClass or launch template;
    ``params`` are CloudFormation Fn::Sub values (``--param``).  ``release``
    is the AMI release (``"v20250715"``, ``"latest"``; default: the one the
    input pins, else ``[tool.nodecfg] release``, else the newest) and
    ``kubernetes`` its Kubernetes minor, as ``--release`` and ``--kubernetes``.
    Raises TypeError for arguments of the wrong type: a bare ``str`` where
    the sequence of sources is meant, a table value that is not an
    ``InstanceTypeInfo``, a ``params``/``cluster`` that is not a mapping of str.
    """
    from nodecfg.core.modes import check_mode
    from nodecfg.pipeline import Request, run
    from nodecfg.parse.source import LoadOptions

    sources = sequence_of(sources, "sources", SOURCE_TYPES, SOURCE_WHAT)
    check_mode(mode)
    table = instance_table_of(instance_table)
    given_params = string_mapping(params, "params") if params is not None else {}
    settings = settings_of(settings)
    resolved, problems = on_release(*instance_context(instance), release, kubernetes, settings)
    facts = None
    if cluster is not None:
        from nodecfg.context.simulate import ClusterFacts, facts_from_mapping

        facts = ClusterFacts(**facts_from_mapping(string_mapping(cluster, "cluster")))
    options = LoadOptions(params=tuple(given_params.items()), cluster=facts)
    result = run(Request(sources, mode, resolved, table, tuple(problems), settings, options=options))
    config = copy.deepcopy(result.analysis.merged.data)  # the caller's to change: the analysis is shared
    return Compilation(result.files, result.diagnostics, config, result.verdict, tree=result.tree or {},
                       instance=result.instance, origins=result.origins, texts=dict(result.texts))


def lint(sources: Iterable[SourceLike], *, mode: "Mode" = "self-managed", instance: InstanceLike = None,
         instance_table: "Mapping[str, InstanceTypeInfo] | None" = None, settings: SettingsLike = None,
         release: str | None = None, kubernetes: str | None = None, **context: Any) -> list[Diagnostic]:
    """Findings for the sources, exactly as `nodecfg check` prints them.

    The instance context matters to the render-stage checks (containerd
    config schema, maxPodsExpression): give it as ``instance=`` (an Instance
    or a mapping with the keys of the instance context) and/or as keywords
    in snake case, e.g. ``kubelet_version="v1.30.0", instance_type="m5.large"``.
    Invalid context values come back as NC09x findings, like ``--instance``;
    arguments of the wrong type raise TypeError, as for ``compile``.
    ``release`` and ``kubernetes`` are those of ``compile``.
    """
    from nodecfg.core.modes import check_mode
    from nodecfg.pipeline import Request, run

    sources = sequence_of(sources, "sources", SOURCE_TYPES, SOURCE_WHAT)
    check_mode(mode)
    table = instance_table_of(instance_table)
    settings = settings_of(settings)
    resolved, problems = on_release(*instance_context(instance, context), release, kubernetes, settings)
    return run(Request(sources, mode, resolved, table, tuple(problems), settings, render=False)).diagnostics


def max_pods(instance_type: str, expression: str | None = None) -> int:
    """maxPods nodeadm computes for instance_type (110 for a type it cannot describe).

    Raises ValueError when ``expression`` (a ``maxPodsExpression``) does not
    compile or fails to evaluate for this type: nodeadm would log a warning
    and use the standard value, which a generator should not take silently.
    """
    from nodecfg.context.instance import instance_from_mapping
    from nodecfg.context.maxpods import compute_max_pods

    if not isinstance(instance_type, str) or not instance_type:
        raise ValueError(f"instance_type must be a non-empty string, not {instance_type!r}")
    if expression is not None and not isinstance(expression, str):
        raise TypeError(f"expression must be a str or None, not {type(expression).__name__}")
    computed = compute_max_pods(instance_from_mapping({"instanceType": instance_type}), expression)
    if computed.expression_error:
        raise ValueError(f"maxPodsExpression {expression!r} fails for {instance_type}: {computed.expression_error} "
                         f"(nodeadm would log a warning and use the standard {computed.standard})")
    return computed.value


def compose_userdata(nodeconfigs: Iterable[NodeConfigInput], scripts: Iterable[PartInput] = (),
                     cloud_configs: Iterable[PartInput] = (), base64: bool = False, gzip: bool = False, *,
                     boothooks: Iterable[PartInput] = (), merge_into: PartInput | None = None,
                     mode: "Mode" = "self-managed", instance: InstanceLike = None,
                     settings: SettingsLike = None) -> bytes:
    """MIME multipart user data for EC2, checked like `nodecfg userdata` checks it.

    Each input is ``bytes`` or ``str`` (the content itself), an ``os.PathLike``
    such as ``pathlib.Path`` (a file to read), or for ``nodeconfigs`` also a
    mapping (written as YAML).  Every ``---`` document of a NodeConfig input
    becomes its own part.  Raises ``UserDataError`` (a ValueError carrying
    ``.diagnostics``) exactly when `nodecfg check` of the result would fail,
    or when EC2 would refuse it (more than 16384 bytes after gzip).
    ``nodecfg.userdata.compose.compose`` returns the findings instead of raising.
    """
    from nodecfg.core.modes import check_mode
    from nodecfg.pipeline import Request
    from nodecfg.userdata.compose import UserDataError, compose

    check_mode(mode)
    nodeconfigs = sequence_of(nodeconfigs, "nodeconfigs", (*PART_TYPES, Mapping), f"{PART_WHAT} or a mapping")
    for index, document in enumerate(nodeconfigs):
        if isinstance(document, Mapping):
            refuse_cycles(document, f"nodeconfigs[{index}]")
    scripts, cloud_configs, boothooks = (sequence_of(items, name, PART_TYPES, PART_WHAT) for items, name in (
        (scripts, "scripts"), (cloud_configs, "cloud_configs"), (boothooks, "boothooks")))
    if merge_into is not None and not isinstance(merge_into, PART_TYPES):
        raise TypeError(f"merge_into must be one of {PART_WHAT} or None, not {type(merge_into).__name__}")
    resolved, problems = instance_context(instance)
    if problems:
        raise UserDataError(problems)
    request = Request((), mode, resolved, settings=settings_of(settings))
    composition = compose(nodeconfigs, scripts, cloud_configs, boothooks=boothooks, merge_into=merge_into,
                          base64=base64, gzip=gzip, request=request)
    if not composition.ok:
        raise UserDataError(composition.diagnostics)
    return composition.data


__all__ = ["Compilation", "compile", "lint", "max_pods", "compose_userdata", "instance_context"]
