"""Options shared by the commands that read NodeConfig sources, and the one way they run the pipeline."""
from __future__ import annotations

import argparse
import os
import sys

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def add_source_arguments(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument("sources", nargs="+" if required else "*", metavar="SOURCE",
                        help="NodeConfig file, user data, drop-in directory, file://PATH or - for stdin")
    add_mode_argument(parser)
    parser.add_argument("--max-input-bytes", type=int, default=1 << 20, metavar="N",
                        help="largest accepted source (default 1 MiB)")
    add_settings_arguments(parser)
    add_container_arguments(parser)


def add_container_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("user data inside manifests and templates")
    group.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                       help="a CloudFormation parameter or pseudo parameter for Fn::Sub (AWS::Region=...)")
    group.add_argument("--cluster", metavar="FILE",
                       help="cluster facts (name, endpoint, certificateAuthority, serviceCidr[, clusterDNS, "
                            "capacityType, nodeGroup]) or saved `aws eks describe-cluster` JSON: append the "
                            "NodeConfig Karpenter or EKS adds to the user data")


def load_options_from(args):
    """(LoadOptions, problems) from --param and --cluster."""
    from nodecfg.parse.source import LoadOptions

    problems = []
    params = []
    for item in getattr(args, "param", None) or []:
        name, sign, value = item.partition("=")
        if not sign or not name:
            from nodecfg.core.codes import NC721
            from nodecfg.core.diagnostics import Span

            problems.append(NC721.at(Span("<command line>", 0, 0), f"--param {item!r} is not NAME=VALUE"))
            continue
        params.append((name, value))
    cluster = None
    if getattr(args, "cluster", None):
        from nodecfg.context.simulate import load_cluster_facts

        cluster, more = load_cluster_facts(args.cluster)
        problems += more
    return LoadOptions(params=tuple(params), cluster=cluster), problems


def add_mode_argument(parser: argparse.ArgumentParser) -> None:
    from nodecfg.core.modes import MODES

    parser.add_argument("--mode", choices=MODES, default="self-managed",
                        help="who completes the configuration: yourself, EKS managed node groups or Karpenter")


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("rule selection (as in ruff; see docs/configuration.md)")
    group.add_argument("--select", action="append", metavar="CODES",
                       help="report only these codes, prefixes or rule names (replaces [tool.nodecfg] select)")
    group.add_argument("--extend-select", action="append", default=[], metavar="CODES",
                       help="add these to the selection")
    group.add_argument("--ignore", action="append", default=[], metavar="CODES",
                       help="never report these (added to [tool.nodecfg] ignore)")
    group.add_argument("--config", metavar="FILE",
                       help="read settings from FILE instead of the nearest pyproject.toml with [tool.nodecfg]")
    group.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")


def settings_start(sources, stdin_filename: str | None = None):
    """The directory settings are found from for these sources (None: the working directory).

    As ruff does: the first file's directory (a directory SOURCE itself), so a
    file in another project is linted with that project's pyproject.toml.  A path
    string, spelled as pathlib spells it (no Path is made per file).
    """
    from nodecfg.parse.files import parent_text, path_text

    for source in sources:
        if isinstance(source, bytes):
            continue
        if source == "-":
            return parent_text(path_text(stdin_filename)) if stdin_filename else None
        path = path_text(str(source).removeprefix("file://"))
        return path if os.path.isdir(path) else parent_text(path)
    return None


def settings_from(args, sources=None):
    """The Settings for this invocation (raises ConfigError): the file, then the command line.

    The file is --config, else the nearest pyproject.toml with [tool.nodecfg] at or
    above the first source's directory (settings_start), else (a source outside any
    project) the one found from the working directory, as ruff's resolver falls back.
    """
    from nodecfg.linter.config import find_settings_file, load_settings

    start = settings_start(getattr(args, "sources", None) or [] if sources is None else sources,
                           getattr(args, "stdin_filename", None))
    config = getattr(args, "config", None)
    found = find_settings_file(start) if start is not None and config is None else None
    # the file's own directory: load_settings finds it there again at once, without a second walk
    settings = load_settings(found.parent if found else None, config=config)
    return settings.with_overrides(select=args.select, extend_select=args.extend_select, ignore=args.ignore,
                                   strict=getattr(args, "strict", False))


def limits_from(args):
    from nodecfg.parse.source import Limits

    size = args.max_input_bytes
    return Limits(max_source_bytes=size, max_decoded_bytes=max(1 << 20, size), max_total_bytes=max(2 << 20, 2 * size))


def print_diagnostics(diagnostics, texts, stream=None) -> None:
    from nodecfg.output.report import format_text

    if diagnostics:
        print(format_text(diagnostics, texts), file=stream or sys.stderr)


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
    add_release_arguments(parser)


def add_release_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("AMI release (docs/releases.md)")
    group.add_argument("--release", metavar="vYYYYMMDD|latest",
                       help="the AMI release whose nodeadm runs (default: the one the input pins, else "
                            "[tool.nodecfg] release, else latest)")
    group.add_argument("--kubernetes", metavar="MINOR",
                       help="Kubernetes minor of the AMI, e.g. 1.32: the kubelet and containerd versions the "
                            "release ships for it")


FLAG_KEYS = {"instance_type": "instanceType", "kubelet_version": "kubeletVersion",
             "containerd_version": "containerdVersion", "vcpus": "vcpus", "memory_mib": "memoryMiB",
             "accelerator": "accelerator"}


def context_given(args, *, release: bool = True) -> bool:
    return bool(getattr(args, "instance", None) or getattr(args, "instance_table", None)
                or any(getattr(args, attr, None) is not None for attr in FLAG_KEYS)
                or (release and release_given(args)))


def release_given(args) -> bool:
    return bool(getattr(args, "release", None) or getattr(args, "kubernetes", None)
                or getattr(args, "settings_release", None))


def release_from_settings(args) -> None:
    """``[tool.nodecfg] release`` as ``args.settings_release`` when the command line chose none."""
    if getattr(args, "release", None) or not hasattr(args, "release") or hasattr(args, "settings_release"):
        return
    from nodecfg.linter.config import ConfigError, load_settings

    try:
        args.settings_release = load_settings(config=getattr(args, "config", None)).release
    except ConfigError:
        args.settings_release = ""  # the run reports it


def instance_from_args(args, *, release: bool = True):
    """(Instance or None for the default, extra instance table or None, findings) from --instance files and flags.

    Nothing is imported when no context is given (``nodecfg check`` start-up).
    """
    release_from_settings(args)
    if not context_given(args) or (not release and not context_given(args, release=False)):
        return None, None, []
    from nodecfg.context.instance import instance_from_mapping, load_instance_file, validate_context

    values, diagnostics = {}, []
    for path in getattr(args, "instance", None) or []:  # render has the release options only
        loaded, problems = load_instance_file(path)
        values.update(loaded)
        diagnostics.extend(problems)
    flags = {key: getattr(args, attr) for attr, key in FLAG_KEYS.items() if getattr(args, attr, None) is not None}
    accepted, problems = validate_context(flags, "<command line>")
    values.update(accepted)
    diagnostics.extend(problems)
    extra_table = None
    if getattr(args, "instance_table", None):
        from nodecfg.nodeadm.instance_table import load_user_table

        extra_table, problems = load_user_table(args.instance_table)
        diagnostics.extend(problems)
    instance = instance_from_mapping(values)
    if release and release_given(args):
        from nodecfg.context.instance import on_release

        instance, problems = on_release(instance, args.release, args.kubernetes, getattr(args, "settings_release", "") or "")
        diagnostics.extend(problems)
    return instance, extra_table, diagnostics


def request_from(args, sources=None, *, render: bool = True, unit: int | None = None):
    """The pipeline's Request for this command line (nodecfg/pipeline.py), or an exit code for a usage
    error already printed.

    ``unit`` picks one user data of a file that holds several (``check`` runs each).
    """
    from nodecfg.linter.config import ConfigError
    from nodecfg.pipeline import Request

    sources = list(args.sources if sources is None else sources)
    # check --each asks once per file: the settings are found once per directory in a run
    found = vars(args).setdefault("_settings_by_start", {})
    start = settings_start(sources, getattr(args, "stdin_filename", None))
    settings = found.get(start)
    if settings is None:
        try:
            settings = settings_from(args, sources)
        except ConfigError as error:
            print(f"nodecfg: {error}", file=sys.stderr)
            return EXIT_USAGE
        found[start] = settings
    stdin_filename = getattr(args, "stdin_filename", None)
    if stdin_filename and "-" in sources:  # stdin read once, named as the file it stands for
        from nodecfg.parse.source import NamedBytes

        if not hasattr(args, "stdin_data"):
            stream = getattr(sys.stdin, "buffer", None)
            args.stdin_data = stream.read(args.max_input_bytes + 1) if stream is not None else b""
        sources = [NamedBytes(args.stdin_data, stdin_filename) if s == "-" else s for s in sources]
    options, unreadable = load_options_from(args)
    if unreadable:
        print_diagnostics(unreadable, {})
        return EXIT_USAGE
    instance, extra_table, problems = instance_from_args(args)
    return Request(sources, args.mode, instance, extra_table, tuple(problems), settings, limits_from(args),
                   options._replace(unit=unit), render)


def run_pipeline(args, sources=None, *, render: bool = True, unit: int | None = None):
    """The pipeline for this command line: a Result, or an exit code for a usage error already printed."""
    from nodecfg.pipeline import run

    request = request_from(args, sources, render=render, unit=unit)
    return request if isinstance(request, int) else run(request)


def exit_code(result) -> int:
    """0 for a configuration `check` passes, 1 when it has errors, 2 when the input could not be read."""
    from nodecfg.pipeline import Verdict

    if result.usage_error:
        return EXIT_USAGE
    return EXIT_FINDINGS if result.verdict is Verdict.HAS_ERRORS else EXIT_OK


def release_note(instance) -> str:
    """One line naming the AMI release the input pinned (a chosen one needs no note), or ''."""
    if instance is None or not instance.release or instance.release_source in ("", "given", "settings", "default"):
        return ""
    return (f"nodecfg: note: rendered for AMI release {instance.release}, pinned by {instance.release_source} "
            "(--release chooses another)")


def defaulted_note(instance) -> str:
    """One line naming the instance facts that were not given, or ''."""
    # nodeadm's own defaults (no accelerator, its pause image, no IPv6) need no note
    relevant = sorted(instance.defaulted - {"localIpv6", "accelerator", "sandboxImage"})
    if not relevant:
        return ""
    return ("nodecfg: note: instance context defaulted for " + ", ".join(relevant)
            + f" (instance type {instance.instance_type})" + _resources_note(instance, relevant)
            + "; pass --instance FILE to set them")


def _resources_note(instance, relevant: list[str]) -> str:
    """Whether defaulted vcpus/memoryMiB are EC2's figures or an estimate (docs/max-pods.md)."""
    keys = " and ".join(key for key in relevant if key in ("memoryMiB", "vcpus"))
    if not keys:
        return ""
    if instance.resources_source == "table":
        return f"; {keys} from the instance table"
    return f"; {keys} estimated from the type name, as the instance table has no figures for it"
