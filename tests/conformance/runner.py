"""Running one e2e step through nodecfg and checking a file, for any nodeadm checkout.

Shared by test_nodeadm_e2e.py (the cases at $NODEADM_SRC, i.e. HEAD) and
test_release_e2e.py (each AMI release's own cases).  ``e2e_dir`` is the
``nodeadm/test/e2e`` directory of the checkout the case comes from.
"""
from __future__ import annotations

import base64
import difflib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from .cases import ABSENT, BYTES, CONTAINS, JSON, NOT_CONTAINS, CaseFile, Check, DropInDir, ImdsUserData, \
    RunScriptDropIns


def imds_user_data(e2e_dir: Path) -> bytes:
    """What the metadata mock serves as user data (it holds it base64-encoded)."""
    mock_config = json.loads((e2e_dir / "infra" / "aemm-default-config.json").read_text())
    return base64.b64decode(mock_config["userdata"]["values"]["userdata"])


def run_script_heredocs(case_dir: Path, directory: str) -> dict[str, str]:
    """{file name: text} for each `cat << EOF > DIRECTORY/NAME` heredoc of run.sh."""
    script = (case_dir / "run.sh").read_text()
    pattern = re.compile(rf"cat <<\s*'?(\w+)'?\s*>\s*{re.escape(directory)}/(\S+)\n(.*?)\n\1\n", re.S)
    return {match.group(2): match.group(3) + "\n" for match in pattern.finditer(script)}


def resolve(source: Any, case_dir: Path, scratch: Path, e2e_dir: Path) -> str | bytes:
    if isinstance(source, CaseFile):
        return str(case_dir / source.name)
    if isinstance(source, ImdsUserData):
        return imds_user_data(e2e_dir)
    directory = scratch / f"source{len(list(scratch.iterdir()))}"
    directory.mkdir()
    if isinstance(source, DropInDir):
        for name in source.files:
            shutil.copyfile(case_dir / name, directory / Path(name).name)
    elif isinstance(source, RunScriptDropIns):
        heredocs = run_script_heredocs(case_dir, source.directory)
        assert heredocs, f"run.sh of {case_dir.name} writes nothing into {source.directory}"
        for name, text in heredocs.items():
            (directory / name).write_text(text)
    return str(directory)


def _rendered(result: Any, check: Check) -> bytes:
    assert check.node_path in result.files, (
        f"nodecfg did not render {check.node_path}; it rendered {sorted(result.files)}")
    return result.files[check.node_path]


def _diff(expected: str, actual: str, name: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                 f"nodeadm:{name}", "nodecfg", n=2)
    return "".join(lines)


def _assert_same_bytes(actual: bytes, expected: bytes, name: str) -> None:
    if actual != expected:
        text = _diff(expected.decode(errors="replace"), actual.decode(errors="replace"), name)
        pytest.fail(f"bytes differ from {name}:\n{text or repr((expected[-40:], actual[-40:]))}")


def _selected(data: Any, select: str) -> Any:
    assert not select or select in data, f"nodecfg's file has no top-level {select!r}"
    return data[select] if select else data


def _assert_same_data(actual: Any, expected: Any, name: str) -> None:
    if actual != expected:
        as_text = lambda value: json.dumps(value, indent=2, sort_keys=True) + "\n"  # noqa: E731
        pytest.fail(f"data differ from {name}:\n{_diff(as_text(expected), as_text(actual), name)}")


def _grep(raw: bytes, pattern: str) -> bool:
    """grep -e PATTERN: a match on any line (the patterns used are valid Python regexes)."""
    return re.search(pattern, raw.decode(errors="replace"), re.MULTILINE) is not None


def run_check(result: Any, kind: str, check: Check, case_dir: Path) -> None:
    if kind == ABSENT:
        assert check.node_path not in result.files, f"nodecfg rendered {check.node_path}"
        return
    actual = _rendered(result, check)
    if kind in (CONTAINS, NOT_CONTAINS):
        found = _grep(actual, check.pattern)
        assert found == (kind == CONTAINS), (
            f"{check.node_path} {'lacks' if kind == CONTAINS else 'has'} /{check.pattern}/:\n{actual.decode()}")
        return
    expected = (case_dir / check.expected).read_bytes()
    if kind == BYTES:
        _assert_same_bytes(actual, expected, check.expected)
    elif kind == JSON:
        _assert_same_data(_selected(json.loads(actual), check.select), json.loads(expected), check.expected)
    else:
        raise AssertionError(f"unknown check kind {kind}")
