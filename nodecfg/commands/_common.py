"""Options shared by the commands that read NodeConfig sources."""
from __future__ import annotations

import argparse
import sys



def add_source_arguments(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument("sources", nargs="+" if required else "*", metavar="SOURCE",
                        help="NodeConfig file, user data, drop-in directory, file://PATH or - for stdin")
    add_mode_argument(parser)
    parser.add_argument("--max-input-bytes", type=int, default=1 << 20, metavar="N",
                        help="largest accepted source (default 1 MiB)")


def add_mode_argument(parser: argparse.ArgumentParser) -> None:
    from ..modes import MODES

    parser.add_argument("--mode", choices=MODES, default="self-managed",
                        help="who completes the configuration: yourself, EKS managed node groups or Karpenter")


def limits_from(args):
    from ..source import Limits

    size = args.max_input_bytes
    return Limits(max_source_bytes=size, max_decoded_bytes=max(1 << 20, size), max_total_bytes=max(2 << 20, 2 * size))


def print_diagnostics(diagnostics, texts, stream=None) -> None:
    from ..report import format_text

    if diagnostics:
        print(format_text(diagnostics, texts), file=stream or sys.stderr)


def has_usage_error(diagnostics) -> bool:
    """I/O problems with the sources themselves (exit 2), as opposed to bad configuration."""
    return any(d.code == "NC140" for d in diagnostics)


def add_instance_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("instance context (what nodeadm learns at boot)")
    group.add_argument("--instance", action="append", default=[], metavar="FILE",
                       help="YAML/JSON file of instance context keys; later files override earlier ones")
    group.add_argument("--instance-type", help="EC2 instance type, e.g. m5.xlarge")
    group.add_argument("--kubelet-version", help="e.g. v1.34.0")
    group.add_argument("--containerd-version", help="e.g. 2.1.4 or 1.7.27")
    group.add_argument("--vcpus", type=int)
    group.add_argument("--memory-mib", type=int)
    group.add_argument("--accelerator", choices=("nvidia", "neuron", "none"))
    group.add_argument("--instance-table", metavar="FILE",
                       help="extra instance types (jsonl or DescribeInstanceTypes JSON)")


FLAG_KEYS = {"instance_type": "instanceType", "kubelet_version": "kubeletVersion",
             "containerd_version": "containerdVersion", "vcpus": "vcpus", "memory_mib": "memoryMiB",
             "accelerator": "accelerator"}


def instance_from_args(args):
    """(Instance, extra instance table or None, diagnostics) from --instance files and flags."""
    from ..instance import instance_from_mapping, load_instance_file, validate_context

    values, diagnostics = {}, []
    for path in args.instance:
        loaded, problems = load_instance_file(path)
        values.update(loaded)
        diagnostics.extend(problems)
    flags = {key: getattr(args, attr) for attr, key in FLAG_KEYS.items() if getattr(args, attr) is not None}
    accepted, problems = validate_context(flags, "<command line>")
    values.update(accepted)
    diagnostics.extend(problems)
    extra_table = None
    if args.instance_table:
        from ..instance_table import load_user_table

        extra_table, problems = load_user_table(args.instance_table)
        diagnostics.extend(problems)
    return instance_from_mapping(values), extra_table, diagnostics


def defaulted_note(instance) -> str:
    """One line naming the instance facts that were not given, or ''."""
    # nodeadm's own defaults (no accelerator, its pause image, no IPv6) need no note
    relevant = sorted(instance.defaulted - {"localIpv6", "accelerator", "sandboxImage"})
    if not relevant:
        return ""
    return ("nodecfg: note: instance context defaulted for " + ", ".join(relevant)
            + f" (instance type {instance.instance_type}); pass --instance FILE to set them")


def analyse_and_report(args):
    """Run the front half, print its findings; return (analysis, exit code so far, can render)."""
    from ..diagnostics import has_errors
    from ..pipeline import analyse, blocks_rendering

    analysis = analyse(args.sources, mode=args.mode, limits=limits_from(args))
    print_diagnostics(analysis.diagnostics, analysis.loaded.texts)
    if has_usage_error(analysis.diagnostics):
        return analysis, 2, False
    code = 1 if has_errors(analysis.diagnostics) else 0
    return analysis, code, not blocks_rendering(analysis.diagnostics)
