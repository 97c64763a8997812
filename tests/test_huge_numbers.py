"""Numbers Python's int() refuses (over 4,300 digits, or digits that are not ASCII) and output
encodings that lack a character: clear findings or usage errors, never exit 3 (issue 22, class 14)."""
from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nodecfg.cli.main import main
from nodecfg.nodeadm.gonet import parse_cidr
from nodecfg.core.versions import parse_version

ROOT = Path(__file__).resolve().parents[1]
CLUSTER = (ROOT / "examples" / "nodeconfig.yaml").read_text().split("  kubelet:")[0]
HUGE = "1" * 5000  # int() refuses more than 4300 digits


def cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


def test_a_cidr_prefix_of_5000_digits_is_a_finding(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(CLUSTER.replace("cidr: 10.100.0.0/16", f"cidr: 10.100.0.0/{HUGE}"))
    code, output = cli("check", "--no-cache", str(path))
    assert code == 1 and "NC305 error spec.cluster.cidr" in output and "internal error" not in output


def test_go_reads_a_prefix_with_leading_zeros():
    # net.ParseCIDR's dtoi accepts leading zeros; only the value counts
    assert parse_cidr("10.0.0.0/" + "0" * 5000 + "16") is not None
    assert parse_cidr("10.0.0.0/" + HUGE) is None


def test_a_nameserver_port_of_5000_digits_is_no_address():
    from nodecfg.validate.semantics import _resolved_dns_address

    assert _resolved_dns_address(f"10.0.0.2:{HUGE}") is None
    assert str(_resolved_dns_address("10.0.0.2:53")) == "10.0.0.2"


def test_a_kubelet_version_of_5000_digits_is_refused_as_instance_context(tmp_path):
    (tmp_path / "config.yaml").write_text(CLUSTER)
    (tmp_path / "instance.yaml").write_text(f"kubeletVersion: v1.{HUGE}.0\n")
    for command in ("check", "build"):
        code, output = cli(command, "--no-cache", str(tmp_path / "config.yaml"), "--instance",
                           str(tmp_path / "instance.yaml"), *(["-o", str(tmp_path / "out.tar")] * (command == "build")))
        assert code in (1, 2) and "NC092 error instance context kubeletVersion" in output, output[-500:]
        assert "internal error" not in output
    assert parse_version(f"v1.{HUGE}.0") is None and parse_version("v1.031.2") == (1, 31, 2)


@pytest.mark.parametrize("value", ["\u00b2", "9" * 5000])  # a superscript two is a digit to str.isdigit()
def test_diff_against_a_count_int_refuses_is_a_finding(tmp_path, value):
    (tmp_path / "config.yaml").write_text(CLUSTER)
    code, output = cli("diff", str(tmp_path / "config.yaml"), "--against", f"vcpus={value}")
    assert code in (1, 2) and "NC092 error instance context vcpus: must be a positive integer" in output
    assert "internal error" not in output


def test_an_ascii_only_output_encoding_escapes_what_it_cannot_print(tmp_path):
    (tmp_path / "config.yaml").write_text(CLUSTER + "  kubelet:\n    config:\n      \u00fcnkn\u00f6wn: 1\n")
    environment = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="ascii", NODECFG_NO_CACHE="1")
    for command in ("check", "render", "explain"):
        completed = subprocess.run([sys.executable, "-m", "nodecfg", command, "config.yaml"], cwd=tmp_path,
                                   capture_output=True, env=environment)
        assert completed.returncode in (0, 1), (command, completed.stderr[-500:])
        assert b"internal error" not in completed.stderr
    completed = subprocess.run([sys.executable, "-m", "nodecfg", "check", "config.yaml"], cwd=tmp_path,
                               capture_output=True, env=environment)
    assert b"unknown KubeletConfiguration field '\\xfcnkn\\xf6wn'" in completed.stdout


def test_a_boundary_candidate_of_5000_digits_in_a_part_does_not_stop_userdata():
    import nodecfg

    script = b"#!/bin/bash\necho ==NODECFG-" + HUGE.encode() + b"==\n"
    composed = nodecfg.compose_userdata([CLUSTER.encode()], scripts=[script])
    assert b"==NODECFG==" in composed  # the long candidate is not ours: the plain boundary is free


def test_a_pointer_token_int_refuses_is_no_index():
    from nodecfg.core.document import get_pointer

    assert get_pointer({"a": [1, 2]}, "/a/\u00b2") is None
    assert get_pointer({"a": [1, 2]}, "/a/" + HUGE) is None
    assert get_pointer({"a": [1, 2]}, "/a/1") == 2
