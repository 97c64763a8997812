"""Builders for the linter tests: a valid cluster header plus the lines under test."""
from __future__ import annotations

import textwrap
from pathlib import Path

from nodecfg.linter.engine import lint

REPO = Path(__file__).resolve().parents[2]
CA = next(line.split(":", 1)[1].strip()
          for line in (REPO / "examples" / "nodeconfig.yaml").read_text().splitlines()
          if "certificateAuthority:" in line)

# 9 lines: the spec body under test starts on line 10.
CLUSTER_HEADER = f"""\
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: demo
    apiServerEndpoint: https://example.eks.amazonaws.com
    certificateAuthority: {CA}
    cidr: 10.100.0.0/16
  # the body under test follows
"""
FIRST_BODY_LINE = 10


def nodeconfig(body: str) -> str:
    """A complete NodeConfig whose spec continues with body (written at spec level, 2 spaces)."""
    return CLUSTER_HEADER + textwrap.indent(textwrap.dedent(body), "  ")


def findings(*sources: str | bytes, codes: tuple[str, ...] = (), **options) -> set[tuple[str, int, int]]:
    """(code, line, col) of every finding, limited to codes when given."""
    raw = [s.encode() if isinstance(s, str) else s for s in sources]
    result = lint(raw, **options)
    return {(d.code, d.span.line, d.span.col) for d in result.diagnostics if not codes or d.code in codes}


def diagnostics(*sources: str | bytes, **options):
    raw = [s.encode() if isinstance(s, str) else s for s in sources]
    return lint(raw, **options).diagnostics
