"""The front half of the pipeline: sources -> documents -> validation -> merge.

Every stage returns values plus diagnostics; this module wires them and maps
spans that later stages can only express as a JSON pointer
(``Span("pointer:/spec/...")``) or as a line inside the inline containerd TOML
back to the line and column of the YAML file that set the value.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .diagnostics import Diagnostic, Severity, Span
from .document import Document
from .merge import MergedConfig, merge_documents
from .modes import MODES  # noqa: F401  (re-exported for library users)
from .source import Limits, Loaded, LoadOptions, SourceSpec, load_sources

CODES = {
    "NC150": (Severity.ERROR, "a fragment lacks the cluster fields rendering needs"),
}

POINTER_URI = "pointer:"

# Errors about things nodeadm itself does not check: it writes the files anyway
# (and the node fails later, or the value is silently dropped).  They fail
# `check` and `build`, but `compile()` still renders what nodeadm would write.
ADVISORY_ERRORS = frozenset({"NC201", "NC203", "NC211", "NC303", "NC304", "NC308", "NC309"})


@dataclass
class Analysis:
    loaded: Loaded
    merged: MergedConfig
    diagnostics: list[Diagnostic] = field(default_factory=list)
    mode: str = "self-managed"  # as given, or as the inputs imply (an EC2NodeClass: karpenter)

    @property
    def documents(self) -> list[Document]:
        return self.loaded.documents


def analyse(sources: list[SourceSpec], *, mode: str = "self-managed", limits: Limits = Limits(),
            stdin=None, options: LoadOptions | None = None) -> Analysis:
    """Parse, validate and merge; never raises on bad input."""
    from .schema import validate_nodeconfig
    from .semantics import check_merged

    options = replace(options or LoadOptions(), mode=mode)
    loaded = load_sources(sources, limits, stdin=stdin, options=options)
    mode = implied_mode(loaded, mode)
    diagnostics = list(loaded.diagnostics)
    for document in loaded.documents + loaded.ignored_documents:
        diagnostics.extend(validate_nodeconfig(document))
    merged = merge_documents(loaded.documents)
    diagnostics.extend(merged.diagnostics)
    if options.cluster is not None:
        from .simulate import discarded_values

        diagnostics.extend(discarded_values(merged))
    analysis = Analysis(loaded, merged, mode=mode)
    if not loaded.documents:
        # a container file already said what it holds (NC170, NC172)
        missing = [] if loaded.containers else [_no_documents(sources, loaded)]
        return _finish(analysis, diagnostics + missing)
    diagnostics.extend(check_merged(merged.data, merged.locate, mode))
    return _finish(analysis, diagnostics)


def implied_mode(loaded: Loaded, mode: str) -> str:
    """The mode the inputs imply (an EC2NodeClass is Karpenter's), else the one given."""
    implied = [m for m in dict.fromkeys(loaded.modes) if m != "self-managed"]
    return implied[0] if len(implied) == 1 else mode


def _no_documents(sources, loaded: Loaded) -> Diagnostic:
    from .source import CODES, display_name

    uri = display_name(sources[0], 0) if sources else "<no input>"
    message = "no NodeConfig document found; nodeadm would fail with 'no config in chain'"
    return Diagnostic("NC143", CODES["NC143"][0], Span(uri), message)


def _finish(analysis: Analysis, diagnostics: list[Diagnostic]) -> Analysis:
    analysis.diagnostics = sort_diagnostics(localise(diagnostics, analysis))
    return analysis


def localise(diagnostics: list[Diagnostic], analysis: Analysis) -> list[Diagnostic]:
    """Replace pointer spans by the span of the value that won the merge."""
    return [_localise_one(d, analysis) for d in diagnostics]


def _localise_one(diagnostic: Diagnostic, analysis: Analysis) -> Diagnostic:
    span = diagnostic.span
    if not span.uri.startswith(POINTER_URI):
        return diagnostic
    pointer = span.uri[len(POINTER_URI):]
    target = analysis.merged.locate(pointer)
    if span.line > 0 and pointer == "/spec/containerd/config":
        target = map_embedded_line(target, span.line, span.col, analysis.loaded.texts)
    return replace(diagnostic, span=target)


def map_embedded_line(value_span: Span, line: int, col: int, texts: dict[str, str]) -> Span:
    """Line/col inside a YAML block scalar (``config: |``) -> line/col of the file."""
    if value_span.end_line <= value_span.line:  # a one-line scalar: point at it
        return value_span
    text = texts.get(value_span.uri, "")
    file_line = value_span.line + line
    lines = text.splitlines()
    indent = 0
    if 0 < file_line <= len(lines):
        content = lines[file_line - 1]
        indent = len(content) - len(content.lstrip(" "))
    return Span(value_span.uri, file_line, indent + col, file_line, indent + col)


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    unique = list(dict.fromkeys(diagnostics))
    return sorted(unique, key=lambda d: (d.span.uri.split("#")[0], d.span.line, d.span.col, d.span.uri, d.code))


def blocks_rendering(diagnostics: list[Diagnostic]) -> bool:
    """True when nodeadm would stop before writing files (decode or validation failure)."""
    return any(d.severity >= Severity.ERROR and d.code not in ADVISORY_ERRORS for d in diagnostics)


def render_tree(analysis: Analysis, instance, extra_table=None):
    """Resolve the instance, compute maxPods once, and run every renderer."""
    from .instance import with_resources
    from .maxpods import compute_max_pods
    from .merge import get_pointer
    from .render import RenderContext, render_all

    instance = with_resources(instance, extra_table)
    fragment = _fragment_problem(analysis)
    if fragment:
        from .render import Rendered

        return Rendered(diagnostics=[fragment]), instance, None
    expression = get_pointer(analysis.merged.data, "/spec/kubelet/maxPodsExpression")
    max_pods = compute_max_pods(instance, expression, extra_table)
    rendered = render_all(RenderContext(analysis.merged.data, instance, max_pods))
    rendered.diagnostics = sort_diagnostics(localise(rendered.diagnostics, analysis))
    return rendered, instance, max_pods


REQUIRED_CLUSTER_FIELDS = ("name", "apiServerEndpoint", "certificateAuthority", "cidr")


def _fragment_problem(analysis: Analysis) -> Diagnostic | None:
    """A fragment (managed node group / Karpenter user data) lacks what rendering needs."""
    from .merge import get_pointer

    missing = [f for f in REQUIRED_CLUSTER_FIELDS if not get_pointer(analysis.merged.data, f"/spec/cluster/{f}")]
    if not missing:
        return None
    message = (f"cannot build the node's files without spec.cluster {', '.join(missing)}: "
               "in managed-nodegroup and karpenter modes they are injected at launch")
    hint = "add the injected cluster NodeConfig (or a stand-in) as another source"
    return Diagnostic("NC150", CODES["NC150"][0], analysis.merged.locate("/spec/cluster"), message, hint)
