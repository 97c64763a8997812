"""Positions between layers: a place inside an embedded text -> the place in the file that holds it.

Later stages report a merged value's inner position (a line of the inline
containerd TOML, a column of a maxPodsExpression); the value's own span says
where that text sits in the file.  Every stage maps through here.  (What a
uri names, its file and the layers inside it, is nodecfg/core/locations.py.)
"""
from __future__ import annotations

import bisect
from functools import lru_cache
from typing import Callable

from nodecfg.core.diagnostics import Diagnostic, Edit, Fix, Span
from nodecfg.core.locations import Location

# the merged values whose text is reported by line and column (render/containerd.py CONFIG_POINTER)
EMBEDDED_TEXT_POINTERS = frozenset({"/spec/containerd/config"})


def from_pointer(diagnostic: Diagnostic, locate: Callable[[str], Span], texts: dict[str, str]) -> Diagnostic:
    """A finding at a merged value (``pointer:`` uri) at the place in the file that set the value.

    ``locate`` is the merge's ``MergedConfig.locate``.  A line and column inside an
    embedded text (the inline containerd config) move into the block scalar that holds
    it, with the finding's fix; any other pointer finding loses its fix (its edits are
    not in the file's terms).
    """
    span = diagnostic.span
    pointer = Location.parse(span.uri).pointer
    if pointer is None:
        return diagnostic
    target = locate(pointer)
    fix = None
    if span.line > 0 and pointer in EMBEDDED_TEXT_POINTERS:
        fix = map_embedded_fix(diagnostic.fix, target, texts) if diagnostic.fix else None
        target = map_embedded_line(target, span.line, span.col, texts)
    return diagnostic._replace(span=target, fix=fix)


class LineIndex:
    """The one offset <-> (line, column) mapper of a text (lines end at '\\n'), its line starts found once.

    Every position in a container file goes through the file's one index, so
    a template with thousands of Fn::Join items or Fn::Sub references costs
    one scan of the file, not one per item; ``linter/fix.py`` turns edit spans
    into offsets with it.
    """

    __slots__ = ("starts", "length")

    def __init__(self, text: str) -> None:
        starts = [0]
        index = text.find("\n")
        while index >= 0:
            starts.append(index + 1)
            index = text.find("\n", index + 1)
        self.starts = starts
        self.length = len(text)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def offset(self, line: int, col: int) -> int:
        """Character offset of a 1-based line and column (clamped to the text's lines)."""
        starts = self.starts
        return starts[max(1, min(line, len(starts))) - 1] + max(col, 1) - 1

    def exact_offset(self, line: int, col: int) -> int:
        """Character offset of a 1-based line and column, unclamped; -1 when the line is not in the text."""
        return self.starts[line - 1] + col - 1 if 0 < line <= len(self.starts) else -1


@lru_cache(maxsize=16)
def text_lines(text: str) -> tuple[str, ...]:
    """The lines of a source text as excerpts and mappings count them (``str.splitlines``), split once.

    The cache holds the text itself (a str keeps its hash), so a rule that reports
    15,000 findings in one file, or the excerpts of them, split it once, not 15,000 times.
    """
    return tuple(text.splitlines())


def map_embedded_line(value_span: Span, line: int, col: int, texts: dict[str, str]) -> Span:
    """Line/col inside a YAML block scalar (``config: |``) -> line/col of the file."""
    if value_span.end_line <= value_span.line:  # a one-line scalar: point at it
        return value_span
    file_line = value_span.line + line
    lines = text_lines(texts.get(value_span.uri, ""))
    # the block's indentation is that of its first non-blank line (YAML), not of this line:
    # col already counts the spaces this line has beyond it
    block = (content for content in lines[value_span.line:value_span.end_line] if content.strip())
    first = next(block, "")
    indent = len(first) - len(first.lstrip(" "))
    return Span(value_span.uri, file_line, indent + col, file_line, indent + col)


def map_embedded_fix(fix: Fix, value_span: Span, texts: dict[str, str]) -> Fix | None:
    """A fix's edits in the lines of a literal block scalar (``config: |``), in lines of the file; else None.

    An edit of whole lines (from column 1 to column 1) stays an edit of whole file
    lines, indentation included; other positions move as ``map_embedded_line`` moves them.
    """
    lines = text_lines(texts.get(value_span.uri, ""))
    if value_span.end_line <= value_span.line or not 0 < value_span.line <= len(lines) or \
            not lines[value_span.line - 1].rstrip().endswith(("|", "|-", "|+")):
        return None  # only a literal block scalar has the config's lines as lines of the file

    def move(edit: Edit) -> Edit:
        span = edit.span
        if span.col == 1 and span.end_col == 1 and span.end_line > span.line:
            first = value_span.line + span.line
            return edit._replace(span=Span(value_span.uri, first, 1, first + span.end_line - span.line, 1))
        start = map_embedded_line(value_span, span.line, span.col, texts)
        end = map_embedded_line(value_span, span.end_line, span.end_col, texts)
        return edit._replace(span=start._replace(end_line=end.line, end_col=end.col))

    return fix._replace(edits=tuple(move(edit) for edit in fix.edits))
