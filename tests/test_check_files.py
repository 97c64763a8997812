"""`nodecfg check` on several files: one file, one verdict; merging only when asked; settings per file.

Issue 25 items 3 and 4 (the directory part): every linter checks each file on
its own, pre-commit passes the changed files as arguments, and a directory
with nothing to check is a message and a documented exit code, not a crash.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from nodecfg.cli.main import main
from helpers import COMPLETE_NODECONFIG

COMPLETE = COMPLETE_NODECONFIG
# no cluster fields: on its own, nodeadm init stops (NC301); merged after COMPLETE it is fine
FRAGMENT = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config: {maxPods: 20}\n"


def _files(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "a.yaml").write_text(COMPLETE)
    (tmp_path / "b.yaml").write_text(FRAGMENT)
    return str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")


def test_two_files_are_two_verdicts(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NODECFG_NO_CACHE", "1")
    first, second = _files(tmp_path)
    assert main(["check", first, second]) == 1
    out = capsys.readouterr().out
    assert f"{second}:3:1: NC301 error" in out and first not in out
    # the same two files in a directory: the same verdict
    assert main(["check", str(tmp_path)]) == 1
    assert f"{second}:3:1: NC301 error" in capsys.readouterr().out


def test_merging_is_explicit(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NODECFG_NO_CACHE", "1")
    first, second = _files(tmp_path)
    assert main(["check", "--merge", first, second]) == 0
    dropins = tmp_path / "nodes" / "nodeadm.d"
    dropins.mkdir(parents=True)
    (dropins / "10-pods.yaml").write_text(FRAGMENT)
    # a nodeadm.d directory and --dropins are merged after the SOURCEs, as nodeadm merges them
    assert main(["check", first, str(dropins)]) == 0
    assert main(["check", "--dropins", str(dropins), first]) == 0
    assert main(["check", str(dropins)]) == 1  # the drop-in alone lacks the cluster
    capsys.readouterr()
    assert main(["check", "--each", "--merge", first, second]) == 2
    assert "--each and --merge contradict each other" in capsys.readouterr().err


def test_build_render_and_explain_still_merge(tmp_path):
    first, second = _files(tmp_path)
    for command in (["render"], ["explain"], ["build", "-o", str(tmp_path / "out")]):
        done = subprocess.run([sys.executable, "-m", "nodecfg", *command, first, second], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, (command, done.stderr)


def test_settings_are_found_from_each_files_directory(tmp_path, capsys, monkeypatch):
    """As ruff: a file in another project is linted with that project's settings."""
    monkeypatch.setenv("NODECFG_NO_CACHE", "1")
    quiet, loud = tmp_path / "quiet", tmp_path / "loud"
    quiet.mkdir(), loud.mkdir()
    (quiet / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC201"]\n')
    typo = COMPLETE + "  kubelett: {}\n"  # NC201: an unknown field, not blocking, so it can be ignored
    (quiet / "node.yaml").write_text(typo)
    (loud / "node.yaml").write_text(typo)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "quiet/node.yaml", "loud/node.yaml"]) == 1
    out = capsys.readouterr().out
    assert "loud/node.yaml:9:3: NC201" in out and "quiet/node.yaml" not in out
    # the working directory decides only for a file outside any project, as ruff's resolver falls back
    monkeypatch.chdir(quiet)
    assert main(["check", "../loud/node.yaml"]) == 0
    (loud / "pyproject.toml").write_text("[tool.nodecfg]\nstrict = false\n")
    assert main(["check", "../loud/node.yaml"]) == 1


def test_settings_are_found_once_per_directory_in_a_run(tmp_path, capsys, monkeypatch):
    """check --each over many files of few directories: the walk up to pyproject.toml is done per directory."""
    from nodecfg.linter import config

    monkeypatch.setenv("NODECFG_NO_CACHE", "1")
    quiet, loud = tmp_path / "quiet", tmp_path / "loud"
    quiet.mkdir(), loud.mkdir()
    (quiet / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC201"]\n')
    typo = COMPLETE + "  kubelett: {}\n"
    names = [f"{folder}/n{number}.yaml" for number in range(3) for folder in ("quiet", "loud")]
    for name in names:
        (tmp_path / name).write_text(typo)
    walks = []
    real = config.find_settings_file
    monkeypatch.setattr(config, "find_settings_file", lambda start=None: walks.append(start) or real(start))
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--each", *names]) == 1
    out = capsys.readouterr().out
    assert all(f"loud/n{number}.yaml:9:3: NC201" in out for number in range(3)) and "quiet/" not in out
    # settings_from looks twice per directory (not per file), [tool.nodecfg] release once
    assert len(walks) <= 2 * 2 + 1


def test_stdin_filename_names_stdin(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC201"]\n')
    typo = COMPLETE + "  kubelett: {}\n"
    run = subprocess.run([sys.executable, "-m", "nodecfg", "check", "--stdin-filename", "elsewhere/node.yaml", "-"],
                         input=typo, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 1 and "elsewhere/node.yaml:9:3: NC201 error" in run.stdout, run.stdout + run.stderr
    assert "<stdin>" not in run.stdout
    quiet = subprocess.run([sys.executable, "-m", "nodecfg", "check", "--stdin-filename", "project/node.yaml", "-"],
                           input=typo, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert quiet.returncode == 0 and quiet.stdout == "", quiet.stdout + quiet.stderr


def test_a_directory_with_nothing_to_check_is_a_message_and_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NODECFG_NO_CACHE", "1")
    empty, other = tmp_path / "empty", tmp_path / "other"
    empty.mkdir(), other.mkdir()
    (other / "notes.txt").write_text("nothing here\n")
    (other / "values.yaml").write_text("replicas: 2\nsettings:\n  clusterName: demo\n")  # Helm values
    for directory in (empty, other):
        assert main(["check", str(directory)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"nodecfg check: no node configuration found in {directory}: ")
        assert "internal error" not in err


LOOK_ALIKES = {
    "gen_userdata.py": 'NODECONFIG = "apiVersion: node.eks.aws/v1alpha1"\nprint("user data:", NODECONFIG)\n',
    "userdata.md": "# User data\n\nContent-Type: text/x-shellscript is a header.\n\n```yaml\nkind: NodeConfig\n```\n",
    "user-data.sh": "#!/bin/bash\necho hi\n",
    "karpenter-values.yaml": "settings:\n  clusterName: demo\nreplicas: 2\n",
}


def test_only_node_config_skips_other_content_and_says_so_only_when_asked(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NODECFG_NO_CACHE", "1")
    monkeypatch.chdir(tmp_path)
    for name, text in LOOK_ALIKES.items():
        (tmp_path / name).write_text(text)
    names = list(LOOK_ALIKES)
    assert main(["check", "--only-node-config=all", *names]) == 0
    assert capsys.readouterr() == ("", "")  # not a word by default
    assert main(["check", "--only-node-config=all", "--show-skipped", *names]) == 0
    assert capsys.readouterr().err == ("nodecfg: note: skipped 4 files that hold no node configuration: "
                                       + ", ".join(names) + "\n")
    # a broken NodeConfig is node configuration: its syntax error is reported, not skipped
    (tmp_path / "broken.yaml").write_text(COMPLETE.replace("name: demo", "name: [demo"))
    assert main(["check", "--only-node-config=all", "broken.yaml", *names]) == 1
    assert "broken.yaml:6:22: NC120" in capsys.readouterr().out
    # kinds: a NodeConfig is not an EC2NodeClass
    assert main(["check", "--only-node-config=ec2nodeclass", "broken.yaml"]) == 0
    assert main(["check", "--only-node-config=bogus", "broken.yaml"]) == 2
    assert "unknown kind bogus" in capsys.readouterr().err


def test_only_node_config_keeps_fix_away_from_other_files(tmp_path, monkeypatch):
    monkeypatch.setenv("NODECFG_NO_CACHE", "1")
    # MIME part headers without the blank line (NC104, a safe fix) in a page about user data
    page = tmp_path / "userdata.txt"
    page.write_text("Content-Type: multipart/mixed; boundary=b\n\nnotes: the parts follow\n--b\n"
                    "Content-Type: text/x-shellscript\necho hi\n--b--\n")
    before = page.read_bytes()
    assert main(["check", "--only-node-config=nodeconfig", "--fix", str(page)]) == 0
    assert page.read_bytes() == before
