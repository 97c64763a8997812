"""nodecfg rule CODE: print the documentation page of a rule (what, why, examples, fix)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "linter" / "docs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code", metavar="CODE", help="rule code, e.g. NC416 (or its name, e.g. restricted-node-label)")


def page_path(code: str) -> Path | None:
    """The page for a code or rule name, or None."""
    wanted = code.strip()
    if wanted.upper().startswith("NC"):
        path = DOCS / f"{wanted.upper()}.md"
        return path if path.is_file() else None
    from nodecfg.linter.registry import NAMES

    for known, name in NAMES.items():
        if name == wanted.lower():
            return page_path(known)
    return None


def run(args) -> int:
    path = page_path(args.code)
    if path is None:
        print(f"nodecfg rule: no rule {args.code!r} (nodecfg check --list-rules lists them)", file=sys.stderr)
        return 2
    sys.stdout.write(path.read_text(encoding="utf-8"))
    return 0
