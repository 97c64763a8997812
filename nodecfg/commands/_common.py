"""Options shared by the commands that read NodeConfig sources."""
from __future__ import annotations

import argparse
import sys

from ..pipeline import MODES


def add_source_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", metavar="SOURCE",
                        help="NodeConfig file, user data, drop-in directory, file://PATH or - for stdin")
    parser.add_argument("--mode", choices=MODES, default="self-managed",
                        help="who completes the configuration: yourself, EKS managed node groups or Karpenter")
    parser.add_argument("--max-input-bytes", type=int, default=1 << 20, metavar="N",
                        help="largest accepted source (default 1 MiB)")


def limits_from(args):
    from ..source import Limits

    return Limits(max_source_bytes=args.max_input_bytes, max_decoded_bytes=max(4 << 20, 4 * args.max_input_bytes))


def print_diagnostics(diagnostics, texts, stream=None) -> None:
    from ..report import format_text

    if diagnostics:
        print(format_text(diagnostics, texts), file=stream or sys.stderr)


def has_usage_error(diagnostics) -> bool:
    """I/O problems with the sources themselves (exit 2), as opposed to bad configuration."""
    return any(d.code == "NC140" for d in diagnostics)
