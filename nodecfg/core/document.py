"""A parsed configuration document: plain data plus where each piece came from.

``data`` holds JSON-like Python values (dict, list, str, int, float, bool,
None).  ``positions`` maps a JSON pointer (RFC 6901, "" for the root) to the
Span of the *value*; ``key_positions`` maps the pointer of a mapping entry to
the Span of its *key*.  Both are filled by the parsers in ``nodecfg.parse``.
"""
from __future__ import annotations

from typing import Any

from nodecfg.core.diagnostics import Span


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(parent: str, token: str | int) -> str:
    return f"{parent}/{escape_pointer_token(token)}"


def split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    if "~" not in pointer:  # nothing escaped: the common case, without two replaces a token
        return pointer.split("/")[1:]
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


MISSING: Any = object()
_TYPED_KEYS = {"true": True, "false": False, "null": None}
_FLOAT_WORDS = frozenset({"inf", "infinity", "nan"})  # the words float() reads, in any case


def get_pointer(data: Any, pointer: str, default: Any = None) -> Any:
    """The value at a JSON pointer (RFC 6901 escapes, list indices), or default.

    The one walker of the project.  Keys YAML read as something other than a
    string (``1:``, ``true:``) are found by the text the pointer names them by.
    """
    node = data
    for token in split_pointer(pointer):
        if isinstance(node, dict):
            if token in node:
                node = node[token]
                continue
            typed = _typed_key(token)
            if typed is MISSING or typed not in node:
                return default
            node = node[typed]
        elif isinstance(node, list) and token.isascii() and token.isdigit() and len(token) < 19 \
                and int(token) < len(node):
            node = node[int(token)]
        else:
            return default
    return node


def _typed_key(token: str) -> Any:
    if token in _TYPED_KEYS:
        return _TYPED_KEYS[token]
    if token[:1].isalpha() and token.lower() not in _FLOAT_WORDS:
        return MISSING  # int() and float() refuse it: no exception needed to say so (every absent key asks)
    try:
        return int(token)
    except ValueError:
        try:
            return float(token)
        except ValueError:
            return MISSING


class Document:
    """One YAML/JSON document taken out of a source."""

    def __init__(self, uri: str, data: Any, positions: dict[str, Span] | None = None,
                 key_positions: dict[str, Span] | None = None, index: int = 0) -> None:
        self.uri = uri
        self.data = data
        self.positions = {} if positions is None else positions
        self.key_positions = {} if key_positions is None else key_positions
        self.index = index  # position of the document within its source

    def __repr__(self) -> str:
        return f"Document({self.uri!r}, {self.data!r}, index={self.index})"

    def span_of(self, pointer: str, *, key: bool = False) -> Span:
        """Best span for pointer: its key or value, else the nearest ancestor."""
        table = self.key_positions if key else self.positions
        probe = pointer
        while True:
            if probe in table:
                return table[probe]
            if not key and probe in self.key_positions:
                return self.key_positions[probe]
            if not probe:
                return Span(self.uri)
            probe = probe.rsplit("/", 1)[0]
