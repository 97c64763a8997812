"""Lint rules, one module per family.

Each module exposes ``check(analysis, context) -> list[Diagnostic]``;
``nodecfg.pipeline.run`` runs them in ``LINT_RULE_MODULES`` order after the
front half, on every configuration nodeadm could decode.
"""
from __future__ import annotations

from typing import Any


class LintContext:
    """What the rules may know beyond the sources themselves."""

    def __init__(self, sources: list, mode: str = "self-managed", instance: Any = None,
                 extra_table: dict | None = None) -> None:
        self.sources = sources
        self.mode = mode
        self.instance = instance    # nodecfg.context.instance.Instance; None: the documented default
        self.extra_table = extra_table

    def resolved_instance(self):
        if self.instance is None:
            from nodecfg.context.instance import DEFAULT_INSTANCE

            self.instance = DEFAULT_INSTANCE
        return self.instance
