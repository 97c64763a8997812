"""Run nodecfg as a child process with bounded memory and CPU time, and measure it.

Time is the child's own CPU time (user + system, from ``os.wait4``), not the
wall clock: on a loaded machine a child waits for a core without using any.
RLIMIT_CPU stops a runaway child; a wall-clock timer far above any real run
only keeps a child that blocks without computing from hanging the suite.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .cases import Case, Invocation

MEMORY_LIMIT_BYTES = 512 << 20
TIME_LIMIT_SECONDS = 5.0  # CPU seconds
HANG_SECONDS = 300  # wall clock: a child that blocks without using CPU
OUTPUT_LIMIT_BYTES = 5_000_000  # stdout and stderr together
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    case: str
    command: str
    exit_code: int
    stderr: str
    stdout: str
    seconds: float  # CPU time of the child (user + system)
    peak_rss_bytes: int
    output: Path  # where build was told to write
    directory: Path

    output_bytes: int = 0

    def describe(self) -> str:
        return (f"{self.case} / {self.command}: exit {self.exit_code}, {self.seconds:.2f} s of CPU, "
                f"{self.peak_rss_bytes >> 20} MiB, {self.output_bytes} bytes printed"
                f"\n--- stderr ---\n{self.stderr[-3000:]}")


def _limit_child() -> None:
    # Address space, not RSS: a runaway allocation fails in the child instead of swapping.
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    # SIGXCPU at twice the limit, SIGKILL a second later
    cpu = int(2 * TIME_LIMIT_SECONDS)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def command_line(command: str, invocation: Invocation, output: Path) -> list[str]:
    argv = [sys.executable, "-m", "nodecfg", command, *invocation.sources, *invocation.options]
    if command == "build":
        argv += invocation.build_options or ["-o", str(output)]
    return argv


def run(case: Case, command: str, workspace: Path) -> Outcome:
    """Build the case's inputs in a fresh directory under workspace and run one command on them."""
    directory = Path(tempfile.mkdtemp(prefix=f"{case.name}-{command}-", dir=workspace))
    invocation = case.make(directory)
    output = directory / "out.tar.gz"
    stdout, stderr = directory / ".stdout", directory / ".stderr"
    environment = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        child = subprocess.Popen(command_line(command, invocation, output), cwd=directory, env=environment,
                                 stdin=subprocess.PIPE if invocation.stdin is not None else subprocess.DEVNULL,
                                 stdout=out, stderr=err, preexec_fn=_limit_child)
        exit_code, usage = _wait(child, invocation.stdin)
        seconds = usage.ru_utime + usage.ru_stime  # CPU time: the suite runs on a loaded machine
    printed = stdout.stat().st_size + stderr.stat().st_size
    return Outcome(case.name, command, exit_code, _head(stderr), _head(stdout), seconds, usage.ru_maxrss * 1024, output,
                   directory, printed)


def _head(path: Path) -> str:
    """The start of what the child printed: enough to judge it, bounded if it printed gigabytes."""
    with open(path, "rb") as stream:
        return stream.read(OUTPUT_LIMIT_BYTES + 1).decode(errors="replace")


def _wait(child: subprocess.Popen, stdin: bytes | None) -> tuple[int, resource.struct_rusage]:
    """Exit code and the child's own resource usage (RLIMIT_CPU ends a child that computes too long)."""
    if stdin is not None:
        threading.Thread(target=_feed, args=(child, stdin), daemon=True).start()
    killer = threading.Timer(HANG_SECONDS, child.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(child.pid, 0)
    finally:
        killer.cancel()
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, usage


def _feed(child: subprocess.Popen, data: bytes) -> None:
    try:
        child.stdin.write(data)
        child.stdin.close()
    except (BrokenPipeError, OSError):
        pass
