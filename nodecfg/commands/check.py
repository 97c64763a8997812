"""nodecfg check: parse, validate and merge; print findings; exit 0/1/2."""
from __future__ import annotations

import argparse
import sys

from ._common import add_source_arguments, has_usage_error, limits_from


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")


def run(args) -> int:
    from ..diagnostics import Severity
    from ..pipeline import analyse
    from ..report import format_json, format_text

    analysis = analyse(args.sources, mode=args.mode, limits=limits_from(args))
    diagnostics = analysis.diagnostics
    if args.format == "json":
        print(format_json(diagnostics))
    elif diagnostics:
        print(format_text(diagnostics, analysis.loaded.texts))
    if has_usage_error(diagnostics):
        return 2
    threshold = Severity.WARNING if args.strict else Severity.ERROR
    return 1 if any(d.severity >= threshold for d in diagnostics) else 0
