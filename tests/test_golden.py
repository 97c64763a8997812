"""Golden cases: golden/<case>/case.yaml names the inputs; expected/ holds the reviewed output.

expected/diagnostics.txt  every finding, as `nodecfg check` prints it (without excerpts)
expected/merged.yaml      the merged NodeConfig, as `nodecfg render` prints it
expected/rootfs/...       the tree `nodecfg build` writes (only when there are no errors)

Run `pytest tests/test_golden.py --update-golden` to rewrite them, then review the diff.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nodecfg.api import compile as compile_sources
from nodecfg.parse.yaml import parse_yaml_documents
from nodecfg.encode.yaml import dump_yaml

GOLDEN = Path(__file__).parent.parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "case.yaml").exists())


def load_case(case_dir: Path) -> dict:
    documents, problems = parse_yaml_documents((case_dir / "case.yaml").read_text(), "case.yaml")
    assert documents and not [p for p in problems if p.code == "NC120"], problems
    return documents[0].data


def actual_outputs(case_dir: Path) -> dict[str, bytes]:
    case = load_case(case_dir)
    previous = os.getcwd()
    os.chdir(case_dir)  # spans name inputs relative to the case folder
    try:
        result = compile_sources(case["sources"], case.get("instance"), mode=case.get("mode", "self-managed"),
                                 cluster=case.get("cluster"), params=case.get("params"))
    finally:
        os.chdir(previous)
    outputs = {
        "diagnostics.txt": "".join(d.format() + "\n" for d in result.diagnostics).encode(),
        "merged.yaml": dump_yaml(result.config).encode(),
    }
    outputs.update({f"rootfs/{path}": data for path, data in result.files.items()})
    return outputs


def expected_outputs(expected_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(expected_dir).as_posix(): p.read_bytes()
            for p in sorted(expected_dir.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", CASES)
def test_golden(case, request):
    case_dir = GOLDEN / case
    actual = actual_outputs(case_dir)
    expected_dir = case_dir / "expected"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for relative, data in actual.items():
            target = expected_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    expected = expected_outputs(expected_dir)
    assert sorted(actual) == sorted(expected), "the set of files differs"
    for relative in expected:
        assert actual[relative].decode() == expected[relative].decode(), relative


def test_there_are_golden_cases():
    assert len(CASES) >= 12
