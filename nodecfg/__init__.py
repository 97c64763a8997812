"""nodecfg: offline compiler and linter for Amazon EKS nodeadm configuration.

The library surface is imported lazily so that ``import nodecfg`` stays cheap.
"""
from __future__ import annotations

import sys
import types

__version__ = "0.1.0"

_LAZY = {
    "compile": ("nodecfg.api", "compile"),
    "lint": ("nodecfg.api", "lint"),
    "max_pods": ("nodecfg.api", "max_pods"),
    "compose_userdata": ("nodecfg.api", "compose_userdata"),
    "migrate": ("nodecfg.migrate", "migrate"),
    "UserDataError": ("nodecfg.userdata", "UserDataError"),
    "Compilation": ("nodecfg.api", "Compilation"),
    "Diagnostic": ("nodecfg.diagnostics", "Diagnostic"),
    "Severity": ("nodecfg.diagnostics", "Severity"),
    "Span": ("nodecfg.diagnostics", "Span"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'nodecfg' has no attribute {name!r}")
    import importlib

    module_name, attribute = _LAZY[name]
    return getattr(importlib.import_module(module_name), attribute)


class _CallableLint(types.ModuleType):
    """The subpackage nodecfg/lint/, callable as the library function ``nodecfg.lint``."""

    def __call__(self, *args, **kwargs):
        from .api import lint

        return lint(*args, **kwargs)


class _Package(types.ModuleType):
    """``nodecfg.lint`` names both the API function and the subpackage nodecfg/lint/.

    Importing the subpackage binds it as the attribute ``lint`` of this package,
    which would hide the function; the setter makes the subpackage callable
    instead, so ``nodecfg.lint(...)`` and ``nodecfg.lint.engine`` both work.
    """

    @property
    def lint(self):
        return sys.modules.get(f"{__name__}.lint") or __getattr__("lint")

    @lint.setter
    def lint(self, module: types.ModuleType) -> None:
        module.__class__ = _CallableLint


sys.modules[__name__].__class__ = _Package
