"""A content-addressed cache of `nodecfg check` results, in the spirit of ruff's.

A pre-commit hook re-checks the same files over and over; most of its cost is
importing the YAML stack.  The key is a SHA-256 of everything that can change
the output: nodecfg's own code (file names, sizes and mtimes), the working
directory, every command-line option, the bytes of every source (directories:
their config files' names and bytes), the instance files and table, and the
settings file in use (``--config`` or the pyproject.toml with ``[tool.nodecfg]``).  A hit replays the recorded stdout, stderr and exit
code without importing the pipeline.  Sources that cannot be keyed (stdin) and
usage or I/O failures are never cached.

``NODECFG_NO_CACHE=1`` turns it off; ``NODECFG_CACHE_DIR`` moves it (default
``$XDG_CACHE_HOME/nodecfg`` or ``~/.cache/nodecfg``).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the whole nodecfg package, not only cli/
CONFIG_SUFFIXES = (".yaml", ".yml", ".json")


def cache_dir() -> Path | None:
    if os.environ.get("NODECFG_NO_CACHE"):
        return None
    configured = os.environ.get("NODECFG_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "nodecfg"


def _code_fingerprint(digest) -> None:
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix in (".py", ".json", ".tsv", ".lark", ".md") and "__pycache__" not in path.parts:
            stat = path.stat()
            digest.update(f"{path.relative_to(PACKAGE_DIR)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())


def _add_file(digest, path: str, limit: int) -> None:
    from nodecfg.parse.files import read_source

    data = read_source(path, limit + 1)  # contained and never blocking, as the run reads it
    digest.update(f"{path}\0{len(data)}\0".encode() + data)


def _add_source(digest, source: str, limit: int) -> bool:
    from nodecfg.parse.files import is_regular

    path = source.removeprefix("file://")
    if path == "-" or not os.path.exists(path):
        return False  # stdin, or an I/O error the real run must report
    if os.path.isdir(path):
        names = sorted(n for n in os.listdir(path) if n.lower().endswith(CONFIG_SUFFIXES))
        digest.update(f"dir:{path}\0{names}\0".encode())
        for name in names:
            if not is_regular(os.path.join(path, name)):
                return False  # a FIFO or device among them: the run decides, uncached
            _add_file(digest, os.path.join(path, name), limit)
        return True
    if not is_regular(path):
        return False  # FIFOs and devices are read by the real run, bounded
    _add_file(digest, path, limit)
    return True


def key_for(args, sources: list[str], extra_files: list[str]) -> str | None:
    """The cache key for this invocation, or None when it must not be cached."""
    from nodecfg.parse.files import is_regular

    digest = hashlib.sha256()
    _code_fingerprint(digest)
    options = {k: v for k, v in sorted(vars(args).items()) if k != "debug"}
    digest.update(json.dumps([os.getcwd(), options], default=str).encode())
    limit = getattr(args, "max_input_bytes", 1 << 20)
    try:
        for source in sources:
            if not _add_source(digest, source, limit):
                return None
        for path in extra_files:
            if not is_regular(path):
                return None  # a FIFO read here would be gone for the run
            _add_file(digest, path, limit)
    except OSError:
        return None
    return digest.hexdigest()


def replay(key: str) -> int | None:
    """Write a cached result's output and return its exit code, or None on a miss."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        record = json.loads((directory / f"{key}.json").read_text())
    except (OSError, ValueError):
        return None
    sys.stdout.write(record["stdout"])
    sys.stderr.write(record["stderr"])
    return int(record["code"])


def store(key: str, stdout: str, stderr: str, code: int) -> None:
    directory = cache_dir()
    if directory is None:
        return
    from nodecfg.output.safe_write import WriteError, write_file

    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_file(directory / f"{key}.json", json.dumps({"stdout": stdout, "stderr": stderr, "code": code}).encode(),
                   durable=False)
    except (OSError, WriteError):
        pass  # a cache that cannot be written is no cache, not an error


class _Tee(io.TextIOBase):
    def __init__(self, stream):
        self.stream, self.buffer_text = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.buffer_text.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


@contextmanager
def recording():
    """Tee stdout and stderr; yields a callable returning (stdout, stderr) so far."""
    out, err = _Tee(sys.stdout), _Tee(sys.stderr)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        yield lambda: (out.buffer_text.getvalue(), err.buffer_text.getvalue())
    finally:
        sys.stdout, sys.stderr = saved
