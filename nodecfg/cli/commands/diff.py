"""nodecfg diff OLD... -- NEW...: what a change does to the node's files.

Both sides are rendered as `nodecfg build` renders them.  Without `--`, both
sides use the same sources and `--against` gives the new side's instance
context (a file, or KEY=VALUE such as kubeletVersion=v1.34.0), on top of the
context the other options give.  Exit 0 when the trees are equal, 1 when
they differ, 2 on usage or I/O errors or when a side cannot be rendered.
"""
from __future__ import annotations

import argparse
import sys

from nodecfg.cli.commands._common import add_instance_arguments, add_mode_argument

FORMATS = ("text", "markdown", "json")
EXIT_EQUAL, EXIT_DIFFERENT, EXIT_USAGE = 0, 1, 2


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("--against", action="append", default=[], metavar="FILE|KEY=VALUE",
                        help="instance context of the new side: a YAML/JSON file or KEY=VALUE (repeatable)")
    parser.add_argument("--max-input-bytes", type=int, default=1 << 20, metavar="N",
                        help="largest accepted source (default 1 MiB)")
    add_mode_argument(parser)
    add_instance_arguments(parser)
    parser.add_argument("--to-release", metavar="vYYYYMMDD|latest",
                        help="the AMI release of the new side (--release is the old side's): what an AMI upgrade "
                             "changes, each file with the release change behind it")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _options(parser)
    # REMAINDER keeps the `--` that separates OLD from NEW; run() reads the options among them
    parser.add_argument("rest", nargs=argparse.REMAINDER, metavar="OLD... [-- NEW...]",
                        help="sources of the old side, then -- and the sources of the new side")


def run(args) -> int:
    from nodecfg.output.diff import FORMATTERS, compile_side, diff_sides
    from nodecfg.cli.commands._common import limits_from, print_diagnostics

    split = _split(args)
    if split is None:
        return EXIT_USAGE
    old_sources, new_sources = split
    contexts = _contexts(args)
    if contexts is None or contexts[0] is None:
        return EXIT_USAGE
    (old_instance, new_instance), extra_table = contexts
    from nodecfg.pipeline import Request

    request = Request((), args.mode, instance_table=extra_table, limits=limits_from(args))
    sides = []
    for label, sources, instance in (("old", old_sources, old_instance), ("new", new_sources, new_instance)):
        side = compile_side(request._replace(sources=sources, instance=instance))
        if side.diagnostics:
            print(f"nodecfg diff: findings on the {label} side:", file=sys.stderr)
            print_diagnostics(side.diagnostics, side.texts)
        if not side.rendered:
            print(f"nodecfg diff: the {label} side cannot be rendered", file=sys.stderr)
            return EXIT_USAGE
        sides.append(side)
    diff = diff_sides(*sides)
    if args.to_release or args.release:
        from nodecfg.output.diff import annotate_release

        old_side, new_side = sides
        probes = [request._replace(sources=sources, instance=side.instance)
                  for sources, side in ((old_sources, old_side), (new_sources, new_side))]
        annotate_release(diff, old_side.release or "latest", new_side.release or "latest",
                         versions=_versions_changed(old_instance, new_instance, sides), probes=probes)
    sys.stdout.write(FORMATTERS[args.format](diff))
    return EXIT_EQUAL if diff.equal else EXIT_DIFFERENT


def _common_minor(instance, old_release, new_release) -> str | None:
    """For an AMI upgrade without --kubernetes: the kubelet's minor, when nobody gave the kubelet version
    and both releases ship it, so that both sides get their release's versions of the same minor."""
    if not new_release or "kubeletVersion" not in instance.defaulted:
        return None
    from nodecfg.core.versions import parse_version
    from nodecfg.nodeadm.release import ReleaseError, minors

    version = parse_version(instance.kubelet_version)
    minor = f"{version.major}.{version.minor}" if version else ""
    try:
        shipped = all(minor in minors(release) for release in (old_release or None, new_release))
    except ReleaseError:
        return None  # reported when the release is applied
    return minor if shipped else None


def _versions_changed(old_instance, new_instance, sides) -> str:
    """"kubelet A -> B, containerd C -> D" for the versions that differ between the sides ("" when none do)."""
    rendered = [side.instance or instance for side, instance in zip(sides, (old_instance, new_instance))]
    parts = [f"{name} {getattr(rendered[0], attr)} -> {getattr(rendered[1], attr)}"
             for name, attr in (("kubelet", "kubelet_version"), ("containerd", "containerd_version"))
             if getattr(rendered[0], attr) != getattr(rendered[1], attr)]
    return ", ".join(parts)


def _split(args) -> tuple[list[str], list[str]] | None:
    """(old sources, new sources), with the options found among them applied to args."""
    rest = list(args.rest)
    if "--" in rest:
        index = rest.index("--")
        old_part, new_part = rest[:index], rest[index + 1:]
    else:
        old_part, new_part = rest, None
    parser = argparse.ArgumentParser(prog="nodecfg diff", argument_default=argparse.SUPPRESS, add_help=False)
    _options(parser)
    parser.add_argument("sources", nargs="*")
    try:
        old_sources = _positionals(parser, old_part, args)
        new_sources = old_sources if new_part is None else _positionals(parser, new_part, args)
    except SystemExit:
        return None
    if not old_sources or not new_sources:
        print("nodecfg diff: give OLD... -- NEW... sources (or sources and --against or --to-release)",
              file=sys.stderr)
        return None
    if new_part is None and not getattr(args, "against", None) and not getattr(args, "to_release", None):
        # without `--` both sides are the same sources: only --against or --to-release can make them differ
        print(f"nodecfg diff: without `--` both sides are {' '.join(old_sources)}; give OLD... -- NEW... "
              "to compare two configurations, --against FILE|KEY=VALUE to compare two instance contexts, "
              "or --to-release RELEASE to compare two AMI releases", file=sys.stderr)
        return None
    return old_sources, new_sources


def _positionals(parser: argparse.ArgumentParser, words: list[str], args) -> list[str]:
    """The sources among words; the options among them are set on args."""
    parsed = parser.parse_intermixed_args(words, namespace=args)
    sources = getattr(parsed, "sources", [])
    if hasattr(args, "sources"):
        del args.sources
    return sources


def _contexts(args):
    """((old Instance, new Instance), extra table) or None after printing the problems."""
    from nodecfg.core.diagnostics import has_errors
    from nodecfg.context.instance import load_instance_file, validate_context
    from nodecfg.cli.commands._common import instance_from_args, print_diagnostics

    old, extra_table, problems = instance_from_args(args, release=False)
    against: dict = {}
    for item in args.against:
        if "=" in item and not _is_file(item):
            key, _, value = item.partition("=")
            accepted, found = validate_context({key: _typed(value)}, "<--against>")
        else:
            accepted, found = load_instance_file(item)
        against.update(accepted)
        problems += found
    if problems:
        print_diagnostics(problems, {})
        if has_errors(problems):
            return None
    if old is None:
        from nodecfg.context.instance import DEFAULT_INSTANCE

        old = DEFAULT_INSTANCE
    new = old.with_values(against)
    return _on_releases(args, old, new, problems), extra_table


def _on_releases(args, old, new, problems):
    """Each side on its release: --release for the old one, --to-release (else --release) for the new one.

    A side without a release keeps the one its input pins, else the newest (nodecfg/pipeline.py).
    """
    from nodecfg.context.instance import on_release

    found = []
    settings_release = getattr(args, "settings_release", "") or ""
    new_release = args.to_release or args.release
    kubernetes = args.kubernetes or _common_minor(old, args.release or settings_release, new_release)
    if args.release or kubernetes or settings_release:
        old, more = on_release(old, args.release, kubernetes, settings_release)
        found += more
    if new_release or kubernetes or settings_release:
        new, more = on_release(new, new_release, kubernetes, settings_release)
        found += more
    if found:
        from nodecfg.cli.commands._common import print_diagnostics

        print_diagnostics(found, {})
        return None
    return old, new


def _is_file(item: str) -> bool:
    import os

    return os.path.exists(item)


def _typed(value: str):
    # ASCII digits only ("²".isdigit() is true, and int() refuses it), and few enough for int()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else value
