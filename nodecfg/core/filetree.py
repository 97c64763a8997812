"""The rendered on-disk tree: rootfs-relative POSIX path -> bytes and mode."""

from typing import NamedTuple


class FileEntry(NamedTuple):
    data: bytes
    mode: int = 0o644


FileTree = dict[str, FileEntry]  # e.g. "etc/kubernetes/kubelet/config.json"
