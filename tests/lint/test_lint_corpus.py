"""Every golden input and every example, linted: no false positives.

golden/<case>/case.yaml names the sources, the instance and the mode; a case
named errors-* must have errors, every other case must have none.  The
examples in examples/ (other than the instance context, instance.yaml, which
they are linted with) must have no findings at all.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from nodecfg.core.diagnostics import Severity
from nodecfg.context.instance import instance_from_mapping
from nodecfg.linter.engine import lint
from nodecfg.parse.yaml import parse_yaml_documents

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "case.yaml").exists())
EXAMPLE_INSTANCE = REPO / "examples" / "instance.yaml"
EXAMPLES = sorted(p.name for p in (REPO / "examples").iterdir() if p.is_file() and p != EXAMPLE_INSTANCE)


def lint_case(case_dir: Path):
    case = parse_yaml_documents((case_dir / "case.yaml").read_text(), "case.yaml")[0][0].data
    previous = os.getcwd()
    os.chdir(case_dir)
    try:
        return lint(case["sources"], mode=case.get("mode", "self-managed"),
                    instance=instance_from_mapping(case.get("instance"))).diagnostics
    finally:
        os.chdir(previous)


@pytest.mark.parametrize("case", CASES)
def test_golden_inputs(case):
    errors = [d.format() for d in lint_case(GOLDEN / case) if d.severity >= Severity.ERROR]
    if case.startswith("errors-"):
        assert errors, "an errors-* case must have errors"
    else:
        assert errors == []


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_are_clean(name):
    from nodecfg.context.instance import load_instance_file

    values, problems = load_instance_file(str(EXAMPLE_INSTANCE))
    assert problems == []
    found = lint([str(REPO / "examples" / name)], instance=instance_from_mapping(values)).diagnostics
    assert [d.format() for d in found] == []


def test_the_corpus_is_not_empty():
    assert len(CASES) >= 12 and EXAMPLES
