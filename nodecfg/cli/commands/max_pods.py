"""``nodecfg max-pods``: maxPods and kubeReserved per instance type.

Exit codes: 0 every row computed and no expression fell back; 1 the
expression fell back to the standard value for at least one row shown;
2 usage errors (no type chosen, unknown type, unreadable --instance-table).
"""

import argparse
import sys
from typing import NamedTuple

EXIT_OK, EXIT_EXPRESSION_FELL_BACK, EXIT_USAGE = 0, 1, 2


class Row(NamedTuple):
    instance_type: str
    default_enis: int
    ips_per_eni: int
    standard: int
    max_pods: int
    source: str
    expression_value: int | None
    expression_error: str | None
    expression_note: str | None
    vcpus: int
    vcpus_source: str  # "flag" | "table" | "name-rule" | "default"
    kube_reserved: dict[str, str]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--instance-type", "-t", action="append", default=[], metavar="TYPE",
                        help="instance type to show (repeatable; rows keep the given order)")
    parser.add_argument("--all", action="store_true", help="every known instance type, sorted")
    parser.add_argument("--expression", "-e", metavar="CEL",
                        help="a kubelet.maxPodsExpression to evaluate for each type")
    parser.add_argument("--format", choices=("text", "json", "csv"), default="text")
    parser.add_argument("--instance-table", metavar="FILE",
                        help="extra instance types: JSON lines or a DescribeInstanceTypes response")
    parser.add_argument("--vcpus", type=int, metavar="N",
                        help="vCPUs for kubeReserved cpu (default: the instance table's; estimated from the type name "
                             "only for a type the table has no figure for)")
    parser.add_argument("--release", metavar="vYYYYMMDD|latest",
                        help="the AMI release whose nodeadm computes maxPods (default latest; docs/releases.md)")


def run(args: argparse.Namespace) -> int:
    from nodecfg.nodeadm.instance_table import all_types, load_user_table, lookup

    extra_table = None
    if args.instance_table:
        extra_table, diagnostics = load_user_table(args.instance_table)
        for diagnostic in diagnostics:
            print(diagnostic.format(), file=sys.stderr)
        from nodecfg.core.codes import is_usage_error

        if any(is_usage_error(d) for d in diagnostics):
            return EXIT_USAGE
    if args.vcpus is not None and args.vcpus < 1:
        return _usage(f"--vcpus must be a positive integer, not {args.vcpus}")
    if not args.all and not args.instance_type:
        return _usage("choose instance types with --instance-type TYPE (repeatable) or --all")
    tag = ""
    if args.release:
        from nodecfg.nodeadm.release import MAX_PODS_EXPRESSION, ReleaseError, first_with, profile, resolve

        try:
            tag = resolve(args.release)
        except ReleaseError as error:
            return _usage(str(error))
        if args.expression is not None and not profile(tag).has(MAX_PODS_EXPRESSION):
            print(f"nodecfg max-pods: note: nodeadm ignores maxPodsExpression before {first_with(MAX_PODS_EXPRESSION)}"
                  f": on {tag} every node gets the standard maxPods", file=sys.stderr)
            args.expression = None
    if args.all:
        names = all_types(extra_table)
    else:
        names = list(dict.fromkeys(args.instance_type))
        unknown = [name for name in names if lookup(name, extra_table) is None]
        if unknown:
            return _usage(_unknown_message(unknown, extra_table))
    rows = build_rows(names, args.expression, extra_table, args.vcpus, tag)
    sys.stdout.write(FORMATTERS[args.format](rows, args.expression is not None))
    return EXIT_EXPRESSION_FELL_BACK if any(row.expression_error for row in rows) else EXIT_OK


def _usage(message: str) -> int:
    print(f"nodecfg max-pods: {message}", file=sys.stderr)
    return EXIT_USAGE


def _unknown_message(unknown: list[str], extra_table) -> str:
    from nodecfg.nodeadm.instance_table import unknown_type_message

    return (unknown_type_message(unknown, extra_table)
            + "; pass --instance-table FILE for types the package does not know "
            "(nodeadm itself would fall back to maxPods 110 without the EC2 API)")


def build_rows(names: list[str], expression: str | None, extra_table, vcpus: int | None,
               release: str = "") -> list[Row]:
    """One row per type; on an older ``release``, EC2's figures for a type its table lacks are counted as
    its nodeadm counts them (context/maxpods.py counted_enis)."""
    from nodecfg.nodeadm.instance_table import estimate_resources, lookup
    from nodecfg.context.maxpods import kube_reserved, max_pods_for

    by_pair = {}  # types sharing figures share one evaluation
    reserved: dict[tuple[int, int], dict[str, str]] = {}
    rows = []
    for name in names:
        info = lookup(name, extra_table)
        enis = info.default_enis
        if release and info.max_enis is not None:
            from nodecfg.context.instance import DEFAULT_INSTANCE
            from nodecfg.context.maxpods import counted_enis

            enis = counted_enis(info, DEFAULT_INSTANCE._replace(instance_type=name, release=release))[0]
        pair = (enis, info.ips_per_eni)
        if pair not in by_pair:
            by_pair[pair] = max_pods_for(*pair, expression)
        result = by_pair[pair]
        if vcpus is not None:
            row_vcpus, vcpus_source = vcpus, "flag"
        else:
            estimate = estimate_resources(name, extra_table)
            row_vcpus, vcpus_source = estimate.vcpus, estimate.source
        if (result.value, row_vcpus) not in reserved:
            reserved[result.value, row_vcpus] = kube_reserved(result.value, row_vcpus)
        rows.append(Row(
            name, result.default_enis, result.ips_per_eni, result.standard, result.value, result.source,
            result.value if result.source == "expression" else None,
            result.expression_error, result.expression_note,
            row_vcpus, vcpus_source, reserved[result.value, row_vcpus],
        ))
    return rows


# --- output ----------------------------------------------------------------------

def _as_dict(row: Row) -> dict:
    return {
        "instanceType": row.instance_type,
        "defaultENIs": row.default_enis,
        "ipsPerENI": row.ips_per_eni,
        "standardMaxPods": row.standard,
        "maxPods": row.max_pods,
        "source": row.source,
        "expressionValue": row.expression_value,
        "expressionError": row.expression_error,
        "expressionNote": row.expression_note,
        "vcpus": row.vcpus,
        "vcpusSource": row.vcpus_source,
        "kubeReserved": row.kube_reserved,
    }


def format_json(rows: list[Row], with_expression: bool) -> str:
    import json

    return json.dumps([_as_dict(row) for row in rows], indent=2) + "\n"


CSV_COLUMNS = ("instanceType", "defaultENIs", "ipsPerENI", "standardMaxPods", "maxPods", "source",
               "expressionValue", "expressionError", "vcpus", "vcpusSource",
               "kubeReservedCpu", "kubeReservedMemory", "kubeReservedEphemeralStorage")


def format_csv(rows: list[Row], with_expression: bool) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([
            row.instance_type, row.default_enis, row.ips_per_eni, row.standard, row.max_pods, row.source,
            "" if row.expression_value is None else row.expression_value, row.expression_error or "",
            row.vcpus, row.vcpus_source, row.kube_reserved["cpu"], row.kube_reserved["memory"],
            row.kube_reserved["ephemeral-storage"],
        ])
    return buffer.getvalue()


def format_text(rows: list[Row], with_expression: bool) -> str:
    header = ["TYPE", "ENIS", "IPS/ENI", "STANDARD"]
    header += ["EXPRESSION"] if with_expression else []
    header += ["MAXPODS", "VCPUS", "CPU", "MEMORY", "EPHEMERAL"]
    table = [header]
    for row in rows:
        cells = [row.instance_type, str(row.default_enis), str(row.ips_per_eni), str(row.standard)]
        if with_expression:
            cells.append("fallback" if row.expression_error else str(row.expression_value))
        vcpus = str(row.vcpus) + ("" if row.vcpus_source in ("flag", "table") else "*")
        cells += [str(row.max_pods), vcpus, row.kube_reserved["cpu"], row.kube_reserved["memory"],
                  row.kube_reserved["ephemeral-storage"]]
        table.append(cells)
    widths = [max(map(len, column)) for column in zip(*table)]
    line_format = "  ".join(f"{{:<{width}}}" for width in widths)
    lines = [line_format.format(*cells).rstrip() for cells in table]
    return "\n".join(lines + _footnotes(rows)) + "\n"


def _footnotes(rows: list[Row]) -> list[str]:
    notes = []
    if any(row.vcpus_source not in ("flag", "table") for row in rows):
        notes.append("* vCPUs estimated from the type name: the instance table has no figure for it "
                     "(see docs/max-pods.md); use --vcpus N")
    types_by_error: dict[str, list[str]] = {}
    for row in rows:
        if row.expression_error:
            message = f"expression falls back to the standard value: {row.expression_error}"
            types_by_error.setdefault(message, []).append(row.instance_type)
        if row.expression_note:
            types_by_error.setdefault(f"note: {row.expression_note}", []).append(row.instance_type)
    for message, names in types_by_error.items():
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        notes.append(f"{shown}: {message}")
    return ([""] if notes else []) + notes


FORMATTERS = {"text": format_text, "json": format_json, "csv": format_csv}
