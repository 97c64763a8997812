"""Printing diagnostics for people: ``path:line:col: CODE severity message``,
the source line with a caret under the column, and the hint.

Machine formats (json, sarif, github) live in ``nodecfg.output.formats``.

Output is bounded whatever the input (docs/limits.md): the excerpt shows at
most ``EXCERPT_WIDTH`` columns around the caret, messages and hints are cut
at ``MAX_TEXT``, at most ``MAX_PER_CODE`` findings of one code are shown per
file and ``MAX_SHOWN`` in all, each group that was cut ending in an "N more"
line.  Control characters (ESC, BEL, C1, bidirectional overrides) are shown
escaped, never written to the terminal (``nodecfg.output.escape.printable``).
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from nodecfg.core.diagnostics import Diagnostic, Severity
from nodecfg.core.positions import text_lines
from nodecfg.output.escape import printable

EXCERPT_WIDTH = 120
MAX_TEXT = 1000
MAX_PER_CODE = 20
MAX_SHOWN = 500


def _cut(text: str, width: int = MAX_TEXT) -> str:
    return text if len(text) <= width else text[:width] + f"... ({len(text) - width} more characters)"


def limit(diagnostics: Iterable[Diagnostic]) -> tuple[list[Diagnostic], list[str]]:
    """The findings to show and one "N more" line per (file, code) group or total that was cut."""
    shown: list[Diagnostic] = []
    per_group: Counter[tuple[str, str]] = Counter()
    hidden: Counter[tuple[str, str]] = Counter()
    beyond_total = 0
    for diagnostic in diagnostics:
        group = (diagnostic.span.path, diagnostic.code)
        per_group[group] += 1
        if per_group[group] > MAX_PER_CODE:
            hidden[group] += 1
        elif len(shown) >= MAX_SHOWN:
            beyond_total += 1
        else:
            shown.append(diagnostic)
    notes = [f"nodecfg: {count} more {code} finding{'s' if count > 1 else ''} in {printable(_cut(path, 200))} "
             "not shown" for (path, code), count in sorted(hidden.items())]
    if beyond_total:
        notes.append(f"nodecfg: {beyond_total} more finding{'s' if beyond_total > 1 else ''} not shown "
                     f"(at most {MAX_SHOWN} are printed)")
    return shown, notes


def excerpt(diagnostic: Diagnostic, texts: dict[str, str]) -> str:
    """The offending line with a caret under the column, or '' when unknown.

    A long line is shown as a window of ``EXCERPT_WIDTH`` columns around the column.
    """
    span = diagnostic.span
    text = texts.get(span.uri)
    if text is None or span.line < 1:
        return ""
    line = _nth_line(text, span.line)
    if line is None:
        return ""
    col = max(span.col - 1, 0)
    start = max(0, min(col - EXCERPT_WIDTH // 2, len(line) - EXCERPT_WIDTH))
    window = line[start:start + EXCERPT_WIDTH]
    before = printable(window[:col - start].expandtabs(1))
    shown = printable(window.expandtabs(1))
    lead, tail = ("..." if start else ""), ("..." if start + EXCERPT_WIDTH < len(line) else "")
    width = len(str(span.line))
    caret_line = " " * (len(lead) + len(before)) + "^"
    return f"  {span.line} | {lead}{shown}{tail}\n  {' ' * width} | {caret_line}"


def _nth_line(text: str, number: int) -> str | None:
    lines = text_lines(text)
    return lines[number - 1] if number <= len(lines) else None


def headline(diagnostic: Diagnostic) -> str:
    return _cut(printable(f"{diagnostic.span}: {diagnostic.code} {diagnostic.severity} {diagnostic.message}"))


def format_one(diagnostic: Diagnostic, texts: dict[str, str]) -> str:
    block = [headline(diagnostic)]
    shown = excerpt(diagnostic, texts)
    if shown:
        block.append(shown)
    if diagnostic.hint:
        block.append(f"  hint: {_cut(printable(diagnostic.hint))}")
    return "\n".join(block)


def format_text(diagnostics: Iterable[Diagnostic], texts: dict[str, str]) -> str:
    shown, notes = limit(diagnostics)
    return "\n".join([format_one(d, texts) for d in shown] + notes)


def summary(diagnostics: list[Diagnostic]) -> str:
    """'2 errors, 1 warning' (the counts that are not zero), or '' for none."""
    counts = []
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        count = sum(1 for d in diagnostics if d.severity == severity)
        if count:
            noun = str(severity) if count == 1 else f"{severity}s"
            counts.append(f"{count} {noun}")
    return ", ".join(counts)
