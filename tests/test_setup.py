"""The README's set-up is two commands, and CI (.ci/run) runs exactly those two (issue 25 item 1)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Quick start"):readme.index("## What it does")]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_the_readme_sets_up_in_two_commands_that_ci_runs():
    commands = _quick_start_commands()
    assert commands == ["sh scripts/setup", ".venv/bin/python -m pytest"]
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line and not line.startswith((" ", "#", "set ", "cd ", "if ", "fi", "}"))]
    assert ci == commands


def test_setup_installs_into_a_virtualenv_in_a_mode_type_checkers_follow_and_builds_the_example():
    script = (ROOT / "scripts" / "setup").read_text()
    # never the system Python's pip: it refuses installs where the environment is externally managed
    assert '"$PYTHON" -m venv .venv' in script and "\npip " not in script and "python3 -m pip" not in script
    assert "-e '.[test]' --config-settings editable_mode=compat" in script
    assert script.rstrip().endswith(
        ".venv/bin/nodecfg build examples/userdata.mime --instance examples/instance.yaml -o rootfs.tar.gz")
