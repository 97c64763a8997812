"""The emit stage: reproducible archives, safe paths, all-or-nothing writes."""
from __future__ import annotations

import errno
import gzip
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nodecfg.output import emit
from nodecfg.output.emit import (
    EmitError,
    default_mtime,
    output_format,
    parse_source_date_epoch,
    tar_bytes,
    write_output,
)
from nodecfg.core.filetree import FileEntry

REPO_ROOT = Path(__file__).resolve().parents[1]
EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z

TREE = {
    "etc/kubernetes/kubelet/config.json": FileEntry(b'{"kind":"KubeletConfiguration"}\n'),
    "var/lib/kubelet/kubeconfig": FileEntry(b"apiVersion: v1\n", 0o600),
    "etc/eks/kubelet/environment": FileEntry(b"NODEADM_KUBELET_ARGS=--node-ip=10.0.0.1"),
    "usr/local/bin/hook": FileEntry(b"#!/bin/sh\n", 0o755),
}

# Written by hand: every parent directory, each before its contents.
TREE_MEMBERS = [
    "etc/",
    "etc/eks/",
    "etc/eks/kubelet/",
    "etc/eks/kubelet/environment",
    "etc/kubernetes/",
    "etc/kubernetes/kubelet/",
    "etc/kubernetes/kubelet/config.json",
    "usr/",
    "usr/local/",
    "usr/local/bin/",
    "usr/local/bin/hook",
    "var/",
    "var/lib/",
    "var/lib/kubelet/",
    "var/lib/kubelet/kubeconfig",
]


def raw_member_names(archive: bytes) -> list[str]:
    """Names as stored in the headers (tarfile strips a directory's trailing '/')."""
    with tarfile.open(fileobj=io.BytesIO(archive)) as opened:
        return [member.name + ("/" if member.isdir() else "") for member in opened.getmembers()]


def members(archive: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(archive)) as opened:
        return opened.getmembers()


def header_blocks(archive: bytes) -> list[bytes]:
    """The 512-byte header blocks of an uncompressed tar, walking sizes by hand."""
    headers, offset = [], 0
    while archive[offset:offset + 512].strip(b"\0"):
        header = archive[offset:offset + 512]
        headers.append(header)
        size = int(header[124:136].strip(b"\0 ") or b"0", 8)
        offset += 512 + (size + 511) // 512 * 512
    return headers


def snapshot(directory: Path) -> dict[str, tuple[int, bytes | None, int]]:
    """path -> (permission bits, bytes or None for a directory, mtime) for everything under directory."""
    result = {".": (stat.S_IMODE(directory.stat().st_mode), None, int(directory.stat().st_mtime))}
    for path in sorted(directory.rglob("*")):
        info = path.lstat()
        data = None if path.is_dir() else path.read_bytes()
        result[path.relative_to(directory).as_posix()] = (stat.S_IMODE(info.st_mode), data, int(info.st_mtime))
    return result


# --- the tar format ----------------------------------------------------------------

def test_members_sorted_with_every_parent_first():
    assert raw_member_names(tar_bytes(TREE, gzip=False, mtime=EPOCH)) == TREE_MEMBERS


def test_sort_is_by_component_so_subtrees_stay_together():
    tree = {name: FileEntry(b"") for name in ("etc/a.d/c", "etc/a/b", "etc/a-z")}
    # Plain string order would interleave etc/a-z and etc/a.d/ between etc/a and etc/a/b.
    assert raw_member_names(tar_bytes(tree, gzip=False, mtime=0)) == [
        "etc/", "etc/a/", "etc/a/b", "etc/a-z", "etc/a.d/", "etc/a.d/c",
    ]


def test_every_member_is_root_owned_with_fixed_mtime_and_modes():
    for member in members(tar_bytes(TREE, gzip=False, mtime=EPOCH)):
        assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "root", "root")
        assert member.mtime == EPOCH
        if member.isdir():
            assert member.mode == 0o755
        else:
            assert member.isreg()
            assert member.mode == TREE[member.name].mode


def test_default_file_mode_is_0644():
    [member] = [m for m in members(tar_bytes({"a": FileEntry(b"x")}, gzip=False, mtime=0)) if m.isfile()]
    assert member.mode == 0o644


def test_file_contents_round_trip():
    with tarfile.open(fileobj=io.BytesIO(tar_bytes(TREE, gzip=False, mtime=0))) as opened:
        for name, entry in TREE.items():
            assert opened.extractfile(name).read() == entry.data


def test_headers_are_plain_ustar_without_extended_records():
    headers = header_blocks(tar_bytes(TREE, gzip=False, mtime=EPOCH))
    assert len(headers) == len(TREE_MEMBERS)
    for header in headers:
        assert header[257:265] == b"ustar\x0000"
        assert header[156:157] in (b"0", b"5")  # regular file or directory: no pax 'x'/'g', no links


def test_archive_is_padded_to_whole_records():
    assert len(tar_bytes(TREE, gzip=False, mtime=0)) % tarfile.RECORDSIZE == 0


def test_gzip_header_has_zero_mtime_and_no_file_name():
    compressed = tar_bytes(TREE, gzip=True, mtime=EPOCH)
    # magic, deflate, no flags (so no FNAME), mtime 0, max-compression marker, OS unknown
    assert compressed[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    assert gzip.decompress(compressed) == tar_bytes(TREE, gzip=False, mtime=EPOCH)


@pytest.mark.parametrize("compress", [False, True])
def test_building_twice_gives_identical_bytes(compress):
    first = tar_bytes(TREE, gzip=compress, mtime=EPOCH)
    reordered = dict(reversed(list(TREE.items())))
    assert tar_bytes(reordered, gzip=compress, mtime=EPOCH) == first


@pytest.mark.parametrize("name", ["rootfs.tar", "rootfs.tar.gz", "rootfs.tgz"])
def test_written_archives_are_identical_across_builds(tmp_path, name):
    (tmp_path / "first").mkdir()
    write_output(TREE, tmp_path / "first" / name, source_date_epoch=EPOCH)
    write_output(TREE, tmp_path / name, source_date_epoch=EPOCH)
    assert (tmp_path / "first" / name).read_bytes() == (tmp_path / name).read_bytes()


def test_archive_extracts_under_the_strict_data_filter(tmp_path):
    with tarfile.open(fileobj=io.BytesIO(tar_bytes(TREE, gzip=True, mtime=EPOCH))) as opened:
        opened.extractall(tmp_path, filter="data")
    assert (tmp_path / "var/lib/kubelet/kubeconfig").read_bytes() == b"apiVersion: v1\n"


# --- SOURCE_DATE_EPOCH --------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1700000000", 1700000000),
        ("0", 0),
        (" 42\n", 42),
        (None, None),
        ("", None),
        ("-1", None),
        ("1.5", None),
        ("1e9", None),
        ("soon", None),
        ("\u0661\u0662", None),  # Arabic-Indic digits are digits to str.isdigit, not to us
        (str(8**11), None),  # does not fit the tar header
        (str(8**11 - 1), 8**11 - 1),
    ],
)
def test_parse_source_date_epoch(value, expected):
    assert parse_source_date_epoch(value) == expected


def test_default_mtime_reads_the_environment():
    assert default_mtime({"SOURCE_DATE_EPOCH": "1234"}) == 1234
    assert default_mtime({"SOURCE_DATE_EPOCH": "yesterday"}) == 0
    assert default_mtime({}) == 0


def test_write_output_takes_mtime_from_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    write_output(TREE, tmp_path / "rootfs.tar")
    assert {m.mtime for m in members((tmp_path / "rootfs.tar").read_bytes())} == {EPOCH}


def test_write_output_defaults_to_epoch_zero(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    write_output(TREE, tmp_path / "rootfs.tar")
    assert {m.mtime for m in members((tmp_path / "rootfs.tar").read_bytes())} == {0}


@pytest.mark.parametrize("mtime", [-1, 8**11, 1.5, True])
def test_out_of_range_mtime_is_a_programming_error(tmp_path, mtime):
    with pytest.raises(ValueError, match="mtime"):
        tar_bytes(TREE, gzip=False, mtime=mtime)
    with pytest.raises(ValueError, match="mtime"):
        write_output(TREE, tmp_path / "x.tar", source_date_epoch=mtime)


# --- path and entry validation ----------------------------------------------------------

@pytest.mark.parametrize(
    "path",
    [
        "",
        "/etc/passwd",
        "../etc/passwd",
        "etc/../../passwd",
        "etc/..",
        "./etc/x",
        "etc/./x",
        "etc//x",
        "etc/x/",
        "etc/x\x00y",
        "etc/tab\there",
        "etc/with space",
        "etc/caf\u00e9",
        "etc/" + "n" * 256,
        "/".join(["d" * 250] * 17),  # longer than PATH_MAX
    ],
)
def test_bad_paths_are_rejected(path, tmp_path):
    tree = {path: FileEntry(b"x")}
    with pytest.raises(ValueError, match="path"):
        tar_bytes(tree, gzip=False, mtime=0)
    with pytest.raises(ValueError, match="path"):
        write_output(tree, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_long_path_that_splits_into_ustar_prefix_is_accepted():
    path = "/".join(["d" * 60] * 3)  # 182 characters: prefix 121 + name 60
    [*_, member] = members(tar_bytes({path: FileEntry(b"x")}, gzip=False, mtime=0))
    assert member.name == path


def test_systemd_style_names_are_accepted():
    path = "etc/systemd/system/getty@tty1.service.d/x-y_z+1:2.conf"
    assert raw_member_names(tar_bytes({path: FileEntry(b"")}, gzip=False, mtime=0))[-1] == path


def test_a_path_that_is_both_file_and_directory_is_rejected():
    tree = {"etc/a": FileEntry(b"x"), "etc/a/b": FileEntry(b"y")}
    with pytest.raises(ValueError, match="both a file and a directory: 'etc/a'"):
        tar_bytes(tree, gzip=False, mtime=0)


@pytest.mark.parametrize("mode", [0o100644, -1, 0o10000])
def test_modes_beyond_permission_bits_are_rejected(mode):
    with pytest.raises(ValueError, match="mode"):
        tar_bytes({"a": FileEntry(b"x", mode)}, gzip=False, mtime=0)


def test_non_bytes_data_is_rejected():
    with pytest.raises(ValueError, match="bytes"):
        tar_bytes({"a": FileEntry("text", 0o644)}, gzip=False, mtime=0)  # type: ignore[arg-type]


# --- dispatch ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("out", "expected"),
    [
        ("rootfs.tar", "tar"),
        ("rootfs.tar.gz", "tar.gz"),
        ("rootfs.tgz", "tar.gz"),
        ("ROOTFS.TGZ", "tar.gz"),
        ("build/rootfs", "directory"),
        ("rootfs.gz", "directory"),
        ("rootfs.tar.d", "directory"),
        (Path("x/rootfs.tar"), "tar"),
    ],
)
def test_output_format_from_name(out, expected):
    assert output_format(out) == expected


def test_gz_output_is_gzip_and_tar_output_is_not(tmp_path):
    write_output(TREE, tmp_path / "a.tgz", source_date_epoch=EPOCH)
    write_output(TREE, tmp_path / "a.tar", source_date_epoch=EPOCH)
    assert (tmp_path / "a.tgz").read_bytes() == tar_bytes(TREE, gzip=True, mtime=EPOCH)
    assert (tmp_path / "a.tar").read_bytes() == tar_bytes(TREE, gzip=False, mtime=EPOCH)


# --- directory output ---------------------------------------------------------------------

def test_directory_output_has_contents_modes_and_mtimes(tmp_path):
    out = tmp_path / "rootfs"
    write_output(TREE, out, source_date_epoch=EPOCH)
    found = snapshot(out)
    expected_dirs = {name.rstrip("/") for name in TREE_MEMBERS if name.endswith("/")} | {"."}
    assert {name for name, (_, data, _) in found.items() if data is None} == expected_dirs
    for name, (mode, data, mtime) in found.items():
        assert mtime == EPOCH, name
        if data is None:
            assert mode == 0o755, name
        else:
            assert (mode, data) == (TREE[name].mode, TREE[name].data)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rootfs"]


def test_directory_output_ignores_umask(tmp_path):
    previous = os.umask(0o077)
    try:
        write_output(TREE, tmp_path / "rootfs", source_date_epoch=EPOCH)
    finally:
        os.umask(previous)
    found = snapshot(tmp_path / "rootfs")
    assert found["etc/kubernetes"][0] == 0o755
    assert found["etc/kubernetes/kubelet/config.json"][0] == 0o644
    assert found["."][0] == 0o755


def test_directory_output_matches_the_extracted_tarball(tmp_path):
    write_output(TREE, tmp_path / "rootfs", source_date_epoch=EPOCH)
    with tarfile.open(fileobj=io.BytesIO(tar_bytes(TREE, gzip=False, mtime=EPOCH))) as opened:
        opened.extractall(tmp_path / "extracted", filter="tar")
    os.utime(tmp_path / "extracted", (EPOCH, EPOCH))  # the tar has no entry for the root itself
    assert snapshot(tmp_path / "rootfs") == snapshot(tmp_path / "extracted")


def test_existing_directory_is_replaced_completely(tmp_path):
    out = tmp_path / "rootfs"
    (out / "stale").mkdir(parents=True)
    (out / "stale" / "old.conf").write_text("old")
    write_output(TREE, out, source_date_epoch=EPOCH)
    assert not (out / "stale").exists()
    assert (out / "etc/eks/kubelet/environment").read_bytes() == TREE["etc/eks/kubelet/environment"].data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rootfs"]


def test_existing_archive_is_replaced(tmp_path):
    out = tmp_path / "rootfs.tar"
    out.write_bytes(b"old")
    write_output(TREE, out, source_date_epoch=EPOCH)
    assert out.read_bytes() == tar_bytes(TREE, gzip=False, mtime=EPOCH)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rootfs.tar"]


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o077, 0o600)])
def test_archive_file_permissions_follow_the_umask_like_any_new_file(tmp_path, umask, expected):
    previous = os.umask(umask)
    try:
        write_output(TREE, tmp_path / "rootfs.tgz")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "rootfs.tgz").stat().st_mode) == expected


def test_empty_tree_gives_an_empty_directory_and_an_empty_archive(tmp_path):
    write_output({}, tmp_path / "empty", source_date_epoch=EPOCH)
    assert snapshot(tmp_path / "empty") == {".": (0o755, None, EPOCH)}
    assert members(tar_bytes({}, gzip=False, mtime=0)) == []


# --- errors become EmitError and write nothing -----------------------------------------------

def test_missing_parent_directory(tmp_path):
    with pytest.raises(EmitError, match="nowhere is not an existing directory"):
        write_output(TREE, tmp_path / "nowhere" / "rootfs.tar")
    with pytest.raises(EmitError, match="nowhere is not an existing directory"):
        write_output(TREE, tmp_path / "nowhere" / "rootfs")
    assert list(tmp_path.iterdir()) == []


def test_parent_that_is_a_file(tmp_path):
    (tmp_path / "plain").write_text("x")
    with pytest.raises(EmitError, match="plain is not an existing directory"):
        write_output(TREE, tmp_path / "plain" / "rootfs")
    assert [p.name for p in tmp_path.iterdir()] == ["plain"]


def test_regular_file_where_a_directory_is_requested(tmp_path):
    out = tmp_path / "rootfs"
    out.write_text("keep me")
    with pytest.raises(EmitError, match="not a directory"):
        write_output(TREE, out)
    assert out.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rootfs"]


def test_directory_where_an_archive_is_requested(tmp_path):
    (tmp_path / "rootfs.tar").mkdir()
    with pytest.raises(EmitError, match="not a regular file"):
        write_output(TREE, tmp_path / "rootfs.tar")
    assert (tmp_path / "rootfs.tar").is_dir()


@pytest.mark.parametrize("name", ["rootfs", "rootfs.tar"])
def test_symbolic_link_at_the_output_is_not_replaced(tmp_path, name):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / name).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(EmitError, match="symbolic link"):
        write_output(TREE, tmp_path / name)
    assert (tmp_path / name).is_symlink()


def test_output_must_name_an_entry(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(EmitError, match="must name"):
        write_output(TREE, ".")


def test_error_message_is_one_sentence_naming_the_output(tmp_path):
    out = tmp_path / "missing" / "rootfs"
    with pytest.raises(EmitError) as raised:
        write_output(TREE, out)
    message = str(raised.value)
    assert message.startswith(f"cannot write {out}:") and message.endswith(".")
    assert "\n" not in message


def failing_after(calls: int, original):
    """A stand-in for `original` that works `calls` times, then fails like a full disk."""
    state = {"calls": 0}

    def stand_in(*args, **kwargs):
        state["calls"] += 1
        if state["calls"] > calls:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return original(*args, **kwargs)

    return stand_in


def failing_only_on_call(number: int, original):
    """A stand-in for `original` whose call `number` (1-based) alone fails."""
    state = {"calls": 0}

    def stand_in(*args, **kwargs):
        state["calls"] += 1
        if state["calls"] == number:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return original(*args, **kwargs)

    return stand_in


def test_failed_directory_write_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(emit, "_write_file", failing_after(2, emit._write_file))
    with pytest.raises(EmitError, match="No space left on device"):
        write_output(TREE, tmp_path / "rootfs")
    assert list(tmp_path.iterdir()) == []


def test_failed_directory_write_keeps_the_previous_output(tmp_path, monkeypatch):
    out = tmp_path / "rootfs"
    write_output({"etc/old.conf": FileEntry(b"old")}, out, source_date_epoch=5)
    before = snapshot(out)
    monkeypatch.setattr(emit, "_write_file", failing_after(2, emit._write_file))
    with pytest.raises(EmitError):
        write_output(TREE, out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rootfs"]


def test_failed_swap_restores_the_previous_output(tmp_path, monkeypatch):
    out = tmp_path / "rootfs"
    write_output({"etc/old.conf": FileEntry(b"old")}, out, source_date_epoch=5)
    before = snapshot(out)
    # First rename parks the old tree, the second (new tree into place) fails.
    monkeypatch.setattr(emit.os, "rename", failing_only_on_call(2, os.rename))
    with pytest.raises(EmitError, match="Input/output error"):
        write_output(TREE, out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rootfs"]


def test_when_even_the_restore_fails_the_old_tree_is_kept_aside(tmp_path, monkeypatch):
    out = tmp_path / "rootfs"
    write_output({"etc/old.conf": FileEntry(b"old")}, out, source_date_epoch=5)
    monkeypatch.setattr(emit.os, "rename", failing_after(1, os.rename))
    with pytest.raises(EmitError, match=r"previous output is kept in .*\.old/previous\.$"):
        write_output(TREE, out)
    [kept] = tmp_path.glob(".rootfs.*.old/previous")
    assert (kept / "etc/old.conf").read_bytes() == b"old"
    assert not out.exists()


def test_interrupted_directory_write_cleans_up(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(emit, "_write_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(TREE, tmp_path / "rootfs")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["rootfs.tar", "rootfs.tar.gz"])
def test_failed_archive_write_leaves_nothing_and_keeps_previous(tmp_path, monkeypatch, name):
    monkeypatch.setattr(emit.os, "fsync", failing_after(0, os.fsync))
    with pytest.raises(EmitError, match="No space left on device"):
        write_output(TREE, tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / name).write_bytes(b"previous")
    with pytest.raises(EmitError):
        write_output(TREE, tmp_path / name)
    assert (tmp_path / name).read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == [name]


# --- independence from the environment ---------------------------------------------------------

CHILD_SCRIPT = """
import base64, json, os, stat, sys
from pathlib import Path
from nodecfg.output.emit import tar_bytes, write_output
from nodecfg.core.filetree import FileEntry
os.umask(int(sys.argv[1], 8))
tree = {
    "etc/a/config.json": FileEntry(b"{}"),
    "var/lib/secret": FileEntry(b"s", 0o600),
}
out = Path(sys.argv[2])
write_output(tree, out / "rootfs")
write_output(tree, out / "rootfs.tgz")
modes = {
    p.relative_to(out).as_posix(): [oct(stat.S_IMODE(p.stat().st_mode)), int(p.stat().st_mtime)]
    for p in sorted((out / "rootfs").rglob("*"))
}
print(json.dumps({
    "tar": base64.b64encode(tar_bytes(tree, gzip=False, mtime=0)).decode(),
    "tgz": base64.b64encode((out / "rootfs.tgz").read_bytes()).decode(),
    "modes": modes,
}))
"""


def run_child(tmp_path: Path, name: str, timezone: str, umask: str) -> dict:
    workdir = tmp_path / name
    workdir.mkdir()
    env = {**os.environ, "TZ": timezone, "SOURCE_DATE_EPOCH": str(EPOCH), "PYTHONPATH": str(REPO_ROOT)}
    completed = subprocess.run(
        [sys.executable, "-c", CHILD_SCRIPT, umask, str(workdir)],
        env=env, capture_output=True, text=True, check=True,
    )
    return json.loads(completed.stdout)


def test_output_is_independent_of_timezone_and_umask(tmp_path):
    utc = run_child(tmp_path, "utc", "UTC", "022")
    far = run_child(tmp_path, "far", "XYZ-14", "077")
    assert utc == far
    assert utc["modes"]["rootfs/etc/a"] == ["0o755", EPOCH]
    assert utc["modes"]["rootfs/var/lib/secret"] == ["0o600", EPOCH]


# --- property: any small valid tree round-trips ---------------------------------------------------

components = st.sampled_from(["etc", "a", "b.d", "x.conf", "Z", "k-1", "s_2", "@x"])
paths = st.lists(components, min_size=1, max_size=4).map("/".join)
entries = st.builds(
    FileEntry,
    data=st.binary(max_size=700),
    mode=st.sampled_from([0o644, 0o600, 0o755, 0o400, 0o640, 0o4755]),
)


def without_file_directory_clashes(tree: dict[str, FileEntry]) -> dict[str, FileEntry]:
    return {path: entry for path, entry in tree.items() if not any(other.startswith(path + "/") for other in tree)}


trees = st.dictionaries(paths, entries, max_size=8).map(without_file_directory_clashes)


@settings(max_examples=60, deadline=None)
@given(tree=trees, mtime=st.integers(min_value=0, max_value=8**11 - 1), compress=st.booleans())
def test_any_tree_round_trips_through_tar(tree, mtime, compress):
    archive = tar_bytes(tree, gzip=compress, mtime=mtime)
    expected_dirs = {"/".join(p.split("/")[:depth]) for p in tree for depth in range(1, p.count("/") + 1)}
    with tarfile.open(fileobj=io.BytesIO(archive)) as opened:
        found = opened.getmembers()
        names = [member.name for member in found]
        assert sorted(names, key=lambda name: name.split("/")) == names
        assert {m.name for m in found if m.isdir()} == expected_dirs
        assert {m.name for m in found if m.isfile()} == set(tree)
        assert len(found) == len(expected_dirs) + len(tree)
        for member in found:
            assert (member.uid, member.gid, member.uname, member.gname, member.mtime) == (0, 0, "root", "root", mtime)
            if member.isfile():
                assert member.mode == tree[member.name].mode
                assert opened.extractfile(member).read() == tree[member.name].data
            else:
                assert member.mode == 0o755
    assert tar_bytes(dict(reversed(list(tree.items()))), gzip=compress, mtime=mtime) == archive
