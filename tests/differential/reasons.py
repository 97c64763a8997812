"""Why nodeadm refused a config, and which nodecfg findings name the same reason.

Each entry: a pattern of nodeadm's output (its zap error and the error it
returns from ``init``) and the nodecfg codes that report that reason.  The
table in docs/conformance.md ("Failure parity") is this list.
"""
from __future__ import annotations

import re

REASONS: list[tuple[str, str, frozenset[str]]] = [
    ("schema v3 containerd config on containerd 1.x",
     r"containerd 1\.\* doesn't support containerd configuration V3", frozenset({"NC502"})),
    ("containerd.config is not TOML", r'"error": ?"toml: ', frozenset({"NC501"})),
    ("a required cluster field is missing",
     r"(Name|Apiserver endpoint|Certificate authority|CIDR) is missing in cluster configuration",
     frozenset({"NC301"})),
    ("enableOutpost without cluster id", r"cluster ID must be provided for outposts", frozenset({"NC307"})),
    ("unknown kind or apiVersion", r'no kind \\?"[^"\\]*\\?" is registered for version', frozenset({"NC204"})),
    ("a field of the wrong type", r"cannot unmarshal \S+ into Go (struct field|value)", frozenset({"NC202"})),
    ("cluster.cidr is not a CIDR", r"is not a valid IP Address\. error: invalid CIDR address",
     frozenset({"NC305"})),
    ("MIME multipart without its closing delimiter", r'(failed: |"error": ?")unexpected EOF', frozenset({"NC106"})),
    ("MIME parts do not use the header's boundary", r"multipart: NextPart: EOF", frozenset({"NC105"})),
    ("YAML syntax error", r'(failed to decode node config, |"error": ?")(yaml: |error converting YAML to JSON)',
     frozenset({"NC120"})),
]


# Reasons older releases word differently: (label, pattern, codes, the first release without it).
# Before v20260107 (379c4c59) enableOutpost without cluster.id failed with the CIDR message.
EARLIER_REASONS: list[tuple[str, str, frozenset[str], str]] = [
    ("enableOutpost without cluster id", r"CIDR is missing in cluster configuration",
     frozenset({"NC301", "NC307"}), "v20260107"),
]


def expected_codes(output: str, release: str | None = None) -> frozenset[str] | None:
    """The codes that would name nodeadm's reason (on ``release``), or None for a reason not listed.

    Before v20251217 nodeadm logs JSON (``"error":"..."``), after it console
    lines (``"error": "..."``); before v20251023 a source's error is not
    wrapped in ``config provider at index N failed:``.
    """
    for _label, pattern, codes, until in EARLIER_REASONS:
        if release is not None and release < until and re.search(pattern, output):
            return codes
    for _label, pattern, codes in REASONS:
        if re.search(pattern, output):
            return codes
    return None
