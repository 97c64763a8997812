"""Lint rules, one module per family; this package is their registry.

A rule family is a module of this package that defines
``check(analysis, context) -> list[Diagnostic]``; helper modules (``common``)
define none.  ``families()`` finds them by listing the package (as yamllint's
``rules/__init__.py`` is the one list of its rules), so adding a family is
adding its module: nothing else names it.  ``check`` runs every family, in
module-name order, on every configuration nodeadm could decode;
``nodecfg.pipeline.run`` calls it after the front half.  The order is fixed
but does not show: the pipeline sorts findings by place and code, and no two
families make the same code.
"""
from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nodecfg.context.instance import Instance
    from nodecfg.nodeadm.instance_table import InstanceTypeInfo

_families: tuple[ModuleType, ...] | None = None


def family_names() -> list[str]:
    """The names of this package's modules that may be families (not ``_private``), sorted."""
    return sorted({name[:-3] for directory in __path__ for name in os.listdir(directory)
                   if name.endswith(".py") and not name.startswith("_")})


def families() -> tuple[ModuleType, ...]:
    """Every rule family (a module with ``check``), imported once, in name order."""
    global _families
    if _families is None:
        modules = (importlib.import_module(f"{__name__}.{name}") for name in family_names())
        _families = tuple(module for module in modules if callable(getattr(module, "check", None)))
    return _families


def check(analysis, context: "LintContext") -> list:
    """The findings of every rule family."""
    found: list = []
    for family in families():
        found.extend(family.check(analysis, context))
    return found


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
