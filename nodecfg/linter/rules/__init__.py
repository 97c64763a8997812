"""Lint rules, one module per family.

Each module exposes ``check(analysis, context) -> list[Diagnostic]``;
``nodecfg.pipeline.run`` runs them in ``LINT_RULE_MODULES`` order after the
front half, on every configuration nodeadm could decode.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class LintContext:
    """What the rules may know beyond the sources themselves."""

    sources: list = field(default_factory=list)
    mode: str = "self-managed"
    instance: Any = None        # nodecfg.context.instance.Instance; None: the documented default
    extra_table: dict | None = None

    def resolved_instance(self):
        if self.instance is None:
            from nodecfg.context.instance import DEFAULT_INSTANCE

            self.instance = DEFAULT_INSTANCE
        return self.instance
