"""The one catalogue of diagnostic codes: code, name, default severity, summary, stage.

Each stage module keeps its own ``CODES = {code: (Severity, summary)}`` next
to the code that emits them; this registry imports those dicts only when the
catalogue is asked for (``--list-rules``, ``nodecfg rule``, SARIF output), so
a plain ``nodecfg check`` never pays for importing every stage.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache

from ..diagnostics import Severity


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    severity: Severity
    summary: str
    stage: str


# (module that holds a CODES dict, stage), in pipeline order.
CODE_MODULES: tuple[tuple[str, str], ...] = (
    ("nodecfg.instance", "context"),
    ("nodecfg.instance_table", "context"),
    ("nodecfg.parse.wrapping", "parse"),
    ("nodecfg.parse.mime", "parse"),
    ("nodecfg.parse.shell", "parse"),
    ("nodecfg.parse.yaml", "parse"),
    ("nodecfg.merge", "merge"),
    ("nodecfg.source", "parse"),
    ("nodecfg.schema", "schema"),
    ("nodecfg.semantics", "semantics"),
    ("nodecfg.render.kubelet", "render"),
    ("nodecfg.render.kubelet_environment", "render"),
    ("nodecfg.render.containerd", "render"),
    ("nodecfg.render.system", "render"),
    ("nodecfg.pipeline", "render"),
    ("nodecfg.lint.rules.kubelet_flags", "lint"),
    ("nodecfg.lint.rules.feature_gates", "lint"),
    ("nodecfg.lint.rules.max_pods_expression", "lint"),
    ("nodecfg.lint.rules.userdata", "lint"),
    ("nodecfg.lint.rules.mode", "lint"),
    ("nodecfg.userdata", "compose"),
)

# A stable, human-readable name per code (used by SARIF and --list-rules).
NAMES: dict[str, str] = {
    "NC090": "instance-file-unreadable",
    "NC091": "instance-unknown-key",
    "NC092": "instance-bad-value",
    "NC093": "instance-table-unreadable",
    "NC094": "instance-table-bad-entry",
    "NC101": "mime-invalid",
    "NC102": "gzip-corrupt",
    "NC103": "decoded-size-limit",
    "NC104": "mime-headers-without-blank-line",
    "NC105": "mime-boundary-problem",
    "NC106": "mime-missing-closing-delimiter",
    "NC107": "mime-duplicate-header",
    "NC108": "mime-unused-content-type",
    "NC109": "mime-no-nodeconfig-part",
    "NC110": "shell-part-without-shebang",
    "NC111": "cloud-config-invalid-yaml",
    "NC112": "mime-too-many-parts",
    "NC113": "heredoc-unquoted-delimiter",
    "NC114": "heredoc-target-not-a-dropin",
    "NC115": "heredoc-unterminated",
    "NC116": "dropin-write-not-followed",
    "NC117": "userdata-over-ec2-limit",
    "NC120": "yaml-syntax",
    "NC121": "yaml-duplicate-key",
    "NC122": "yaml-1-1-ambiguous-scalar",
    "NC123": "yaml-nesting-limit",
    "NC124": "invalid-utf8",
    "NC130": "empty-value-does-not-override",
    "NC131": "outpost-false-does-not-override",
    "NC132": "containerd-config-unmergeable",
    "NC140": "source-unreadable",
    "NC141": "source-over-input-limit",
    "NC142": "extra-yaml-document-ignored",
    "NC143": "no-nodeconfig",
    "NC144": "empty-dropin-directory",
    "NC150": "fragment-cannot-render",
    "NC201": "unknown-field",
    "NC202": "wrong-type",
    "NC203": "invalid-enum-value",
    "NC204": "wrong-apiversion-or-kind",
    "NC205": "document-not-a-mapping",
    "NC210": "unknown-kubelet-config-field",
    "NC211": "invalid-kubelet-config-value",
    "NC301": "missing-cluster-field",
    "NC302": "ca-not-base64",
    "NC303": "ca-not-pem",
    "NC304": "endpoint-not-https-url",
    "NC305": "invalid-cidr",
    "NC306": "cidr-host-bits",
    "NC307": "outpost-without-id",
    "NC308": "invalid-environment-name",
    "NC309": "nameserver-not-ip",
    "NC401": "max-pods-beside-expression",
    "NC402": "max-pods-expression-fallback",
    "NC403": "cidr-unusable-for-cluster-dns",
    "NC404": "max-pods-expression-does-not-compile",
    "NC405": "max-pods-expression-fails-for-instance-types",
    "NC410": "malformed-kubelet-flag",
    "NC411": "kubelet-flag-with-whitespace",
    "NC412": "removed-kubelet-flag",
    "NC413": "flag-owned-by-nodeadm",
    "NC414": "duplicate-kubelet-flag",
    "NC415": "flag-has-config-field",
    "NC416": "restricted-node-label",
    "NC417": "malformed-node-label",
    "NC418": "malformed-taint",
    "NC420": "kubelet-flag-unclosed-quote",
    "NC421": "unknown-feature-gate",
    "NC422": "removed-feature-gate",
    "NC423": "locked-feature-gate",
    "NC424": "malformed-feature-gates-flag",
    "NC501": "containerd-config-invalid-toml",
    "NC502": "containerd-v3-on-1x",
    "NC503": "containerd-v2-on-2x",
    "NC504": "containerd-mixed-v2-v3",
    "NC530": "invalid-environment-service",
    "NC531": "environment-value-trailing-quote",
    "NC601": "script-runs-nodeadm-init",
    "NC602": "al2-bootstrap-leftover",
    "NC701": "overwritten-by-managed-nodegroup",
    "NC702": "overrides-karpenter",
    "NC406": "kubelet-flag-control-character",
    "NC160": "nodeconfig-input-without-document",
    "NC161": "userdata-merge-impossible",
    "NC162": "script-crlf-line-endings",
}


@lru_cache(maxsize=1)
def catalogue() -> dict[str, RuleInfo]:
    """code -> RuleInfo for every code any stage can emit, sorted by code."""
    entries: dict[str, RuleInfo] = {}
    for module_name, stage in CODE_MODULES:
        codes = getattr(importlib.import_module(module_name), "CODES", {})
        for code, (severity, summary) in codes.items():
            entries[code] = RuleInfo(code, name_of(code), severity, summary, stage)
    return dict(sorted(entries.items()))


def name_of(code: str) -> str:
    return NAMES.get(code, code.lower())
