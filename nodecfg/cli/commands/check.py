"""nodecfg check: lint sources; print findings; exit 0 clean, 1 errors, 2 usage or I/O.

Everything heavy is imported inside ``run`` and only when needed: a clean
NodeConfig must cost little more than parsing it (see benchmarks/bench_check.py).
"""
from __future__ import annotations

import argparse
import os
import sys

from nodecfg.cli.commands._common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, add_instance_arguments, add_source_arguments

FORMATS = ("text", "concise", "json", "sarif", "github", "junit", "gitlab")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser, required=False)  # --list-rules needs no source
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.add_argument("--each", action="store_true",
                        help="lint every SOURCE on its own (the default; kept for existing hook configurations)")
    parser.add_argument("--merge", action="store_true",
                        help="merge all SOURCEs into one node, in the order given, as build/render/explain do")
    parser.add_argument("--stdin-filename", metavar="PATH",
                        help="the file that - stands for: findings name it, and settings are found from its directory")
    from nodecfg.cli.content import kind_groups

    parser.add_argument("--only-node-config", metavar="KINDS",
                        help="skip a file SOURCE that holds no node configuration of these kinds, judged by "
                             "content (what the pre-commit hooks pass): all, or some of "
                             f"{', '.join(kind_groups())}, comma-separated")
    parser.add_argument("--show-skipped", action="store_true",
                        help="with --only-node-config, name the files skipped (a note on stderr)")
    parser.add_argument("--list-rules", action="store_true",
                        help="print the catalogue of rules and exit (--format json for JSON)")
    parser.add_argument("--show-settings", action="store_true",
                        help="print which settings file is used (the nearest pyproject.toml with [tool.nodecfg], "
                             "up to the repository root) and the settings, and exit")
    parser.add_argument("--dropins", action="append", default=[], metavar="DIR",
                        help="a nodeadm drop-in directory: its files are merged with the SOURCEs, as nodeadm "
                             "merges /etc/eks/nodeadm.d (a directory named nodeadm.d is read this way too)")
    parser.add_argument("--fix", action="store_true", help="apply the safe fixes to the SOURCE files, then lint")
    parser.add_argument("--diff", action="store_true", help="print the fixes as a diff instead of writing them")
    parser.add_argument("--unsafe-fixes", action="store_true", help="with --fix/--diff, apply unsafe fixes too")
    add_output_arguments(parser)
    add_instance_arguments(parser)
    from nodecfg.parse.discover import DIRECTORY_HELP
    from nodecfg.parse.containers import help_text

    parser.epilog = f"{help_text()}\n\n{DIRECTORY_HELP}"
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """The output options, with ruff's meanings."""
    from nodecfg.output.terminal import CHOICES

    group = parser.add_argument_group("output")
    group.add_argument("-o", "--output-file", metavar="FILE", help="write the findings to FILE instead of stdout")
    group.add_argument("-q", "--quiet", action="store_true", help="print the findings and nothing else (no summary)")
    group.add_argument("--statistics", action="store_true", help="print a count of findings per rule instead")
    group.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when there are error findings (usage and I/O errors still exit 2)")
    group.add_argument("--color", choices=CHOICES, default="auto",
                       help="colour the text formats: auto (on a TTY unless NO_COLOR is set), always, never")
    group.add_argument("--sarif-root", metavar="DIR",
                       help="the directory SARIF URIs are relative to (default: the git work tree, else .)")


def run(args) -> int:
    if args.output_file is None:
        return _run(args, sys.stdout)
    import contextlib
    import io

    from nodecfg.output.safe_write import WriteError, check_writable, write_file

    try:
        check_writable(args.output_file)  # refused before the run, not after it
    except WriteError as error:
        print(f"nodecfg check: {error}", file=sys.stderr)
        return error.exit_code
    output = io.StringIO()  # the report is written whole at the end (nodecfg/output/safe_write.py)
    with contextlib.redirect_stdout(output):
        code = _run(args, output)
    try:
        write_file(args.output_file, output.getvalue().encode("utf-8"))
    except WriteError as error:
        print(f"nodecfg check: {error}", file=sys.stderr)
        return error.exit_code
    return code


def _run(args, output) -> int:
    from nodecfg.output.terminal import wants_colour

    # resolved before the cache key is taken, so a coloured result is never replayed into a pipe
    args.color = "always" if wants_colour(args.color, output) else "never"
    if args.list_rules:
        print(list_rules(args.format))
        return EXIT_OK
    if args.show_settings:
        return show_settings(args)
    if not args.sources and not args.dropins:
        print("nodecfg check: give at least one SOURCE (or --list-rules)", file=sys.stderr)
        return EXIT_USAGE
    if args.each and args.merge:
        print("nodecfg check: --each and --merge contradict each other; each SOURCE is linted on its own "
              "unless --merge is given", file=sys.stderr)
        return EXIT_USAGE
    if args.only_node_config is not None:
        refused = _select_sources(args)
        if refused is not None:
            return refused
        if not args.sources and not args.dropins:
            _note_skipped(args)
            return EXIT_OK  # every file was something else: nothing to check
    if args.fix or args.diff:
        from nodecfg.cli.commands._fix import run_fix

        code = run_fix(args)
        if code >= 0:
            return code
    code = _cached_check(args)
    return EXIT_OK if args.exit_zero and code == EXIT_FINDINGS else code


def _cached_check(args) -> int:
    from nodecfg.parse.discover import plan_groups

    args.groups = plan_groups(args.sources, args.dropins, each=not merges(args))
    if args.only_node_config is not None:
        args.groups = _node_configuration_only(args)
    if not args.groups:
        if args.only_node_config is not None:
            return EXIT_OK  # every file was something else: nothing to check
        from nodecfg.parse.containers import nouns

        print(f"nodecfg check: no node configuration found in {', '.join(args.sources)}: a directory is searched "
              "for *.yaml, *.yml, *.json, *.mime and *.txt files that hold a NodeConfig, user data, "
              f"{' or '.join(nouns())} (exit {EXIT_USAGE})", file=sys.stderr)
        return EXIT_USAGE
    if args.no_cache or os.environ.get("NODECFG_NO_CACHE"):
        return _check(args)
    from nodecfg.cli import cache

    inputs = [source for group, _ in args.groups for source in group]
    key = cache.key_for(args, inputs, _context_files(args))
    if key is None:
        return _check(args)
    replayed = cache.replay(key)
    if replayed is not None:
        return replayed
    with cache.recording() as recorded:
        code = _check(args)
    if code != EXIT_USAGE:
        cache.store(key, *recorded(), code)
    return code


def merges(args) -> bool:
    """Whether the SOURCEs are one node: --merge, --dropins, or a nodeadm.d directory among them.

    Otherwise each file is its own node, as every linter checks each file on its own.
    """
    from nodecfg.parse.discover import DROPIN_DIRECTORY

    return bool(args.merge or args.dropins or any(
        source != "-" and os.path.isdir(source.removeprefix("file://"))
        and os.path.basename(os.path.normpath(source.removeprefix("file://"))) == DROPIN_DIRECTORY
        for source in args.sources))


def _node_configuration_only(args):
    """args.groups less the lone files that hold no node configuration of the kinds asked for.

    The file SOURCEs themselves were filtered before --fix could touch them (_select_sources);
    this also drops the files a directory SOURCE was walked into.
    """
    from nodecfg.cli.content import file_kind

    kept, skipped = [], []
    for group in args.groups:
        sources, _ = group
        path = sources[0].removeprefix("file://") if len(sources) == 1 and sources[0] != "-" else None
        if path is not None and os.path.isfile(path):
            if path not in args.judged:
                args.judged[path] = file_kind(path) in args.kinds
            if not args.judged[path]:
                skipped.append(path)
                continue
        kept.append(group)
    args.skipped += [path for path in dict.fromkeys(skipped) if path not in args.skipped]
    _note_skipped(args)
    return kept


def _note_skipped(args) -> None:
    """The one informational note --show-skipped asks for."""
    if args.skipped and args.show_skipped:
        count = len(args.skipped)
        what = "node configuration" if args.only_node_config == "all" else f"{args.only_node_config} content"
        print(f"nodecfg: note: skipped {count} file{'s' if count > 1 else ''} that hold no {what}: "
              f"{', '.join(args.skipped)}", file=sys.stderr)


def _select_sources(args) -> int | None:
    """With --only-node-config: drop the file SOURCEs of other content (before --fix reads them), or exit 2."""
    from nodecfg.cli.content import file_kind, kinds_from

    try:
        args.kinds = tuple(sorted(kinds_from(args.only_node_config)))  # sorted: part of the cache key
    except ValueError as error:
        print(f"nodecfg check: --only-node-config: {error}", file=sys.stderr)
        return EXIT_USAGE
    args.judged, args.skipped = {}, []
    kept = []
    for source in args.sources:
        path = source.removeprefix("file://")
        if source != "-" and os.path.isfile(path):
            args.judged[path] = file_kind(path) in args.kinds
            if not args.judged[path]:
                args.skipped.append(path)
                continue
        kept.append(source)
    args.sources = kept
    return None


def _context_files(args) -> list[str]:
    """Files besides the sources that change the result: instance context and the settings files."""
    from nodecfg.cli.commands._common import settings_start
    from nodecfg.linter.config import ConfigError, find_settings_file

    files = [*args.instance, *([args.instance_table] if args.instance_table else []),
             *([args.cluster] if args.cluster else [])]
    if args.config:
        return files + [args.config]
    found: set[str] = set()
    for sources, _ in args.groups:
        try:
            settings_file = find_settings_file(settings_start(sources, args.stdin_filename)) or find_settings_file()
        except ConfigError:
            continue  # the real run reports it
        if settings_file:
            found.add(str(settings_file))
    return files + sorted(found)


# --each over this many sources or more shares them with forked processes (both cores of a CI
# machine or laptop).  A fork and the modules its share imports again cost about 15 ms of CPU, which
# checking half of this many files on the other core wins back in wall time on an idle machine.
PARALLEL_THRESHOLD = 64


def _check(args) -> int:
    groups = args.groups  # (sources linted together, which user data of a container file)
    outcomes = None
    if len(groups) >= PARALLEL_THRESHOLD:
        from nodecfg.cli.commands._pool import in_pool

        outcomes = in_pool(args, groups, _check_group)
    if outcomes is None:
        outcomes = [_check_group(args, group) for group in groups]
    for outcome in outcomes:
        if isinstance(outcome, int):  # a usage error, already printed
            return outcome
    diagnostics = [d for found, _, _ in outcomes for d in found]
    texts = {uri: text for _, found_texts, _ in outcomes for uri, text in found_texts.items()}
    _print(diagnostics, texts, args)
    return max((code for _, _, code in outcomes), default=EXIT_OK)  # a directory with no config: nothing failed


def _check_group(args, group):
    """(findings, the texts they point into, exit code) for one group, or a usage exit code."""
    from nodecfg.cli.commands._common import exit_code, run_pipeline

    sources, unit = group
    result = run_pipeline(args, sources, render=False, unit=unit)
    if isinstance(result, int):
        return result
    pointed_at = {d.span.uri for d in result.diagnostics}
    return result.diagnostics, {u: t for u, t in result.texts.items() if u in pointed_at}, exit_code(result)


def _print(diagnostics, texts: dict[str, str], args) -> None:
    output_format = args.format
    if args.statistics:
        if diagnostics:
            print(statistics(diagnostics, output_format))
        return
    if output_format in ("text", "concise"):
        from nodecfg.output.report import format_text, summary
        from nodecfg.output.terminal import colourise

        if diagnostics:
            if output_format == "text":
                shown = format_text(diagnostics, texts)
            else:
                from nodecfg.output.formats import format_concise

                shown = format_concise(diagnostics)
            print(colourise(shown) if args.color == "always" else shown)
            if not args.quiet:
                print(f"nodecfg: {summary(diagnostics)}", file=sys.stderr)
        return
    from nodecfg.output import formats
    from nodecfg.output.report import limit

    diagnostics, notes = limit(diagnostics)  # bounded output, whatever the input
    for note in notes:
        print(note, file=sys.stderr)
    if output_format == "json":
        print(formats.format_json(diagnostics))
    elif output_format == "sarif":
        from nodecfg import __version__

        print(formats.format_sarif(diagnostics, __version__, root=args.sarif_root, texts=texts))
    elif output_format == "junit":
        print(formats.format_junit(diagnostics, [s for s in args.sources if s != "-"]))
    elif output_format == "gitlab":
        print(formats.format_gitlab(diagnostics, texts))
    elif diagnostics:
        print(formats.format_github(diagnostics))


def show_settings(args) -> int:
    from nodecfg.cli.commands._common import settings_from
    from nodecfg.linter.config import ConfigError, describe

    try:
        settings = settings_from(args)
    except ConfigError as error:
        print(f"nodecfg: {error}", file=sys.stderr)
        return EXIT_USAGE
    print(describe(settings))
    return EXIT_OK


def statistics(diagnostics, output_format: str = "text") -> str:
    """Findings counted per code, most frequent first, as ruff's --statistics prints them."""
    import collections
    import json

    from nodecfg.linter.registry import catalogue

    rules = catalogue()
    counts = collections.Counter(d.code for d in diagnostics)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if output_format == "json":
        return json.dumps([{"code": code, "name": rules[code].name if code in rules else code.lower(),
                            "count": count} for code, count in rows], indent=2)
    width = len(str(rows[0][1]))
    return "\n".join(f"{count:>{width}}\t{code}\t{rules[code].name if code in rules else ''}"
                     for code, count in rows)


def list_rules(output_format: str = "text") -> str:
    from nodecfg.linter.registry import catalogue

    rules = catalogue().values()
    if output_format == "json":
        import json

        return json.dumps([{"code": rule.code, "name": rule.name, "severity": str(rule.severity),
                            "stage": rule.stage, "blocking": rule.blocking, "summary": rule.summary,
                            "retired": bool(rule.retired)}
                           for rule in rules], indent=2)
    width = max(len(rule.name) for rule in rules)
    marks = {"safe": "[fix]", "unsafe": "[unsafe fix]"}
    return "\n".join(f"{rule.code}  {str(rule.severity):<7}  {rule.stage:<9}  {rule.name:<{width}}  "
                     f"{'blocking' if rule.blocking else '':<8}  {marks.get(rule.fix, ''):<12}  "
                     f"{'(retired: never reported) ' if rule.retired else ''}{rule.summary}"
                     for rule in rules)
