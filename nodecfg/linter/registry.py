"""The catalogue as the linter presents it (``--list-rules``, ``nodecfg rule``, SARIF).

The codes themselves live in ``nodecfg.core.codes``; ``RuleInfo`` is its ``Code``.
"""
from __future__ import annotations

from nodecfg.core.codes import CATALOGUE, Code

RuleInfo = Code


def catalogue() -> dict[str, Code]:
    """code -> Code for every code any stage can emit, sorted by code."""
    return CATALOGUE


def name_of(code: str) -> str:
    entry = CATALOGUE.get(code)
    return entry.name if entry else code.lower()


NAMES = {code: entry.name for code, entry in CATALOGUE.items()}
