"""A source read twice in one process (nodecfg/parse/files.read_source): the second read comes from
memory only while the file is the same file, unchanged, and still inside its tree."""
from __future__ import annotations

import os

import pytest

from nodecfg.parse import files
from nodecfg.parse.files import Refused, read_source


@pytest.fixture(autouse=True)
def _forget_reads():
    files._READS.clear()
    yield
    files._READS.clear()


def _settle(path) -> None:
    """Date the file an hour back: one written in the last seconds is never kept."""
    past = os.stat(path).st_mtime - 3600
    os.utime(path, (past, past))


def _opens(monkeypatch) -> list[str]:
    opened: list[str] = []
    real = files.open_source

    def counting(path, tree=None):
        opened.append(os.fspath(path))
        return real(path, tree)

    monkeypatch.setattr(files, "open_source", counting)
    return opened


def test_an_unchanged_file_is_opened_once(tmp_path, monkeypatch):
    source = tmp_path / "a.yaml"
    source.write_bytes(b"apiVersion: node.eks.aws/v1alpha1\n")
    _settle(source)
    opened = _opens(monkeypatch)
    assert read_source(source, 100) == read_source(source, 100) == source.read_bytes()
    assert read_source(source, 5) == b"apiVe"
    assert len(opened) == 1


def test_a_file_written_again_is_read_again(tmp_path, monkeypatch):
    source = tmp_path / "a.yaml"
    source.write_bytes(b"one\n")
    _settle(source)
    opened = _opens(monkeypatch)
    assert read_source(source, 100) == b"one\n"
    source.write_bytes(b"two, longer\n")
    _settle(source)
    assert read_source(source, 100) == b"two, longer\n"
    replacement = tmp_path / "b.yaml"  # the same size, another inode (how editors and --fix save)
    replacement.write_bytes(b"three, long\n")
    _settle(replacement)
    os.replace(replacement, source)
    assert read_source(source, 100) == b"three, long\n"
    assert len(opened) == 3


def test_a_file_written_in_the_last_seconds_is_read_every_time(tmp_path, monkeypatch):
    source = tmp_path / "a.yaml"
    source.write_bytes(b"first\n")
    opened = _opens(monkeypatch)
    assert read_source(source, 100) == b"first\n"
    source.write_bytes(b"again\n")  # the same size, maybe the same timestamp: only the bytes differ
    assert read_source(source, 100) == b"again\n"
    assert len(opened) == 2


def test_a_capped_read_does_not_answer_a_longer_one(tmp_path):
    source = tmp_path / "a.yaml"
    source.write_bytes(b"0123456789")
    _settle(source)
    assert read_source(source, 4) == b"0123"
    assert read_source(source, 100) == b"0123456789"
    assert read_source(source, 100) == b"0123456789"


def test_a_link_moved_out_of_the_tree_after_a_read_is_refused(tmp_path):
    tree = tmp_path / "repo"
    (tree / ".git").mkdir(parents=True)
    inside, outside = tree / "real.yaml", tmp_path / "secret.yaml"
    inside.write_bytes(b"inside\n")
    outside.write_bytes(b"secret\n")
    _settle(inside)
    _settle(outside)
    link = tree / "link.yaml"
    link.symlink_to(inside)
    assert read_source(link, 100) == b"inside\n"
    link.unlink()
    link.symlink_to(outside)
    with pytest.raises(Refused):
        read_source(link, 100)


def test_what_is_kept_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "_READS_KEPT", 3)
    for index in range(10):
        source = tmp_path / f"{index}.yaml"
        source.write_bytes(b"x" * 10)
        _settle(source)
        read_source(source, 100)
    assert len(files._READS) == 3
    assert sum(len(kept) for _, kept, _ in files._READS.values()) == 30
