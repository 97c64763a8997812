"""nodecfg lsp: a language server over stdio for editors (needs pygls: the `lsp` extra)."""
from __future__ import annotations

import argparse
import sys

from nodecfg.cli.commands._common import EXIT_USAGE, add_mode_argument


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_mode_argument(parser)
    parser.add_argument("--max-input-bytes", type=int, default=1 << 20, metavar="N",
                        help="largest document linted (default 1 MiB), as for check")
    parser.add_argument("--config", metavar="FILE",
                        help="read settings from FILE instead of the nearest pyproject.toml with [tool.nodecfg] "
                             "above each document")
    parser.epilog = ("Speaks the Language Server Protocol on stdin/stdout: nodecfg's findings as diagnostics "
                     "on open and change, the --fix fixes as code actions, the rule pages on hover "
                     "(docs/editors.md).")


def run(args) -> int:
    try:
        import pygls  # noqa: F401
    except ImportError:
        print("nodecfg lsp: needs pygls; install it with: pip install 'nodecfg[lsp]' (or pip install pygls)",
              file=sys.stderr)
        return EXIT_USAGE
    from nodecfg.cli.commands._common import limits_from
    from nodecfg.lsp.server import serve

    return serve(mode=args.mode, config=args.config, limits=limits_from(args))
