"""Lint rules, one module per family.

Each module exposes ``check(analysis, context) -> list[Diagnostic]``;
``nodecfg.pipeline.run`` runs them in ``LINT_RULE_MODULES`` order after the
front half, on every configuration nodeadm could decode.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nodecfg.context.instance import Instance
    from nodecfg.context.instance_table import InstanceTypeInfo


class LintContext:
    """What the rules may know beyond the sources themselves."""

    def __init__(self, sources: list, mode: str, instance: Instance,
                 extra_table: dict[str, InstanceTypeInfo] | None = None) -> None:
        self.sources = sources
        self.mode = mode            # the run's mode (pipeline.Analysis.mode)
        self.instance = instance    # resolved once by the pipeline (pipeline.resolve_instance), as the renderers get it
        self.extra_table = extra_table

    def resolved_instance(self) -> Instance:
        return self.instance
