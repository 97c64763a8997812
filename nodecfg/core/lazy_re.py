"""Regular expressions compiled on their first use.

CPython compiles a pattern in Python code, 0.1 to 0.5 ms each, and a cold
``nodecfg check`` of a typical file would otherwise compile dozens that only
rarer inputs reach (a Terraform intrinsic, a here-document, coloured output,
a ``[tool.nodecfg]`` table).  Such a module-level pattern is a ``LazyPattern``;
the ones every run uses stay ``re.compile``.  ``benchmarks/bench_corpus.py``
measures the start-up this saves.
"""
from __future__ import annotations

import re


class LazyPattern:
    """``re.compile(pattern, flags)``, done when a method (match, search, sub, ...) is first asked for."""

    __slots__ = ("_source", "_compiled")

    def __init__(self, pattern: str | bytes, flags: int = 0) -> None:
        self._source = (pattern, flags)
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str):
        if self._compiled is None:
            self._compiled = re.compile(*self._source)
        return getattr(self._compiled, name)
