"""A program written against the documented library API (docs/library.md).

tests/test_typed_library.py runs ``mypy --strict`` on it: each ``assert_type``
fails if ``nodecfg``'s public names are ``Any`` to a type checker, and a call
that disagrees with the real signatures is an error.  It is never executed.
"""
from __future__ import annotations

from pathlib import Path
from typing import assert_type

import nodecfg
from nodecfg import Compilation, Diagnostic, Settings, Severity, Span, UserDataError, Verdict


def summary(result: Compilation) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.col) for d in result.diagnostics]


def main() -> int:
    result = nodecfg.compile([Path("examples/userdata.mime")], instance={"instanceType": "m5.xlarge"})
    assert_type(result, Compilation)
    assert_type(result.ok, bool)
    assert_type(result.files, dict[str, bytes])
    assert_type(result.verdict, Verdict)
    findings = nodecfg.lint([b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"], mode="karpenter")
    assert_type(findings, list[Diagnostic])
    first: Diagnostic = findings[0]
    assert_type(first.severity, Severity)
    assert_type(first.span, Span)
    assert_type(nodecfg.max_pods("m5.large"), int)
    try:
        data = nodecfg.compose_userdata([{"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig"}], gzip=True)
        assert_type(data, bytes)
    except UserDataError as error:
        assert_type(error, UserDataError)
    settings = Settings()
    assert_type(nodecfg.compile(["x.yaml"], settings=settings), Compilation)
    assert_type(nodecfg.__version__, str)
    return 0 if result.verdict is Verdict.OK and summary(result) == [] else 1
