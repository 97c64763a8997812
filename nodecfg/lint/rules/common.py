"""Small helpers the rule modules share: where a merged value came from."""
from __future__ import annotations

from typing import Any

from ...diagnostics import Diagnostic, Severity, Span
from ...merge import get_pointer


def spec_get(analysis, pointer: str) -> Any:
    return get_pointer(analysis.merged.data, pointer)


def span_inside(analysis, owner: str, pointer: str) -> Span:
    """Span of pointer inside the value that won for owner (a list or map kept whole by the merge)."""
    winner = analysis.merged.locate(owner)
    for document in reversed(analysis.loaded.documents):
        if document.uri == winner.uri and document.positions.get(owner) == winner:
            return document.span_of(pointer)
    return winner


def make(codes: dict, code: str, span: Span, message: str, hint: str = "",
         severity: Severity | None = None) -> Diagnostic:
    return Diagnostic(code, severity or codes[code][0], span, message, hint)
