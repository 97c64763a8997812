"""No silent answer at the edges (issue 25 item 4): diff without a second side, an unknown instance
type, maxPods above what the instance type's ENIs can address, and a build that says what it wrote."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nodecfg
from helpers import COMPLETE_NODECONFIG

COMPLETE = COMPLETE_NODECONFIG


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nodecfg", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, env={"NODECFG_NO_CACHE": "1", "PATH": "/usr/bin:/bin"})


def test_diff_without_a_second_side_is_a_usage_error(tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(COMPLETE)
    new.write_text(COMPLETE.replace("demo", "other"))
    for args in ((str(old), str(new)), (str(old),)):
        done = cli("diff", *args)
        assert done.returncode == 2 and done.stdout == ""
        assert "without `--` both sides are" in done.stderr and "--against" in done.stderr
    assert cli("diff", str(old), "--", str(new)).returncode == 1  # they differ
    assert cli("diff", str(old), "--against", "kubeletVersion=v1.30.0").returncode == 1
    # a Unicode digit is a digit to str.isdigit, not to int(): a finding (exit 2), not a crash (exit 3)
    superscript = cli("diff", str(old), "--against", "vcpus=\u00b2")
    assert superscript.returncode == 2 and "NC092" in superscript.stderr


def test_an_unknown_instance_type_is_a_finding_that_names_the_closest_type(tmp_path):
    node = tmp_path / "node.yaml"
    node.write_text(COMPLETE)
    expected = "unknown instance type 'm5.superlarge' (did you mean m5.large?)"
    checked = cli("check", "--instance-type", "m5.superlarge", str(node))
    assert checked.returncode == 0  # a warning: the type may be newer than the table
    assert f"NC096 warning {expected}: maxPods falls back to the kubelet's 110" in checked.stdout
    built = cli("build", "--instance-type", "m5.superlarge", str(node), "-o", str(tmp_path / "out"))
    assert built.returncode == 0 and f"NC096 warning {expected}" in built.stderr
    pods = cli("max-pods", "-t", "m5.superlarge")  # the same words where max-pods refuses it
    assert pods.returncode == 2 and expected in pods.stderr
    assert "NC096" not in cli("check", "--instance-type", "m5.large", str(node)).stdout
    assert "NC096" not in cli("check", str(node)).stdout  # no type given: the documented default
    compiled = nodecfg.compile([node], instance={"instanceType": "m5.superlarge"})
    assert [d.code for d in compiled.diagnostics] == ["NC096"] and compiled.ok


def test_max_pods_above_the_eni_limit_is_a_finding(tmp_path):
    node = tmp_path / "node.yaml"
    node.write_text(COMPLETE + "  kubelet:\n    config:\n      maxPods: 250\n")
    done = cli("check", "--instance-type", "t3.medium", str(node))
    # t3.medium: 3 ENIs of 6 addresses: 3 * (6 - 1) + 2 = 17; with prefix delegation 3 * (5 * 16) + 2 = 242,
    # but the calculator caps 2 vCPUs at 110
    assert f"{node}:11:16: NC403 warning maxPods 250 is above the 17 pods the VPC CNI can give t3.medium" \
        in done.stdout, done.stdout
    assert "even with VPC CNI prefix delegation the max-pods calculator allows 110 here" in done.stdout
    node.write_text(COMPLETE + "  kubelet:\n    config:\n      maxPods: 100\n")
    # m5.large: 3 * (10 - 1) + 2 = 29; prefix delegation: 3 * (9 * 16) + 2 = 434, capped at 110 (2 vCPUs)
    done = cli("check", "--instance-type", "m5.large", str(node))
    assert "NC403 warning maxPods 100 is above the 29 pods" in done.stdout
    assert "with VPC CNI prefix delegation (ENABLE_PREFIX_DELEGATION=true" in done.stdout
    assert "the max-pods calculator allows 110 here" in done.stdout
    assert "NC403" not in cli("check", str(node)).stdout  # no instance type given: nothing to compare with
    node.write_text(COMPLETE + "  kubelet:\n    config:\n      maxPods: 29\n")
    assert "NC403" not in cli("check", "--instance-type", "m5.large", str(node)).stdout


def test_build_says_what_it_wrote(tmp_path):
    node = tmp_path / "node.yaml"
    node.write_text(COMPLETE)
    out = tmp_path / "rootfs.tar.gz"
    done = cli("build", str(node), "--instance-type", "m5.large", "-o", str(out))
    assert done.returncode == 0
    import tarfile

    with tarfile.open(out) as archive:
        files = [member for member in archive.getmembers() if member.isfile()]
    assert f"nodecfg: wrote {out}: {len(files)} files\n" in done.stderr
