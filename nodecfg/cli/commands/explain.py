"""nodecfg explain: where every rendered value comes from, and what the kubelet runs with."""
from __future__ import annotations

import argparse
import sys

from nodecfg.cli.commands._common import EXIT_FINDINGS, EXIT_USAGE, add_instance_arguments, add_source_arguments, exit_code, print_diagnostics, \
    run_pipeline


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    add_instance_arguments(parser)
    parser.add_argument("--field", metavar="FIELD-PATH",
                        help="only values whose file path or key contains this, e.g. maxPods or kubelet/config.json")


def run(args) -> int:
    from nodecfg.output.explain import explain_rows, format_overrides, format_rows, matches, overridden_by_dropin

    _split_field_argument(args)
    result = run_pipeline(args)
    if isinstance(result, int):
        return result
    print_diagnostics(result.diagnostics, result.texts)
    code = exit_code(result)
    if result.tree is None:
        return code or EXIT_FINDINGS
    files = result.files
    rows = [r for r in explain_rows(files, result.origins, result.analysis.merged, result.instance.defaulted,
                                    result.instance)
            if matches(r, args.field)]
    if not rows and getattr(args, "field_is_positional", False):
        print(f"nodecfg explain: {args.field!r} is neither a source that exists nor a field of the rendered "
              "files (use --field to filter explicitly)", file=sys.stderr)
        return EXIT_USAGE
    print(format_rows(rows))
    changes = [c for c in overridden_by_dropin(files) if not args.field or args.field in c[0]]
    if changes:
        print("\n" + format_overrides(changes))
    return code


def _split_field_argument(args) -> None:
    """Accept the spec's positional form: `nodecfg explain SOURCE... FIELD-PATH`."""
    import os

    last = args.sources[-1]
    if args.field is None and len(args.sources) > 1 and last != "-" and not last.startswith("file://") \
            and not os.path.exists(last):
        args.field = args.sources.pop()
        args.field_is_positional = True
