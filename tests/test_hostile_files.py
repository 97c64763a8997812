"""Sources an attacker plants as files (issue 22, classes 4 and 10): links out of the tree, FIFOs, dying workers.

The rule (nodecfg/parse/files.py, docs/limits.md): a symbolic link is followed only when it resolves inside
the git work tree that holds it (outside a repository: the working directory, else the link's directory).
A link out of it is NC140 naming the link, and no byte of its target appears in any output format.
The timeouts below only turn a hang into a failure; nothing here measures speed.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_fix import HEAD

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["text", "concise", "json", "sarif", "github", "junit", "gitlab"]
# a target that parses as YAML, so that its lines would reach excerpts and messages if it were read
SECRET = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  hunter2-secret: root-password\n"
HANG = 120  # seconds: a run that takes this long is hanging


def nodecfg(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(ROOT), NODECFG_NO_CACHE="1")
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "nodecfg", *args], capture_output=True, text=True, cwd=cwd,
                          env=environment, timeout=HANG)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A checkout with a secret next to it, outside the work tree."""
    (tmp_path / "secret.yaml").write_text(SECRET)
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


def assert_refused(done: subprocess.CompletedProcess, link: str) -> None:
    assert done.returncode == 2, done.stderr
    assert "hunter2" not in done.stdout + done.stderr and "root-password" not in done.stdout + done.stderr
    assert "NC140" in done.stdout + done.stderr and link in done.stdout + done.stderr


@pytest.mark.parametrize("output_format", FORMATS)
def test_a_link_out_of_the_repository_given_directly_is_not_read(repo, output_format):
    (repo / "x.yaml").symlink_to(repo.parent / "secret.yaml")
    assert_refused(nodecfg("check", "--format", output_format, "x.yaml", cwd=repo), "x.yaml")


@pytest.mark.parametrize("output_format", ["text", "sarif"])
def test_a_link_out_of_the_repository_in_a_dropin_directory_is_not_read(repo, output_format):
    (repo / "nodeadm.d").mkdir()
    (repo / "nodeadm.d" / "10-x.yaml").symlink_to(repo.parent / "secret.yaml")
    (repo / "nodeadm.d" / "00-base.yaml").write_text(HEAD)
    assert_refused(nodecfg("check", "--format", output_format, "nodeadm.d", cwd=repo), "10-x.yaml")


def test_a_dropin_directory_that_links_out_of_the_repository_is_not_read(repo):
    outside = repo.parent / "etc"
    outside.mkdir()
    (outside / "x.yaml").write_text(SECRET)
    (repo / "nodeadm.d").symlink_to(outside)
    assert_refused(nodecfg("check", "nodeadm.d", cwd=repo), "nodeadm.d")


@pytest.mark.parametrize("output_format", ["text", "json", "junit"])
def test_a_link_out_of_the_repository_found_by_check_dir_is_reported_not_read(repo, output_format):
    (repo / "configs").mkdir()
    (repo / "configs" / "good.yaml").write_text(HEAD)
    (repo / "configs" / "x.yaml").symlink_to(repo.parent / "secret.yaml")
    done = nodecfg("check", "--format", output_format, ".", cwd=repo)
    assert_refused(done, "x.yaml")


def test_a_link_inside_the_repository_is_followed(repo):
    (repo / "shared").mkdir()
    (repo / "shared" / "base.yaml").write_text(HEAD)
    (repo / "configs").mkdir()
    (repo / "configs" / "node.yaml").symlink_to(repo / "shared" / "base.yaml")
    done = nodecfg("check", "configs/node.yaml", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr


def test_outside_a_repository_the_working_directory_is_the_tree(tmp_path):
    (tmp_path / "secret.yaml").write_text(SECRET)
    work = tmp_path / "work"
    work.mkdir()
    (work / "x.yaml").symlink_to(tmp_path / "secret.yaml")
    assert_refused(nodecfg("check", "x.yaml", cwd=work), "x.yaml")
    (work / "plain.yaml").write_text(HEAD)  # a plain file anywhere is read, whatever the working directory
    assert nodecfg("check", str(work / "plain.yaml"), cwd=tmp_path.parent).returncode == 0


# --- FIFOs and other files that are not regular --------------------------------------------------

def test_a_fifo_named_yaml_in_a_checked_directory_does_not_hang_discovery(repo):
    (repo / "good.yaml").write_text(HEAD)
    os.mkfifo(repo / "pipe.yaml")
    done = nodecfg("check", ".", cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_fifo_in_a_dropin_directory_does_not_hang_the_cache_key(repo, tmp_path):
    (repo / "nodeadm.d").mkdir()
    (repo / "nodeadm.d" / "00-base.yaml").write_text(HEAD)
    os.mkfifo(repo / "nodeadm.d" / "10-pipe.yaml")
    environment = {"NODECFG_NO_CACHE": "", "NODECFG_CACHE_DIR": str(tmp_path / "cache")}
    done = nodecfg("check", "nodeadm.d", cwd=repo, env=environment)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_cache_key_of_a_fifo_source_is_not_taken():
    from argparse import Namespace

    from nodecfg.cli import cache

    assert cache.key_for(Namespace(max_input_bytes=10), ["/dev/null"], []) is None


# --- check --each: a worker that dies ---------------------------------------------------------------

def test_a_pool_worker_killed_by_sigkill_is_reported_not_waited_for(tmp_path):
    from nodecfg.cli.commands.check import PARALLEL_THRESHOLD

    if (os.cpu_count() or 1) < 2:
        pytest.skip("check --each forks workers only on a machine with two or more CPUs")
    names = [f"n{number:02d}.yaml" for number in range(PARALLEL_THRESHOLD + 8)]
    for name in names:
        (tmp_path / name).write_text(HEAD)
    # the hook kills the worker whose share holds this file (os.kill(getpid(), SIGKILL), as the OOM killer does)
    victim = names[2]  # index 1 of the groups after the first: always a worker's share
    done = nodecfg("check", "--each", "--format", "json", *names, cwd=tmp_path,
                   env={"NODECFG_TEST_KILL_WORKER": victim})
    assert done.returncode == 2, done.stderr
    import json

    found = json.loads(done.stdout)
    lost = {d["uri"] for d in found if d["code"] == "NC140"}
    assert victim in lost and all("was killed" in d["message"] for d in found if d["code"] == "NC140")
    assert names[0] not in lost  # the parent's own share is reported as checked


def test_a_directory_with_no_configuration_is_checked_not_crashed_on(tmp_path):
    (tmp_path / "empty").mkdir()
    done = nodecfg("check", "empty", cwd=tmp_path)
    assert done.returncode == 2 and "internal error" not in done.stderr
    assert "no node configuration found in empty" in done.stderr


def test_fix_neither_reads_nor_writes_a_link_out_of_the_repository(repo):
    secret = repo.parent / "secret.yaml"
    secret.write_text(SECRET.replace("v1alpha1", "v1alpha"))  # a fixable finding, if it were read
    (repo / "x.yaml").symlink_to(secret)
    assert_refused(nodecfg("check", "--fix", "x.yaml", cwd=repo), "x.yaml")
    done = nodecfg("check", "--diff", "x.yaml", cwd=repo)
    assert done.returncode == 2 and "cannot read x.yaml: it is a symbolic link" in done.stderr
    assert "hunter2" not in done.stdout + done.stderr
    assert secret.read_text() == SECRET.replace("v1alpha1", "v1alpha")


def test_userdata_does_not_embed_a_link_out_of_the_repository(repo):
    (repo / "x.yaml").symlink_to(repo.parent / "secret.yaml")
    (repo / "boot.sh").symlink_to(repo.parent / "secret.yaml")
    (repo / "real.yaml").write_text(HEAD)
    for args in (["x.yaml"], ["--script", "boot.sh", "real.yaml"]):
        done = nodecfg("userdata", *args, "-o", "ud.mime", cwd=repo)
        assert done.returncode != 0 and "NC140" in done.stderr
        assert "hunter2" not in done.stdout + done.stderr and not (repo / "ud.mime").exists()


def test_a_fork_that_fails_leaves_its_share_to_the_parent(tmp_path, monkeypatch, capsys):
    # under a process limit os.fork raises (EAGAIN): the files are still all checked, here, in order
    from nodecfg.cli.commands.check import PARALLEL_THRESHOLD
    from nodecfg.cli.main import main

    if (os.cpu_count() or 1) < 2:
        pytest.skip("check --each forks workers only on a machine with two or more CPUs")
    names = [f"n{number:02d}.yaml" for number in range(PARALLEL_THRESHOLD + 8)]
    for number, name in enumerate(names):
        (tmp_path / name).write_text(HEAD if number % 2 else HEAD.replace("v1alpha1", "v1alpha"))
    forks = []

    def refuse():
        forks.append(True)
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    monkeypatch.setenv("NODECFG_NO_CACHE", "1")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--each", "--format", "json", *names]) == 1
    import json

    found = json.loads(capsys.readouterr().out)
    assert forks and "NC140" not in {d["code"] for d in found}
    assert [d["uri"] for d in found] == [name for number, name in enumerate(names) if number % 2 == 0]
