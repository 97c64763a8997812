"""Every hostile input, for every command that reads it, as a real child process.

Each run must end with the case's exit code (1 or 2 unless the case says
otherwise), print no traceback, use well under 5 s of CPU time (CPU, not wall
time: the machine may be loaded), stay under 512 MiB and print under 5 MB; a
failed build leaves nothing at its output path.  The runs are made once,
concurrently, and each test checks one of them.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from .cases import ALL_COMMANDS, CASES
from .runner import MEMORY_LIMIT_BYTES, OUTPUT_LIMIT_BYTES, TIME_LIMIT_SECONDS, Outcome, run

RUNS = [(case, command) for case in CASES for command in case.commands]
STRICT_CASES = [case for case in CASES if case.exits == {1, 2} and case.commands == ALL_COMMANDS]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[tuple[str, str], Outcome]:
    workspace = tmp_path_factory.mktemp("hostile")
    workers = max(2, os.cpu_count() or 2)
    with ThreadPoolExecutor(workers) as pool:
        finished = pool.map(lambda pair: run(pair[0], pair[1], workspace), RUNS)
        return {(outcome.case, outcome.command): outcome for outcome in finished}


def test_the_suite_has_at_least_40_cases_that_must_fail_in_every_command():
    assert len(STRICT_CASES) >= 40


@pytest.mark.parametrize("case,command", RUNS, ids=[f"{c.name}-{cmd}" for c, cmd in RUNS])
def test_hostile_input_fails_safely(outcomes, case, command):
    outcome = outcomes[(case.name, command)]
    assert outcome.exit_code in case.exits, outcome.describe()
    assert "Traceback" not in outcome.stderr and "Traceback" not in outcome.stdout, outcome.describe()
    assert "internal error" not in outcome.stderr, outcome.describe()
    assert outcome.seconds < TIME_LIMIT_SECONDS, outcome.describe()
    assert outcome.peak_rss_bytes < MEMORY_LIMIT_BYTES, outcome.describe()
    assert outcome.output_bytes < OUTPUT_LIMIT_BYTES, outcome.describe()
    if case.reports:
        assert any(code in outcome.stdout + outcome.stderr for code in case.reports), outcome.describe()
    if command == "build" and outcome.exit_code != 0:
        _assert_nothing_written(outcome)


def _assert_nothing_written(outcome: Outcome) -> None:
    assert not outcome.output.exists(), outcome.describe()
    leftovers = [name for name in os.listdir(outcome.directory) if name.endswith((".tmp", ".new", ".old"))
                 or ".tmp" in name or name.startswith(".out")]
    assert leftovers == [], leftovers


def test_a_failed_build_keeps_the_existing_archive(outcomes):
    outcome = outcomes[("existing_output_kept", "build")]
    assert (outcome.directory / "kept.tar").read_bytes() == b"the previous build"


def test_a_failed_build_over_a_file_keeps_the_file(outcomes):
    outcome = outcomes[("output_is_a_file", "build")]
    assert (outcome.directory / "rootfs").read_bytes() == b"precious"
