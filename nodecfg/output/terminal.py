"""Colour for findings on a terminal, with ruff's rules for when.

``--color auto`` (the default) colours only when stdout is a TTY and the
``NO_COLOR`` environment variable is unset or empty (https://no-color.org);
``FORCE_COLOR`` set to a non-empty value colours even into a pipe;
``--color always``/``never`` decide outright.
"""
from __future__ import annotations

import os
import re
from typing import TextIO
from nodecfg.core.lazy_re import LazyPattern

CHOICES = ("auto", "always", "never")
_SEVERITY_COLOURS = {"error": "31", "warning": "33", "info": "36"}  # red, yellow, cyan
# a finding's first line: "path:line:col: CODE severity ..." or the concise "CODE [severity]"
_HEADLINE = LazyPattern(r"^(?P<where>\S.*?:\d+:\d+): (?P<code>NC\d{3}) (?P<severity>\[?(?:error|warning|info)\]?) ",
                       re.MULTILINE)


def wants_colour(choice: str, stream: TextIO) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def colourise(text: str) -> str:
    """Bold location, coloured code and severity, on every finding's first line."""
    def paint(match: re.Match) -> str:
        colour = _SEVERITY_COLOURS[match["severity"].strip("[]")]
        return (f"\x1b[1m{match['where']}\x1b[0m: \x1b[{colour};1m{match['code']}\x1b[0m "
                f"\x1b[{colour}m{match['severity']}\x1b[0m ")

    return _HEADLINE.sub(paint, text)
