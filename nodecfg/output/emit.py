"""Emit stage: write a FileTree as a directory, a tar or a gzip tar.

Two promises, documented in docs/output.md: the bytes depend only on the tree
and the timestamp (never on the clock, TZ, umask or user), and a failed write
leaves nothing half-written at the output path.
"""
from __future__ import annotations

import contextlib
import gzip as gzip_module
import io
import os
import re
import shutil
import signal
import tarfile
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from nodecfg.core.filetree import FileEntry, FileTree
from nodecfg.output.safe_write import (HANDLED_SIGNALS as _HANDLED_SIGNALS, WriteError, describe as _describe,
                                       fsync_directory as _fsync_directory, refuse_link,
                                       remove_quietly as _remove_quietly, signals_deferred as _signals_deferred,
                                       write_file)

DIRECTORY_MODE = 0o755
GZIP_LEVEL = 9
# USTAR stores mtime as 11 octal digits; anything larger would need a PAX header.
MAX_MTIME = 8**11 - 1
OWNER_ID = 0
OWNER_NAME = "root"

OutputFormat = Literal["directory", "tar", "tar.gz"]

_USTAR_NAME_MAX = 100
_USTAR_PREFIX_MAX = 155
_NAME_MAX = 255
_PATH_MAX = 4095


EmitError = WriteError  # the output could not be written (nodecfg/output/safe_write.py)


class EmitInterrupted(EmitError):
    """SIGTERM or SIGINT arrived while writing; everything was cleaned up or restored."""

    def __init__(self, message: str, signum: int) -> None:
        super().__init__(message)
        self.exit_code = 128 + signum


class _Signalled(BaseException):
    """Raised by the signal handler, so that every ``except BaseException`` cleanup runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass(frozen=True)
class _Entry:
    path: str
    file: FileEntry | None  # None: a directory

    @property
    def is_directory(self) -> bool:
        return self.file is None


# --- timestamp ---------------------------------------------------------------

def parse_source_date_epoch(value: str | None) -> int | None:
    """The timestamp a SOURCE_DATE_EPOCH value names, or None when unset or unusable."""
    if value is None:
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        return None
    seconds = int(text)
    return seconds if seconds <= MAX_MTIME else None


def default_mtime(environ: Mapping[str, str] | None = None) -> int:
    """SOURCE_DATE_EPOCH when set and valid, else 0 (the Unix epoch)."""
    source = os.environ if environ is None else environ
    parsed = parse_source_date_epoch(source.get("SOURCE_DATE_EPOCH"))
    return 0 if parsed is None else parsed


def _check_mtime(mtime: int) -> None:
    if isinstance(mtime, bool) or not isinstance(mtime, int) or not 0 <= mtime <= MAX_MTIME:
        raise ValueError(f"mtime must be an integer in 0..{MAX_MTIME}, got {mtime!r}")


# --- path validation and the entry plan ---------------------------------------

def _check_path(path: str) -> None:
    """Reject anything that is not a plain relative path a tar or a directory can hold safely."""
    if not isinstance(path, str) or not path:
        raise ValueError(f"file tree path must be a non-empty string, got {path!r}")
    if path.startswith("/"):
        raise ValueError(f"file tree path must be relative: {path!r}")
    if any(not 0x21 <= ord(char) <= 0x7E for char in path):
        raise ValueError(f"file tree path must be visible ASCII without spaces: {path!r}")
    for component in path.split("/"):
        if component in ("", ".", ".."):
            raise ValueError(f"file tree path has an empty, '.' or '..' component: {path!r}")
        if len(component) > _NAME_MAX:
            raise ValueError(f"file tree path component longer than {_NAME_MAX}: {path!r}")
    if len(path) > _PATH_MAX:
        raise ValueError(f"file tree path longer than {_PATH_MAX}: {path!r}")


def _fits_ustar(name: str) -> bool:
    if len(name) <= _USTAR_NAME_MAX:
        return True
    for index, char in enumerate(name):
        if char == "/" and index <= _USTAR_PREFIX_MAX and len(name) - index - 1 <= _USTAR_NAME_MAX:
            return True
    return False


def _check_mode(path: str, mode: int) -> None:
    if isinstance(mode, bool) or not isinstance(mode, int) or mode & ~0o7777:
        raise ValueError(f"file mode for {path!r} must be permission bits (0..0o7777), got {mode!r}")


def _parents(path: str) -> Iterator[str]:
    components = path.split("/")
    for depth in range(1, len(components)):
        yield "/".join(components[:depth])


def _sort_key(path: str) -> tuple[bytes, ...]:
    # Component-wise: a directory's whole subtree stays contiguous, after the directory.
    return tuple(component.encode("ascii") for component in path.split("/"))


def _plan(tree: FileTree) -> list[_Entry]:
    """Every file and every parent directory, validated and in archive order."""
    files: dict[str, FileEntry] = {}
    for raw_path, entry in tree.items():
        path = str(raw_path)
        _check_path(path)
        _check_mode(path, entry.mode)
        if not isinstance(entry.data, bytes):
            raise ValueError(f"file tree data for {path!r} must be bytes")
        files[path] = entry
    directories = {parent for path in files for parent in _parents(path)}
    clashes = sorted(directories & files.keys())
    if clashes:
        raise ValueError(f"file tree path is both a file and a directory: {clashes[0]!r}")
    entries = [_Entry(path, None) for path in directories]
    entries += [_Entry(path, entry) for path, entry in files.items()]
    return sorted(entries, key=lambda item: _sort_key(item.path))


# --- tar ---------------------------------------------------------------------

def _tar_info(entry: _Entry, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(entry.path)
    info.mtime = mtime
    info.uid = info.gid = OWNER_ID
    info.uname = info.gname = OWNER_NAME
    if entry.file is None:
        info.type = tarfile.DIRTYPE
        info.mode = DIRECTORY_MODE
    else:
        info.type = tarfile.REGTYPE
        info.mode = entry.file.mode
        info.size = len(entry.file.data)
    return info


def _plain_tar(entries: list[_Entry], mtime: int) -> bytes:
    buffer = io.BytesIO()
    # USTAR headers, which every tar reader understands; a path too long for
    # one (a long service name) gets a PAX extended header instead.  Chosen per
    # entry: tarfile's PAX format would also move 100-255 character paths that
    # USTAR splits into prefix and name to extended headers, changing the bytes.
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for entry in entries:
            data = None if entry.file is None else io.BytesIO(entry.file.data)
            name = entry.path + ("/" if entry.file is None else "")
            archive.format = tarfile.USTAR_FORMAT if _fits_ustar(name) else tarfile.PAX_FORMAT
            archive.addfile(_tar_info(entry, mtime), data)
    return buffer.getvalue()


def _deterministic_gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    # filename="" leaves the FNAME field out; mtime=0 zeroes the header timestamp.
    with gzip_module.GzipFile(
        filename="", mode="wb", compresslevel=GZIP_LEVEL, fileobj=buffer, mtime=0
    ) as stream:
        stream.write(data)
    return buffer.getvalue()


def tar_bytes(tree: FileTree, *, gzip: bool, mtime: int) -> bytes:
    """The reproducible tar (gzip-compressed when `gzip`) of `tree`.

    Raises ValueError for a malformed tree (bad path or mode): trees come from
    renderers, so that is a bug, not bad input.
    """
    _check_mtime(mtime)
    return _encode(_plan(tree), gzip=gzip, mtime=mtime)


def _encode(entries: list[_Entry], *, gzip: bool, mtime: int) -> bytes:
    archive = _plain_tar(entries, mtime)
    return _deterministic_gzip(archive) if gzip else archive


# --- output dispatch -------------------------------------------------------------

def output_format(out: str | os.PathLike[str]) -> OutputFormat:
    """How `out` will be written, from its name (case-insensitive)."""
    name = os.fspath(out).lower()
    if name.endswith((".tar.gz", ".tgz")):
        return "tar.gz"
    if name.endswith(".tar"):
        return "tar"
    return "directory"


def write_output(
    tree: FileTree, out: str | os.PathLike[str], *, source_date_epoch: int | None = None
) -> None:
    """Write `tree` to `out` (directory, *.tar, *.tar.gz or *.tgz), all or nothing.

    Raises EmitError for anything the filesystem refuses, ValueError for a
    malformed tree.
    """
    mtime = default_mtime() if source_date_epoch is None else source_date_epoch
    _check_mtime(mtime)
    entries = _plan(tree)
    target = Path(os.fspath(out))
    kind = output_format(target)
    try:
        with _signals_raise():
            _clean_leftovers(target)
            if kind == "directory":
                _write_directory(entries, target, mtime)
            else:
                _write_archive(_encode(entries, gzip=kind == "tar.gz", mtime=mtime), target)
    except _Signalled as signalled:
        name = signal.Signals(signalled.signum).name
        raise EmitInterrupted(f"cannot write {target}: interrupted by {name}; the output is either the new one "
                              "or the previous one (or absent), never half-written.", signalled.signum) from None
    except OSError as error:
        raise EmitError(_describe(error, target)) from error


@contextlib.contextmanager
def _signals_raise():
    """SIGTERM and SIGINT raise _Signalled while writing, so the cleanup below runs.

    Only the main thread can set handlers; elsewhere the caller's handling stays.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise _Signalled(signum)

    previous = {signum: signal.signal(signum, handler) for signum in _HANDLED_SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


# Temporary siblings carry the writing process's id: .NAME.PID.RANDOM.tmp|new|old
_LEFTOVER = r"\.{name}\.([0-9]+)\.[A-Za-z0-9_]+\.(tmp|new|old)"


def _clean_leftovers(target: Path) -> None:
    """Remove temporary siblings of target that a killed nodecfg left (SIGKILL, power loss).

    Only names of nodecfg's own pattern whose process is gone are touched.  An
    ``.old`` holder is the previous tree parked between two renames: when
    target is missing it is put back first, so no output is ever lost.
    """
    pattern = re.compile(_LEFTOVER.format(name=re.escape(target.name)))
    try:
        names = sorted(os.listdir(target.parent))
    except OSError:
        return
    for name in names:
        match = pattern.fullmatch(name)
        if match is None or _process_alive(int(match.group(1))):
            continue
        leftover = target.parent / name
        if match.group(2) == "old" and (leftover / "previous").is_dir() and not os.path.lexists(target):
            os.rename(leftover / "previous", target)
        if match.group(2) == "tmp":
            _remove_quietly(leftover)
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # an earlier write of this process that did not clean up
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _check_parent(target: Path) -> Path:
    if target.name in ("", ".", ".."):
        raise EmitError(f"cannot write {target}: the output must name a new or replaceable entry.")
    parent = target.parent
    if not parent.is_dir():
        raise EmitError(f"cannot write {target}: {parent} is not an existing directory.")
    return parent


def _check_replaceable(target: Path, *, want_directory: bool) -> bool:
    """Whether something is already at `target`; EmitError when it is the wrong kind."""
    refuse_link(target)
    if not target.exists():
        return False
    if want_directory and not target.is_dir():
        raise EmitError(f"cannot write {target}: it exists and is not a directory.")
    if not want_directory and not target.is_file():
        raise EmitError(f"cannot write {target}: it exists and is not a regular file.")
    return True


# --- archive file ------------------------------------------------------------------

def _write_archive(data: bytes, target: Path) -> None:
    _check_parent(target)
    _check_replaceable(target, want_directory=False)
    write_file(target, data)


# --- directory ---------------------------------------------------------------------

def _write_directory(entries: list[_Entry], target: Path, mtime: int) -> None:
    parent = _check_parent(target)
    _check_replaceable(target, want_directory=True)
    staging = _private_directory(target, ".new")
    try:
        _populate(staging, entries, mtime)
        with _signals_deferred():
            _move_into_place(staging, target)
    except BaseException:
        with _signals_deferred():
            shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_directory(parent)


def _populate(root: Path, entries: list[_Entry], mtime: int) -> None:
    for entry in entries:
        destination = root.joinpath(*entry.path.split("/"))
        if entry.file is None:
            destination.mkdir()
            os.chmod(destination, DIRECTORY_MODE)
        else:
            _write_file(destination, entry.file, mtime)
    # Directory mtimes last: creating their children changed them.
    directories = [root.joinpath(*entry.path.split("/")) for entry in entries if entry.is_directory]
    for directory in [*directories, root]:
        os.utime(directory, (mtime, mtime))
        _fsync_directory(directory)
    os.chmod(root, DIRECTORY_MODE)


def _write_file(destination: Path, file: FileEntry, mtime: int) -> None:
    with open(destination, "xb") as stream:
        stream.write(file.data)
        stream.flush()
        os.fsync(stream.fileno())
    # Explicit chmod: the mode must not depend on the caller's umask.
    os.chmod(destination, file.mode)
    os.utime(destination, (mtime, mtime))


def _move_into_place(staging: Path, target: Path) -> None:
    if not _check_replaceable(target, want_directory=True):
        os.rename(staging, target)
        return
    # No portable atomic directory swap exists: park the old tree inside a
    # private holder, move the new one in, then delete the old. Between the two
    # renames `target` is briefly absent; it is never partially written.
    holder = _private_directory(target, ".old")
    previous = holder / "previous"
    try:
        os.rename(target, previous)
    except BaseException:
        holder.rmdir()
        raise
    try:
        os.rename(staging, target)
    except BaseException:
        _restore(previous, target)
        holder.rmdir()
        raise
    shutil.rmtree(holder, ignore_errors=True)


def _restore(previous: Path, target: Path) -> None:
    try:
        os.rename(previous, target)
    except OSError as error:
        # The holder is left in place: it is the only copy of the old tree now.
        raise EmitError(
            f"cannot write {target}: {error.strerror or error}; the previous output is kept in {previous}."
        ) from error


# --- small filesystem helpers ---------------------------------------------------------

def _private_directory(target: Path, suffix: str) -> Path:
    """A fresh sibling of `target` (same filesystem, so renames stay atomic)."""
    created = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=suffix, dir=target.parent))
    os.chmod(created, 0o700)  # mkdtemp's mode is masked by umask; we need to write in it
    return created
