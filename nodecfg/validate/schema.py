"""Structural validation of NodeConfig documents against the packaged schemas.

Turns schema violations into diagnostics that point at the offending key or
value.  nodeadm's decoder drops unknown fields silently, so a typo such as
``cidrr`` would only surface later as "CIDR is missing"; here it is NC201
with a did-you-mean.  Inside ``spec.kubelet.config`` unknown fields are a
warning: nodeadm copies them into the kubelet's drop-in file, and the kubelet
decodes drop-ins leniently (it ignores unknown fields and even matches names
case-insensitively), while a wrong type makes the kubelet fail to start.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any, Iterable, Sequence

from nodecfg.core.codes import CATALOGUE, NC203, NC204, NC205, NC211
from nodecfg.core.diagnostics import Diagnostic, Edit, Severity
from nodecfg.core.lazy_re import LazyPattern
from nodecfg.core.document import MISSING, Document, get_pointer, join_pointer, split_pointer
from nodecfg.validate.schemas import KUBELET_CONFIG, NODECONFIG, load_schema
from nodecfg.validate.schemas import subset
from nodecfg.validate.schemas.subset import Violation, json_type_of

KUBELET_CONFIG_POINTER = "/spec/kubelet/config"
API_VERSION = "node.eks.aws/v1alpha1"
KIND = "NodeConfig"

_TYPE_WORDS = {
    "object": "mapping",
    "array": "list",
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "null": "null",
    "unknown": "value",
}


_TYPE_META = ("apiVersion", "kind")
_TYPE_KEYS = ("apiversion", "kind")


def validate_nodeconfig(doc: Document) -> list[Diagnostic]:
    """All structural problems of one NodeConfig document, in source order."""
    if not isinstance(doc.data, dict):
        return [_not_a_mapping(doc)]
    data, read_from = _as_type_meta_is_read(doc.data)
    found = [
        _nodeconfig_diagnostic(doc, violation, read_from)
        for violation in subset.iter_violations(load_schema(NODECONFIG), data)
    ]
    if get_pointer(doc.data, KUBELET_CONFIG_POINTER, MISSING) is not MISSING:
        found.extend(validate_kubelet_config(doc))
    return _in_source_order(found)


def _as_type_meta_is_read(data: dict) -> tuple[dict, dict[str, str]]:
    """data with apiVersion and kind under the keys nodeadm finds them by, and where each was read.

    nodeadm takes the type from apimachinery's ``SimpleMetaFactory.Interpret``
    (vendor/k8s.io/apimachinery/pkg/runtime/serializer/json/meta.go), which
    reads the YAML converted to JSON, keys sorted, with encoding/json: keys
    match a field name ignoring case, so ``APIVersion:`` and ``KIND:`` name
    the type as ``apiVersion:`` and ``kind:`` do.  Of several such keys the
    last in byte order that is not null wins, and one whose value is not a
    string stops the decoding.  (The object itself is then decoded
    case-sensitively and non-strictly, where such a key is dropped: nothing of
    the user's is lost.)
    """
    read_from: dict[str, str] = {}
    view = data
    if not any(isinstance(key, str) and key.lower() in _TYPE_KEYS and key not in _TYPE_META for key in data):
        return view, read_from  # the usual document: each named as written, or not at all
    for name in _TYPE_META:
        keys = sorted(key for key in view if isinstance(key, str) and key.lower() == name.lower())
        if not keys or keys == [name]:
            continue
        wrong = [key for key in keys if view[key] is not None and not isinstance(view[key], str)]
        given = [key for key in keys if view[key] is not None]
        key = wrong[0] if wrong else given[-1] if given else keys[-1]
        value = view[key]
        view = {other: item for other, item in view.items() if other not in keys}
        view[name] = value
        read_from["/" + name] = join_pointer("", key)
    return view, read_from


def validate_kubelet_config(
    doc: Document, base_pointer: str = KUBELET_CONFIG_POINTER
) -> list[Diagnostic]:
    """Problems of the KubeletConfiguration found at ``base_pointer`` in ``doc``."""
    config = get_pointer(doc.data, base_pointer, MISSING)
    if config is MISSING:
        return []
    violations = subset.iter_violations(load_schema(KUBELET_CONFIG), config, base_pointer)
    return _in_source_order(_kubelet_diagnostic(doc, v, base_pointer) for v in violations)


def quote_where_string_expected(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """NC122's fix, where the schema wants a string at the value (NC202/NC211 there): quote it.

    The YAML reader cannot know what the schema expects; its fix writes the value as
    nodeadm reads it, and keeps the raw text it replaces (``Edit.expect``).
    """
    import json

    strings = {(d.span.uri, d.span.line, d.span.col) for d in diagnostics if d.code in ("NC202", "NC211")}
    if not strings:
        return diagnostics
    return [d._replace(fix=d.fix._replace(edits=tuple(e._replace(text=json.dumps(e.expect)) for e in d.fix.edits)))
            if d.code == "NC122" and d.fix and (d.span.uri, d.span.line, d.span.col) in strings else d
            for d in diagnostics]


# --- NodeConfig violations -------------------------------------------------


def _nodeconfig_diagnostic(doc: Document, violation: Violation, read_from: dict[str, str]) -> Diagnostic:
    if violation.pointer in ("/apiVersion", "/kind"):
        return _type_meta_problem(doc, violation, read_from.get(violation.pointer, violation.pointer))
    if violation.kind == subset.UNKNOWN_PROPERTY:
        return _unknown_field(doc, violation, "NC201", "nodeadm silently drops it")
    if violation.kind == subset.PROPERTY_NAME or (
        violation.kind == subset.ENUM and _type_fits_enum(violation)
    ):
        return _not_in_enum(doc, violation)
    return _wrong_type(doc, violation, "NC202", "nodeadm cannot decode the document")


def _type_meta_problem(doc: Document, violation: Violation, key: str) -> Diagnostic:
    """NC204 for the type field at violation.pointer, whose value nodeadm read at pointer key."""
    field = violation.pointer[1:]
    wanted = API_VERSION if field == "apiVersion" else KIND
    from nodecfg.nodeadm.userdata import discarded_user_data

    refusal = "nodeadm refuses to decode the document" + discarded_user_data(doc.uri)
    if violation.kind == subset.REQUIRED:
        return NC204.at(
            doc.span_of(""), f"{field} is missing; {refusal}",
            f"add '{field}: {wanted}'",
        )
    guess = _did_you_mean(str(violation.value), [wanted], include_far=True)
    span = doc.span_of(key)
    near = _guess(str(violation.value), [wanted])
    # the fix corrects a plainly written misspelling; a quoted value (its text is not the value) is left alone
    edits = (Edit(span, near, expect=violation.value),) \
        if near and isinstance(violation.value, str) and "\n" not in violation.value else ()
    return NC204.at(span, f"{field} is {_show(violation.value)}, not {wanted}; {refusal}", guess, edits=edits)


def _not_in_enum(doc: Document, violation: Violation) -> Diagnostic:
    options = [str(option) for option in violation.expected if option is not None]
    where = _dotted(doc.data, violation.pointer)
    text = _key_text(violation.value)
    hint = _did_you_mean(text, options)
    severity = Severity.ERROR
    if violation.kind == subset.PROPERTY_NAME:
        span = doc.span_of(violation.pointer, key=True)
        message = (f"unknown feature gate '{text}' {_where(doc.data, violation.pointer)}; "
                   "nodeadm ignores it")
        if _is_kubelet_gate(text):
            hint = (f"'{text}' is a kubelet feature gate; spec.featureGates holds only nodeadm's own, so set it "
                    "under spec.kubelet.config.featureGates")
    else:
        span = doc.span_of(violation.pointer)
        message = f"{where} is '{text}', not one of {', '.join(options)}"
        if _is_strategy(violation.pointer) and text.lower() in {o.lower() for o in options}:
            # nodeadm lower-cases the strategy before calling setup-local-disks.
            severity = Severity.WARNING
            message += "; it works because nodeadm lower-cases the strategy"
    return NC203.at(span, message, hint, severity=severity)


def _is_kubelet_gate(name: str) -> bool:
    """A name in the kubelet's feature-gate table (nodecfg.nodeadm.feature_gates), in any version."""
    from nodecfg.nodeadm.feature_gates import load_table

    table = load_table()
    return table is not None and table.known(name)


def _is_strategy(pointer: str) -> bool:
    return pointer == "/spec/instance/localStorage/strategy"


# --- KubeletConfiguration violations ---------------------------------------


def _kubelet_diagnostic(doc: Document, violation: Violation, base_pointer: str) -> Diagnostic:
    if violation.pointer == KUBELET_CONFIG_POINTER == base_pointer:
        # nodeadm itself decodes kubelet.config as a mapping of raw values.
        return _wrong_type(doc, violation, "NC202", "nodeadm cannot decode the document")
    if violation.kind == subset.UNKNOWN_PROPERTY:
        return _unknown_kubelet_field(doc, violation)
    if violation.kind == subset.PATTERN:
        return NC211.at(
            doc.span_of(violation.pointer),
            f"{_dotted(doc.data, violation.pointer)} is {_show(violation.value)}, "
            f"which the kubelet cannot parse; the kubelet will not start",
            violation.schema.get("description", ""),
        )
    if violation.kind in (subset.ENUM, subset.CONST) and _type_fits_enum(violation):
        options = [str(o) for o in _as_tuple(violation.expected) if o is not None]
        return NC211.at(
            doc.span_of(violation.pointer),
            f"{_dotted(doc.data, violation.pointer)} is {_show(violation.value)}, "
            f"not one of {', '.join(options)}",
            _did_you_mean(_key_text(violation.value), options),
        )
    return _wrong_type(doc, violation, "NC211", "the kubelet will not start")


def _unknown_kubelet_field(doc: Document, violation: Violation) -> Diagnostic:
    name = _key_text(violation.value)
    known = [n for n in violation.expected if isinstance(n, str)]
    case_twin = _case_insensitive_match(name, known)
    if case_twin:
        consequence = (
            "the kubelet only matches it to a known field through a case-insensitive "
            "fallback when reading nodeadm's drop-in file"
        )
    else:
        consequence = "the kubelet ignores it"
    return _unknown_field(doc, violation, "NC210", consequence, kind="KubeletConfiguration field")


# --- shared builders --------------------------------------------------------


def _unknown_field(
    doc: Document, violation: Violation, code: str, consequence: str,
    kind: str = "field",
) -> Diagnostic:
    name = _key_text(violation.value)
    where = _where(doc.data, violation.pointer)
    known = [n for n in violation.expected if isinstance(n, str)]
    span = doc.span_of(violation.pointer, key=True)
    return CATALOGUE[code].at(
        span, f"unknown {kind} '{name}' {where}; {consequence}", _did_you_mean(name, known),
        edits=_rename(doc, violation.pointer, name, known, span),
    )


def _rename(doc: Document, pointer: str, name: str, known: list[str], span) -> tuple[Edit, ...]:
    """The fix of an unknown key: rename it to the one known field it is a typo or mis-casing of.

    Only when that field is the sole case-insensitive twin or the sole close match,
    is not set beside it already, and the key is written plainly (not quoted).
    """
    target = _guess(name, known)
    if target is None or pointer not in doc.key_positions:
        return ()
    twins = [k for k in known if k.lower() == name.lower()]
    unique = twins == [target] if twins else _close_matches(name, tuple(known)) == (target,)
    siblings = get_pointer(doc.data, pointer.rsplit("/", 1)[0]) if pointer.count("/") > 1 else doc.data
    if not unique or not isinstance(siblings, dict) or target in siblings:
        return ()
    return (Edit(span, target, expect=name),)


def _wrong_type(doc: Document, violation: Violation, code: str, consequence: str) -> Diagnostic:
    from nodecfg.nodeadm.userdata import discarded_user_data

    wanted = _expected_words(violation)
    message = (
        f"{_dotted(doc.data, violation.pointer)}: expected {wanted}, "
        f"got {_describe(violation.value)}; {consequence}"
        f"{discarded_user_data(doc.uri) if code == 'NC202' else ''}"
    )
    hint = ""
    if violation.kind == subset.TYPE:
        hint = _yaml_hint(violation.value, set(violation.expected) - {"null"})
    return CATALOGUE[code].at(doc.span_of(violation.pointer), message, hint)


def _expected_words(violation: Violation) -> str:
    if violation.kind in (subset.ENUM, subset.CONST, subset.PROPERTY_NAME):
        options = [str(o) for o in _as_tuple(violation.expected) if o is not None]
        return "one of " + ", ".join(options)
    words = [_TYPE_WORDS[t] for t in violation.expected if t != "null"]
    return " or ".join(words) or "null"


def _yaml_hint(value: Any, wanted: set[str]) -> str:
    """How to make YAML produce the wanted type, where the fix is mechanical."""
    if "string" in wanted:
        if isinstance(value, bool):
            return ("YAML 1.1 reads unquoted yes/no/on/off/true/false as booleans; "
                    "quote the value")
        if isinstance(value, (int, float)):
            return f'YAML read it as a number; quote it: "{_scalar_text(value)}"'
        return ""
    if isinstance(value, str) and _parses_as(value, wanted):
        return f"remove the quotes: {value.strip()}"
    return ""


def _parses_as(text: str, wanted: set[str]) -> bool:
    stripped = text.strip()
    if "boolean" in wanted and stripped in ("true", "false"):
        return True
    if wanted & {"integer", "number"}:
        try:
            number = float(stripped)
        except ValueError:
            return False
        return "number" in wanted or number.is_integer()
    return False


def _type_fits_enum(violation: Violation) -> bool:
    """True when the value has the options' type, so it is a wrong choice, not a wrong type."""
    option_types = {json_type_of(o) for o in _as_tuple(violation.expected) if o is not None}
    return json_type_of(violation.value) in option_types


def _not_a_mapping(doc: Document) -> Diagnostic:
    if doc.data is None:
        shape = "empty"
    else:
        shape = f"a {_TYPE_WORDS[json_type_of(doc.data)]}, not a mapping"
    return NC205.at(
        doc.span_of(""),
        f"document is {shape}; a NodeConfig must be a mapping with apiVersion, kind and spec",
    )


def _in_source_order(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.span.line, d.span.col, d.code, d.message))


# --- names, paths and values in messages -----------------------------------


def _guess(name: str, candidates: list[str]) -> str | None:
    """The one candidate name is a mis-casing or a typo of (difflib), if any."""
    return _case_insensitive_match(name, candidates) or _close_match(name, tuple(candidates))


def _did_you_mean(name: str, candidates: list[str], include_far: bool = False) -> str:
    guess = _guess(name, candidates)
    if guess is None and include_far and len(candidates) == 1:
        return f"use '{candidates[0]}'"
    return f"did you mean '{guess}'?" if guess else ""


def _case_insensitive_match(name: str, candidates: list[str]) -> str | None:
    lowered = name.lower()
    return next((c for c in candidates if c.lower() == lowered and c != name), None)


def _close_match(name: str, candidates: tuple[str, ...]) -> str | None:
    """The candidate closest to name, else the closest ignoring case (difflib)."""
    close = _close_matches(name, candidates)
    if close:
        return close[0]
    by_lower = {c.lower(): c for c in candidates}
    close = _get_close_matches(name.lower(), list(by_lower), 1)
    return by_lower[close[0]] if close else None


@lru_cache(maxsize=256)
def _close_matches(name: str, candidates: tuple[str, ...]) -> tuple[str, ...]:
    """The two candidates closest to name (difflib, ratio at least 0.6), best first: a finding's hint
    and its fix both ask, and difflib compares name with every candidate."""
    return tuple(_get_close_matches(name, candidates, 2))


_CUTOFF = 0.6


def _get_close_matches(word: str, candidates: Sequence[str], n: int) -> list[str]:
    """difflib.get_close_matches(word, candidates, n, 0.6), importing difflib only when some candidate
    passes difflib's own first two bounds (real_quick_ratio, quick_ratio), which every match must pass:
    most unknown keys are near no field, and the import costs a cold check about 1 ms."""
    if not any(_quick_ratio(word, candidate) >= _CUTOFF for candidate in candidates):
        return []
    import difflib

    return difflib.get_close_matches(word, candidates, n=n, cutoff=_CUTOFF)


def _quick_ratio(a: str, b: str) -> float:
    """SequenceMatcher(None, b, a).quick_ratio(), after its real_quick_ratio (lengths alone) passes:
    2 * (characters the two share, counted as multisets) / (both lengths)."""
    length = len(a) + len(b)
    if not length:
        return 1.0
    if 2.0 * min(len(a), len(b)) / length < _CUTOFF:
        return 0.0  # real_quick_ratio already fails
    return 2.0 * sum((Counter(a) & Counter(b)).values()) / length


_IDENTIFIER = LazyPattern(r"^[A-Za-z_][A-Za-z0-9_-]*$")  # only in a finding's message


def _dotted(data: Any, pointer: str) -> str:
    """A pointer as users write paths: spec.kubelet.flags[0]."""
    text, node = "", data
    for token in split_pointer(pointer):
        if isinstance(node, list) and token.isdigit():
            text += f"[{token}]"
            node = node[int(token)] if int(token) < len(node) else None
            continue
        text += _path_step(token, first=not text)
        node = get_pointer(node, join_pointer("", token), MISSING)
    return text


def _path_step(token: str, first: bool) -> str:
    if _IDENTIFIER.match(token):
        return token if first else f".{token}"
    return f'["{token}"]'


def _where(data: Any, pointer: str) -> str:
    """Where the entry at ``pointer`` sits: 'in spec.cluster' or 'at the top level'."""
    parent = _dotted(data, pointer.rpartition("/")[0])
    return f"in {parent}" if parent else "at the top level"


def _key_text(key: Any) -> str:
    return key if isinstance(key, str) else _scalar_text(key)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _show(value: Any) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f"'{shown}'"
    if isinstance(value, (dict, list)):
        return f"a {_TYPE_WORDS[json_type_of(value)]}"
    return _scalar_text(value)


def _describe(value: Any) -> str:
    kind = _TYPE_WORDS[json_type_of(value)]
    if isinstance(value, str):
        return f"string {_show(value)}"
    if value is None or isinstance(value, (dict, list)):
        return kind
    if isinstance(value, float) and not value.is_integer():
        kind = "number"
    return f"{kind} {_scalar_text(value)}"


def _as_tuple(expected: Any) -> tuple:
    return expected if isinstance(expected, tuple) else (expected,)
