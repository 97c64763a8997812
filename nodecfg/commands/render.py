"""nodecfg render: print the merged NodeConfig as nodeadm would hold it."""
from __future__ import annotations

import argparse
import json
import sys

from ._common import add_source_arguments, analyse_and_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    parser.add_argument("--output-format", choices=("yaml", "json"), default="yaml")


def run(args) -> int:
    """Print the merged config whenever nodeadm could decode it; exit 1 if there were errors."""
    analysis, code, can_render = analyse_and_report(args)
    if can_render:
        sys.stdout.write(dump_config(analysis.merged.data, args.output_format))
    return code


def dump_config(data: dict, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(data, indent=2) + "\n"
    from ..yamlout import dump_yaml

    return dump_yaml(data)
