"""Opening the files nodecfg reads as sources: bounded, never blocking, never out of the tree.

Every source file is read here: by the loader (parse/source.py), by ``check
DIR``'s discovery (parse/discover.py), by the result cache's key and by
``check --fix``.  Two rules, documented in docs/limits.md ("Symbolic links and
special files"):

- **A symbolic link is followed only inside its tree.**  The tree of a path
  is the git work tree that holds it (the nearest directory at or above it
  with a ``.git`` entry, as git and ruff find a repository); outside any
  repository, the working directory when the path is below it, else the
  directory that holds the path.  A path that resolves outside its tree (a
  committed ``x.yaml -> /etc/shadow``, a ``nodeadm.d`` that links to
  ``/etc``) is not opened: reading it raises ``Refused``, which the loader
  reports as NC140 naming the link, never the target's content.  Paths under
  ``/dev`` and ``/proc`` are the user's explicit choice (``/dev/stdin``,
  ``<(…)``) and exempt.
- **Opening never blocks.**  Files are opened with ``O_NONBLOCK``, so a FIFO
  without a writer reads as empty; discovery skips anything that is not a
  regular file without opening it.
"""
from __future__ import annotations

import os
import stat
import time
from collections import OrderedDict

_EXEMPT = ("/dev/", "/proc/")


def path_text(path: str) -> str:
    """``str(pathlib.PurePosixPath(path))`` without importing pathlib (2-3 ms of a cold start).

    Sources are named in findings as pathlib spelled them: repeated ``/`` and ``.`` parts dropped,
    no trailing ``/``, ``.`` for the empty path; exactly two leading slashes are kept (POSIX leaves
    their meaning to the system), ``..`` is kept.  tests/test_path_text.py compares it with pathlib.
    """
    relative = path.lstrip("/")
    slashes = len(path) - len(relative)
    root = "//" if slashes == 2 else "/" if slashes else ""
    return root + "/".join(part for part in relative.split("/") if part and part != ".") or "."


def parent_text(path: str) -> str:
    """``str(pathlib.PurePosixPath(path).parent)`` for a ``path_text`` result."""
    return os.path.dirname(path) or "."


class Refused(OSError):
    """A path nodecfg does not read; ``strerror`` says why, naming the link and the tree."""


def repository_root(directory: str) -> str | None:
    """The nearest directory at or above ``directory`` (absolute, not resolved) holding a ``.git`` entry."""
    current = directory
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def tree_of(path: str | os.PathLike[str]) -> str:
    """The directory a source's symbolic links must stay in (the rules above)."""
    absolute = os.path.abspath(os.fspath(path))
    parent = os.path.dirname(absolute)
    root = repository_root(parent)
    if root is not None:
        return root
    cwd = os.getcwd()
    return cwd if _inside(absolute, cwd) else parent


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def check_contained(path: str | os.PathLike[str], tree: str | None = None) -> None:
    """Raise Refused when ``path`` resolves outside ``tree`` (default: its own tree)."""
    absolute = os.path.abspath(os.fspath(path))
    if absolute.startswith(_EXEMPT):
        return
    resolved = os.path.realpath(absolute)
    if resolved == absolute and tree is None:
        return  # no link on the way
    boundary = tree if tree is not None else tree_of(absolute)
    if not _inside(resolved, os.path.realpath(boundary)):
        raise Refused(0, f"it is a symbolic link (or lies below one) that resolves outside {boundary}; "
                         "nodecfg does not read files outside the tree it checks", os.fspath(path))


def open_source(path: str | os.PathLike[str], tree: str | None = None):
    """A binary stream of the source at ``path``: contained, opened without blocking."""
    check_contained(path, tree)
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    os.set_blocking(descriptor, True)  # a FIFO with a writer is then read as usual
    return open(descriptor, "rb", closefd=True)


def read_capped(stream, size: int) -> bytes:
    """Up to ``size`` bytes; pipes and devices return short reads, so read until EOF or ``size``."""
    chunks, remaining = [], size
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_source(path: str | os.PathLike[str], size: int, tree: str | None = None) -> bytes:
    """At most ``size`` bytes of the source at ``path`` (raises OSError, Refused among them).

    A run reads a file several times (``check DIR``'s sniff, ``--only-node-config``'s, the result
    cache's key, the analysis memo's key, the loader): a regular file read before, whose inode, size
    and times are unchanged, is answered from memory, without opening it or resolving its links again.
    """
    try:
        status = os.stat(path)
    except OSError:
        status = None
    if status is None or not stat.S_ISREG(status.st_mode):
        with open_source(path, tree) as stream:  # what is not a regular file is read as it comes
            return read_capped(stream, size)
    key = (os.path.abspath(os.fspath(path)), tree)
    signature = (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)
    remembered = _READS.get(key)
    if remembered is not None and remembered[0] == signature and (remembered[2] or len(remembered[1]) >= size):
        _READS.move_to_end(key)
        return remembered[1][:size]
    with open_source(path, tree) as stream:
        data = read_capped(stream, size)
    # A file changed within the clock's granularity can keep its size and times: one written in the
    # last seconds is not kept (git's "racily clean" entries, for the same reason).
    settled = time.time_ns() - status.st_mtime_ns > _SETTLED_NS
    if settled and len(data) <= _READ_BYTES_KEPT // 8:
        _READS[key] = (signature, data, len(data) < size)  # the whole file when it came in under the cap
        _READS.move_to_end(key)
        while len(_READS) > _READS_KEPT or sum(len(kept) for _, kept, _ in _READS.values()) > _READ_BYTES_KEPT:
            _READS.popitem(last=False)
    return data


# (absolute path, tree) -> (stat signature, bytes read, whether they are the whole file), oldest first
_READS: "OrderedDict[tuple[str, str | None], tuple[tuple[int, ...], bytes, bool]]" = OrderedDict()
_READS_KEPT = 64
_READ_BYTES_KEPT = 8 << 20
_SETTLED_NS = 2_000_000_000


def is_regular(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (links followed) is a regular file, without opening it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
