"""The linter behind ``nodecfg check``: rules, registry, configuration, output formats.

``lint(sources, ...)`` runs the pipeline's front half, the lint rules in
``nodecfg.linter.rules`` and, when the configuration is clean enough to render,
the renderers' own checks; then applies ``# nodecfg: disable=`` comments and
the ``[tool.nodecfg]`` configuration.  Submodules are imported on use.
"""
from __future__ import annotations


def lint(*args, **kwargs):
    from nodecfg.linter.engine import lint as run

    return run(*args, **kwargs)


__all__ = ["lint"]
