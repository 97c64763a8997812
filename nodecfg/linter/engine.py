"""``lint(sources, ...)``: ``nodecfg.pipeline.run`` without the tree, as ``nodecfg check`` runs it."""
from __future__ import annotations

from nodecfg.pipeline import Request, Result, run
from nodecfg.parse.source import Limits, LoadOptions


def lint(sources: list, *, mode: str = "self-managed", instance=None, extra_table=None,
         limits: Limits = Limits(), settings=None, stdin=None, options=None) -> Result:
    """Every finding for sources, suppressed and re-levelled as configured (a Request's fields as keywords)."""
    return run(Request(list(sources), mode, instance, extra_table, settings=settings, limits=limits,
                       options=options or LoadOptions(), render=False, stdin=stdin))
