"""nodecfg check: lint sources; print findings; exit 0 clean, 1 errors, 2 usage or I/O.

Everything heavy is imported inside ``run`` and only when needed: a clean
NodeConfig must cost little more than parsing it (see benchmarks/bench_check.py).
"""
from __future__ import annotations

import argparse
import sys

from ._common import EXIT_OK, EXIT_USAGE, add_instance_arguments, add_source_arguments

FORMATS = ("text", "json", "sarif", "github")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser, required=False)  # --list-rules needs no source
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.add_argument("--each", action="store_true",
                        help="lint every SOURCE on its own instead of merging them (what a pre-commit hook wants)")
    parser.add_argument("--list-rules", action="store_true", help="print the catalogue of rules and exit")
    add_instance_arguments(parser)


def run(args) -> int:
    if args.list_rules:
        print(list_rules())
        return EXIT_OK
    if not args.sources:
        print("nodecfg check: give at least one SOURCE (or --list-rules)", file=sys.stderr)
        return EXIT_USAGE
    from .. import cache

    key = None if args.no_cache else cache.key_for(args, args.sources, _context_files(args))
    if key is None:
        return _check(args)
    replayed = cache.replay(key)
    if replayed is not None:
        return replayed
    with cache.recording() as recorded:
        code = _check(args)
    if code != EXIT_USAGE:
        cache.store(key, *recorded(), code)
    return code


def _context_files(args) -> list[str]:
    """Files besides the sources that change the result: instance context and the settings file."""
    from ..lint.config import ConfigError, find_settings_file

    files = [*args.instance, *([args.instance_table] if args.instance_table else [])]
    try:
        settings_file = args.config or find_settings_file()
    except ConfigError:
        settings_file = None  # the real run reports it
    return files + ([str(settings_file)] if settings_file else [])


def _check(args) -> int:
    from ._common import exit_code, run_pipeline

    groups = [[source] for source in args.sources] if args.each else [args.sources]
    results = []
    for sources in groups:
        result = run_pipeline(args, sources, render=False)
        if isinstance(result, int):
            return result
        results.append(result)
    diagnostics = [d for result in results for d in result.diagnostics]
    texts = {uri: text for result in results for uri, text in result.texts.items()}
    _print(diagnostics, texts, args.format)
    return max(exit_code(result) for result in results)


def _print(diagnostics, texts: dict[str, str], output_format: str) -> None:
    if output_format == "text":
        from ..report import format_text, summary

        if diagnostics:
            print(format_text(diagnostics, texts))
            print(f"nodecfg: {summary(diagnostics)}", file=sys.stderr)
        return
    from ..lint import formats

    if output_format == "json":
        print(formats.format_json(diagnostics))
    elif output_format == "sarif":
        from .. import __version__

        print(formats.format_sarif(diagnostics, __version__))
    elif diagnostics:
        print(formats.format_github(diagnostics))


def list_rules() -> str:
    from ..lint.registry import catalogue

    rules = catalogue().values()
    width = max(len(rule.name) for rule in rules)
    return "\n".join(f"{rule.code}  {str(rule.severity):<7}  {rule.stage:<9}  {rule.name:<{width}}  {rule.summary}"
                     for rule in rules)
