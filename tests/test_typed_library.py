"""The library is typed: py.typed ships, mypy sees real signatures, dir() lists the API, imports stay lazy."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nodecfg

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = {"compile", "lint", "max_pods", "compose_userdata", "migrate", "UserDataError", "Compilation", "Result",
          "Verdict", "Diagnostic", "Severity", "Span", "Settings", "ConfigError", "__version__"}


def test_py_typed_is_package_data():
    assert (ROOT / "nodecfg" / "py.typed").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'nodecfg = \[[^\]]*"py\.typed"', pyproject)


def test_public_names_are_listed_and_resolve():
    assert set(nodecfg.__all__) == PUBLIC
    listed = dir(nodecfg)
    assert PUBLIC <= set(listed)
    assert not {"sys", "types", "TYPE_CHECKING", "Any", "_LAZY"} & set(listed)
    from nodecfg.api import Compilation
    from nodecfg.linter.config import Settings
    from nodecfg.pipeline import Result, Verdict
    assert (nodecfg.Compilation, nodecfg.Settings, nodecfg.Result, nodecfg.Verdict) == (
        Compilation, Settings, Result, Verdict)


def test_import_stays_lazy():
    code = "import sys, nodecfg; dir(nodecfg); print(sorted(m for m in sys.modules if m.startswith('nodecfg')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['nodecfg', 'nodecfg._version']"


def _mypy():
    pytest.importorskip("mypy", reason="mypy is in the test extra; not installed here")
    return [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--ignore-missing-imports",
            "--no-incremental", "--cache-dir", "/dev/null"]


def test_mypy_strict_accepts_a_program_using_the_documented_api():
    typing_dir = ROOT / "tests" / "typing"
    done = subprocess.run([*_mypy(), str(typing_dir / "uses_api.py"), str(typing_dir / "reveal.py")],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    revealed = dict(re.findall(r'reveal\.py:(\d+): note: Revealed type is "(.*)"', done.stdout))
    assert len(revealed) == 12 and not any(text in ("Any", "Any?") for text in revealed.values()), revealed
    assert revealed["4"].endswith("-> nodecfg.api.Compilation")
    # mypy spells the list of Diagnostic (a NamedTuple) as tuples with the class as fallback
    assert revealed["5"].endswith("fallback=nodecfg.core.diagnostics.Diagnostic]]")
    assert revealed["6"] == "def (instance_type: str, expression: str | None =) -> int"
    assert revealed["7"].endswith("-> bytes")
    assert "Verdict.OK" in revealed["10"] and "Severity.ERROR" in revealed["12"]
    assert revealed["15"].endswith("-> nodecfg.userdata.compose.UserDataError")


def test_mypy_strict_rejects_a_wrong_call():
    bad = "import nodecfg\nn: str = nodecfg.max_pods('m5.large')\n"
    done = subprocess.run([*_mypy(), "-c", bad], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 1
    assert 'Incompatible types in assignment (expression has type "int", variable has type "str")' in done.stdout
