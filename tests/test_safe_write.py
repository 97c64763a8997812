"""Every file nodecfg writes goes through nodecfg/output/safe_write.py (issue 22, classes 2 and 3).

`check --fix`, `check -o`, `userdata -o`, `migrate -o` / `--report` and `build -o` archives: never in
place, never through a symbolic link, never over a read-only file, and a write that fails part-way
leaves the old file whole.
"""
from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from nodecfg.cli.main import main
from nodecfg.output.safe_write import WriteError, write_file

from test_fix import CASES, HEAD

ROOT = Path(__file__).resolve().parent.parent
MIGRATE_INPUT = (ROOT / "golden-migrate" / "basic-options" / "input.sh").read_bytes()
BROKEN, FIXED = CASES["NC204-v1alpha"][0], CASES["NC204-v1alpha"][1]
SECRET = b"root:$6$not-a-config:19000:0:99999:7:::\n"


def leftovers(directory: Path) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.endswith(".tmp"))


# --- the helper ---------------------------------------------------------------------------------

def test_a_new_file_gets_0666_less_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        write_file(tmp_path / "new", b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o640


def test_a_replaced_file_is_a_new_inode_with_the_old_mode(tmp_path):
    target = tmp_path / "report.txt"
    target.write_bytes(b"old")
    target.chmod(0o604)
    before = target.stat().st_ino
    write_file(target, b"new")
    assert target.read_bytes() == b"new" and target.stat().st_ino != before
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", ["symlink", "read-only", "fifo", "directory", "no-parent"])
def test_refused_targets_are_left_alone(tmp_path, kind):
    outside = tmp_path / "outside"
    outside.write_bytes(SECRET)
    target = tmp_path / "out"
    if kind == "symlink":
        target.symlink_to(outside)
    elif kind == "read-only":
        target.write_bytes(b"keep")
        target.chmod(0o444)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "directory":
        target.mkdir()
    else:
        target = tmp_path / "missing" / "out"
    with pytest.raises(WriteError) as raised:
        write_file(target, b"new")
    assert str(target) in str(raised.value) and raised.value.exit_code == 2
    assert outside.read_bytes() == SECRET
    if kind == "read-only":
        assert target.read_bytes() == b"keep"
    assert leftovers(tmp_path) == []


# --- check --fix ------------------------------------------------------------------------------------

def test_fix_replaces_the_file_and_keeps_its_mode(tmp_path):
    path = tmp_path / "nc.yaml"
    path.write_text(BROKEN)
    path.chmod(0o640)
    inode = path.stat().st_ino
    main(["check", "--fix", "--no-cache", str(path)])
    assert path.read_text() == FIXED
    assert path.stat().st_ino != inode and stat.S_IMODE(path.stat().st_mode) == 0o640


def test_fix_refuses_a_read_only_file(tmp_path, capsys):
    path = tmp_path / "nc.yaml"
    path.write_text(BROKEN)
    path.chmod(0o444)
    assert main(["check", "--fix", "--no-cache", str(path)]) == 2
    assert path.read_text() == BROKEN
    assert f"cannot write {path}: it is read-only" in capsys.readouterr().err


def test_fix_never_writes_through_a_symbolic_link(tmp_path, capsys):
    (tmp_path / ".git").mkdir()  # the repository: the link's target is inside it, and still not written
    target = tmp_path / "real.yaml"
    target.write_text(BROKEN)
    link = tmp_path / "nc.yaml"
    link.symlink_to(target)
    assert main(["check", "--fix", "--no-cache", str(link)]) == 2
    assert target.read_text() == BROKEN and link.is_symlink()
    assert f"cannot write {link}: it is a symbolic link" in capsys.readouterr().err


def test_a_fix_that_cannot_be_written_whole_leaves_the_file_as_it_was(tmp_path):
    # RLIMIT_FSIZE below the fixed size: the temporary file's write fails with EFBIG (Python ignores SIGXFSZ)
    path = tmp_path / "nc.yaml"
    path.write_text(BROKEN)
    limit = len(FIXED.encode()) - 10

    def cap():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run([sys.executable, "-m", "nodecfg", "check", "--fix", "--no-cache", str(path)],
                          capture_output=True, text=True, preexec_fn=cap, timeout=120,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and f"cannot write {path}: File too large" in done.stderr
    assert path.read_text() == BROKEN
    assert leftovers(tmp_path) == []


# --- reports and outputs ------------------------------------------------------------------------------

def committed_link(tmp_path: Path, name: str) -> tuple[Path, Path]:
    outside = tmp_path / "elsewhere"
    outside.write_bytes(SECRET)
    link = tmp_path / name
    link.symlink_to(outside)
    return link, outside


def test_check_report_to_a_symbolic_link_is_refused(tmp_path, capsys):
    config = tmp_path / "nc.yaml"
    config.write_text(HEAD)
    link, outside = committed_link(tmp_path, "results.sarif")
    assert main(["check", "--no-cache", "--format", "sarif", "-o", str(link), str(config)]) == 2
    assert outside.read_bytes() == SECRET and link.is_symlink()
    assert "symbolic link" in capsys.readouterr().err


def test_check_report_is_written_whole_and_keeps_the_mode(tmp_path):
    config = tmp_path / "nc.yaml"
    config.write_text(BROKEN)
    report = tmp_path / "results.json"
    report.write_text("previous")
    report.chmod(0o600)
    assert main(["check", "--no-cache", "--format", "json", "-o", str(report), str(config)]) == 1
    assert '"code": "NC204"' in report.read_text() and stat.S_IMODE(report.stat().st_mode) == 0o600


def test_userdata_output_to_a_symbolic_link_is_refused(tmp_path):
    config = tmp_path / "nc.yaml"
    config.write_text(HEAD)
    link, outside = committed_link(tmp_path, "userdata.mime")
    assert main(["userdata", str(config), "-o", str(link)]) == 2
    assert outside.read_bytes() == SECRET


@pytest.mark.parametrize("option", ["-o", "--report"])
def test_migrate_outputs_to_a_symbolic_link_are_refused(tmp_path, option):
    source = tmp_path / "al2.sh"
    source.write_bytes(MIGRATE_INPUT)
    link, outside = committed_link(tmp_path, "out")
    other = ["--report", str(tmp_path / "report.txt")] if option == "-o" else ["-o", str(tmp_path / "ud")]
    assert main(["migrate", str(source), option, str(link), *other, "--no-check"]) == 2
    assert outside.read_bytes() == SECRET


def test_build_archive_to_a_symbolic_link_is_refused_by_the_same_rule(tmp_path, capsys):
    from nodecfg.output.emit import EmitError, write_output

    link, outside = committed_link(tmp_path, "rootfs.tar")
    from nodecfg.core.filetree import FileEntry

    with pytest.raises(EmitError) as raised:
        write_output({"etc/x": FileEntry(b"x", 0o644)}, link)
    assert isinstance(raised.value, WriteError) and "symbolic link" in str(raised.value)
    assert outside.read_bytes() == SECRET
