"""nodecfg check: lint sources; print findings; exit 0 clean, 1 errors, 2 usage or I/O.

Everything heavy is imported inside ``run`` and only when needed: a clean
NodeConfig must cost little more than parsing it (see benchmarks/bench_check.py).
"""
from __future__ import annotations

import argparse
import sys

from ._common import add_instance_arguments, add_source_arguments, has_usage_error, limits_from

FORMATS = ("text", "json", "sarif", "github")
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser, required=False)  # --list-rules needs no source
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.add_argument("--each", action="store_true",
                        help="lint every SOURCE on its own instead of merging them (what a pre-commit hook wants)")
    parser.add_argument("--list-rules", action="store_true", help="print the catalogue of rules and exit")
    parser.add_argument("--fix", action="store_true", help="apply the safe fixes to the SOURCE files, then lint")
    parser.add_argument("--diff", action="store_true", help="print the fixes as a diff instead of writing them")
    parser.add_argument("--unsafe-fixes", action="store_true", help="with --fix/--diff, apply unsafe fixes too")
    add_instance_arguments(parser)


def run(args) -> int:
    if args.list_rules:
        print(list_rules())
        return EXIT_OK
    if not args.sources:
        print("nodecfg check: give at least one SOURCE (or --list-rules)", file=sys.stderr)
        return EXIT_USAGE
    if args.fix or args.diff:
        from ..fix import lint_options, run_fix

        code = run_fix(args, lint_options(args))
        if code >= 0:
            return code
    from .. import cache

    key = cache.key_for(args, args.sources, [*args.instance, *([args.instance_table] if args.instance_table else [])])
    if key is None:
        return _check(args)
    replayed = cache.replay(key)
    if replayed is not None:
        return replayed
    with cache.recording() as recorded:
        code = _check(args)
    if code in (EXIT_OK, EXIT_FINDINGS):
        cache.store(key, *recorded(), code)
    return code


def _check(args) -> int:
    from ..lint.config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"nodecfg: {error}", file=sys.stderr)
        return EXIT_USAGE
    instance, extra_table, problems = _instance(args)
    if problems:
        from ._common import print_diagnostics

        print_diagnostics(problems, {})
        from ..diagnostics import has_errors

        if has_errors(problems):
            return EXIT_USAGE
    from ..lint.engine import lint

    groups = [[source] for source in args.sources] if args.each else [args.sources]
    diagnostics, texts = [], {}
    for sources in groups:
        result = lint(sources, mode=args.mode, instance=instance, extra_table=extra_table,
                      limits=limits_from(args), settings=settings)
        diagnostics += result.diagnostics
        texts.update(result.texts)
    _print(diagnostics, texts, args.format)
    return exit_code(diagnostics, strict=args.strict or settings.strict)


def exit_code(diagnostics, *, strict: bool) -> int:
    from ..diagnostics import Severity

    if has_usage_error(diagnostics):
        return EXIT_USAGE
    threshold = Severity.WARNING if strict else Severity.ERROR
    return EXIT_FINDINGS if any(d.severity >= threshold for d in diagnostics) else EXIT_OK


def _instance(args):
    """(Instance or None for the default, extra table, problems); nothing imported without flags."""
    given = (args.instance, args.instance_type, args.kubelet_version, args.containerd_version,
             args.vcpus, args.memory_mib, args.accelerator, args.instance_table)
    if not any(value not in (None, []) for value in given):
        return None, None, []
    from ._common import instance_from_args

    return instance_from_args(args)


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
    from ..fix import FIXABLE

    marks = {code: "[fix]" if kind == "safe" else "[unsafe fix]" for code, (kind, _) in FIXABLE.items()}
    return "\n".join(f"{rule.code}  {str(rule.severity):<7}  {rule.stage:<9}  {marks.get(rule.code, ''):<12}  "
                     f"{rule.name:<{width}}  {rule.summary}" for rule in rules)
