"""``# nodecfg: disable=CODE[,CODE]`` and ``# nodecfg: disable-file=CODE`` comments.

A ``disable`` comment silences the listed codes for a finding on the same
line or on the line just below it (a comment line of its own above the
offending line).  A ``disable-file`` comment anywhere in a file silences the
codes for every finding in that file, MIME parts included.  The comments are
read from the text the finding's line numbers refer to.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..diagnostics import Diagnostic

_DIRECTIVE = re.compile(r"#\s*nodecfg:\s*disable(-file)?\s*=\s*([A-Za-z0-9_]+(?:\s*,\s*[A-Za-z0-9_]+)*)")


@lru_cache(maxsize=64)
def directives(text: str) -> tuple[dict[int, frozenset[str]], frozenset[str]]:
    """(line number -> codes disabled there, codes disabled for the whole file)."""
    by_line: dict[int, frozenset[str]] = {}
    whole_file: set[str] = set()
    if "nodecfg:" not in text:
        return by_line, frozenset()
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _DIRECTIVE.finditer(line):
            codes = {code.strip().upper() for code in match.group(2).split(",")}
            if match.group(1):
                whole_file |= codes
            else:
                by_line[number] = by_line.get(number, frozenset()) | codes
    return by_line, frozenset(whole_file)


def suppressed(diagnostic: Diagnostic, texts: dict[str, str]) -> bool:
    text = texts.get(diagnostic.span.uri)
    if text is None:
        return False
    by_line, whole_file = directives(text)
    code = diagnostic.code
    if code in whole_file:
        return True
    line = diagnostic.span.line
    return code in by_line.get(line, ()) or code in by_line.get(line - 1, ())
