"""nodecfg migrate: AL2 user data (bootstrap.sh) -> AL2023 user data (a NodeConfig part plus the scripts).

Writes the user data to stdout or -o FILE, the report of every setting and
where it went to stderr (or --report FILE), then checks the result as
`nodecfg check` would.  Exit 0 ok, 1 an error finding (in the migration or
in the check of its output), 2 usage or I/O errors.
"""
from __future__ import annotations

import argparse
import sys

from nodecfg.cli.commands._common import add_mode_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="AL2-USERDATA", help="AL2 user data: a script or MIME, maybe base64/gzip")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the AL2023 user data here (default stdout)")
    parser.add_argument("--report", metavar="FILE", help="write the report here (default stderr)")
    wrapping = parser.add_mutually_exclusive_group()
    wrapping.add_argument("--base64", action="store_true", default=None, help="base64-encode the output")
    wrapping.add_argument("--no-base64", dest="base64", action="store_false", help="do not base64-encode it")
    parser.add_argument("--gzip", action="store_true", default=None, help="gzip the output (before base64)")
    parser.add_argument("--no-check", action="store_true", help="do not run `nodecfg check` on the output")
    add_mode_argument(parser)


def run(args) -> int:
    from nodecfg.cli.commands._common import print_diagnostics
    from nodecfg.core.codes import is_usage_error
    from nodecfg.core.diagnostics import has_errors
    from nodecfg.output.safe_write import WriteError, write_file
    from nodecfg.userdata.migrate import migrate

    migration = migrate(args.source, mode=args.mode, base64=args.base64, gzip=args.gzip)
    print_diagnostics(migration.diagnostics, migration.texts)
    if any(map(is_usage_error, migration.diagnostics)):
        return 2
    if not migration.userdata:
        return 1
    try:
        if args.report:
            write_file(args.report, migration.report().encode("utf-8"))
        else:
            print(migration.report(), file=sys.stderr, end="")
        if args.output:
            write_file(args.output, migration.userdata)
    except WriteError as error:
        print(f"nodecfg migrate: {error}", file=sys.stderr)
        return error.exit_code
    if not args.output:
        sys.stdout.buffer.write(migration.userdata)
        sys.stdout.flush()
    failed = has_errors(migration.diagnostics)
    if not args.no_check:
        from nodecfg.linter.engine import lint
        from nodecfg.parse.source import NamedBytes

        # findings point at the file written, as `nodecfg check FILE` would print them
        written = NamedBytes(migration.userdata, args.output or "<stdout>")
        result = lint([written], mode=args.mode)
        if result.diagnostics:
            print("nodecfg migrate: `nodecfg check` of the output:", file=sys.stderr)
            print_diagnostics(result.diagnostics, result.texts)
        failed = failed or has_errors(result.diagnostics)
    return 1 if failed else 0
