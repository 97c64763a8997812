"""Small helpers the rule modules share: where a merged value came from."""
from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from typing import Any

from nodecfg.core.diagnostics import Span
from nodecfg.core.positions import text_lines
from nodecfg.merge.nodeconfig import get_pointer
from nodecfg.core.lazy_re import LazyPattern


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
    lines = text_lines(analysis.loaded.texts.get(span.uri, ""))
    if offset <= 0 or span.end_line > span.line or not 0 < span.line <= len(lines):
        return span
    column = _raw_column(lines[span.line - 1], span.col - 1, offset)
    if column is None:
        return span
    return Span(span.uri, span.line, column + 1, span.line, column + 1)


_ESCAPE_LENGTHS = {"x": 2, "u": 4, "U": 8}
_SPECIAL = {"'": LazyPattern("''|'"), '"': LazyPattern(r'\\|"')}


def _raw_column(line: str, start: int, offset: int) -> int | None:
    """0-based column in ``line`` of decoded character ``offset`` of the scalar at ``start``."""
    if start >= len(line):
        return None
    decoded_at, raw_at, length = _column_map(line, start)
    if offset > length:
        return None
    run = bisect_right(decoded_at, offset) - 1
    return raw_at[run] + offset - decoded_at[run]


@lru_cache(maxsize=64)
def _column_map(line: str, start: int) -> tuple[list[int], list[int], int]:
    """Where the scalar at ``start`` stops reading one raw character per decoded one, found once.

    Returns (decoded offsets, raw columns, decoded length): from decoded
    offset ``decoded[k]`` on, characters are raw ``raw[k]`` onwards one for
    one, up to the next entry.  Escapes (``''``, ``\\n``, ``\\x41``) are
    where entries are added; a closing quote ends the scalar.  Cached, so the
    thousands of findings inside one long flag cost one pass over it.
    """
    quote = line[start] if line[start] in "'\"" else ""
    position = start + (1 if quote else 0)
    decoded_at, raw_at, decoded = [0], [position], 0
    if not quote:
        return decoded_at, raw_at, len(line) - position
    special = _SPECIAL[quote]
    while position < len(line):
        match = special.search(line, position)
        if match is None:
            decoded += len(line) - position
            position = len(line)
            break
        decoded += match.start() - position
        position = match.start()
        if line[position] == quote and match.group() != "''":
            break  # the closing quote
        if quote == "'":
            width = 2
        elif position + 1 < len(line):
            width = 2 + _ESCAPE_LENGTHS.get(line[position + 1], 0)
        else:
            width = 1  # a backslash at the end of the line reads as itself
        position += width
        decoded += 1
        decoded_at.append(decoded)
        raw_at.append(position)
    return decoded_at, raw_at, decoded
