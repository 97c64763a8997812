"""Printing diagnostics: text with a source excerpt and caret, or JSON."""
from __future__ import annotations

import json
from typing import Iterable

from .diagnostics import Diagnostic


def excerpt(diagnostic: Diagnostic, texts: dict[str, str]) -> str:
    """The offending line with a caret under the column, or '' when unknown."""
    span = diagnostic.span
    text = texts.get(span.uri)
    if text is None or span.line < 1:
        return ""
    lines = text.splitlines()
    if span.line > len(lines):
        return ""
    line = lines[span.line - 1]
    width = len(str(span.line))
    caret_line = " " * max(span.col - 1, 0) + "^"
    return f"  {span.line} | {line}\n  {' ' * width} | {caret_line}"


def format_text(diagnostics: Iterable[Diagnostic], texts: dict[str, str]) -> str:
    blocks = []
    for diagnostic in diagnostics:
        block = diagnostic.format()
        shown = excerpt(diagnostic, texts)
        if shown:
            block += "\n" + shown
        blocks.append(block)
    return "\n".join(blocks)


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diagnostics], indent=2)
