"""``# nodecfg: disable=CODE[,CODE]`` and ``# nodecfg: disable-file=CODE`` comments.

A ``disable`` comment silences the listed codes for a finding on the same
line or on the line just below it (a comment line of its own above the
offending line).  A ``disable-file`` comment anywhere in a file silences the
codes for every finding in that file, MIME parts included.  The comments are
read from the text the finding's line numbers refer to.  Codes and rule names
(``cidr-host-bits``) are both accepted; anything else is reported as NC011.
"""
from __future__ import annotations

from functools import lru_cache

from nodecfg.core.diagnostics import Diagnostic, Span
from nodecfg.core.lazy_re import LazyPattern

_DIRECTIVE = LazyPattern(r"#\s*nodecfg:\s*disable(-file)?\s*=\s*([A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*)")


@lru_cache(maxsize=64)
def directives(text: str) -> tuple[dict[int, frozenset[str]], frozenset[str], tuple[tuple[int, int, str], ...]]:
    """(line -> codes disabled there, codes disabled for the whole file, unknown (line, col, word))."""
    from nodecfg.core.codes import lookup

    by_line: dict[int, frozenset[str]] = {}
    whole_file: set[str] = set()
    unknown: list[tuple[int, int, str]] = []
    if "nodecfg:" not in text:
        return by_line, frozenset(), ()
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _DIRECTIVE.finditer(line):
            codes = set()
            for word in match.group(2).split(","):
                code = lookup(word)
                if code is None:
                    unknown.append((number, match.start(2) + 1 + match.group(2).find(word.strip()), word.strip()))
                else:
                    codes.add(code.id)
            if match.group(1):
                whole_file |= codes
            else:
                by_line[number] = by_line.get(number, frozenset()) | codes
    return by_line, frozenset(whole_file), tuple(unknown)


def suppressed(diagnostic: Diagnostic, texts: dict[str, str]) -> bool:
    text = texts.get(diagnostic.span.uri)
    if text is None:
        return False
    by_line, whole_file, _ = directives(text)
    code = diagnostic.code
    if code in whole_file:
        return True
    line = diagnostic.span.line
    return code in by_line.get(line, ()) or code in by_line.get(line - 1, ())


def unknown_codes(texts: dict[str, str]) -> list[Diagnostic]:
    """NC011 for every word of a disable comment that names no code or rule."""
    from nodecfg.core.codes import NC011

    found = []
    for uri, text in texts.items():
        for line, col, word in directives(text)[2]:
            found.append(NC011.at(Span(uri, line, col, line, col + len(word)),
                                  f"'# nodecfg: disable' names {word!r}, which is no code or rule name",
                                  "see `nodecfg check --list-rules` for the codes and names"))
    return found
