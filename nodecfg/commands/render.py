"""nodecfg render: print the merged NodeConfig as nodeadm would hold it."""
from __future__ import annotations

import argparse
import json
import sys

from ._common import add_source_arguments, has_usage_error, limits_from, print_diagnostics


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    parser.add_argument("--output-format", choices=("yaml", "json"), default="yaml")


def run(args) -> int:
    from ..diagnostics import has_errors
    from ..pipeline import analyse

    analysis = analyse(args.sources, mode=args.mode, limits=limits_from(args))
    print_diagnostics(analysis.diagnostics, analysis.loaded.texts)
    if has_usage_error(analysis.diagnostics):
        return 2
    if has_errors(analysis.diagnostics):
        return 1
    sys.stdout.write(dump_config(analysis.merged.data, args.output_format))
    return 0


def dump_config(data: dict, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(data, indent=2) + "\n"
    from ..yamlout import dump_yaml

    return dump_yaml(data)
