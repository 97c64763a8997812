"""Merge NodeConfig documents exactly as nodeadm does, keeping provenance.

nodeadm folds documents left to right with ``mergo.Merge(dst, src,
mergo.WithOverride)`` plus three transformers (internal/api/merge.go).  What
that means for each field, and why, is spelled out in docs/merge.md; in short:

* typed scalars and lists (cluster.name, network.nameservers, ...): a later
  *non-empty* value wins; an empty string, false or empty list is ignored;
* ``cluster.enableOutpost`` is a *bool pointer: a later ``false`` does not
  override an earlier ``true`` (mergo merges through the pointer);
* maps (featureGates, instance.environment): key by key, later always wins,
  empty values included;
* ``kubelet.flags``: appended;
* ``kubelet.config`` and ``containerd.baseRuntimeSpec``: JSON deep merge in
  which nested maps merge and anything else (empty values and lists too) is
  replaced;
* ``containerd.config``: the TOML strings are parsed, deep-merged the same
  way, and serialised again.
"""
from __future__ import annotations

import copy
from typing import Any, Callable

from nodecfg.core.codes import CATALOGUE, NC132
from nodecfg.core.diagnostics import Diagnostic, Span
from nodecfg.core.document import Document, get_pointer, join_pointer, split_pointer  # noqa: F401  (get_pointer re-exported)

SCALAR, OUTPOST, LIST, APPEND, INLINE, TOML, BOOL_MAP, ENV_MAP = (
    "scalar", "outpost", "list", "append", "inline", "toml", "bool-map", "env-map")

# Every typed leaf of NodeConfigSpec that nodeadm merges, in Go declaration order.
FIELDS: dict[str, str] = {
    "/spec/cluster/name": SCALAR,
    "/spec/cluster/apiServerEndpoint": SCALAR,
    "/spec/cluster/certificateAuthority": SCALAR,
    "/spec/cluster/cidr": SCALAR,
    "/spec/cluster/enableOutpost": OUTPOST,
    "/spec/cluster/id": SCALAR,
    "/spec/containerd/config": TOML,
    "/spec/containerd/baseRuntimeSpec": INLINE,
    "/spec/instance/localStorage/strategy": SCALAR,
    "/spec/instance/localStorage/mountPath": SCALAR,
    "/spec/instance/localStorage/disabledMounts": LIST,
    "/spec/instance/environment": ENV_MAP,
    "/spec/instance/network/nameservers": LIST,
    "/spec/instance/network/domains": LIST,
    "/spec/kubelet/config": INLINE,
    "/spec/kubelet/flags": APPEND,
    "/spec/kubelet/maxPodsExpression": SCALAR,
    "/spec/featureGates": BOOL_MAP,
}



def _by_parent(fields: dict[str, str]) -> tuple[tuple[tuple[str, ...], tuple[tuple[str, str, str], ...]], ...]:
    """FIELDS as runs of siblings: (parent's tokens, ((key, pointer, merging method), ...)), in FIELDS order.

    A document sets few of the fields: one absent section skips all of its
    fields at once, where asking get_pointer for each walked the path again.
    """
    groups: list[tuple[tuple[str, ...], list[tuple[str, str, str]]]] = []
    for pointer, kind in fields.items():
        *parent, key = split_pointer(pointer)
        if not groups or groups[-1][0] != tuple(parent):
            groups.append((tuple(parent), []))
        groups[-1][1].append((key, pointer, "_merge_" + kind.replace("-", "_")))
    return tuple((parent, tuple(run)) for parent, run in groups)


_FIELD_RUNS = _by_parent(FIELDS)

_EXPECTED_TYPES = {
    SCALAR: (str,), OUTPOST: (bool,), LIST: (list,), APPEND: (list,),
    INLINE: (dict,), TOML: (str,), BOOL_MAP: (dict,), ENV_MAP: (dict,),
}

Provenance = dict[str, list[Span]]


class MergedConfig:
    """The merged NodeConfig as plain data, and who set each leaf."""

    def __init__(self, data: dict[str, Any], provenance: Provenance, diagnostics: list[Diagnostic],
                 documents: list[Document]) -> None:
        self.data = data
        self.provenance = provenance
        self.diagnostics = diagnostics
        self.documents = documents

    def with_data(self, data: dict[str, Any]) -> "MergedConfig":
        return MergedConfig(data, self.provenance, self.diagnostics, self.documents)

    def locate(self, pointer: str) -> Span:
        """Span of the value that won for pointer; for a missing value, the key of
        its nearest ancestor in the last document that has it."""
        if pointer in self.provenance:
            return self.provenance[pointer][-1]
        below = pointer + "/"
        descendants = [p for p in self.provenance if p.startswith(below)]
        if descendants:
            return self.provenance[min(descendants)][-1]
        probe = pointer
        while probe:
            probe = probe.rsplit("/", 1)[0]
            for document in reversed(self.documents):
                if probe in document.key_positions:
                    return document.key_positions[probe]
        if self.documents:
            return self.documents[0].span_of("")
        return Span("<no input>")


def _set_pointer(data: dict, pointer: str, value: Any) -> None:
    tokens = split_pointer(pointer)
    node = data
    for token in tokens[:-1]:
        node = node.setdefault(token, {})
    node[tokens[-1]] = value


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value is False or value == [] or value == {}


def merge_json(dst: Any, src: Any, pointer: str, setters: Provenance, span_of: Callable[[str], Span]) -> Any:
    """mergo.WithOverride over decoded JSON: non-empty maps merge, the rest is replaced."""
    if isinstance(dst, dict) and isinstance(src, dict) and dst:
        merged = dict(dst)
        for key, value in src.items():
            child = join_pointer(pointer, key)
            merged[key] = merge_json(merged.get(key), value, child, setters, span_of)
        return merged
    _forget(setters, pointer, dst)
    _record_leaves(src, pointer, setters, span_of)
    return copy.deepcopy(src)


def _forget(setters: Provenance, pointer: str, replaced: Any) -> None:
    """Drop the provenance of everything below pointer, whose value was ``replaced``.

    Setters below a pointer are only ever recorded for paths of the value held
    there, so walking that value finds them all in time proportional to its
    size, not to the number of setters (a scan made merging large maps quadratic).
    """
    stack = [(pointer, replaced)]
    while stack:
        parent, value = stack.pop()
        if not isinstance(value, dict):
            continue
        for key, child in value.items():
            path = join_pointer(parent, key)
            setters.pop(path, None)
            stack.append((path, child))


def _record_leaves(value: Any, pointer: str, setters: Provenance, span_of: Callable[[str], Span]) -> None:
    if isinstance(value, dict) and value:
        setters.pop(pointer, None)
        for key, child in value.items():
            _record_leaves(child, join_pointer(pointer, key), setters, span_of)
    else:
        setters.setdefault(pointer, []).append(span_of(pointer))


class _Merger:
    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.provenance: Provenance = {}
        self.diagnostics: list[Diagnostic] = []

    def add(self, doc: Document) -> None:
        if not isinstance(doc.data, dict):
            return
        for key in ("apiVersion", "kind"):
            if key not in self.data and isinstance(doc.data.get(key), str):
                self.data[key] = doc.data[key]
        for parent, run in _FIELD_RUNS:
            section = _section(doc.data, parent)
            if section is None:
                continue
            for key, pointer, method in run:
                value = section.get(key)
                if value is None or not isinstance(value, _EXPECTED_TYPES[FIELDS[pointer]]):
                    continue  # absent, or a type error already reported by the schema stage
                getattr(self, method)(pointer, value, doc)

    def _report(self, code: str, doc: Document, pointer: str, message: str) -> None:
        earlier = self.provenance.get(pointer, [None])[-1]
        hint = f"the value set at {earlier} stays" if earlier else ""
        self.diagnostics.append(Diagnostic(code, CATALOGUE[code].severity, doc.span_of(pointer), message, hint))

    def _merge_scalar(self, pointer: str, value: Any, doc: Document) -> None:
        current = get_pointer(self.data, pointer)
        if _is_empty(value):
            if not _is_empty(current):
                self._report("NC130", doc, pointer, f"the empty value for {pointer[6:]} is ignored by nodeadm's merge")
            return
        _set_pointer(self.data, pointer, value)
        self.provenance.setdefault(pointer, []).append(doc.span_of(pointer))

    _merge_list = _merge_scalar

    def _merge_outpost(self, pointer: str, value: bool, doc: Document) -> None:
        current = get_pointer(self.data, pointer)
        if current is True and value is False:
            self._report("NC131", doc, pointer, "enableOutpost: false does not turn off an earlier true")
            return
        if current is None or value:
            _set_pointer(self.data, pointer, value)
            self.provenance.setdefault(pointer, []).append(doc.span_of(pointer))

    def _merge_append(self, pointer: str, value: list, doc: Document) -> None:
        current = get_pointer(self.data, pointer) or []
        for offset, item in enumerate(value):
            item_pointer = join_pointer(pointer, len(current) + offset)
            self.provenance[item_pointer] = [doc.span_of(join_pointer(pointer, offset))]
        if current or value:
            _set_pointer(self.data, pointer, current + list(value))

    def _merge_inline(self, pointer: str, value: dict, doc: Document) -> None:
        current = get_pointer(self.data, pointer)
        if not value and current:
            return
        merged = merge_json(current if current else None, value, pointer, self.provenance, doc.span_of)
        _set_pointer(self.data, pointer, merged)

    def _merge_toml(self, pointer: str, value: str, doc: Document) -> None:
        current = get_pointer(self.data, pointer)
        if not value:
            return
        if current:
            from nodecfg.merge.toml import merge_toml

            try:
                value = merge_toml(current, value)
            except ValueError as error:
                self.diagnostics.append(NC132.at(doc.span_of(pointer), str(error)))
                return
        _set_pointer(self.data, pointer, value)
        self.provenance.setdefault(pointer, []).append(doc.span_of(pointer))

    def _merge_bool_map(self, pointer: str, value: dict, doc: Document) -> None:
        merged = dict(get_pointer(self.data, pointer) or {})
        for key, flag in value.items():
            merged[key] = flag
            child = join_pointer(pointer, key)
            self.provenance.setdefault(child, []).append(doc.span_of(child))
        if merged:
            _set_pointer(self.data, pointer, merged)

    def _merge_env_map(self, pointer: str, value: dict, doc: Document) -> None:
        merged = {service: dict(env) for service, env in (get_pointer(self.data, pointer) or {}).items()}
        for service, env in value.items():
            service_pointer = join_pointer(pointer, service)
            if env is None:  # a null map replaces (clears) the service's variables
                _forget(self.provenance, service_pointer, merged.get(service))
                merged[service] = {}
                continue
            if not isinstance(env, dict):
                continue
            target = merged.setdefault(service, {})
            for name, text in env.items():
                target[name] = text
                child = join_pointer(service_pointer, name)
                self.provenance.setdefault(child, []).append(doc.span_of(child))
        if merged:
            _set_pointer(self.data, pointer, merged)


def _section(data: dict, tokens: tuple[str, ...]) -> dict | None:
    """The mapping at the path of tokens, or None: get_pointer's walk for names a typed key (``1:``,
    ``true:``) cannot stand for, as none of FIELDS' can."""
    node: Any = data
    for token in tokens:
        node = node.get(token)
        if not isinstance(node, dict):
            return None
    return node


SPEC_ORDER = ("cluster", "containerd", "instance", "kubelet", "featureGates")


def _ordered(data: dict) -> dict:
    spec = data.get("spec", {})
    ordered_spec = {key: spec[key] for key in SPEC_ORDER if key in spec}
    result = {"apiVersion": data.get("apiVersion", "node.eks.aws/v1alpha1"), "kind": "NodeConfig"}
    result["spec"] = ordered_spec
    return result


def merge_documents(documents: list[Document]) -> MergedConfig:
    """Fold documents left to right with nodeadm's rules."""
    merger = _Merger()
    for doc in documents:
        merger.add(doc)
    return MergedConfig(_ordered(merger.data), merger.provenance, merger.diagnostics, list(documents))
