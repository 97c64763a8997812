"""The one run of the pipeline every entry point uses.

    Request -> parse -> validate -> merge -> semantics -> lint rules
            -> render (instance context, maxPods) -> suppress / settings -> Result

``run(request)`` never raises on bad input.  A ``Request`` says everything one
run needs: the sources, how to read them, the mode, the instance context with
its table and the findings about it, the settings.  Its ``Result`` holds every diagnostic of
every stage, the rendered tree when rendering was possible, and one verdict:

- ``OK``: no error finding; the tree (when asked for) is complete;
- ``HAS_ERRORS``: at least one error finding, after ``[tool.nodecfg]``;
- ``CANNOT_RENDER``: no error finding, but a fragment (managed node group or
  Karpenter user data) lacks the cluster fields the tree needs.

``check`` fails exactly when the verdict is ``HAS_ERRORS``; ``build`` writes
only when it is ``OK`` (for ``CANNOT_RENDER`` it reports NC150); the library's
``Compilation.ok`` is ``verdict is not HAS_ERRORS``.  Commands only present a
Result.

Spans that later stages can only express as a JSON pointer
(``Span("pointer:/spec/...")``) or as a line inside the inline containerd TOML
are mapped back to the line and column of the YAML that set the value.
"""
from __future__ import annotations

import enum
from collections import OrderedDict
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterable, Literal, Mapping, NamedTuple, Protocol, Sequence

from nodecfg.core.codes import NC143, NC150, is_blocking, is_usage_error
from nodecfg.core.diagnostics import Diagnostic, Severity, Span
from nodecfg.core.document import Document
from nodecfg.core.locations import Location, file_of
from nodecfg.core.positions import from_pointer
from nodecfg.merge.nodeconfig import MergedConfig, get_pointer, merge_documents
from nodecfg.core.modes import FRAGMENT_MODES, MODES, check_mode
from nodecfg.parse.source import Limits, Loaded, LoadOptions, SourceSpec, display_name, load_sources

if TYPE_CHECKING:
    from nodecfg.context.instance import Instance
    from nodecfg.nodeadm.instance_table import InstanceTypeInfo
    from nodecfg.context.maxpods import MaxPods
    from nodecfg.core.filetree import FileTree
    from nodecfg.render import Rendered

Mode = Literal["self-managed", "managed-nodegroup", "karpenter"]

# Stand-ins for the cluster fields EKS or Karpenter inject at launch, so that a
# fragment can still go through the renderers' checks (never into a tree).
STAND_IN_CLUSTER = {
    "name": "injected-at-launch",
    "apiServerEndpoint": "https://injected-at-launch.example",
    "certificateAuthority": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
    "cidr": "10.100.0.0/16",
}

__all__ = ["MODES", "Mode", "Verdict", "Request", "Result", "Analysis", "run", "analyse"]


class RunSettings(Protocol):
    """What a run asks of the ``[tool.nodecfg]`` settings (nodecfg/linter/config.py ``Settings``)."""

    @property
    def strict(self) -> bool: ...

    @property
    def release(self) -> str: ...

    def apply(self, diagnostics: Iterable[Diagnostic],
              keep: Callable[[Diagnostic], bool] = ...) -> list[Diagnostic]: ...


class Request(NamedTuple):
    """One run of the pipeline: what to read and how, for which node, under which settings.

    The CLI's argument layer (cli/commands/_common.py ``request_from``) and the
    library (api.py) build one; the other callers derive theirs from one
    (``request._replace(sources=..., render=False)``).

    ``mode`` is the mode as given and is held only here.  The inputs may imply
    another (an EC2NodeClass is Karpenter's, a managed node group's launch
    template EKS's): the run then uses that one, the derived ``Analysis.mode``
    (``implied_mode``), which ``Result.mode`` reports.

    ``instance`` is the instance context as given, already on the AMI release
    chosen by ``--release``/``release=`` (``Instance.release``; None: the
    documented default); ``instance_table`` the extra instance types
    (``--instance-table``); ``context_problems`` the findings about how they
    were given, reported with the rest.  The run resolves the instance once
    (``resolve_instance``) and hands that value to the rules and the renderers.
    """

    sources: Sequence[SourceSpec]
    mode: str = "self-managed"
    instance: Instance | None = None
    instance_table: Mapping[str, InstanceTypeInfo] | None = None
    context_problems: Sequence[Diagnostic] = ()
    settings: RunSettings | None = None  # None: every rule at its default level
    limits: Limits = Limits()
    options: LoadOptions = LoadOptions()  # reading user data inside manifests and templates; --cluster
    render: bool = True  # False: only the renderers a finding can come from (no tree)
    stdin: BinaryIO | None = None  # what "-" reads (None: sys.stdin)


class Verdict(str, enum.Enum):
    OK = "ok"
    HAS_ERRORS = "has-errors"
    CANNOT_RENDER = "cannot-render"


class Analysis:
    """The front half's output: the sources as read, their merge and its findings."""

    def __init__(self, loaded: Loaded, merged: MergedConfig, mode: str = "self-managed",
                 diagnostics: list[Diagnostic] | None = None) -> None:
        self.loaded = loaded
        self.merged = merged
        # derived: the request's mode, unless the inputs imply another (implied_mode: an EC2NodeClass is
        # Karpenter's); the mode the rules, the semantics and the verdict use
        self.mode = mode
        self.diagnostics: list[Diagnostic] = diagnostics or []

    @property
    def documents(self) -> list[Document]:
        return self.loaded.documents

    @property
    def texts(self) -> dict[str, str]:
        return self.loaded.texts


class Result:
    """Everything one run found and made; see the module docstring for the verdict."""

    def __init__(self, analysis: Analysis, strict: bool = False) -> None:
        self.analysis = analysis
        self.strict = strict           # settings.strict: warnings count as errors
        self.diagnostics: list[Diagnostic] = []
        self.tree: FileTree | None = None  # when rendering was asked for and possible
        self.origins: dict[str, str] = {}
        self.instance: Instance | None = None  # the resolved Instance, when the render stage ran
        self.max_pods: MaxPods | None = None
        self.renderable = True         # False: a fragment without the cluster fields
        self.fragment_problem: Diagnostic | None = None  # the NC150 that says so, when a tree was asked for

    @property
    def mode(self) -> str:
        """The mode the run used: the request's, or the one its inputs imply (``Analysis.mode``)."""
        return self.analysis.mode

    @property
    def texts(self) -> dict[str, str]:
        return self.analysis.loaded.texts

    @property
    def has_errors(self) -> bool:
        threshold = Severity.WARNING if self.strict else Severity.ERROR
        return any(d.severity >= threshold for d in self.diagnostics if d is not self.fragment_problem)

    @property
    def usage_error(self) -> bool:
        """The sources or the instance context could not be read (exit 2)."""
        return any(is_usage_error(d) for d in self.diagnostics)

    @property
    def verdict(self) -> Verdict:
        if self.has_errors:
            return Verdict.HAS_ERRORS
        return Verdict.OK if self.renderable else Verdict.CANNOT_RENDER

    @property
    def ok(self) -> bool:
        """No error finding: what `nodecfg check` passes."""
        return self.verdict is not Verdict.HAS_ERRORS

    @property
    def files(self) -> dict[str, bytes]:
        return {path: entry.data for path, entry in (self.tree or {}).items()}


def run(request: Request) -> Result:
    """The whole pipeline for one request; ``request.render=False`` skips renderers no finding can come from.

    ``request.options`` say how to read user data inside manifests and
    templates and whether to append the simulated Karpenter/EKS part
    (nodecfg/context/simulate.py); its pod capacity is the given instance type's.
    """
    from nodecfg.core.suppress import unknown_codes

    check_mode(request.mode)
    sources = list(request.sources)
    options = request.options
    if options.cluster is not None and request.instance is not None:
        # the simulated part's pod capacity is the only use of the type while reading: without cluster
        # facts the options leave it out, so a generator's loop over instance types reuses one parse
        options = options._replace(instance_type=request.instance.instance_type)
    analysis = analyse(sources, mode=request.mode, limits=request.limits, stdin=request.stdin, options=options)
    table = dict(request.instance_table) if request.instance_table else None
    instance = resolve_instance(request, analysis)
    settings = request.settings
    found = [*request.context_problems, *analysis.diagnostics]
    if instance is not None:
        from nodecfg.nodeadm.instance_table import unknown_type_problem

        unknown_type = unknown_type_problem(instance, table)
        found += [unknown_type] if unknown_type else []
    result = Result(analysis, strict=bool(settings and settings.strict))
    if analysis.documents and not _stops(found):
        for_release = _as_release_reads(analysis, sources, instance)
        plan = _render_plan(for_release, request.render)
        instance = with_figures(instance, table, rendering=plan.renders)
        found += run_rules(analysis, sources, analysis.mode, instance, table)
        result.analysis = for_release
        found += _render_stage(result, plan, instance, table)
        result.analysis = analysis
    if options.cluster is not None:
        from nodecfg.context.simulate import without_generated_mode_findings

        found = without_generated_mode_findings(found)
    found = sort_diagnostics(localise(found, analysis) + unknown_codes(analysis.loaded.texts))
    result.diagnostics = apply_settings(found, analysis.loaded.texts, settings)
    return result


def resolve_instance(request: Request, analysis: Analysis) -> Instance | None:
    """The instance context of this run, resolved once (None: the documented default, nothing to resolve).

    The context as given, on the AMI release the inputs pin (``pinned_instance``)
    or, when none was chosen, the one ``[tool.nodecfg]`` names (the language
    server's requests carry it only in their settings).  ``with_figures`` then
    completes it for the rules and the renderers.
    """
    instance = pinned_instance(analysis, request.instance)
    settings = request.settings
    if settings is not None and settings.release and (instance is None or not instance.release):
        from nodecfg.context.instance import DEFAULT_INSTANCE, with_release

        instance = with_release(instance if instance is not None else DEFAULT_INSTANCE, settings.release,
                                source="settings")
    return instance


def with_figures(instance: Instance | None, table: dict[str, InstanceTypeInfo] | None, *, rendering: bool
                 ) -> Instance:
    """The resolved instance the rules and the renderers share: the default when none, with vCPUs and memory.

    The figures not given come from the instance table (context/instance.py
    ``with_resources``) when the render stage runs, their only reader: loading
    the table would cost a cold ``check`` that renders nothing 20-50 ms.
    """
    from nodecfg.context.instance import DEFAULT_INSTANCE, with_resources

    instance = instance if instance is not None else DEFAULT_INSTANCE
    return with_resources(instance, table) if rendering else instance


def pinned_instance(analysis: Analysis, instance: Instance | None) -> Instance | None:
    """instance on the AMI release the container files pin, when none was chosen.

    An EC2NodeClass alias ``al2023@vYYYYMMDD``, a managed node group's
    ``releaseVersion`` or an AMI name ending in the tag
    (nodecfg/nodeadm/release.py ``pinned_releases``); only one release, and
    one nodecfg knows, is taken (several, or an older one: the release as chosen).  A
    release given on the command line or to the library wins over the pin; one from
    ``[tool.nodecfg]`` does not.
    """
    if (instance is not None and instance.release_source not in ("", "settings", "default")
            or not analysis.loaded.containers):
        return instance
    from nodecfg.nodeadm.release import ReleaseError, pinned_releases

    pins: dict[str, str] = {}
    for uri, text in analysis.loaded.texts.items():
        if Location.parse(uri).is_whole_file:
            for tag in pinned_releases(text):
                pins.setdefault(tag, uri)
    if len(pins) != 1:
        return instance
    from nodecfg.context.instance import DEFAULT_INSTANCE, with_release

    (tag, uri), = pins.items()
    try:
        return with_release(instance if instance is not None else DEFAULT_INSTANCE, tag, source=uri)
    except ReleaseError:
        return instance


def _as_release_reads(analysis: Analysis, sources: list[SourceSpec], instance: Instance | None) -> Analysis:
    """The analysis without the drop-in documents a release before v20251023 never reads (NC180 says so).

    When drop-ins are all there is, the analysis stays: the findings are the point.
    """
    if instance is None or not instance.release:
        return analysis
    from nodecfg.nodeadm.release import CONFIG_CHAIN, is_dropin

    if instance.profile.has(CONFIG_CHAIN):
        return analysis
    from nodecfg.linter.rules.release import dropin_directories

    directories = dropin_directories(sources)
    kept = [d for d in analysis.documents if not is_dropin(d.uri, directories)]
    if len(kept) == len(analysis.documents) or not kept:
        return analysis
    return Analysis(analysis.loaded, merge_documents(kept), analysis.mode, analysis.diagnostics)


def _stops(diagnostics: list[Diagnostic]) -> bool:
    return any(is_blocking(d) for d in diagnostics)


def run_rules(analysis: Analysis, sources: list[SourceSpec], mode: str, instance: Instance,
              extra_table: dict[str, InstanceTypeInfo] | None) -> list[Diagnostic]:
    from nodecfg.linter.rules import LintContext, check

    return check(analysis, LintContext(sources, mode, instance, extra_table))


class RenderPlan:
    """What the render stage does for an analysis: which renderers, on which config, and why.

    A plain class (read by attribute only): a NamedTuple costs a third of a millisecond to define.
    """

    __slots__ = ("target", "only", "missing", "want_tree")

    def __init__(self, target: Analysis, only: list[str] | None, missing: list[str], want_tree: bool) -> None:
        self.target = target        # the analysis, or a fragment's with stand-ins for the cluster fields
        self.only = only            # None: every renderer (a tree); else those checking a value that is set
        self.missing = missing      # the cluster fields a fragment lacks
        self.want_tree = want_tree

    @property
    def renders(self) -> bool:
        return self.only is None or bool(self.only)


def _render_plan(analysis: Analysis, want_tree: bool) -> RenderPlan:
    """All renderers for a tree, else those checking a value that is set (render.RENDERERS)."""
    from nodecfg.render import renderers_checking

    missing = missing_cluster_fields(analysis.merged.data)
    target = analysis if not missing else _with_stand_in_cluster(analysis)
    only = None if want_tree and not missing else renderers_checking(target.merged.data)
    return RenderPlan(target, only, missing, want_tree)


def _render_stage(result: Result, plan: RenderPlan, instance: Instance,
                  extra_table: dict[str, InstanceTypeInfo] | None) -> list[Diagnostic]:
    """Run the planned renderers; the findings."""
    result.renderable = not plan.missing
    found: list[Diagnostic] = []
    if plan.renders:
        rendered, result.max_pods = render_tree(plan.target, instance, extra_table, only=plan.only)
        result.instance = instance
        found += rendered.diagnostics
        if plan.only is None and not _stops(rendered.diagnostics):
            result.tree, result.origins = rendered.files, rendered.origins
    if plan.want_tree and plan.missing:
        result.fragment_problem = _fragment_problem(result.analysis, plan.missing, result.mode)
        found.append(result.fragment_problem)
    return found


def render_tree(analysis: Analysis, instance: Instance, extra_table: Mapping[str, InstanceTypeInfo] | None = None,
                only: list[str] | None = None) -> tuple[Rendered, MaxPods]:
    """Compute maxPods once and run the renderers for a resolved instance (``with_figures``): (Rendered, maxPods)."""
    from nodecfg.context.maxpods import compute_max_pods
    from nodecfg.render import RenderContext, render_all

    table = dict(extra_table) if extra_table else None
    expression = get_pointer(analysis.merged.data, "/spec/kubelet/maxPodsExpression")
    from nodecfg.nodeadm.release import MAX_PODS_EXPRESSION

    if not instance.profile.has(MAX_PODS_EXPRESSION):
        expression = None  # a field this release's nodeadm does not know (NC180)
    max_pods = compute_max_pods(instance, expression, table)
    rendered = render_all(RenderContext(analysis.merged.data, instance, max_pods), only=only)
    return rendered, max_pods


def analyse(sources: list[SourceSpec], *, mode: str = "self-managed", limits: Limits = Limits(),
            stdin=None, options: LoadOptions | None = None) -> Analysis:
    """Parse, validate and merge (the front half); never raises on bad input.

    The result is remembered for the exact source bytes (``_ANALYSES``): a
    launch-template generator compiling one NodeConfig for hundreds of
    instance types parses it once.  Nothing downstream mutates an Analysis.
    """
    options = (options or LoadOptions())._replace(mode=mode)
    key = _analysis_key(sources, mode, limits) if stdin is None else None
    key = (key, options) if key is not None else None
    if key is not None and key in _ANALYSES:
        _ANALYSES.move_to_end(key)
        return _ANALYSES[key]
    analysis = _analyse(sources, mode, limits, stdin, options)
    if key is not None:
        _ANALYSES[key] = analysis
        while len(_ANALYSES) > _ANALYSES_KEPT:
            _ANALYSES.popitem(last=False)
    return analysis


_ANALYSES: "OrderedDict[tuple, Analysis]" = OrderedDict()
_ANALYSES_KEPT = 8
_KEYED_BYTES = 256 << 10  # larger inputs are parsed every time rather than kept


def _analysis_key(sources: list[SourceSpec], mode: str, limits: Limits) -> tuple | None:
    """(mode, limits, each source as (name, bytes)) when every source is bytes or a small regular file."""
    import os

    from nodecfg.parse.files import read_source

    parts: list[tuple[str, bytes]] = []
    for index, spec in enumerate(sources):
        if isinstance(spec, bytes):
            data = spec
        else:
            path = os.fspath(spec).removeprefix("file://")
            try:
                if path == "-" or not os.path.isfile(path) or os.path.getsize(path) > _KEYED_BYTES:
                    return None
                data = read_source(path, _KEYED_BYTES + 1)  # the loader then reads it from memory
            except OSError:  # Refused among them: the loader reports it
                return None
        if len(data) > _KEYED_BYTES:
            return None
        parts.append((f"{index}:{display_name(spec, index) if isinstance(spec, bytes) else spec}", data))
    return (mode, limits, tuple(parts))


def _analyse(sources: list[SourceSpec], mode: str, limits: Limits, stdin, options: LoadOptions) -> Analysis:
    from nodecfg.validate.schema import validate_nodeconfig
    from nodecfg.validate.semantics import check_merged

    loaded = load_sources(sources, limits, stdin=stdin, options=options)
    if options.cluster is not None:  # the part Karpenter or EKS appends to user data in a container file
        from nodecfg.context.simulate import append_generated

        append_generated(loaded, options.cluster, options.instance_type)
    mode = implied_mode(loaded, mode)
    diagnostics = list(loaded.diagnostics)
    # User data of scripts alone (MIME, or a plain script Karpenter wraps) is complete where a
    # NodeConfig is added at launch: neither NC109 nor NC143 applies there.
    scripts_only = not loaded.documents and bool(loaded.scripts) and mode in FRAGMENT_MODES
    if loaded.without_nodeconfig and not scripts_only:
        from nodecfg.parse.mime import no_nodeconfig_part

        diagnostics += [no_nodeconfig_part(span) for span in loaded.without_nodeconfig]
    undecodable = []  # merged documents nodeadm refuses to decode
    for document in loaded.documents + loaded.ignored_documents:
        found = validate_nodeconfig(document)
        diagnostics.extend(found)
        if document in loaded.documents and any(is_blocking(d) for d in found):
            undecodable.append(document.uri)
    merged = merge_documents(loaded.documents)
    diagnostics.extend(merged.diagnostics)
    if options.cluster is not None:
        from nodecfg.context.simulate import discarded_values

        diagnostics.extend(discarded_values(merged))
    analysis = Analysis(loaded, merged, mode=mode)
    if not loaded.documents:
        # a container file already said what it holds (NC170, NC172); a blocking error while
        # reading (a YAML or MIME syntax error) is the reason there is no document: one root cause;
        # where EKS or Karpenter add a NodeConfig, broken MIME is the problem, not 'no config in chain'
        if not scripts_only and not loaded.containers and not _stops(diagnostics) \
                and not (mode in FRAGMENT_MODES and _mime_broken(loaded)):
            diagnostics.append(_no_documents(sources, loaded))
    else:
        diagnostics.extend(check_merged(merged.data, merged.locate, mode))
        diagnostics.extend(_left_after_discard(loaded.documents, undecodable, mode))
    from nodecfg.validate.schema import quote_where_string_expected

    found = quote_where_string_expected(localise(diagnostics, analysis))
    analysis.diagnostics = sort_diagnostics(fold_followers(found))
    return analysis


def fold_followers(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Findings that only follow from an earlier one, folded into it as related spans.

    A multipart Content-Type nodeadm cannot parse (NC105, an error) makes it read
    the whole user data as one NodeConfig (internal/configprovider/userdata.go):
    what that reading finds in the same file (a YAML error, no apiVersion, ...)
    is the same root cause, so it is shown as related information of the NC105.
    """
    causes = {d.span.uri: d for d in diagnostics if d.code == "NC105" and d.severity >= Severity.ERROR}
    if not causes:
        return diagnostics
    followers: dict[str, list[Span]] = {}
    kept = []
    for diagnostic in diagnostics:
        cause = causes.get(diagnostic.span.uri)
        if cause is not None and diagnostic is not cause and not is_usage_error(diagnostic):
            followers.setdefault(diagnostic.span.uri, []).append(diagnostic.span)
            continue
        kept.append(diagnostic)
    return [d._replace(related=(*d.related, *followers[d.span.uri]))
            if d.code == "NC105" and d.span.uri in followers and d is causes[d.span.uri] else d for d in kept]
# MIME structure errors: the multipart reader (nodeadm's, Karpenter's mime.NewArchive) stops on them
_MIME_STRUCTURE = frozenset({"NC101", "NC104", "NC105", "NC106"})


def _mime_broken(loaded: Loaded) -> bool:
    return any(d.code in _MIME_STRUCTURE and d.severity >= Severity.ERROR for d in loaded.diagnostics)


def _left_after_discard(documents: list[Document], undecodable: list[str], mode: str) -> list[Diagnostic]:
    """What nodeadm reports when it drops user data for a part it cannot decode and other sources remain.

    Its provider chain (internal/configprovider/chain.go) skips the user data and
    merges the rest; a cluster field only the user data set is then missing.
    """
    if not undecodable:
        return []  # (and a file that is not MIME does not import its reader)
    from nodecfg.nodeadm.userdata import discarded_user_data
    from nodecfg.validate.semantics import missing_after_discard

    dropped = {file_of(uri) for uri in undecodable if discarded_user_data(uri)}
    kept = [d for d in documents if file_of(d.uri) not in dropped]
    if not dropped or not kept:
        return []
    left = merge_documents(kept)
    return missing_after_discard(left.data, left.locate, mode, ", ".join(sorted(dropped)))


def implied_mode(loaded: Loaded, mode: str) -> str:
    """The mode the inputs imply (an EC2NodeClass is Karpenter's), else the one given."""
    implied = [m for m in dict.fromkeys(loaded.modes) if m != "self-managed"]
    return implied[0] if len(implied) == 1 else mode


def _no_documents(sources, loaded: Loaded) -> Diagnostic:
    from nodecfg.parse.source import display_name

    uri = display_name(sources[0], 0) if sources else "<no input>"
    message = "no NodeConfig document found; nodeadm would fail with 'no config in chain'"
    return NC143.at(Span(uri), message)


def apply_settings(found: list[Diagnostic], texts: dict[str, str], settings: RunSettings | None
                   ) -> list[Diagnostic]:
    """``# nodecfg: disable=`` comments, then ``[tool.nodecfg]``; blocking errors always stay."""
    from nodecfg.core.suppress import suppressed

    kept = [d for d in found if is_blocking(d) or not suppressed(d, texts)]
    if settings is None:
        return kept
    return settings.apply(kept, keep=is_blocking)


def localise(diagnostics: list[Diagnostic], analysis: Analysis) -> list[Diagnostic]:
    """Replace pointer spans by the span of the value that won the merge (core/positions.py)."""
    return [from_pointer(d, analysis.merged.locate, analysis.loaded.texts) for d in diagnostics]


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    unique: dict[tuple, Diagnostic] = {}
    for d in diagnostics:  # a finding found twice counts once, whichever places it relates to
        unique.setdefault((d.code, d.severity, d.span, d.message, d.hint), d)
    return sorted(unique.values(), key=lambda d: (file_of(d.span.uri), d.span.line, d.span.col, d.span.uri,
                                                  d.code))


def missing_cluster_fields(config: dict) -> list[str]:
    """The spec.cluster fields nodeadm's validation requires that the merged config lacks."""
    from nodecfg.validate.semantics import REQUIRED_CLUSTER_FIELDS

    return [name for name in REQUIRED_CLUSTER_FIELDS if not get_pointer(config, f"/spec/cluster/{name}")]


def _with_stand_in_cluster(analysis: Analysis) -> Analysis:
    data = dict(analysis.merged.data)
    spec = dict(data.get("spec") or {})
    cluster = dict(STAND_IN_CLUSTER)
    cluster.update({k: v for k, v in (spec.get("cluster") or {}).items() if v not in (None, "")})
    spec["cluster"] = cluster
    data["spec"] = spec
    return Analysis(analysis.loaded, analysis.merged.with_data(data), analysis.mode, analysis.diagnostics)


def _fragment_problem(analysis: Analysis, missing: list[str], mode: str) -> Diagnostic:
    message = (f"cannot build the node's files without spec.cluster {', '.join(missing)}: "
               f"in {mode} mode they are added at launch")
    hint = "add the cluster's NodeConfig (or a stand-in) as another source"
    return NC150.at(analysis.merged.locate("/spec/cluster"), message, hint)
