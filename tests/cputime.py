"""Time bounds for tests in CPU seconds, never wall-clock seconds.

The suite runs on a loaded 2-core machine: a run that needs 0.5 s of CPU can
take 5 s of wall time there, so a bound on elapsed time fails for reasons that
have nothing to do with nodecfg.  What a bound is meant to catch, a quadratic
loop or an expansion bomb, shows up as CPU time, and CPU time does not grow
with the load beside the test.

    with CpuTime() as spent:
        work()
    assert spent.seconds < 2

``CpuTime()`` counts this process (all its threads); ``CpuTime(pid)`` a
running child, from /proc/PID/stat; a finished child's own usage comes from
``os.wait4`` (tests/hostile/runner.py).
"""
from __future__ import annotations

import os
import resource

_TICKS = os.sysconf("SC_CLK_TCK")


def process_seconds() -> float:
    """User plus system CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pid_seconds(pid: int) -> float:
    """User plus system CPU seconds of a running process (Linux /proc)."""
    with open(f"/proc/{pid}/stat", "rb") as stream:
        text = stream.read()
    # the command name (field 2) is in parentheses and may hold spaces: count fields after its ')'
    fields = text[text.rindex(b")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime and stime, fields 14 and 15


class CpuTime:
    """CPU seconds spent between entering and leaving the block, by this process or by ``pid``."""

    def __init__(self, pid: int | None = None) -> None:
        self.pid = pid
        self.seconds = 0.0

    def _now(self) -> float:
        return process_seconds() if self.pid is None else pid_seconds(self.pid)

    def __enter__(self) -> "CpuTime":
        self._started = self._now()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = self._now() - self._started
