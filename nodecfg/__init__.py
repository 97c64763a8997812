"""nodecfg: offline compiler and linter for Amazon EKS nodeadm configuration.

The library surface is imported lazily so that ``import nodecfg`` stays cheap;
the ``TYPE_CHECKING`` block below gives type checkers and IDEs the real
signatures without importing anything at run time.
"""
from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .api import Compilation, compile, compose_userdata, lint, max_pods
    from .diagnostics import Diagnostic, Severity, Span
    from .lint.config import ConfigError, Settings
    from .pipeline import Result, Verdict
    from .userdata import UserDataError

_LAZY = {
    "compile": ("nodecfg.api", "compile"),
    "lint": ("nodecfg.api", "lint"),
    "max_pods": ("nodecfg.api", "max_pods"),
    "compose_userdata": ("nodecfg.api", "compose_userdata"),
    "migrate": ("nodecfg.migrate", "migrate"),
    "UserDataError": ("nodecfg.userdata", "UserDataError"),
    "Compilation": ("nodecfg.api", "Compilation"),
    "Result": ("nodecfg.pipeline", "Result"),
    "Verdict": ("nodecfg.pipeline", "Verdict"),
    "Diagnostic": ("nodecfg.diagnostics", "Diagnostic"),
    "Severity": ("nodecfg.diagnostics", "Severity"),
    "Span": ("nodecfg.diagnostics", "Span"),
    "Settings": ("nodecfg.lint.config", "Settings"),
    "ConfigError": ("nodecfg.lint.config", "ConfigError"),
}

# Written out (not derived from _LAZY) so that type checkers see the exports.
__all__ = [
    "__version__", "compile", "lint", "max_pods", "compose_userdata", "UserDataError", "Compilation",
    "Result", "Verdict", "Diagnostic", "Severity", "Span", "Settings", "ConfigError",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'nodecfg' has no attribute {name!r}")
    import importlib

    module_name, attribute = _LAZY[name]
    return getattr(importlib.import_module(module_name), attribute)


def __dir__() -> list[str]:
    """The public names (for ``dir(nodecfg)``, ``help(nodecfg)`` and completion), not the helpers."""
    dunders = (name for name in globals() if name.startswith("__") and name.endswith("__"))
    return sorted({*__all__, *dunders})


class _CallableLint(types.ModuleType):
    """The subpackage nodecfg/lint/, callable as the library function ``nodecfg.lint``."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from .api import lint

        return lint(*args, **kwargs)


class _Package(types.ModuleType):
    """``nodecfg.lint`` names both the API function and the subpackage nodecfg/lint/.

    Importing the subpackage binds it as the attribute ``lint`` of this package,
    which would hide the function; the setter makes the subpackage callable
    instead, so ``nodecfg.lint(...)`` and ``nodecfg.lint.engine`` both work.
    """

    @property
    def lint(self) -> Any:
        return sys.modules.get(f"{__name__}.lint") or __getattr__("lint")

    @lint.setter
    def lint(self, module: types.ModuleType) -> None:
        module.__class__ = _CallableLint

    def __dir__(self) -> list[str]:
        return __dir__()


sys.modules[__name__].__class__ = _Package
