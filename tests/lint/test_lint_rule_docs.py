"""Every code in the catalogue has a page; the page agrees with the catalogue; docs/rules/ is in sync."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from nodecfg.cli.main import main
from nodecfg.linter.registry import catalogue

REPO = Path(__file__).resolve().parents[2]
PACKAGE_DOCS = REPO / "nodecfg" / "linter" / "docs"
SECTIONS = ("## What", "## Why", "## Failing example", "## Passing example", "## Fix")
CODES = sorted(catalogue())


@pytest.mark.parametrize("code", CODES)
def test_each_code_has_a_complete_page(code):
    text = (PACKAGE_DOCS / f"{code}.md").read_text()
    info = catalogue()[code]
    assert text.startswith(f"# {code}: {info.name}\n")
    assert f"Severity: **{info.severity}** · stage: {info.stage} · {info.summary}\n" in text
    positions = [text.index(section) for section in SECTIONS]
    assert positions == sorted(positions)


def test_no_page_without_a_code():
    pages = {p.stem for p in PACKAGE_DOCS.glob("NC*.md")}
    assert pages == set(CODES)


def test_names_are_unique_and_kebab_case():
    names = [info.name for info in catalogue().values()]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names)


def test_repository_copy_is_in_sync():
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "sync_rule_docs.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + "run: python scripts/sync_rule_docs.py"


def test_rule_command_prints_the_page(capsys):
    assert main(["rule", "NC416"]) == 0
    assert capsys.readouterr().out == (PACKAGE_DOCS / "NC416.md").read_text()
    assert main(["rule", "malformed-taint"]) == 0
    assert capsys.readouterr().out.startswith("# NC418: malformed-taint")
    assert main(["rule", "NC999"]) == 2
