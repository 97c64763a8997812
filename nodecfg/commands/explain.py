"""nodecfg explain: where every rendered value comes from, and what the kubelet runs with."""
from __future__ import annotations

import argparse
import json
import sys

from ._common import add_instance_arguments, add_source_arguments, analyse_and_report, instance_from_args, print_diagnostics


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    add_instance_arguments(parser)
    parser.add_argument("--field", metavar="FIELD-PATH",
                        help="only values whose file path or key contains this, e.g. maxPods or kubelet/config.json")


def run(args) -> int:
    from ..explain import explain_rows, format_rows, matches, overridden_by_dropin
    from ..diagnostics import has_errors
    from ..pipeline import render_tree

    _split_field_argument(args)
    instance, extra_table, problems = instance_from_args(args)
    print_diagnostics(problems, {})
    if has_errors(problems):  # warnings (a skipped instance-table entry) do not stop it, as in check
        return 2
    analysis, code, can_render = analyse_and_report(args)
    if not can_render:
        return code
    rendered, instance, _ = render_tree(analysis, instance, extra_table)
    files = {path: entry.data for path, entry in rendered.files.items()}
    rows = [r for r in explain_rows(files, rendered.origins, analysis.merged, instance.defaulted)
            if matches(r, args.field)]
    print(format_rows(rows))
    changes = [c for c in overridden_by_dropin(files) if not args.field or args.field in c[0]]
    if changes:
        print("\nkubelet effective configuration (config.json.d/40-nodeadm.conf merged over config.json):")
        for key, base, effective in changes:
            print(f"  {key} = {json.dumps(effective)}   (config.json had {json.dumps(base)})")
    return code


def _split_field_argument(args) -> None:
    """Accept the spec's positional form: `nodecfg explain SOURCE... FIELD-PATH`."""
    import os

    last = args.sources[-1]
    if args.field is None and len(args.sources) > 1 and last != "-" and not last.startswith("file://") \
            and not os.path.exists(last):
        args.field = args.sources.pop()
