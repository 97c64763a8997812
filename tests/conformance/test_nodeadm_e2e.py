"""nodecfg against nodeadm's own end-to-end expectations.

Reads the cases from a checkout named by $NODEADM_SRC (the nodeadm/ directory
of awslabs/amazon-eks-ami) and compiles each step of cases.CASES with the
instance the e2e mocks describe.  See docs/conformance.md.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable

import pytest

NODEADM_SRC = os.environ.get("NODEADM_SRC")
if not NODEADM_SRC:
    pytest.skip("set NODEADM_SRC to a nodeadm checkout to run the conformance suite",
                allow_module_level=True)

import nodecfg.api  # noqa: E402
from nodecfg.core.diagnostics import Severity  # noqa: E402
from nodecfg.core.codes import is_blocking  # noqa: E402

from .cases import CASES, KNOWN_DIFFERENCES, Case, Check, Step  # noqa: E402
from .runner import resolve, run_check  # noqa: E402

E2E_DIR = Path(NODEADM_SRC) / "test" / "e2e"


# --- parameters ---------------------------------------------------------------

def _with_known_difference(test_id: str, values: tuple) -> Any:
    reason = KNOWN_DIFFERENCES.get(test_id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(*values, id=test_id, marks=marks)


def _step_params() -> list:
    return [_with_known_difference(f"{case.name}/{step.label}", (case, index))
            for case in CASES for index, step in enumerate(case.steps)]


def _check_params() -> list:
    params = []
    for case in CASES:
        for index, step in enumerate(case.steps):
            for check in step.checks:
                label = check.pattern or check.expected
                test_id = f"{case.name}/{step.label}/{check.kind}:{check.node_path}:{label}".rstrip(":")
                params.append(_with_known_difference(test_id, (case, index, check.kind, check)))
    return params


# --- turning a step's sources into what nodecfg takes -------------------------

def _case_dir(case: Case) -> Path:
    path = E2E_DIR / "cases" / case.name
    assert path.is_dir(), f"{path} is missing: is NODEADM_SRC the nodeadm/ directory?"
    return path


@pytest.fixture(scope="module")
def compile_step(tmp_path_factory) -> Callable[[Case, int], Any]:
    results: dict[tuple[str, int], Any] = {}

    def compiled(case: Case, index: int):
        key = (case.name, index)
        if key not in results:
            step = case.steps[index]
            scratch = tmp_path_factory.mktemp(re.sub(r"\W+", "-", f"{case.name}-{index}"))
            case_dir = _case_dir(case)
            sources = [resolve(source, case_dir, scratch, E2E_DIR) for source in step.sources]
            results[key] = nodecfg.api.compile(sources, instance=step.instance(), mode="self-managed")
        return results[key]

    return compiled


# --- tests ------------------------------------------------------------------------

@pytest.mark.parametrize("case, index", _step_params())
def test_step_outcome(compile_step, case: Case, index: int) -> None:
    """nodeadm init succeeds, or refuses the config where run.sh expects it to."""
    step: Step = case.steps[index]
    result = compile_step(case, index)
    findings = "\n".join(str(diagnostic) for diagnostic in result.diagnostics)
    if not step.refused_with:
        # nodecfg may still report problems nodeadm does not check (e.g. a CA that is not PEM)
        assert not any(is_blocking(d) for d in result.diagnostics) and result.files, (
            f"nodecfg refused a config nodeadm accepts:\n{findings}")
        return
    errors = {diagnostic.code for diagnostic in result.diagnostics if diagnostic.severity is Severity.ERROR}
    assert step.refused_with in errors, (
        f"nodeadm refuses this config; nodecfg should with {step.refused_with}, found:\n{findings}")


@pytest.mark.parametrize("case, index, kind, check", _check_params())
def test_rendered_file(compile_step, case: Case, index: int, kind: str, check: Check) -> None:
    result = compile_step(case, index)
    assert not any(is_blocking(d) for d in result.diagnostics), "\n".join(str(d) for d in result.diagnostics)
    run_check(result, kind, check, _case_dir(case))


def test_every_case_is_classified() -> None:
    """A case added upstream must be either run or listed as not applicable."""
    upstream = {path.name for path in (E2E_DIR / "cases").iterdir() if path.is_dir()}
    from .cases import NOT_APPLICABLE

    classified = {case.name for case in CASES} | set(NOT_APPLICABLE)
    assert upstream == classified, {"unclassified": sorted(upstream - classified),
                                    "gone upstream": sorted(classified - upstream)}
