"""``lint(sources, ...)``: ``nodecfg.pipeline.run`` without the tree, as ``nodecfg check`` runs it."""
from __future__ import annotations

from nodecfg.pipeline import Result, run
from nodecfg.parse.source import Limits


def lint(sources: list, *, mode: str = "self-managed", instance=None, extra_table=None,
         limits: Limits = Limits(), settings=None, stdin=None, options=None) -> Result:
    """Every finding for sources, suppressed and re-levelled as configured."""
    return run(list(sources), instance, mode=mode, settings=settings, limits=limits, extra_table=extra_table,
               render=False, stdin=stdin, options=options)
