"""Positions between layers: a place inside an embedded text -> the place in the file that holds it.

Later stages report a merged value's inner position (a line of the inline
containerd TOML, a column of a maxPodsExpression); the value's own span says
where that text sits in the file.  Every stage maps through here.
"""
from __future__ import annotations

from nodecfg.core.diagnostics import Span


def map_embedded_line(value_span: Span, line: int, col: int, texts: dict[str, str]) -> Span:
    """Line/col inside a YAML block scalar (``config: |``) -> line/col of the file."""
    if value_span.end_line <= value_span.line:  # a one-line scalar: point at it
        return value_span
    text = texts.get(value_span.uri, "")
    file_line = value_span.line + line
    lines = text.splitlines()
    # the block's indentation is that of its first non-blank line (YAML), not of this line:
    # col already counts the spaces this line has beyond it
    block = (content for content in lines[value_span.line:value_span.end_line] if content.strip())
    first = next(block, "")
    indent = len(first) - len(first.lstrip(" "))
    return Span(value_span.uri, file_line, indent + col, file_line, indent + col)
