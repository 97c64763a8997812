"""nodecfg render: print the merged NodeConfig as nodeadm would hold it."""
from __future__ import annotations

import argparse
import json
import sys

from nodecfg.cli.commands._common import add_release_arguments, add_source_arguments, exit_code, print_diagnostics, \
    run_pipeline


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    add_release_arguments(parser)
    parser.add_argument("--format", "--output-format", dest="output_format", choices=("yaml", "json"),
                        default="yaml", help="yaml (default) or json; --output-format is the old name")


def run(args) -> int:
    """Print the merged config whenever nodeadm could decode it; exit 1 if there were errors."""
    from nodecfg.core.codes import is_blocking

    result = run_pipeline(args, render=False)
    if isinstance(result, int):
        return result
    print_diagnostics(result.diagnostics, result.texts)
    if result.analysis.documents and not any(is_blocking(d) for d in result.diagnostics):
        sys.stdout.write(dump_config(result.analysis.merged.data, args.output_format))
    return exit_code(result)


def dump_config(data: dict, output_format: str) -> str:
    if output_format == "json":
        return json.dumps(data, indent=2) + "\n"
    from nodecfg.encode.yaml import dump_yaml

    return dump_yaml(data)
