"""YAML/JSON documents with positions, read the way nodeadm reads them.

nodeadm decodes through sigs.k8s.io/yaml, i.e. go-yaml v2: YAML 1.1 plain
scalars (``yes``/``on``/``y`` are booleans, ``0644`` is octal), duplicate keys
silently keep the last value, merge keys (``<<``) are honoured.  ruamel.yaml
gives us the node tree with marks; scalar resolution is done here, by the
go-yaml v2 rules, not by ruamel's resolver.
"""
from __future__ import annotations

import functools
import json
import math
import re
import warnings
from typing import Any

from nodecfg.core.codes import CATALOGUE, NC120, NC123, NC124, NC145, NC146
from nodecfg.core.diagnostics import Diagnostic, Edit, Span
from nodecfg.core.document import Document, escape_pointer_token

MAX_DEPTH = 100
MAX_NODES = 100_000
# Characters of scalars (values and keys) a text's documents may expand to,
# aliases counted each time they are used; never less than the text's own
# length, so only aliases can reach it.  Node counts alone let a few aliases
# of one large scalar make hundreds of megabytes.
MAX_EXPANDED_CHARS = 1 << 20
# Parser events (scalars, collection starts and ends, documents) in one text.
# ruamel.yaml's pure-Python parser reads about 25,000 events a second, and it
# composes a whole document before we see it: this bounds the time spent on
# a huge or deeply nested text before it is refused.  Real NodeConfigs have
# a few hundred events.
MAX_EVENTS = 20_000
# Lines in one text: the scanner spends ~10 us on each comment or blank line,
# so a megabyte of "#\n" would take seconds.  Real documents have hundreds.
MAX_LINES = 50_000

_TRUE = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}
_FALSE = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}
_NULL = {"", "~", "null", "Null", "NULL"}
_YAML12_BOOL = {"true", "True", "TRUE", "false", "False", "FALSE"}
_WORDS = _TRUE | _FALSE | _NULL
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_SPECIAL_FLOATS = {
    ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan,
    ".inf": math.inf, ".Inf": math.inf, ".INF": math.inf,
    "+.inf": math.inf, "+.Inf": math.inf, "+.INF": math.inf,
    "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
}
_INT64_MIN, _UINT64_MAX = -(1 << 63), (1 << 64) - 1


def _parse_go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64) then ParseUint: sign, 0x/0o/0b, leading-0 octal."""
    sign, body = 1, text
    if body[:1] in "+-":
        sign, body = (-1 if body[0] == "-" else 1), body[1:]
    if not body:
        return None
    lowered = body.lower()
    try:
        if lowered.startswith("0x"):
            value = int(body[2:], 16)
        elif lowered.startswith("0o"):
            value = int(body[2:], 8)
        elif lowered.startswith("0b"):
            value = int(body[2:], 2)
        elif len(body) > 1 and body[0] == "0":
            value = int(body[1:], 8)
        else:
            if not body.isdigit():
                return None
            value = int(body, 10)
    except ValueError:
        return None
    value *= sign
    if _INT64_MIN <= value <= _UINT64_MAX:
        return value
    return None


def resolve_plain_scalar(text: str) -> Any:
    """Value of a plain (unquoted) scalar under go-yaml v2 (YAML 1.1) rules."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if text[:1] in "+-.0123456789":
        plain = text.replace("_", "")
        number = _parse_go_int(plain)
        if number is not None:
            return number
        if _FLOAT.match(plain):
            number = float(plain)
            # strconv.ParseFloat fails with ErrRange beyond float64, and go-yaml
            # then keeps the scalar as a string (yaml.v2 resolve.go)
            return number if math.isfinite(number) else text
    return text


def yaml12_disagreement(text: str) -> str | None:
    """Why a YAML 1.2 reader would see this plain scalar differently, if it would."""
    if (text in _TRUE or text in _FALSE) and text not in _YAML12_BOOL:
        value = "true" if text in _TRUE else "false"
        return f"'{text}' is the boolean {value} for nodeadm (YAML 1.1) but a string in YAML 1.2"
    if _octal_literal(text.replace("_", "")):
        number = _parse_go_int(text.replace("_", ""))
        return f"'{text}' is the octal number {number} for nodeadm (YAML 1.1) but decimal in YAML 1.2"
    return None


def _octal_literal(text: str) -> bool:
    """Whether text is a sign, a 0 and octal digits (what re's ``^[-+]?0[0-7]+$`` matches)."""
    body = text.removesuffix("\n")  # '$' also matches before a final line break
    body = body[1:] if body[:1] in ("+", "-") else body
    return len(body) > 1 and body[0] == "0" and body.isascii() and body[1:].isdigit() and "8" not in body \
        and "9" not in body


def is_plain_string(text: str) -> bool:
    """Whether a plain scalar is a string for every reader, known without resolving it: a word
    (a letter first) other than the YAML 1.1 booleans and nulls.  Most keys and values are."""
    return text[:1].isalpha() and text not in _WORDS


def _as_read(value: Any) -> str | None:
    """A YAML 1.1 boolean or integer spelled the one way every YAML reader reads alike."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else None


def _key_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float):
        return json.dumps(value)
    return str(value)


class _Builder:
    """Turns a ruamel node tree into plain data, recording spans by JSON pointer."""

    def __init__(self, uri: str, line_offset: int, expansion: "_Expansion | None" = None):
        self.uri = uri
        self.line_offset = line_offset
        self.positions: dict[str, Span] = {}
        self.key_positions: dict[str, Span] = {}
        self.diagnostics: list[Diagnostic] = []
        self.nodes = 0
        self.expansion = expansion or _Expansion(MAX_EXPANDED_CHARS)
        self._pairs_cache: dict[int, list] = {}

    def span(self, node) -> Span:
        start, end = node.start_mark, node.end_mark
        first_line = self.line_offset + 1
        # _make: the fields in order, without the keyword handling of Span(...) (one Span a node)
        return Span._make((self.uri, start.line + first_line, start.column + 1,
                           end.line + first_line, end.column + 1))

    def report(self, code: str, node, message: str, hint: str = "", *, as_read: str | None = None) -> None:
        span = self.span(node)
        # the fix writes the scalar as nodeadm reads it; where a string is expected it quotes it instead
        # (validate/schema.quote_where_string_expected), so the edit keeps the raw text it replaces
        edits = (Edit(span, as_read, expect=node.value),) if as_read is not None else ()
        self.diagnostics.append(CATALOGUE[code].at(span, message, hint, edits=edits))

    def build(self, node, pointer: str = "", depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _LimitExceeded(node, f"the document expands to more than {MAX_NODES} nodes (alias expansion?)")
        if depth > MAX_DEPTH:
            raise _LimitExceeded(node, f"the document nests deeper than {MAX_DEPTH} levels")
        self.positions[pointer] = self.span(node)
        kind = type(node).__name__
        if kind == "ScalarNode":
            return self.scalar(node)
        if kind == "SequenceNode":
            build, depth = self.build, depth + 1
            return [build(item, f"{pointer}/{index}", depth) for index, item in enumerate(node.value)]
        return self.mapping(node, pointer, depth)

    def scalar(self, node) -> Any:
        self.expansion.charge(node)
        value = node.value
        if not value.isascii() and _has_lone_surrogate(value):
            # go-yaml refuses \uD800-\uDFFF escapes; Python would keep an unencodable character
            self.report("NC120", node, "YAML syntax error: invalid Unicode escape (a lone surrogate)")
            node.value = value = _lone_surrogate().sub("\ufffd", value)
        if node.style is not None or is_plain_string(value):  # quoted or block scalar: always a string
            return value
        if _explicit_str_tag(node):
            return node.value
        disagreement = yaml12_disagreement(node.value)
        value = resolve_plain_scalar(node.value)
        if disagreement:
            self.report("NC122", node, disagreement, "quote the value to make it a string, or write true/false",
                        as_read=_as_read(value))
        if isinstance(value, float) and not math.isfinite(value):
            self.report("NC145", node, f"'{node.value}' is {value!r}: nodeadm decodes YAML by converting it to JSON "
                        "(sigs.k8s.io/yaml YAMLToJSON), and Go's encoding/json refuses NaN and infinities, "
                        "so nodeadm cannot decode this document", "quote the value or use a finite number")
        return value

    def mapping(self, node, pointer: str, depth: int) -> dict:
        result: dict[str, Any] = {}
        seen: dict[str, Span] = {}
        prefix = pointer + "/"
        depth += 1
        for key_node, value_node in self._merged_pairs(node):
            if type(key_node).__name__ != "ScalarNode":
                # go-yaml v2 refuses these ("invalid map key"); the key is never
                # expanded, so aliases inside it cost nothing (decode.go, mapping)
                self.report("NC147", key_node, "a sequence or mapping is used as a mapping key; go-yaml "
                            "(which nodeadm decodes with) fails with 'invalid map key'",
                            "use a plain string key")
                continue
            key = self.scalar(key_node)
            if type(key) is not str:
                key = _key_text(key)
            child = prefix + escape_pointer_token(key)
            first = seen.get(key)
            if first is not None:
                self.report("NC121", key_node, f"key '{key}' is defined again; nodeadm keeps this later value",
                            f"first defined on line {first.line}")
            seen[key] = self.key_positions[child] = self.span(key_node)
            result[key] = self.build(value_node, child, depth)
        return result

    def _merged_pairs(self, node, depth: int = 0):
        """Mapping pairs with YAML merge keys expanded: explicit keys win over merged ones.

        One pair per key (the last, as a repeated key would end up), computed
        once per mapping node: a mapping merged many times over (a "merge
        bomb") costs what it holds, not what it would expand to.
        """
        if depth > MAX_DEPTH:
            raise _LimitExceeded(node, f"merge keys ('<<') chain deeper than {MAX_DEPTH} levels")
        cached = self._pairs_cache.get(id(node))
        if cached is not None:
            return cached
        for key_node, _ in node.value:
            if key_node.value == "<<":
                break
        else:  # no merge key (most mappings): the pairs as they are
            self._pairs_cache[id(node)] = node.value
            return node.value
        merged, explicit = [], []
        for key_node, value_node in node.value:
            if type(key_node).__name__ == "ScalarNode" and key_node.value == "<<" and key_node.style is None:
                sources = value_node.value if type(value_node).__name__ == "SequenceNode" else [value_node]
                for source in sources:
                    if type(source).__name__ == "MappingNode":
                        merged.extend(self._merged_pairs(source, depth + 1))
            else:
                explicit.append((key_node, value_node))
        explicit_keys = {k.value for k, _ in explicit if type(k).__name__ == "ScalarNode"}
        inherited = {_pair_identity(k): (k, v) for k, v in merged
                     if type(k).__name__ != "ScalarNode" or k.value not in explicit_keys}
        pairs = list(inherited.values()) + explicit
        self._pairs_cache[id(node)] = pairs
        return pairs


def _pair_identity(key_node) -> Any:
    return key_node.value if type(key_node).__name__ == "ScalarNode" else id(key_node)


def _explicit_str_tag(node) -> bool:
    tag = getattr(node, "ctag", None)
    return getattr(tag, "handle", None) is not None and str(node.tag).endswith(":str")


class _Expansion:
    """Characters of scalars built from one text's documents, against MAX_EXPANDED_CHARS."""

    __slots__ = ("limit", "used")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def charge(self, node) -> None:
        self.used += len(node.value) if isinstance(node.value, str) else 0
        if self.used > self.limit:
            raise _LimitExceeded(node, f"the document's values expand to more than {self.limit} characters "
                                 "(aliases of large values?)")


class _LimitExceeded(Exception):
    def __init__(self, node, message: str):
        super().__init__(message)
        self.node = node


@functools.lru_cache(maxsize=1)
def _lone_surrogate() -> re.Pattern:
    return re.compile("[\ud800-\udfff]")  # compiled where a text is not ASCII


def _has_lone_surrogate(text: Any) -> bool:
    return isinstance(text, str) and not text.isascii() and _lone_surrogate().search(text) is not None


class _EventBudget:
    """Refuses a text while it is parsed: too many events, or collections nested too deep.

    Wraps the parser's ``get_event``, which the composer calls once per event.
    The depth allowed here is one more than the builder's, which reports the
    exact limit on the composed tree.
    """

    def __init__(self, parser, allowance: "EventAllowance | None" = None) -> None:
        self._next = parser.get_event
        self.events = 0
        self.open_collections = 0
        self.limit = MAX_EVENTS if allowance is None else min(MAX_EVENTS, max(allowance.left, 0))
        self.shared = allowance is not None and self.limit < MAX_EVENTS
        parser.get_event = self.get_event

    def get_event(self):
        event = self._next()
        self.events += 1
        if self.events > self.limit:
            if self.shared:
                raise _LimitExceeded(event, f"the sources hold more than {EventAllowance.DEFAULT} YAML nodes in "
                                     "all; this text is not read further")
            raise _LimitExceeded(event, f"the text has more than {MAX_EVENTS} YAML nodes; it is not read further")
        kind = type(event).__name__
        if kind in ("MappingStartEvent", "SequenceStartEvent"):
            self.open_collections += 1
            if self.open_collections > MAX_DEPTH + 1:
                raise _LimitExceeded(event, f"the document nests deeper than {MAX_DEPTH} levels")
        elif kind in ("MappingEndEvent", "SequenceEndEvent"):
            self.open_collections -= 1
        return event


def decode_text(data: bytes, uri: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes to text (UTF-8, BOM dropped), or a diagnostic naming the bad byte's position."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        message = f"invalid UTF-8 byte 0x{data[error.start]:02x}; NodeConfig documents must be UTF-8 text"
        return None, [NC124.at(Span(uri, line, col), message)]
    return text.removeprefix("\ufeff"), []


class _Marked:
    """Stands in for a node where a limit is hit before any node exists."""

    def __init__(self, mark) -> None:
        self.start_mark = self.end_mark = mark


@functools.lru_cache(maxsize=1)
def _bounded_scanner_class():
    from ruamel.yaml.scanner import Scanner
    from ruamel.yaml.tokens import CommentToken, ScalarToken

    # A run of a plain scalar in block context (ruamel scanner.py, scan_plain): not a blank, line
    # break or NUL (the reader ends its buffer with one), nor a ':' that one of those follows.
    plain_run = re.compile("(?:[^ \t\r\n\0\x85\u2028\u2029:]|:(?=[^ \t\r\n\0\x85\u2028\u2029]))*")

    # The plain scanner, not the round-trip one: comments are never used, and
    # gathering them is about a third of the scanning time.
    class BoundedScanner(Scanner):
        """Refuses deep flow nesting ('[[[[...' or '{a: {a: ...') as it is scanned.

        In flow context the scanner reads ahead to the end of every possible
        simple key, in time quadratic in the nesting depth, before the parser
        sees a single event of it.
        """

        def fetch_flow_collection_start(self, TokenClass, to_push) -> None:
            if self.flow_level > MAX_DEPTH:
                raise _LimitExceeded(_Marked(self.reader.get_mark()),
                                     f"the document nests deeper than {MAX_DEPTH} levels")
            super().fetch_flow_collection_start(TokenClass, to_push)

        def scan_plain(self):
            """ruamel's Scanner.scan_plain, with each line's run of characters found by one regex.

            ruamel looks at a plain scalar one character at a time, with three Python
            calls per character; a certificate bundle on one line is most of the
            characters of a typical NodeConfig.  In block context a run ends at a
            blank, a line break or the end of the text, or at a ':' followed by one
            of those; everything else (line folding, indentation, the token and its
            comment) is ruamel's own code path.  Flow context keeps ruamel's scan.
            """
            reader = self.reader
            if self.flow_level or reader.stream is not None:
                return super().scan_plain()
            start_mark = end_mark = reader.get_mark()
            indent = self.indent + 1
            chunks: list[str] = []
            spaces: list[str] = []
            while reader.peek() != "#":
                length = plain_run.match(reader.buffer, reader.pointer).end() - reader.pointer
                if length == 0:
                    break
                self.allow_simple_key = False
                chunks.extend(spaces)
                chunks.append(reader.prefix(length))
                reader.forward(length)
                end_mark = reader.get_mark()
                spaces = self.scan_plain_spaces(indent, start_mark)
                if not spaces or reader.peek() == "#" or reader.column < indent:
                    break
            token = ScalarToken("".join(chunks), True, start_mark, end_mark)
            if self.loader is not None and getattr(self.loader, "comment_handling", False) is None \
                    and spaces and spaces[0] == "\n":
                # as ruamel does: the line breaks after the scalar, kept as its comment
                token.add_post_comment(CommentToken("".join(spaces) + "\n", start_mark, end_mark))
            return token

    return BoundedScanner


class EventAllowance:
    """Parser events left for all the texts of one input (MIME parts, drop-ins, heredocs).

    Together they may use what one text may (MAX_EVENTS), so a hundred parts
    of the largest size cost what one does.
    """

    DEFAULT = MAX_EVENTS

    def __init__(self, total: int = DEFAULT) -> None:
        self.left = total
        self.chars_left = MAX_EXPANDED_CHARS  # scalar characters that aliases may expand to, all texts together


def _yaml(allowance: EventAllowance | None = None):
    from ruamel.yaml import YAML

    loader = YAML(typ="safe", pure=True)
    loader.allow_duplicate_keys = True
    loader.Scanner = _bounded_scanner_class()
    budget = _EventBudget(loader.parser, allowance)
    return loader, budget


def parse_yaml_documents(text: str, uri: str, line_offset: int = 0, allowance: EventAllowance | None = None
                         ) -> tuple[list[Document], list[Diagnostic]]:
    """Every non-empty document in text, with spans shifted by line_offset.

    ``allowance``, when given, is shared by the texts of one input and charged
    with this text's parser events.  Texts in the common block and flow styles
    (and JSON) are composed by ``parse/yaml_block.py`` (the same nodes, marks and
    event count, without ruamel.yaml's import and scanner); all others by ruamel.yaml.
    """
    from nodecfg.parse.yaml_block import compose

    shared = MAX_EXPANDED_CHARS if allowance is None else min(MAX_EXPANDED_CHARS, allowance.chars_left)
    expansion = _Expansion(max(len(text), shared))
    event_limit = MAX_EVENTS if allowance is None else min(MAX_EVENTS, max(allowance.left, 0))
    composed = compose(text, event_limit) if text.count("\n") < MAX_LINES else None
    if composed is not None:
        roots, events = composed
        documents: list[Document] = []
        diagnostics: list[Diagnostic] = []
        _build_documents(roots, uri, line_offset, expansion, documents, diagnostics)
        if allowance is not None:
            allowance.left -= events
            allowance.chars_left -= expansion.used
    else:
        loader, budget = _yaml(allowance)
        try:
            with warnings.catch_warnings():
                # ruamel warns about a redefined anchor on stderr, with the raw input in the
                # message; go-yaml silently lets the later definition win, and so do we
                warnings.simplefilter("ignore")
                documents, diagnostics = _parse(loader, text, uri, line_offset, expansion)
        finally:
            if allowance is not None:
                allowance.left -= budget.events
                allowance.chars_left -= expansion.used
    if len(documents) == 1 and text.lstrip().startswith("{") and not any(d.code == "NC146" for d in diagnostics):
        diagnostics += _json_number_problems(text, uri)
    return documents, diagnostics


def _json_number_problems(text: str, uri: str) -> list[Diagnostic]:
    """NaN (NC145) and out-of-range numbers (NC146) in a text starting with '{' that YAML read too.

    apimachinery's decoder takes such a text for JSON (yaml.IsJSONBuffer), so
    its numbers reach Go's encoding/json, whatever YAML would make of them:
    NaN and Infinity are syntax errors there, and inline documents are
    unmarshalled into float64 values.
    """
    constants: list[str] = []
    huge: list[str] = []
    try:
        json.loads(text, parse_constant=lambda name: constants.append(name),
                   parse_int=functools.partial(_json_number, huge, int),
                   parse_float=functools.partial(_json_number, huge, float))
    except (ValueError, RecursionError):
        return []
    diagnostics = []
    if constants:
        diagnostics.append(NC145.at(Span(uri), f"{constants[0]} is not JSON: nodeadm "
                                      "decodes a text starting with '{' with Go's encoding/json, which refuses it",
                                      "use a finite number, or a string"))
    if huge:
        diagnostics.append(_huge_number(uri, huge[0]))
    return diagnostics


def _huge_number(uri: str, text: str) -> Diagnostic:
    shown = text if len(text) <= 40 else text[:20] + "..." + text[-8:]
    return NC146.at(Span(uri), f"the number {shown} is beyond the range of a float64: "
                      "Go's encoding/json cannot unmarshal it, so nodeadm fails", "use a smaller number, or a string")


def _parse(loader, text: str, uri: str, line_offset: int, expansion: _Expansion
           ) -> tuple[list[Document], list[Diagnostic]]:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    documents: list[Document] = []
    diagnostics: list[Diagnostic] = []
    if text.count("\n") >= MAX_LINES:
        message = f"the text has more than {MAX_LINES} lines; it is not read"
        return [], [NC123.at(Span(uri, MAX_LINES + 1 + line_offset, 1), message)]
    try:
        _build_documents(loader.compose_all(text), uri, line_offset, expansion, documents, diagnostics)
    except _LimitExceeded as limit:
        builder = _Builder(uri, line_offset, expansion)
        builder.report("NC123", limit.node, str(limit))
        diagnostics.extend(builder.diagnostics)
    except MarkedYAMLError as error:
        json_documents = _maybe_json(text, uri)
        if json_documents is not None:
            return json_documents
        diagnostics.append(_syntax_error(error, uri, line_offset))
    except (YAMLError, RecursionError) as error:
        message = "the document nests too deeply" if isinstance(error, RecursionError) else str(error)
        diagnostics.append(NC120.at(Span(uri, 1 + line_offset, 1), message))
    return documents, diagnostics


def _build_documents(nodes, uri: str, line_offset: int, expansion: _Expansion, documents: list[Document],
                     diagnostics: list[Diagnostic]) -> None:
    """Each composed root node (ruamel's or yaml_block's) as a Document, empty documents skipped."""
    for index, node in enumerate(nodes):
        if node is None or (type(node).__name__ == "ScalarNode" and node.style is None
                            and resolve_plain_scalar(node.value) is None):
            continue  # an empty document
        builder = _Builder(uri, line_offset, expansion)
        try:
            data = builder.build(node)
        except _LimitExceeded as limit:
            builder.report("NC123", limit.node, str(limit))
            diagnostics.extend(builder.diagnostics)
            continue
        diagnostics.extend(builder.diagnostics)
        documents.append(Document(uri, data, builder.positions, builder.key_positions, index))


def _syntax_error(error, uri: str, line_offset: int) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = (error.problem or error.context or "invalid YAML").strip()
    hint = error.context.strip() if error.context and error.problem else ""
    return NC120.at(Span(uri, line + line_offset, col), f"YAML syntax error: {problem}", hint)


def _maybe_json(text: str, uri: str) -> tuple[list[Document], list[Diagnostic]] | None:
    """JSON that YAML cannot read (e.g. tab indentation): positions only for the root.

    nodeadm decodes such a text with Go's encoding/json: NaN and Infinity are
    not JSON, and inline documents (baseRuntimeSpec, kubelet.config) are
    unmarshalled into float64 values, which fails for a number beyond its range.
    """
    if not text.lstrip().startswith("{"):
        return None
    huge: list[str] = []
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_int=functools.partial(_json_number, huge, int),
                          parse_float=functools.partial(_json_number, huge, float))
    except (ValueError, RecursionError):
        return None
    if _json_problem(data):
        return None  # reported as the YAML syntax error it also is
    diagnostics = [_huge_number(uri, huge[0])] if huge else []
    return [Document(uri, data, {"": Span(uri)}, {}, 0)], diagnostics


_FLOAT64_MAX = 1.7976931348623157e308


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json_number(huge: list[str], kind: type, text: str) -> int | float:
    value = kind(text)
    if abs(value) > _FLOAT64_MAX or not math.isfinite(value):
        huge.append(text)
        return kind(0)  # the document is refused (NC146); keep later stages' arithmetic finite
    return value


def _json_problem(data: Any) -> bool:
    """Whether JSON data breaks the limits YAML input is held to (or holds a lone surrogate)."""
    stack, nodes = [(data, 0)], 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH or nodes > MAX_NODES:
            return True
        if isinstance(value, dict):
            if any(_has_lone_surrogate(key) for key in value):
                return True
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif _has_lone_surrogate(value):
            return True
    return False
