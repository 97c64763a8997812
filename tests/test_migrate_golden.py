"""Golden migrations: golden-migrate/<case>/input.* is AL2 user data written for the case.

expected/userdata         the AL2023 user data `nodecfg migrate` writes
expected/report.txt       every input setting and where it went, and the defaults that differ
expected/diagnostics.txt  the migration's findings, then `nodecfg check` of the output
expected/rootfs/...       the tree `nodecfg build` writes from the output (when it can render)

An optional case.yaml gives `instance` and `mode`.  Rewrite with
`pytest tests/test_migrate_golden.py --update-golden`, then review the diff.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nodecfg.api import compile as compile_sources
from nodecfg.linter.engine import lint
from nodecfg.userdata.migrate import migrate
from nodecfg.parse.yaml import parse_yaml_documents

GOLDEN = Path(__file__).parent.parent / "golden-migrate"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
INSTANCE = {
    "instanceType": "m5.2xlarge", "instanceId": "i-0abc1234def567890", "region": "us-west-2",
    "availabilityZone": "us-west-2b", "privateDnsName": "ip-10-0-12-34.us-west-2.compute.internal",
    "localIpv4": "10.0.12.34", "mac": "0a:1b:2c:3d:4e:5f", "kubeletVersion": "v1.34.1",
    "containerdVersion": "2.1.4", "vcpus": 8, "memoryMiB": 32768,
}


def case_settings(case_dir: Path) -> dict:
    path = case_dir / "case.yaml"
    if not path.exists():
        return {}
    documents, _ = parse_yaml_documents(path.read_text(), "case.yaml")
    return documents[0].data


def actual_outputs(case_dir: Path) -> dict[str, bytes]:
    settings = case_settings(case_dir)
    mode = settings.get("mode", "self-managed")
    source = next(p.name for p in sorted(case_dir.iterdir()) if p.name.startswith("input."))
    previous = os.getcwd()
    os.chdir(case_dir)
    try:
        migration = migrate(source, mode=mode)
        checked = lint([migration.userdata], mode=mode).diagnostics if migration.userdata else []
        compiled = compile_sources([migration.userdata], {**INSTANCE, **settings.get("instance", {})}, mode=mode) \
            if migration.userdata else None
    finally:
        os.chdir(previous)
    findings = "".join(d.format() + "\n" for d in migration.diagnostics)
    findings += "# nodecfg check of the output\n" + "".join(d.format() + "\n" for d in checked)
    outputs = {"userdata": migration.userdata, "report.txt": migration.report().encode(),
               "diagnostics.txt": findings.encode()}
    if compiled is not None:
        outputs.update({f"rootfs/{path}": data for path, data in compiled.files.items()})
    return outputs


@pytest.mark.parametrize("case", CASES)
def test_golden_migration(case, request):
    case_dir = GOLDEN / case
    actual = actual_outputs(case_dir)
    expected_dir = case_dir / "expected"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for relative, data in actual.items():
            target = expected_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    expected = {p.relative_to(expected_dir).as_posix(): p.read_bytes()
                for p in sorted(expected_dir.rglob("*")) if p.is_file()}
    assert sorted(actual) == sorted(expected), "the set of files differs"
    for relative in expected:
        assert actual[relative] == expected[relative], relative


def test_every_case_has_an_input():
    assert len(CASES) >= 15
    assert all(any(p.name.startswith("input.") for p in (GOLDEN / case).iterdir()) for case in CASES)
