"""Spans, severities and diagnostics: the currency every stage pays in.

A Span is 1-based and inclusive of its start; ``uri`` names the source and
the layers inside it (``userdata.mime#part=2``), written and read by
nodecfg/core/locations.py only.  Stages never raise on
bad input: they return values plus a list of Diagnostic.

The records of nodecfg that `check` builds at start-up are NamedTuples or plain
classes, not dataclasses: on Python 3.11 each dataclass costs about a
millisecond to define (its methods are compiled from source), and the
dataclasses module another 15 to import, a quarter of a cold `check`.
"""

import enum
from typing import NamedTuple

from nodecfg.core import locations


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


class Span(NamedTuple):
    uri: str
    line: int = 1
    col: int = 1
    end_line: int = 0
    end_col: int = 0

    @property
    def path(self) -> str:
        return locations.file_of(self.uri)

    @property
    def fragment(self) -> str:
        """What inside the file the span is in: 'part=2', 'base64+gzip#part=3', ..."""
        return locations.fragment_of(self.uri)

    @property
    def lines_are_file_lines(self) -> bool:
        return locations.lines_are_file_lines(self.uri)

    def __str__(self) -> str:
        """path:line:col, clickable, when the line is a line of the file; the full uri otherwise."""
        where = self.path if self.lines_are_file_lines else self.uri
        return f"{where}:{self.line}:{self.col}"


class Edit(NamedTuple):
    """Replace the text from ``span``'s start up to (not including) its end by ``text``.

    An insertion has its end at its start.  ``expect``, when set, is the text
    the edit replaces: a fix whose text has changed since it was planned (or
    that is spelled otherwise than the finding's value, a quoted key) is not made.
    """
    span: Span
    text: str
    expect: str | None = None


class Fix(NamedTuple):
    """The text edits that fix a finding, made where the finding is made (as ruff's rules attach a Fix).

    ``applicability`` is ruff's: "safe" (``check --fix``) or "unsafe" (``--unsafe-fixes`` too).
    A fix is applied whole or not at all (nodecfg/linter/fix.py).
    """
    applicability: str
    edits: tuple[Edit, ...]

    def moved(self, move) -> "Fix":
        """The fix with every edit's span passed through ``move`` (a span-mapping function)."""
        return self._replace(edits=tuple(edit._replace(span=move(edit.span)) for edit in self.edits))


class Diagnostic(NamedTuple):
    code: str
    severity: Severity
    span: Span
    message: str
    hint: str = ""
    related: tuple[Span, ...] = ()  # other places the finding is about
    fix: Fix | None = None  # not part of the finding's identity in output (as_dict), sorting or deduplication

    def moved(self, move) -> "Diagnostic":
        """The finding with its span, related spans and fix edits passed through ``move``."""
        return self._replace(span=move(self.span), related=tuple(move(s) for s in self.related),
                             fix=self.fix.moved(move) if self.fix else None)

    def format(self) -> str:
        text = f"{self.span}: {self.code} {self.severity} {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        if self.span.fragment and self.span.lines_are_file_lines:
            text += f" [{self.span.fragment}]"
        return text

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "uri": self.span.uri,
            "line": self.span.line,
            "col": self.span.col,
            "endLine": self.span.end_line,
            "endCol": self.span.end_col,
            "message": self.message,
            "hint": self.hint,
        }


def has_errors(diagnostics) -> bool:
    return any(d.severity >= Severity.ERROR for d in diagnostics)
