#!/usr/bin/env python3
"""Generate nodecfg/context/data/instance_table.tsv from instance-type data.

Each INPUT is either JSON lines in nodeadm's shape (instanceType,
defaultMaxENIs, ipv4AddressesPerInterface) or an EC2 DescribeInstanceTypes
response ({"InstanceTypes": [...]}).  Inputs merge in order, later wins.

    python scripts/gen_instance_table.py ../shared/data/instance-info.jsonl
    python scripts/gen_instance_table.py --check ../shared/data/instance-info.jsonl
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nodecfg.context.instance_table import PACKAGED_TABLE, format_table, load_user_table, merge_tables  # noqa: E402


def build_table_text(paths: list[str]) -> tuple[str, list[str]]:
    """The packaged table text for the inputs, plus problems found in them."""
    tables, problems = [], []
    for path in paths:
        table, diagnostics = load_user_table(path)
        tables.append(table)
        problems.extend(diagnostic.format() for diagnostic in diagnostics)
    return format_table(merge_tables(tables)), problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("-o", "--output", default=str(PACKAGED_TABLE))
    parser.add_argument("--check", action="store_true", help="fail if the output would change")
    args = parser.parse_args(argv)
    text, problems = build_table_text(args.inputs)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    output = Path(args.output)
    if args.check:
        current = output.read_text(encoding="ascii") if output.exists() else ""
        if current != text:
            print(f"{output} is out of date; rerun without --check", file=sys.stderr)
            return 1
        return 0
    output.write_text(text, encoding="ascii")
    print(f"wrote {output} ({text.count(chr(10)) - 1} instance types)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
