"""CLI conventions: no abbreviations, render --format, broken pipes, build -o refusals, explain's FIELD."""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nodecfg.cli.main import EXIT_BROKEN_PIPE, main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "userdata.mime")
INSTANCE = str(ROOT / "examples" / "instance.yaml")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_abbreviated_options_are_refused():
    code, _, err = run("check", "--stri", EXAMPLE)
    assert code == 2 and "unrecognized arguments: --stri" in err
    code, _, err = run("render", "--output-f", "json", EXAMPLE)
    assert code == 2 and "--output-f" in err


@pytest.mark.parametrize("option", ["--format", "--output-format"])
def test_render_format_and_its_old_name(option):
    code, out, _ = run("render", option, "json", EXAMPLE)
    assert code == 0 and out.startswith('{\n  "apiVersion": "node.eks.aws/v1alpha1"')


def test_a_closed_stdout_exits_non_zero_without_a_traceback():
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before nodecfg writes (`nodecfg ... | head` after head exits)
    try:
        done = subprocess.run([sys.executable, "-m", "nodecfg", "rule", "NC201"], stdout=write_end,
                              stderr=subprocess.PIPE, cwd=ROOT, timeout=60)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (EXIT_BROKEN_PIPE, b"")
    assert EXIT_BROKEN_PIPE == 141


@pytest.mark.parametrize("output, message", [
    ("-", "-o - (stdout) is not supported"),
    ("out.zip", "-o out.zip: nodecfg writes a directory, or a .tar, .tar.gz or .tgz file"),
    ("rootfs.tar.xz", "-o rootfs.tar.xz: nodecfg writes a directory"),
    ("rootfs.gz", "-o rootfs.gz: nodecfg writes a directory"),
])
def test_build_refuses_outputs_it_cannot_write(tmp_path, monkeypatch, output, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run("build", EXAMPLE, "--instance", INSTANCE, "-o", output)
    assert (code, out) == (2, "") and message in err
    assert list(tmp_path.iterdir()) == []


def test_build_still_writes_tarballs_and_directories(tmp_path):
    for name in ("rootfs.TGZ", "rootfs.tar", "tree"):
        code, _, err = run("build", EXAMPLE, "--instance", INSTANCE, "-o", str(tmp_path / name))
        assert code == 0, err
    assert (tmp_path / "tree").is_dir() and (tmp_path / "rootfs.tar").is_file()


def test_explain_does_not_take_a_missing_file_for_a_field():
    code, out, err = run("explain", EXAMPLE, "typo.yml", "--instance", INSTANCE)
    assert code == 2 and out == ""
    assert "'typo.yml' is neither a source that exists nor a field of the rendered files" in err


def test_explain_positional_field_still_filters():
    code, out, _ = run("explain", EXAMPLE, "maxPods", "--instance", INSTANCE)
    assert code == 0 and "/maxPods = 58" in out and "/clusterDNS" not in out


def test_the_command_flushes_everything_before_it_exits(tmp_path):
    """`nodecfg` skips the interpreter's teardown (cli.main.run): stdout and stderr still arrive whole."""
    done = subprocess.run([sys.executable, "-m", "nodecfg", "max-pods", "--all", "--format", "json"],
                          capture_output=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0 and len(done.stdout) > 1 << 16  # more than a pipe holds at once
    assert len(json.loads(done.stdout)) > 1000
    missing = tmp_path / "missing.yaml"
    done = subprocess.run([sys.executable, "-m", "nodecfg", "check", str(missing)], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    # "nodecfg: 1 error": the unreadable file (NC140), with no NC143 following from it
    assert done.returncode == 2 and done.stderr.rstrip().endswith("nodecfg: 1 error")
