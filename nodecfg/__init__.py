"""nodecfg: offline compiler and linter for Amazon EKS nodeadm configuration.

The library surface is imported lazily so that ``import nodecfg`` stays cheap.
"""
from __future__ import annotations

__version__ = "0.1.0"

_LAZY = {
    "compile": ("nodecfg.api", "compile"),
    "lint": ("nodecfg.api", "lint"),
    "max_pods": ("nodecfg.api", "max_pods"),
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
