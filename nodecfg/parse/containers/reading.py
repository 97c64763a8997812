"""Reading a container file: which registered kind it is, and the user data it holds.

``extract`` parses a YAML or JSON file once and asks the kinds of the
registry (nodecfg/parse/containers/__init__.py), in order, whether the
documents are theirs (``detect``); the first reads them (``read``) into a
``Container`` with one ``Unit`` per user data.  Each unit has a
``TextMap`` (positions.py) that maps a line and column of the user data text
back to the containing file.  User data that is base64 in the file (launch
template API output, Terraform) keeps the existing convention: its spans
number lines of the decoded text and their uri names the layer
(``lt.json#version=1#base64``).  A file no kind claims is a NodeConfig when
its documents look like one, else one NC170 finding.
"""
from __future__ import annotations

import importlib
import re
from typing import Any

from nodecfg.core import locations
from nodecfg.core.codes import NC170, NC172, NC175
from nodecfg.core.diagnostics import Diagnostic, Severity, Span
from nodecfg.core.document import Document
from nodecfg.parse import containers as registry
from nodecfg.parse.containers.positions import LineIndex, TextMap


class Unit:
    """One user data found in a container."""

    __slots__ = ("uri", "data", "text_map", "anchor", "mode", "kind", "karpenter")

    def __init__(self, uri: str, data: bytes, text_map: TextMap | None, anchor: Span, mode: str, kind: str,
                 karpenter: dict | None = None) -> None:
        self.uri = uri                # e.g. "nodeclass.yaml#EC2NodeClass=default"
        self.data = data              # the user data as the instance gets it, or its base64 text
        self.text_map = text_map      # None: base64 in the file; spans stay lines of the decoded text
        self.anchor = anchor          # where the value starts in the file
        self.mode = mode              # who completes the configuration
        self.kind = kind
        self.karpenter = karpenter    # {"name", "spec", "nodepools": [...]} of an EC2NodeClass


class Container:
    """What a file of a container kind holds: its user data, and findings on the file itself."""

    __slots__ = ("kind", "units", "diagnostics")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.units: list[Unit] = []
        self.diagnostics: list[Diagnostic] = []


class ContainerFile:
    """One parsed YAML or JSON file, as the kinds' ``detect`` and ``read`` see it."""

    def __init__(self, text: str, uri: str, documents: list[Document], params: dict[str, str]) -> None:
        self.text = text
        self.lines = LineIndex(text)  # every position in the file goes through this one index
        self.uri = uri
        self.documents = documents
        self.first = documents[0].data  # a mapping: only then is a file asked about
        self.params = params          # --param NAME=VALUE


def extract(data: bytes, uri: str, params: dict[str, str] | None = None) -> Container | None:
    """The container in ``data``, or None when it is not one (plain NodeConfig, user data).

    ``check`` counts the user data of every file first (parse/discover.py), then
    lints each user data in a run of its own, so the same file is asked for more
    than once: it is read once, and the runs share the result, which nothing changes.
    """
    key = (bytes(data), uri, tuple(sorted((params or {}).items())), registry.generation())
    if key in _EXTRACTED:
        _EXTRACTED[key] = container = _EXTRACTED.pop(key)  # now the newest
        return container
    container = _EXTRACTED[key] = _extract(*key)
    held = sum(len(data) for data, *_ in _EXTRACTED)
    while len(_EXTRACTED) > 1 and (held > _HELD_BYTES or len(_EXTRACTED) > _HELD_FILES):
        oldest = next(iter(_EXTRACTED))  # the least recently asked for
        held -= len(oldest[0])
        del _EXTRACTED[oldest]
    return container


# The containers read lately, the least recently asked for first: enough for the files of a run of
# `check --each` (all counted before the first is linted), bounded by their number and size.
_EXTRACTED: dict[tuple, "Container | None"] = {}
_HELD_FILES = 256
_HELD_BYTES = 8 << 20


def _extract(data: bytes, uri: str, params: tuple[tuple[str, str], ...], generation: int) -> Container | None:
    from nodecfg.parse.yaml import decode_text, parse_yaml_documents

    text, problems = decode_text(data, uri)
    if text is None:
        return None
    documents, diagnostics = parse_yaml_documents(text, uri)
    if not documents or any(d.code == "NC120" for d in diagnostics):
        return None
    container = _read(ContainerFile(text, uri, documents, dict(params)))
    if container is not None:
        container.diagnostics[:0] = [d for d in diagnostics if d.severity >= Severity.ERROR]
    return container


def _read(file: ContainerFile) -> Container | None:
    if not isinstance(file.first, dict):
        return None
    for kind in registry.registered():
        module = importlib.import_module(kind.module)
        if module.detect(file):
            return module.read(file)
    if all(is_nodeconfig_like(d) for d in file.documents):
        return None
    return _unknown(file)


def _unknown(file: ContainerFile) -> Container:
    document = next(d for d in file.documents if not is_nodeconfig_like(d))
    data = document.data
    what = f"kind '{data.get('kind')}' ({data.get('apiVersion')})" if data.get("kind") else \
        "a YAML/JSON document that is not a NodeConfig"
    message = (f"{file.uri} holds {what}; nodecfg reads NodeConfig documents, MIME user data, "
               f"and user data inside: {'; '.join(registry.titles())}")
    container = Container("unknown")
    container.diagnostics.append(NC170.at(document.span_of(""), message,
                                          "see `nodecfg check --help` for the recognised kinds"))
    return container


def get(data: Any, *path: str) -> Any:
    """The value at a path of mapping keys, or None where one is missing or not a mapping."""
    for token in path:
        if not isinstance(data, dict):
            return None
        data = data.get(token)
    return data


def is_nodeconfig_like(document: Document) -> bool:
    data = document.data
    if not isinstance(data, dict):
        return True
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if isinstance(api_version, str) and "node.eks.aws" in api_version:
        return True
    if isinstance(kind, str) and _similar(kind.lower(), "nodeconfig"):
        return True
    return kind is None and api_version is None and "spec" in data


def _similar(a: str, b: str) -> bool:
    """Within two edits: a typo of the kind is reported by the schema, not as another kind."""
    if abs(len(a) - len(b)) > 2:
        return False
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1] <= 2


def is_base64(value: str) -> bool:
    from nodecfg.parse.wrapping import decode_if_base64

    return decode_if_base64(value.encode(), len(value)) is not None  # decoded data is never longer


def base64_unit(document: Document, pointer: str, value: Any, unit_uri: str, mode: str,
                container: Container) -> None:
    """The base64 user data of a launch template (EC2 API RequestLaunchTemplateData.UserData) as a unit."""
    span = document.span_of(pointer)
    if value in (None, ""):
        container.diagnostics.append(NC172.at(span, f"{locations.fragment_of(unit_uri)} has no user data"))
        return
    if not isinstance(value, str) or not is_base64(value):
        container.diagnostics.append(NC175.at(
            span,
            "launch template user data must be base64; EC2 refuses this value"))
        return
    container.units.append(Unit(unit_uri, value.encode(), None, span, mode, container.kind))


def unit_count(data: bytes, uri: str) -> int:
    """How many user data a file holds (1 for anything that is not a container)."""
    if not registry.maybe_container(data):
        return 1
    container = extract(data, uri)
    return max(1, len(container.units)) if container is not None else 1


def recognised(data: bytes, uri: str) -> bool:
    """Whether a file found below a directory is something nodecfg lints (by content, not name)."""
    from nodecfg.parse.wrapping import decode_if_base64, is_gzip
    from nodecfg.parse.yaml import decode_text, parse_yaml_documents

    if is_gzip(data) or b"content-type" in data[:65536].lower():
        return True
    if decode_if_base64(data, len(data)) is not None:
        return True
    if registry.maybe_container(data):
        container = extract(data, uri)
        if container is not None:
            return container.kind != "unknown"
    text, _ = decode_text(data, uri)
    if text is None:
        return False
    documents, diagnostics = parse_yaml_documents(text, uri)
    if not documents:
        return _broken_node_configuration(text, uri, diagnostics)
    first = documents[0]
    return isinstance(first.data, dict) and is_nodeconfig_like(first) and bool(first.data)


def _names_node_configuration() -> re.Pattern:
    """The apiVersion or kind of a NodeConfig or a manifest kind, as a YAML key or a JSON member."""
    groups, kinds = registry.manifest_names()
    group = "|".join(re.escape(name) for name in ("node.eks.aws", *groups))
    kind = "|".join(re.escape(name) for name in ("NodeConfig", *kinds))
    return re.compile(rf"""(?:^|[{{,])\s*["']?(?:apiVersion["']?\s*:\s*["']?(?:{group})/"""
                      rf"""|kind["']?\s*:\s*["']?(?:{kind})\b)""", re.MULTILINE)


def _broken_node_configuration(text: str, uri: str, diagnostics: list[Diagnostic]) -> bool:
    """A YAML or JSON file that does not parse (NC120) or passes a parser limit (NC123) but names a
    NodeConfig or a manifest kind (an EC2NodeClass): that finding is worth reporting (the language
    server on open, ``check DIR``).  Other files (a script quoting a NodeConfig in a string) are left alone."""
    named_yaml = uri.lower().endswith((".yaml", ".yml", ".json")) or uri.startswith("<")
    return named_yaml and any(d.code in ("NC120", "NC123") for d in diagnostics) \
        and _names_node_configuration().search(text[:65536]) is not None
