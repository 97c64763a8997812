"""Each AMI release's own e2e cases through nodecfg with ``release=TAG``.

$NODECFG_CONFORMANCE_RELEASES lists ``TAG=DIR`` pairs, DIR the nodeadm/
directory exported at that tag (e.g. ``v20250715=/tmp/nodeadm-v20250715/src/nodeadm``).
The steps come from each release's run.sh (release_cases.py); the comparison is
the HEAD suite's (runner.py).  $NODEADM_SRC, when set, is HEAD's nodeadm/: a
case identical to HEAD's takes the hand-written HEAD entry.  See docs/conformance.md.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable

import pytest

RELEASES_VARIABLE = "NODECFG_CONFORMANCE_RELEASES"


def _releases() -> list[tuple[str, Path]]:
    pairs = []
    for item in filter(None, (part.strip() for part in os.environ.get(RELEASES_VARIABLE, "").split(","))):
        tag, _, directory = item.partition("=")
        pairs.append((tag, Path(directory)))
    return pairs


RELEASES = _releases()
if not RELEASES:
    pytest.skip(f"set {RELEASES_VARIABLE} to TAG=DIR pairs (DIR: the nodeadm/ directory exported at that AMI "
                "release tag) to run each release's own e2e cases; CI has no release checkouts",
                allow_module_level=True)

import nodecfg.api  # noqa: E402
from nodecfg.core.codes import is_blocking  # noqa: E402
from nodecfg.core.diagnostics import Severity  # noqa: E402

from .cases import Case  # noqa: E402
from .release_cases import REFUSED, SKIP, release_cases  # noqa: E402
from .runner import resolve, run_check  # noqa: E402

HEAD_E2E = Path(os.environ["NODEADM_SRC"]) / "test" / "e2e" if os.environ.get("NODEADM_SRC") else None


def _e2e(directory: Path) -> Path:
    return directory / "test" / "e2e"


def _params() -> tuple[list, list, list]:
    steps, checks, skipped = [], [], []
    for tag, directory in RELEASES:
        cases, skips = release_cases(_e2e(directory), HEAD_E2E)
        for case in cases:
            for index, step in enumerate(case.steps):
                steps.append(pytest.param(tag, directory, case, index, id=f"{tag}/{case.name}/{step.label}"))
                for check in step.checks:
                    label = check.pattern or check.expected
                    checks.append(pytest.param(
                        tag, directory, case, index, check,
                        id=f"{tag}/{case.name}/{step.label}/{check.kind}:{check.node_path}:{label}"))
        for name, reason in sorted(skips.items()):
            skipped.append(pytest.param(tag, name, reason, id=f"{tag}/{name}"))
    return steps, checks, skipped


STEP_PARAMS, CHECK_PARAMS, SKIPPED_PARAMS = _params()


@pytest.fixture(scope="module")
def compile_step(tmp_path_factory) -> Callable[[str, Path, Case, int], Any]:
    results: dict[tuple[str, str, int], Any] = {}

    def compiled(tag: str, directory: Path, case: Case, index: int):
        key = (tag, case.name, index)
        if key not in results:
            step = case.steps[index]
            scratch = tmp_path_factory.mktemp(re.sub(r"\W+", "-", f"{tag}-{case.name}-{index}"))
            e2e_dir = _e2e(directory)
            case_dir = e2e_dir / "cases" / case.name
            sources = [resolve(source, case_dir, scratch, e2e_dir) for source in step.sources]
            # The sandbox image is left to the release: the e2e image has no pause of its own, so each
            # release's nodeadm writes its built-in default (localhost/kubernetes/pause before v20260625).
            instance = {key: value for key, value in step.instance().items() if key != "sandboxImage"}
            results[key] = nodecfg.api.compile(sources, instance=instance, mode="self-managed", release=tag)
        return results[key]

    return compiled


@pytest.mark.parametrize("tag, directory, case, index", STEP_PARAMS)
def test_release_step_outcome(compile_step, tag: str, directory: Path, case: Case, index: int) -> None:
    """That release's nodeadm init succeeds, or refuses where its run.sh expects it to."""
    step = case.steps[index]
    result = compile_step(tag, directory, case, index)
    findings = "\n".join(str(diagnostic) for diagnostic in result.diagnostics)
    if not step.refused_with:
        assert not any(is_blocking(d) for d in result.diagnostics) and result.files, (
            f"nodecfg refused a config nodeadm {tag} accepts:\n{findings}")
        return
    errors = {diagnostic.code for diagnostic in result.diagnostics if diagnostic.severity is Severity.ERROR}
    expected = errors if step.refused_with == REFUSED else {step.refused_with}
    assert errors and expected <= errors, (
        f"nodeadm {tag} refuses this config; nodecfg should with {step.refused_with}, found:\n{findings}")


@pytest.mark.parametrize("tag, directory, case, index, check", CHECK_PARAMS)
def test_release_rendered_file(compile_step, tag: str, directory: Path, case: Case, index: int, check) -> None:
    if check.kind == SKIP:
        pytest.skip(f"{tag} {case.name}: {check.expected}")
    result = compile_step(tag, directory, case, index)
    assert not any(is_blocking(d) for d in result.diagnostics), "\n".join(str(d) for d in result.diagnostics)
    run_check(result, check.kind, check, _e2e(directory) / "cases" / case.name)


@pytest.mark.parametrize("tag, name, reason", SKIPPED_PARAMS)
def test_release_case_not_run(tag: str, name: str, reason: str) -> None:
    """Every case of a release that is not run is reported as a skip with its reason."""
    pytest.skip(f"{tag} {name}: {reason}")
