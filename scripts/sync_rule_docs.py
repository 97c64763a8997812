#!/usr/bin/env python3
"""Copy the rule pages from the package (nodecfg/linter/docs/CODE.md, the single
source, shipped so that `nodecfg rule CODE` works offline) to docs/rules/ for
the repository and the SARIF helpUri links.

    python scripts/sync_rule_docs.py          # write docs/rules/
    python scripts/sync_rule_docs.py --check  # exit 1 if docs/rules/ is out of date

tests/lint/test_lint_rule_docs.py fails when the two copies differ.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "nodecfg" / "linter" / "docs"
TARGET = REPO / "docs" / "rules"


def differences() -> list[str]:
    """Names of pages that are missing, stale or extra in docs/rules/."""
    wanted = {p.name: p.read_bytes() for p in SOURCE.glob("NC*.md")}
    present = {p.name: p.read_bytes() for p in TARGET.glob("NC*.md")}
    names = sorted(set(wanted) | set(present))
    return [name for name in names if wanted.get(name) != present.get(name)]


def sync() -> list[str]:
    changed = differences()
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in changed:
        source, target = SOURCE / name, TARGET / name
        if source.exists():
            target.write_bytes(source.read_bytes())
        else:
            target.unlink()
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report differences, change nothing")
    args = parser.parse_args()
    if args.check:
        stale = differences()
        for name in stale:
            print(f"docs/rules/{name} is out of date")
        return 1 if stale else 0
    for name in sync():
        print(f"updated docs/rules/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
