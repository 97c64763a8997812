"""nodecfg against nodeadm's own end-to-end expectations.

Reads the cases from a checkout named by $NODEADM_SRC (the nodeadm/ directory
of awslabs/amazon-eks-ami) and compiles each step of cases.CASES with the
instance the e2e mocks describe.  See docs/conformance.md.
"""
from __future__ import annotations

import base64
import difflib
import json
import os
import re
import shutil
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

from .cases import (  # noqa: E402
    ABSENT, BYTES, CASES, CONTAINS, JSON, KNOWN_DIFFERENCES, NOT_CONTAINS, Case, CaseFile, Check,
    DropInDir, ImdsUserData, RunScriptDropIns, Step,
)

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


def _imds_user_data() -> bytes:
    """What the metadata mock serves as user data (it holds it base64-encoded)."""
    mock_config = json.loads((E2E_DIR / "infra" / "aemm-default-config.json").read_text())
    return base64.b64decode(mock_config["userdata"]["values"]["userdata"])


def _run_script_heredocs(case_dir: Path, directory: str) -> dict[str, str]:
    """{file name: text} for each `cat << EOF > DIRECTORY/NAME` heredoc of run.sh."""
    script = (case_dir / "run.sh").read_text()
    pattern = re.compile(rf"cat <<\s*'?(\w+)'?\s*>\s*{re.escape(directory)}/(\S+)\n(.*?)\n\1\n", re.S)
    return {match.group(2): match.group(3) + "\n" for match in pattern.finditer(script)}


def _resolve(source: Any, case_dir: Path, scratch: Path) -> str | bytes:
    if isinstance(source, CaseFile):
        return str(case_dir / source.name)
    if isinstance(source, ImdsUserData):
        return _imds_user_data()
    directory = scratch / f"source{len(list(scratch.iterdir()))}"
    directory.mkdir()
    if isinstance(source, DropInDir):
        for name in source.files:
            shutil.copyfile(case_dir / name, directory / Path(name).name)
    elif isinstance(source, RunScriptDropIns):
        heredocs = _run_script_heredocs(case_dir, source.directory)
        assert heredocs, f"run.sh of {case_dir.name} writes nothing into {source.directory}"
        for name, text in heredocs.items():
            (directory / name).write_text(text)
    return str(directory)


@pytest.fixture(scope="module")
def compile_step(tmp_path_factory) -> Callable[[Case, int], Any]:
    results: dict[tuple[str, int], Any] = {}

    def compiled(case: Case, index: int):
        key = (case.name, index)
        if key not in results:
            step = case.steps[index]
            scratch = tmp_path_factory.mktemp(re.sub(r"\W+", "-", f"{case.name}-{index}"))
            case_dir = _case_dir(case)
            sources = [_resolve(source, case_dir, scratch) for source in step.sources]
            results[key] = nodecfg.api.compile(sources, instance=step.instance(), mode="self-managed")
        return results[key]

    return compiled


# --- assertions -------------------------------------------------------------------

def _rendered(result: Any, check: Check) -> bytes:
    assert check.node_path in result.files, (
        f"nodecfg did not render {check.node_path}; it rendered {sorted(result.files)}")
    return result.files[check.node_path]


def _diff(expected: str, actual: str, name: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                 f"nodeadm:{name}", "nodecfg", n=2)
    return "".join(lines)


def _assert_same_bytes(actual: bytes, expected: bytes, name: str) -> None:
    if actual != expected:
        text = _diff(expected.decode(errors="replace"), actual.decode(errors="replace"), name)
        pytest.fail(f"bytes differ from {name}:\n{text or repr((expected[-40:], actual[-40:]))}")


def _selected(data: Any, select: str) -> Any:
    assert not select or select in data, f"nodecfg's file has no top-level {select!r}"
    return data[select] if select else data


def _assert_same_data(actual: Any, expected: Any, name: str) -> None:
    if actual != expected:
        as_text = lambda value: json.dumps(value, indent=2, sort_keys=True) + "\n"  # noqa: E731
        pytest.fail(f"data differ from {name}:\n{_diff(as_text(expected), as_text(actual), name)}")


def _grep(raw: bytes, pattern: str) -> bool:
    """grep -e PATTERN: a match on any line (the patterns used are valid Python regexes)."""
    return re.search(pattern, raw.decode(errors="replace"), re.MULTILINE) is not None


def _run_check(result: Any, kind: str, check: Check, case_dir: Path) -> None:
    if kind == ABSENT:
        assert check.node_path not in result.files, f"nodecfg rendered {check.node_path}"
        return
    actual = _rendered(result, check)
    if kind in (CONTAINS, NOT_CONTAINS):
        found = _grep(actual, check.pattern)
        assert found == (kind == CONTAINS), (
            f"{check.node_path} {'lacks' if kind == CONTAINS else 'has'} /{check.pattern}/:\n{actual.decode()}")
        return
    expected = (case_dir / check.expected).read_bytes()
    if kind == BYTES:
        _assert_same_bytes(actual, expected, check.expected)
    elif kind == JSON:
        _assert_same_data(_selected(json.loads(actual), check.select), json.loads(expected), check.expected)
    else:
        raise AssertionError(f"unknown check kind {kind}")


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
    _run_check(result, kind, check, _case_dir(case))


def test_every_case_is_classified() -> None:
    """A case added upstream must be either run or listed as not applicable."""
    upstream = {path.name for path in (E2E_DIR / "cases").iterdir() if path.is_dir()}
    from .cases import NOT_APPLICABLE

    classified = {case.name for case in CASES} | set(NOT_APPLICABLE)
    assert upstream == classified, {"unclassified": sorted(upstream - classified),
                                    "gone upstream": sorted(classified - upstream)}
