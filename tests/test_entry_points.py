"""Regression tests for the entry points that used to disagree, and for rule selection.

Each of the first five tests is one of the cases issue 9 opened with.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import nodecfg
from nodecfg.cli.main import main
from nodecfg.linter.config import ConfigError, Settings, settings_from_table
from nodecfg.userdata.compose import UserDataError

ROOT = Path(__file__).resolve().parent.parent
VALID = (ROOT / "examples" / "nodeconfig.yaml").read_text()
PLACEHOLDER_CA = "Zm9vYmFy"  # base64 of 'foobar': not a PEM certificate (NC303)


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def with_flags(tmp_path: Path, *flags: str) -> Path:
    """The example NodeConfig with its kubelet flags replaced by flags."""
    line = "    flags:\n      - --node-labels=team=platform,tier=general\n"
    assert line in VALID
    path = tmp_path / "node.yaml"
    path.write_text(VALID.replace(line, "    flags: " + json.dumps(list(flags)) + "\n"))
    return path


def test_a_flag_with_a_line_break_fails_everywhere(tmp_path):
    path = with_flags(tmp_path, "--v=2\nEVIL=1")
    for command in (["check"], ["explain"], ["render"]):
        code, out, err = cli(*command, str(path))
        assert code == 1 and "NC406" in out + err, command
    code, _, err = cli("build", str(path), "-o", str(tmp_path / "out"))
    assert code == 1 and "NC406" in err and not (tmp_path / "out").exists()
    code, out, err = cli("userdata", str(path), "-o", str(tmp_path / "ud.mime"))
    assert code == 1 and "NC406" in err and not (tmp_path / "ud.mime").exists()
    with pytest.raises(UserDataError) as raised:
        nodecfg.compose_userdata([path])
    assert "NC406" in {d.code for d in raised.value.diagnostics}
    assert not nodecfg.compile([path]).ok


def test_a_restricted_node_label_fails_build_and_compile_like_check(tmp_path):
    path = with_flags(tmp_path, "--node-labels=node-role.kubernetes.io/worker=true")
    code, out, _ = cli("check", str(path))
    assert code == 1 and "NC416 error" in out
    code, _, err = cli("build", str(path), "-o", str(tmp_path / "root.tar.gz"))
    assert code == 1 and "NC416" in err and not (tmp_path / "root.tar.gz").exists()
    compiled = nodecfg.compile([path])
    assert not compiled.ok and "NC416" in {d.code for d in compiled.diagnostics}


def test_ignoring_a_code_in_pyproject_lets_every_entry_point_build(tmp_path, monkeypatch):
    text = VALID.replace(VALID.split("certificateAuthority:", 1)[1].split("\n", 1)[0], " " + PLACEHOLDER_CA, 1)
    text = text.replace(text.split("apiServerEndpoint:", 1)[1].split("\n", 1)[0], " http://localhost", 1)
    (tmp_path / "node.yaml").write_text(text)
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli("check", "node.yaml")
    assert code == 1 and "NC303" in out and "NC304" in out
    (tmp_path / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC303", "endpoint-not-https-url"]\n')
    assert cli("check", "node.yaml")[0] == 0
    assert cli("render", "node.yaml")[0] == 0
    assert cli("build", "node.yaml", "-o", "out.tar")[0] == 0 and (tmp_path / "out.tar").is_file()
    compiled = nodecfg.compile(["node.yaml"])
    assert compiled.ok and compiled.files["etc/kubernetes/pki/ca.crt"] == b"foobar"
    assert nodecfg.compose_userdata([Path("node.yaml")])


def test_the_cache_follows_the_settings_file_in_use(tmp_path):
    repo = tmp_path / "repo"
    sub = repo / "sub"
    sub.mkdir(parents=True)
    (repo / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC306"]\n')
    (sub / "pyproject.toml").write_text('[project]\nname = "unrelated"\n')  # nearer, without [tool.nodecfg]
    (sub / "node.yaml").write_text(VALID.replace("cidr: 10.100.0.0/16", "cidr: 10.100.0.1/16"))
    environment = {k: v for k, v in os.environ.items() if k != "NODECFG_NO_CACHE"}
    environment["NODECFG_CACHE_DIR"] = str(tmp_path / "cache")

    def check() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "nodecfg", "check", "--strict", "node.yaml"], cwd=sub,
                              env=environment, capture_output=True, text=True, timeout=60)

    assert "cidr: 10.100.0.0/16" in VALID
    assert check().returncode == 0 and check().returncode == 0  # the second run is a cache hit
    assert any((tmp_path / "cache").iterdir())
    (repo / "pyproject.toml").write_text('[tool.nodecfg]\nignore = []\n')
    stale = check()
    assert stale.returncode == 1 and "NC306" in stale.stdout


def test_library_inputs_are_checked_at_the_boundary(tmp_path):
    path = tmp_path / "node.yaml"
    path.write_text(VALID)
    for bad in ("managed", "SELF-MANAGED", None):
        with pytest.raises(ValueError, match="mode must be one of"):
            nodecfg.compile([path], mode=bad)
        with pytest.raises(ValueError, match="mode must be one of"):
            nodecfg.lint([path], mode=bad)
        with pytest.raises(ValueError, match="mode must be one of"):
            nodecfg.compose_userdata([path], mode=bad)
    typo = nodecfg.compile([path], instance={"instanceTyp": "m5.large"})
    assert not typo.ok and [d.code for d in typo.diagnostics] == ["NC091"] and "instanceType" in typo.diagnostics[0].hint
    wrong_type = nodecfg.compile([path], instance={"instanceType": 5})
    assert not wrong_type.ok and [d.code for d in wrong_type.diagnostics] == ["NC092"]
    assert [d.code for d in nodecfg.lint([path], instance={"vcpus": "four"})] == ["NC092"]
    with pytest.raises(UserDataError):
        nodecfg.compose_userdata([path], instance={"instanceTyp": "m5.large"})
    with pytest.raises(TypeError):
        nodecfg.compile([path], instance=["m5.large"])


# --- rule selection -------------------------------------------------------------------------

HOST_BITS = VALID.replace("cidr: 10.100.0.0/16", "cidr: 10.100.0.1/16")


@pytest.fixture
def host_bits(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("node.yaml").write_text(HOST_BITS)
    return "node.yaml"


def test_cli_select_ignore_and_extend_select(host_bits):
    assert "NC306" in cli("check", host_bits)[1]
    assert cli("check", "--ignore", "NC306", "--strict", host_bits)[0] == 0
    assert cli("check", "--ignore", "cidr-host-bits", "--strict", host_bits)[0] == 0
    assert cli("check", "--select", "NC2", "--strict", host_bits)[0] == 0
    code, out, _ = cli("check", "--select", "NC2", "--extend-select", "NC30", "--strict", host_bits)
    assert code == 1 and "NC306" in out


def test_cli_select_replaces_the_file_and_ignore_adds_to_it(host_bits):
    Path("pyproject.toml").write_text('[tool.nodecfg]\nselect = ["NC2"]\n')
    assert cli("check", "--strict", host_bits)[0] == 0
    assert cli("check", "--strict", "--select", "NC3", host_bits)[0] == 1
    Path("pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC201"]\n')
    assert cli("check", "--strict", "--ignore", "NC306", host_bits)[0] == 0


def test_config_option_reads_another_file(host_bits):
    Path("nodecfg.toml").write_text('ignore = ["NC306"]\nstrict = true\n')
    assert cli("check", "--config", "nodecfg.toml", host_bits)[0] == 0
    Path("other.toml").write_text('[tool.nodecfg]\nstrict = true\n')
    assert cli("check", "--config", "other.toml", host_bits)[0] == 1
    code, _, err = cli("check", "--config", "missing.toml", host_bits)
    assert code == 2 and "missing.toml" in err


@pytest.mark.parametrize("table", [
    '[tool.nodecfg]\nignore = ["NC999"]\n',
    '[tool.nodecfg]\nselect = ["no-such-rule"]\n',
    '[tool.nodecfg.severity]\nNC999 = "error"\n',
    '[tool.nodecfg]\nignore = ["NC301"]\n',          # blocking: nodeadm stops on it
    '[tool.nodecfg.severity]\nNC301 = "warning"\n',
])
def test_unknown_or_unignorable_codes_are_usage_errors(host_bits, table):
    Path("pyproject.toml").write_text(table)
    code, _, err = cli("check", host_bits)
    assert code == 2 and "pyproject.toml" in err
    with pytest.raises(ConfigError):
        nodecfg.compile([host_bits])
    assert cli("build", host_bits, "-o", "out")[0] == 2 and not Path("out").exists()


def test_unknown_code_on_the_command_line_is_a_usage_error(host_bits):
    code, _, err = cli("check", "--ignore", "NC3O6", host_bits)
    assert code == 2 and "NC3O6" in err


def test_a_prefix_never_drops_a_blocking_finding(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("node.yaml").write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n")
    Path("pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC3"]\n')
    code, out, _ = cli("check", "node.yaml")
    assert code == 1 and "NC301" in out
    assert cli("build", "node.yaml", "-o", "out")[0] == 1


def test_per_file_ignores(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fixtures").mkdir()
    Path("fixtures/bad.yaml").write_text(HOST_BITS)
    Path("node.yaml").write_text(HOST_BITS)
    Path("pyproject.toml").write_text('[tool.nodecfg]\nstrict = true\n[tool.nodecfg.per-file-ignores]\n'
                                      '"fixtures/*.yaml" = ["cidr-host-bits"]\n')
    assert cli("check", "fixtures/bad.yaml")[0] == 0
    assert cli("check", "node.yaml")[0] == 1
    monkeypatch.chdir(tmp_path / "fixtures")
    assert cli("check", "bad.yaml")[0] == 0  # the pattern is relative to the settings file


def test_disable_comments_take_names_and_refuse_unknown_words(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = "    cidr: 10.100.0.1/16"
    Path("named.yaml").write_text(HOST_BITS.replace(line, line + "  # nodecfg: disable=cidr-host-bits"))
    assert cli("check", "--strict", "named.yaml")[0] == 0
    Path("typo.yaml").write_text(HOST_BITS.replace(line, line + "  # nodecfg: disable=NC3O6"))
    code, out, _ = cli("check", "typo.yaml")
    row = HOST_BITS.splitlines().index(line) + 1
    assert code == 2 and f"typo.yaml:{row}:{len(line) + 22}: NC011 error" in out


def test_settings_objects_apply_to_the_library(tmp_path):
    path = tmp_path / "node.yaml"
    path.write_text(HOST_BITS)
    assert "NC306" in {d.code for d in nodecfg.lint([path])}
    quiet = settings_from_table({"ignore": ["NC306"]}, "<test>")
    assert "NC306" not in {d.code for d in nodecfg.lint([path], settings=quiet)}
    strict = Settings(strict=True)
    assert not nodecfg.compile([path], settings=strict).ok
    assert nodecfg.compile([path], settings=Settings()).ok
