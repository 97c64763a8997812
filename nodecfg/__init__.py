"""nodecfg: offline compiler and linter for Amazon EKS nodeadm configuration.

The library surface is imported lazily so that ``import nodecfg`` stays cheap;
the ``TYPE_CHECKING`` block below gives type checkers and IDEs the real
signatures without importing anything at run time.
"""
from __future__ import annotations

from nodecfg._version import __version__

# typing.TYPE_CHECKING, without importing typing: the command imports this package before anything
# else and sets the garbage collector up first (nodecfg/cli/__init__.py)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from nodecfg.api import Compilation, compile, compose_userdata, lint, max_pods
    from nodecfg.core.diagnostics import Diagnostic, Severity, Span
    from nodecfg.linter.config import ConfigError, Settings
    from nodecfg.pipeline import Result, Verdict
    from nodecfg.userdata.compose import UserDataError
    from nodecfg.userdata.migrate import migrate

_LAZY = {
    "compile": ("nodecfg.api", "compile"),
    "lint": ("nodecfg.api", "lint"),
    "max_pods": ("nodecfg.api", "max_pods"),
    "compose_userdata": ("nodecfg.api", "compose_userdata"),
    "migrate": ("nodecfg.userdata.migrate", "migrate"),
    "UserDataError": ("nodecfg.userdata.compose", "UserDataError"),
    "Compilation": ("nodecfg.api", "Compilation"),
    "Result": ("nodecfg.pipeline", "Result"),
    "Verdict": ("nodecfg.pipeline", "Verdict"),
    "Diagnostic": ("nodecfg.core.diagnostics", "Diagnostic"),
    "Severity": ("nodecfg.core.diagnostics", "Severity"),
    "Span": ("nodecfg.core.diagnostics", "Span"),
    "Settings": ("nodecfg.linter.config", "Settings"),
    "ConfigError": ("nodecfg.linter.config", "ConfigError"),
}

# Written out (not derived from _LAZY) so that type checkers see the exports.
__all__ = [
    "__version__", "compile", "lint", "max_pods", "compose_userdata", "migrate", "UserDataError", "Compilation",
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
