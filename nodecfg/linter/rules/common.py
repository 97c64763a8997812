"""Small helpers the rule modules share: where a merged value came from."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from nodecfg.core.diagnostics import Span
from nodecfg.merge.nodeconfig import get_pointer


def spec_get(analysis, pointer: str) -> Any:
    return get_pointer(analysis.merged.data, pointer)


def span_inside(analysis, owner: str, pointer: str) -> Span:
    """Span of pointer inside the value that won for owner (a list or map kept whole by the merge)."""
    winner = analysis.merged.locate(owner)
    for document in reversed(analysis.loaded.documents):
        if document.uri == winner.uri and document.positions.get(owner) == winner:
            return document.span_of(pointer)
    return winner


def offset_span(analysis, pointer: str, offset: int) -> Span:
    """Span of character ``offset`` of the string value at ``pointer``.

    Exact for a scalar on one line (plain, '...' or "..." with escapes);
    anything else (block scalars, folded lines) points at the value itself.
    """
    span = analysis.merged.locate(pointer)
    lines = _lines(analysis.loaded.texts.get(span.uri, ""))
    if offset <= 0 or span.end_line > span.line or not 0 < span.line <= len(lines):
        return span
    column = _raw_column(lines[span.line - 1], span.col - 1, offset)
    if column is None:
        return span
    return Span(span.uri, span.line, column + 1, span.line, column + 1)


@lru_cache(maxsize=4)
def _lines(text: str) -> tuple[str, ...]:
    """The lines of a source text, split once however many findings point into it.

    The cache holds the text itself (a str's hash is computed once and kept),
    so a rule that reports on 15,000 flags splits the text once, not 15,000 times.
    """
    return tuple(text.splitlines())


_ESCAPE_LENGTHS = {"x": 2, "u": 4, "U": 8}


def _raw_column(line: str, start: int, offset: int) -> int | None:
    """0-based column in ``line`` of decoded character ``offset`` of the scalar at ``start``."""
    if start >= len(line):
        return None
    quote = line[start] if line[start] in "'\"" else ""
    position, decoded = start + (1 if quote else 0), 0
    while position < len(line):
        if decoded == offset:
            return position
        char = line[position]
        if quote == "'" and line.startswith("''", position):
            position += 2
        elif quote == '"' and char == "\\" and position + 1 < len(line):
            position += 2 + _ESCAPE_LENGTHS.get(line[position + 1], 0)
        elif quote and char == quote:
            return None
        else:
            position += 1
        decoded += 1
    return position if decoded == offset else None
