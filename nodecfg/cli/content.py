"""What a file holds, judged by its content: node configuration of some kind, or something else.

`nodecfg check --only-node-config` (the pre-commit hooks' entry) lints a file
only when it holds node configuration, so that a hook whose file pattern is
broad enough for real layouts (user data with any extension, Helm output)
passes a generator script, a Markdown page or a Helm values file untouched.

The kinds: ``nodeconfig`` (a NodeConfig document, even one with a YAML
syntax error or a misspelt apiVersion: those are findings, not a reason to
skip), ``userdata`` (MIME multipart, or base64/gzip-wrapped user data), and
the groups of the container kinds registered in nodecfg/parse/containers/.
"""
from __future__ import annotations

from nodecfg.core.lazy_re import LazyPattern

# Karpenter's test for MIME user data (pkg/providers/amifamily/bootstrap/nodeadm.go, parseUserData):
# the trimmed text starts with one of these headers.
_MIME_START = LazyPattern(rb"(?i)(MIME-Version|Content-Type)[ \t]*:")
# A NodeConfig the YAML reader cannot parse still starts like one: its first key line is
# apiVersion/kind/spec (in JSON too), and it names the NodeConfig API (a Markdown page or a script does not).
_NODECONFIG_KEY = LazyPattern(r"\{?\s*[\"']?(apiVersion|kind|spec)[\"']?\s*:")
_NODECONFIG_NAMES = LazyPattern(r"node\.eks\.aws|NodeConfig")

SNIFF_BYTES = 1 << 20  # the default --max-input-bytes: a larger file is linted (and refused) anyway


def kind_groups() -> dict[str, tuple[str, ...]]:
    """The kinds ``--only-node-config`` names -> the content kinds each selects."""
    from nodecfg.parse.containers import groups

    return {"nodeconfig": ("nodeconfig",), "userdata": ("userdata",), **groups()}


def kinds_from(value: str) -> frozenset[str]:
    """The content kinds a comma-separated ``--only-node-config`` value names (ValueError for others)."""
    groups = kind_groups()
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in groups and name != "all"]
    if unknown or not names:
        raise ValueError(f"unknown kind {', '.join(unknown) or repr(value)}; choose from all, "
                         + ", ".join(groups))
    if "all" in names:
        names = list(groups)
    return frozenset(kind for name in names for kind in groups[name])


def content_kind(data: bytes, uri: str) -> str | None:
    """The kind of node configuration ``data`` holds, or None when it holds none."""
    from nodecfg.parse.wrapping import UnwrapError, decode_if_base64, gunzip_limited, is_gzip

    try:
        if is_gzip(data):
            return "userdata" if content_kind(gunzip_limited(data, SNIFF_BYTES), uri) else None
        decoded = decode_if_base64(data, SNIFF_BYTES)
    except UnwrapError:
        return "userdata"  # wrapped user data nodeadm cannot unwrap: `check` reports why
    if decoded is not None:
        return "userdata" if content_kind(decoded, uri) else None
    if _MIME_START.match(data.lstrip()):
        return "userdata"
    from nodecfg.parse.containers import maybe_container

    if maybe_container(data):
        from nodecfg.core.diagnostics import has_errors
        from nodecfg.parse.containers.reading import extract

        container = extract(data, uri)
        if container is not None:
            # a manifest or template holding no user data (a stack of S3 buckets, an EC2NodeClass
            # without userData) is not node configuration; one whose user data is broken is
            holds = container.units or has_errors(container.diagnostics)
            return container.kind if container.kind != "unknown" and holds else None
    return _yaml_kind(data, uri)


def _yaml_kind(data: bytes, uri: str) -> str | None:
    from nodecfg.parse.containers.reading import is_nodeconfig_like
    from nodecfg.parse.yaml import decode_text, parse_yaml_documents

    text, _ = decode_text(data, uri)
    if text is None:
        return None
    documents, problems = parse_yaml_documents(text, uri)
    if any(problem.code == "NC120" for problem in problems):
        looks_like = _starts_like_nodeconfig(text) and _NODECONFIG_NAMES.search(text)
        return "nodeconfig" if looks_like else None
    first = documents[0] if documents else None
    return "nodeconfig" if first is not None and isinstance(first.data, dict) and first.data \
        and is_nodeconfig_like(first) else None


def _starts_like_nodeconfig(text: str) -> bool:
    """Whether the first line that is not blank, a comment, a document marker or a lone '{' opens a NodeConfig key."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "---")) or stripped == "{":
            continue
        return _NODECONFIG_KEY.match(stripped) is not None
    return False


def file_kind(path: str) -> str | None:
    """content_kind of a file's first MiB; a file that cannot be read counts as node configuration.

    An unreadable file is not skipped: `check` reports why it cannot read it.
    """
    from nodecfg.parse.files import read_source  # contained, non-blocking: a FIFO does not hang

    try:
        data = read_source(path, SNIFF_BYTES + 1)
    except OSError:
        return "nodeconfig"
    return content_kind(data, path) if len(data) <= SNIFF_BYTES else "nodeconfig"
