"""Golden diffs: golden-diff/<case>/case.yaml names the old and new sources and the instance context.

case.yaml: old (sources), new (sources; default: the old ones), instance (both sides),
against (context keys that change on the new side), release / to_release / kubernetes (an AMI
upgrade: --release, --to-release, --kubernetes).  expected/diff.txt, diff.md and
diff.json are `nodecfg diff` in each format.  Rewrite with --update-golden, then review.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from nodecfg.cli.main import main
from nodecfg.parse.yaml import parse_yaml_documents

GOLDEN = Path(__file__).parent.parent / "golden-diff"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "case.yaml").exists())
FORMATS = {"diff.txt": "text", "diff.md": "markdown", "diff.json": "json"}


def arguments(case: dict, tmp_path: Path, output_format: str) -> list[str]:
    instance = tmp_path / "instance.json"
    instance.write_text(json.dumps(case["instance"]))
    argv = ["diff", "--format", output_format, "--instance", str(instance), *case["old"]]
    if "new" in case:
        argv += ["--", *case["new"]]
    for key, value in case.get("against", {}).items():
        argv += ["--against", f"{key}={value}"]
    for key, option in (("release", "--release"), ("to_release", "--to-release"), ("kubernetes", "--kubernetes")):
        if key in case:
            argv += [option, str(case[key])]
    return argv


@pytest.mark.parametrize("case", CASES)
def test_golden_diff(case, request, tmp_path, capsys):
    case_dir = GOLDEN / case
    documents, _ = parse_yaml_documents((case_dir / "case.yaml").read_text(), "case.yaml")
    settings = documents[0].data
    actual = {}
    previous = os.getcwd()
    os.chdir(case_dir)
    try:
        for name, output_format in FORMATS.items():
            assert main(arguments(settings, tmp_path, output_format)) == 1  # the trees differ
            actual[name] = capsys.readouterr().out
    finally:
        os.chdir(previous)
    expected_dir = case_dir / "expected"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        expected_dir.mkdir()
        for name, text in actual.items():
            (expected_dir / name).write_text(text)
    for name, text in actual.items():
        assert text == (expected_dir / name).read_text(), name


def test_there_are_the_four_cases():
    assert set(CASES) >= {"kubelet-1-33-to-1-34", "max-pods-change", "containerd-1-7-to-2", "added-dropin"}


def test_there_are_the_ami_upgrade_cases():
    assert set(CASES) >= {"release-v20250715-to-v20251023", "release-v20260107-to-latest"}
