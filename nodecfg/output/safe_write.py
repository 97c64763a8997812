"""The one way nodecfg writes a file: ``check --fix`` and ``-o``, ``userdata -o``,
``migrate -o`` / ``--report``, ``build -o`` archives and the result cache.

The rules (docs/output.md, "Writing files"):

- **All or nothing.** The bytes go to a new file next to the target
  (``.NAME.PID.RANDOM.tmp``, same directory so the rename stays on one
  filesystem), are synced, and ``os.replace`` puts the file in place.  A write
  that fails part-way (disk full, a file-size limit, a signal) removes the
  temporary file and leaves the target as it was.
- **No links.** A symbolic link at the target is refused: nodecfg neither
  writes through it nor replaces it (a committed ``results.sarif ->
  /etc/passwd`` must not let a report overwrite the link's target).
- **Only regular files**, and not read-only ones: a FIFO, device or
  directory at the target is refused, as is a file without write permission.
- **Permissions kept.** A replaced file keeps its permission bits (and its
  owner and group where the process may set them); a new file is created as
  any program creates one, 0666 less the umask.

Nothing here is imported at start-up: only a command that writes needs it.
"""
from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import stat
import threading
from pathlib import Path


class WriteError(Exception):
    """The file could not be written; the message is one sentence for the user."""

    exit_code = 2


HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def signals_deferred():
    """Hold SIGTERM and SIGINT back (they are delivered at the end) around renames that must finish together."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, HANDLED_SIGNALS)


def refuse_link(target: Path) -> None:
    """WriteError when ``target`` is a symbolic link (build -o, reports, --fix: never written through)."""
    if os.path.islink(target):
        raise WriteError(f"cannot write {target}: it is a symbolic link, which nodecfg does not replace "
                         "or write through.")


def check_writable(target: str | os.PathLike[str]) -> os.stat_result | None:
    """Refuse a target nodecfg must not write; its stat when it exists, None when it is new."""
    path = Path(os.fspath(target))
    if path.name in ("", ".", ".."):
        raise WriteError(f"cannot write {path}: the output must name a new or replaceable file.")
    refuse_link(path)
    try:
        status = os.stat(path)
    except FileNotFoundError:
        if not os.path.isdir(path.parent):
            raise WriteError(f"cannot write {path}: {path.parent} is not an existing directory.") from None
        return None
    except OSError as error:
        raise WriteError(describe(error, path)) from error
    if not stat.S_ISREG(status.st_mode):
        raise WriteError(f"cannot write {path}: it exists and is not a regular file.")
    # root may write anything, so the mode bits decide for it too
    if not status.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise WriteError(f"cannot write {path}: it is read-only; nodecfg does not replace a read-only file.")
    return status


def write_file(target: str | os.PathLike[str], data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``target`` all or nothing, by the rules above; WriteError when refused or failed.

    ``durable=False`` skips the syncs (the result cache: losing an entry on power loss costs a re-run).
    """
    path = Path(os.fspath(target))
    existing = check_writable(path)
    try:
        handle, temporary = create_sibling_file(path)
    except OSError as error:
        raise WriteError(describe(error, path)) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            if existing is not None:
                _keep_permissions(stream.fileno(), existing)
            stream.write(data)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        with signals_deferred():
            refuse_link(path)  # a link planted while writing is not replaced either
            os.replace(temporary, path)
    except BaseException as error:
        with signals_deferred():
            remove_quietly(temporary)
        if isinstance(error, OSError):
            raise WriteError(describe(error, path)) from error
        raise
    if not durable:
        return
    try:
        fsync_directory(path.parent)
    except OSError as error:
        raise WriteError(describe(error, path)) from error


def _keep_permissions(descriptor: int, existing: os.stat_result) -> None:
    with contextlib.suppress(PermissionError):
        if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
            os.fchown(descriptor, existing.st_uid, existing.st_gid)
    os.fchmod(descriptor, stat.S_IMODE(existing.st_mode))


def create_sibling_file(target: Path) -> tuple[int, Path]:
    """A new empty file next to ``target``, created like any output file (0666 less umask).

    Not mkstemp: its 0600 would make a new output private whatever the umask says.
    """
    for _ in range(100):
        candidate = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
        try:
            return os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), candidate
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


def fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    except OSError as error:
        # Some filesystems (network, FUSE) cannot sync a directory; durability
        # is best effort there, atomicity still holds.
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(descriptor)


def remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def describe(error: OSError, target: Path) -> str:
    reason = error.strerror or str(error)
    return f"cannot write {target}: {reason}."
