"""Printing diagnostics for people: ``path:line:col: CODE severity message``,
the source line with a caret under the column, and the hint.

Machine formats (json, sarif, github) live in ``nodecfg.lint.formats``.
"""
from __future__ import annotations

from typing import Iterable

from .diagnostics import Diagnostic, Severity


def excerpt(diagnostic: Diagnostic, texts: dict[str, str]) -> str:
    """The offending line with a caret under the column, or '' when unknown."""
    span = diagnostic.span
    text = texts.get(span.uri)
    if text is None or span.line < 1:
        return ""
    lines = text.splitlines()
    if span.line > len(lines):
        return ""
    line = lines[span.line - 1].expandtabs(1)
    width = len(str(span.line))
    caret_line = " " * max(span.col - 1, 0) + "^"
    return f"  {span.line} | {line}\n  {' ' * width} | {caret_line}"


def headline(diagnostic: Diagnostic) -> str:
    return f"{diagnostic.span}: {diagnostic.code} {diagnostic.severity} {diagnostic.message}"


def format_one(diagnostic: Diagnostic, texts: dict[str, str]) -> str:
    block = [headline(diagnostic)]
    shown = excerpt(diagnostic, texts)
    if shown:
        block.append(shown)
    if diagnostic.hint:
        block.append(f"  hint: {diagnostic.hint}")
    return "\n".join(block)


def format_text(diagnostics: Iterable[Diagnostic], texts: dict[str, str]) -> str:
    return "\n".join(format_one(d, texts) for d in diagnostics)


def summary(diagnostics: list[Diagnostic]) -> str:
    """'2 errors, 1 warning' (the counts that are not zero), or '' for none."""
    counts = []
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        count = sum(1 for d in diagnostics if d.severity == severity)
        if count:
            noun = str(severity) if count == 1 else f"{severity}s"
            counts.append(f"{count} {noun}")
    return ", ".join(counts)


def format_json(diagnostics: Iterable[Diagnostic]) -> str:
    from .lint.formats import format_json as machine_json

    return machine_json(list(diagnostics))
