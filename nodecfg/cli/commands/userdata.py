"""nodecfg userdata: compose MIME multipart user data; exit 0 written, 1 refused, 2 usage or I/O."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nodecfg.cli.commands._common import add_instance_arguments, add_mode_argument, add_settings_arguments

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Compose MIME multipart user data: boothooks, scripts, cloud-configs, then one "
                          "application/node.eks.aws part per NodeConfig document. See docs/library.md.")
    parser.add_argument("sources", nargs="*", metavar="NODECONFIG",
                        help="NodeConfig file (each --- document becomes its own part), or - for stdin")
    parser.add_argument("--script", action="append", default=[], metavar="FILE",
                        help="shell script part (text/x-shellscript), in the order given")
    parser.add_argument("--cloud-config", action="append", default=[], metavar="FILE",
                        help="cloud-config part (text/cloud-config), after the scripts")
    parser.add_argument("--boothook", action="append", default=[], metavar="FILE",
                        help="cloud-init boothook part (text/cloud-boothook), before the scripts")
    parser.add_argument("--merge-into", metavar="USERDATA",
                        help="append the new parts to this user data, keeping its bytes as they are")
    parser.add_argument("--gzip", action="store_true", help="gzip the user data (mtime 0, no file name)")
    parser.add_argument("--base64", action="store_true", help="base64-encode the result (after --gzip)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    add_mode_argument(parser)
    add_settings_arguments(parser)
    add_instance_arguments(parser)


def run(args) -> int:
    if not args.sources and not args.merge_into:
        print("nodecfg userdata: give at least one NODECONFIG (or --merge-into USERDATA)", file=sys.stderr)
        return EXIT_USAGE
    if [*args.sources, *args.script, *args.cloud_config, *args.boothook, args.merge_into].count("-") > 1:
        print("nodecfg userdata: standard input (-) can be read only once", file=sys.stderr)
        return EXIT_USAGE
    from nodecfg.core.codes import is_usage_error
    from nodecfg.core.diagnostics import has_errors
    from nodecfg.linter.config import ConfigError
    from nodecfg.cli.commands._common import instance_from_args, print_diagnostics, settings_from

    try:
        settings = settings_from(args)
    except ConfigError as error:
        print(f"nodecfg: {error}", file=sys.stderr)
        return EXIT_USAGE
    instance, extra_table, problems = instance_from_args(args)
    if has_errors(problems):
        print_diagnostics(problems, {})
        return EXIT_USAGE
    from nodecfg.pipeline import Request

    composition = _compose(args, Request((), args.mode, instance, extra_table, settings=settings))
    print_diagnostics(composition.diagnostics, composition.texts)
    if any(is_usage_error(d) for d in composition.diagnostics):
        return EXIT_USAGE
    if not composition.ok:
        print("nodecfg: no user data written: it would be refused", file=sys.stderr)
        return EXIT_REFUSED
    return _write(composition.data, args.output)


def _compose(args, request):
    from nodecfg.userdata.compose import compose

    stdin: list[bytes] = []  # read at most once, on first use

    def source(name: str):
        if name != "-":
            return Path(name)
        if not stdin:  # the bounded reader every command shares: /dev/zero stops at the limit
            from nodecfg.parse.files import read_capped
            from nodecfg.userdata.compose import MAX_INPUT_BYTES

            stdin.append(read_capped(sys.stdin.buffer, MAX_INPUT_BYTES + 1))
        return stdin[0]

    return compose([source(s) for s in args.sources], [source(s) for s in args.script],
                   [source(s) for s in args.cloud_config], boothooks=[source(s) for s in args.boothook],
                   merge_into=source(args.merge_into) if args.merge_into else None,
                   base64=args.base64, gzip=args.gzip, request=request)


def _write(data: bytes, output: str | None) -> int:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return EXIT_OK
    from nodecfg.output.safe_write import WriteError, write_file

    try:
        write_file(output, data)
    except WriteError as error:
        print(f"nodecfg: {error}", file=sys.stderr)
        return error.exit_code
    return EXIT_OK
