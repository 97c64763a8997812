"""Wiring of the linter: analyse, run the rules, render-stage checks, filter.

Start-up time is the budget (a pre-commit hook runs this on every commit), so
the render stage runs only for configurations where a renderer has something
to say (a containerd.config, a maxPodsExpression, instance.environment) and
only when nothing before it is an error.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field, replace
from typing import Any

from ..diagnostics import Diagnostic, Severity
from ..pipeline import Analysis, analyse, localise, sort_diagnostics
from ..source import Limits

RULE_MODULES = ("kubelet_flags", "feature_gates", "max_pods_expression", "userdata", "mode")

# Values a renderer checks; without any of them rendering finds nothing new.
RENDER_CHECKED_POINTERS = ("/spec/containerd/config", "/spec/kubelet/maxPodsExpression",
                           "/spec/instance/environment")

# Stand-ins for the cluster fields EKS or Karpenter inject at launch, so that a
# fragment can still be rendered for the renderers' checks.
STAND_IN_CLUSTER = {
    "name": "injected-at-launch",
    "apiServerEndpoint": "https://injected-at-launch.example",
    "certificateAuthority": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
    "cidr": "10.100.0.0/16",
}


@dataclass
class LintContext:
    """What the rules may know beyond the sources themselves."""

    sources: list = field(default_factory=list)
    mode: str = "self-managed"
    instance: Any = None        # nodecfg.instance.Instance; None: the documented default
    extra_table: dict | None = None

    def resolved_instance(self):
        if self.instance is None:
            from ..instance import DEFAULT_INSTANCE

            self.instance = DEFAULT_INSTANCE
        return self.instance


@dataclass
class LintResult:
    analysis: Analysis
    diagnostics: list[Diagnostic]

    @property
    def texts(self) -> dict[str, str]:
        return self.analysis.loaded.texts


def lint(sources: list, *, mode: str = "self-managed", instance=None, extra_table=None,
         limits: Limits = Limits(), settings=None, stdin=None) -> LintResult:
    """Every finding for sources, suppressed and re-levelled as configured."""
    context = LintContext(list(sources), mode, instance, extra_table)
    analysis = analyse(context.sources, mode=mode, limits=limits, stdin=stdin)
    found = list(analysis.diagnostics)
    if analysis.documents:
        found += run_rules(analysis, context)
        if not any(d.severity >= Severity.ERROR for d in found) and _worth_rendering(analysis):
            found = _drop_superseded(found + render_findings(analysis, context))
    found = sort_diagnostics(localise(found, analysis))
    return LintResult(analysis, _filtered(found, analysis, settings))


def run_rules(analysis: Analysis, context: LintContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for name in RULE_MODULES:
        module = importlib.import_module(f"{__package__}.rules.{name}")
        found.extend(module.check(analysis, context))
    return found


def _worth_rendering(analysis: Analysis) -> bool:
    from ..merge import get_pointer

    return any(get_pointer(analysis.merged.data, p) not in (None, "", {}) for p in RENDER_CHECKED_POINTERS)


def render_findings(analysis: Analysis, context: LintContext) -> list[Diagnostic]:
    """The renderers' diagnostics (containerd schema versions, maxPods, environment)."""
    from ..pipeline import render_tree

    target = analysis if context.mode == "self-managed" else _with_stand_in_cluster(analysis)
    rendered, _, _ = render_tree(target, context.resolved_instance(), context.extra_table)
    return [d for d in rendered.diagnostics if d.code != "NC150"]


def _with_stand_in_cluster(analysis: Analysis) -> Analysis:
    data = dict(analysis.merged.data)
    spec = dict(data.get("spec") or {})
    cluster = dict(STAND_IN_CLUSTER)
    cluster.update({k: v for k, v in (spec.get("cluster") or {}).items() if v not in (None, "")})
    spec["cluster"] = cluster
    data["spec"] = spec
    return replace(analysis, merged=replace(analysis.merged, data=data))


def _drop_superseded(found: list[Diagnostic]) -> list[Diagnostic]:
    """NC405 names every failing instance type; NC402 about one of them adds nothing."""
    if any(d.code == "NC405" for d in found):
        return [d for d in found if d.code != "NC402"]
    return found


def _filtered(found: list[Diagnostic], analysis: Analysis, settings) -> list[Diagnostic]:
    from .suppress import suppressed

    kept = [d for d in found if not suppressed(d, analysis.loaded.texts)]
    if settings is None:
        return kept
    return settings.apply(kept)
