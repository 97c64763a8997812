"""nodecfg build: write every file nodeadm would write, to a directory or tarball."""
from __future__ import annotations

import argparse
import sys

from ._common import (add_instance_arguments, add_source_arguments, defaulted_note, has_usage_error,
                      instance_from_args, limits_from, print_diagnostics)

ROOTFS_TOP_LEVEL = {"etc", "run", "var"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    add_instance_arguments(parser)
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="a directory, or a .tar, .tar.gz or .tgz file")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing directory even if it does not look like a nodecfg rootfs")


def run(args) -> int:
    from ..diagnostics import has_errors
    from ..pipeline import analyse, render_tree

    instance, extra_table, problems = instance_from_args(args)
    if problems:
        print_diagnostics(problems, {})
        return 2
    from ._common import load_options_from

    options, problems = load_options_from(args)
    if problems:
        print_diagnostics(problems, {})
        return 2
    analysis = analyse(args.sources, mode=args.mode, limits=limits_from(args), options=options)
    if has_usage_error(analysis.diagnostics):
        print_diagnostics(analysis.diagnostics, analysis.loaded.texts)
        return 2
    diagnostics = list(analysis.diagnostics)
    if not has_errors(diagnostics):
        rendered, instance, _ = render_tree(analysis, instance, extra_table)
        diagnostics += rendered.diagnostics
    print_diagnostics(diagnostics, analysis.loaded.texts)
    if has_errors(diagnostics):
        print("nodecfg: nothing written: the configuration has errors", file=sys.stderr)
        return 1
    refusal = _refuse_to_replace(args.output, args.force)
    if refusal:
        print(f"nodecfg: {refusal}", file=sys.stderr)
        return 2
    note = defaulted_note(instance)
    if note:
        print(note, file=sys.stderr)
    return _write(rendered.files, args.output)


def _write(files, output: str) -> int:
    from ..emit import EmitError, write_output

    try:
        write_output(files, output)
    except EmitError as error:
        print(f"nodecfg: {error}", file=sys.stderr)
        return 2
    return 0


def _refuse_to_replace(output: str, force: bool) -> str:
    """Why an existing directory at output must not be replaced, or ''."""
    import os

    if force or not os.path.isdir(output) or os.path.islink(output):
        return ""
    unexpected = sorted(set(os.listdir(output)) - ROOTFS_TOP_LEVEL)
    if not unexpected:
        return ""
    return (f"{output} exists and holds {', '.join(unexpected[:3])}, which nodecfg did not write; "
            "choose another output or pass --force to replace it")
