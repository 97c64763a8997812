"""The CPU-time bounds the tests use (tests/cputime.py) count computing, not waiting."""
from __future__ import annotations

import subprocess
import sys
import time

from cputime import CpuTime, process_seconds


def test_waiting_costs_no_cpu_time():
    # a test on a loaded machine waits for a core like this: the bound must not see it
    with CpuTime() as spent:
        time.sleep(0.3)
    assert spent.seconds < 0.1


def test_computing_is_counted():
    with CpuTime() as spent:
        started = process_seconds()
        while process_seconds() - started < 0.2:
            pass
    assert spent.seconds >= 0.2


def test_a_running_child_is_measured_by_its_pid():
    child = subprocess.Popen([sys.executable, "-c", "import sys, time\nsys.stdin.readline()\n"
                              "end = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
                              "print(flush=True)\nsys.stdin.readline()\n"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        with CpuTime(child.pid) as spent:
            child.stdin.write("go\n")
            child.stdin.flush()
            child.stdout.readline()  # the child has spent its 0.3 s and waits again
        assert 0.25 <= spent.seconds < 5
    finally:
        child.kill()
        child.wait()
