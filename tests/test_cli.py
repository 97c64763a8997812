"""The command line as a user meets it: exit codes, formats, no tracebacks."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from nodecfg.cli.main import main

ROOT = Path(__file__).parent.parent
EXAMPLE = str(ROOT / "examples" / "userdata.mime")
INSTANCE = str(ROOT / "examples" / "instance.yaml")


def test_python_m_nodecfg_version_and_help():
    version = subprocess.run([sys.executable, "-m", "nodecfg", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("nodecfg ")
    helped = subprocess.run([sys.executable, "-m", "nodecfg", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "build" in helped.stdout and "check" in helped.stdout


def test_no_command_and_unknown_option_are_usage_errors(capsys):
    assert main([]) == 2
    assert main(["check", "--no-such-option", EXAMPLE]) == 2


def test_check_clean_example_exits_0(capsys):
    assert main(["check", EXAMPLE]) == 0
    assert capsys.readouterr().out == ""


def test_check_bad_config_exits_1_with_located_findings(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    nmae: x\n")
    assert main(["check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:5:5: NC201 error" in out and "did you mean 'name'" in out


def test_check_missing_file_exits_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "absent.yaml")]) == 2


def test_check_json_format(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    nmae: x\n")
    main(["check", "--format", "json", str(bad)])
    findings = json.loads(capsys.readouterr().out)
    assert ("NC201", 5, 5) in {(f["code"], f["line"], f["col"]) for f in findings}


def test_render_prints_the_merged_config_as_yaml_and_json(capsys):
    assert main(["render", EXAMPLE]) == 0
    assert "name: demo" in capsys.readouterr().out
    assert main(["render", "--output-format", "json", EXAMPLE]) == 0
    assert json.loads(capsys.readouterr().out)["spec"]["cluster"]["name"] == "demo"


@pytest.mark.parametrize("name", ["rootfs.tar", "rootfs.tar.gz", "rootfs.tgz", "rootfs"])
def test_build_writes_every_output_kind_reproducibly(tmp_path, name):
    first, second = tmp_path / "1" / name, tmp_path / "2" / name
    for out in (first, second):
        out.parent.mkdir()
        assert main(["build", EXAMPLE, "--instance", INSTANCE, "-o", str(out)]) == 0
    if first.is_dir():
        files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
        assert Path("etc/kubernetes/kubelet/config.json") in files
        assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    else:
        assert first.read_bytes() == second.read_bytes()


def test_build_with_errors_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n")
    out = tmp_path / "rootfs.tar.gz"
    assert main(["build", str(bad), "-o", str(out)]) == 1
    assert not out.exists()


def test_build_refuses_to_replace_a_foreign_directory(tmp_path, capsys):
    out = tmp_path / "home"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    assert main(["build", EXAMPLE, "-o", str(out)]) == 2
    assert (out / "precious.txt").read_text() == "keep me"


def test_explain_names_the_source_line_of_a_user_value(capsys):
    assert main(["explain", EXAMPLE, "--instance", INSTANCE, "shutdownGracePeriod"]) == 0
    out = capsys.readouterr().out
    assert "userdata.mime:24:28" in out and '(config.json had "2m30s")' in out


def test_internal_errors_are_caught_without_traceback(monkeypatch, capsys):
    import nodecfg.cli.commands.check as check

    monkeypatch.setattr(check, "run", lambda args: 1 / 0)
    assert main(["check", EXAMPLE]) == 3
    assert "internal error" in capsys.readouterr().err
