"""`check --fix` / `--diff` / `--unsafe-fixes` as the CLI runs them: options in, files written, summary out.

The fixing itself is the linter's (nodecfg/linter/fix.py ``fix_files``); this
module turns check's arguments into the Request each round lints with, writes the fixed files
with the one safe writer (nodecfg/output/safe_write.py) or prints them as a
unified diff, and says what it did.
"""
from __future__ import annotations

import difflib
import sys


def fix_request(args):
    """The Request `nodecfg check` would lint with for these arguments, to lint each fix round with.

    From the command line's mode, instance context, limits and settings
    (nodecfg/cli/commands/_common.py); the findings about the context and a
    broken settings file are check's to report, not the fixer's.
    """
    from nodecfg.cli.commands._common import instance_from_args, limits_from, settings_from
    from nodecfg.linter.config import ConfigError
    from nodecfg.pipeline import Request

    instance, extra_table, _ = instance_from_args(args)  # check itself reports problems with them
    try:
        settings = settings_from(args)
    except ConfigError:  # check reports a broken configuration
        settings = None
    return Request((), args.mode, instance, extra_table, settings=settings, limits=limits_from(args), render=False)


def run_fix(args) -> int:
    """`check --fix` / `--diff`: fix each SOURCE file, then lint again and report as check does.

    A fixed file is written never in place, never through a symbolic link, never
    over a read-only file.  A file that cannot be written is named and the run exits 2.
    Returns the exit code, or -1: the caller lints again and prints what remains.
    """
    from nodecfg.linter.fix import fix_files
    from nodecfg.output.safe_write import WriteError, write_file

    written, fixed_count, differences, failed = [], 0, [], False
    for done in fix_files(args.sources, unsafe=args.unsafe_fixes, request=fix_request(args),
                          max_bytes=args.max_input_bytes):
        if done.result is None:  # unreadable: --fix's lint reports it as NC140
            if args.diff:
                print(f"nodecfg check --diff: cannot read {done.source}: {done.error.strerror or done.error}",
                      file=sys.stderr)
                failed = True
            continue
        result = done.result
        if not result.changed:
            continue
        if args.diff:
            fixed_count += len(result.applied)
            differences.append(unified(done.source, result.original, result.fixed))
            continue
        try:
            write_file(done.source, result.fixed)
        except WriteError as error:
            print(f"nodecfg check --fix: {error} Its {len(result.applied)} fix(es) were not applied.",
                  file=sys.stderr)
            failed = True
            continue
        fixed_count += len(result.applied)
        written.append(done.source)
    if args.diff:
        sys.stdout.write("".join(differences))
        print(f"nodecfg: {fixed_count} fix{'es' if fixed_count != 1 else ''} would be applied", file=sys.stderr)
        return 2 if failed else 1 if differences else 0
    print(f"nodecfg: fixed {fixed_count} finding{'s' if fixed_count != 1 else ''} in {len(written)} "
          f"file{'s' if len(written) != 1 else ''}", file=sys.stderr)
    return 2 if failed else -1


def unified(name: str, before: bytes, after: bytes) -> str:
    """The fix as a unified diff of the decoded text (a base64/gzip file is labelled so)."""
    from nodecfg.linter.fix import encodings, unwrap_file

    old, layers = unwrap_file(before)
    new, _ = unwrap_file(after)
    layers = encodings(layers)
    label = f" (decoded {'+'.join(layers)})" if layers else ""
    text = "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"{name}{label}", f"{name}{label}"))
    return text if text.endswith("\n") else text + "\n"
