"""nodecfg build: write every file nodeadm would write, to a directory or tarball."""
from __future__ import annotations

import argparse
import sys

from nodecfg.cli.commands._common import EXIT_FINDINGS, EXIT_USAGE, add_instance_arguments, add_source_arguments, defaulted_note, \
    print_diagnostics, release_note

ROOTFS_TOP_LEVEL = {"etc", "run", "var"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_source_arguments(parser)
    add_instance_arguments(parser)
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="a directory, or a .tar, .tar.gz or .tgz file")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing directory even if it does not look like a nodecfg rootfs")


# Names that promise an archive nodecfg does not write; anything else without .tar/.tar.gz/.tgz is a directory.
UNSUPPORTED_SUFFIXES = (".zip", ".gz", ".bz2", ".xz", ".zst", ".tbz2", ".txz", ".7z", ".rar", ".cpio")


def run(args) -> int:
    from nodecfg.pipeline import Verdict
    from nodecfg.cli.commands._common import run_pipeline

    refused = output_refusal(args.output)
    if refused:
        print(f"nodecfg build: {refused}", file=sys.stderr)
        return EXIT_USAGE

    result = run_pipeline(args)
    if isinstance(result, int):
        return result
    print_diagnostics(result.diagnostics, result.texts)
    if result.usage_error:
        return EXIT_USAGE
    if result.verdict is not Verdict.OK or result.tree is None:
        print("nodecfg: nothing written: " + ("the configuration has errors" if result.has_errors
                                               else "the node's files cannot be built from these sources alone"),
              file=sys.stderr)
        return EXIT_FINDINGS
    refusal = _refuse_to_replace(args.output, args.force)
    if refusal:
        print(f"nodecfg: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    for note in (release_note(result.instance), defaulted_note(result.instance)):
        if note:
            print(note, file=sys.stderr)
    return _write(result.tree, args.output)


def output_refusal(output: str) -> str:
    """Why -o OUT is a usage error ('-', an archive type nodecfg cannot write), or ''."""
    lowered = output.lower()
    if output == "-":
        return "-o - (stdout) is not supported: give a directory, or a .tar, .tar.gz or .tgz file"
    if lowered.endswith((".tar.gz", ".tgz", ".tar")):
        return ""
    if lowered.endswith(UNSUPPORTED_SUFFIXES):
        return (f"-o {output}: nodecfg writes a directory, or a .tar, .tar.gz or .tgz file, "
                "not this kind of archive")
    return ""


def _write(files, output: str) -> int:
    from nodecfg.output.emit import EmitError, write_output

    try:
        write_output(files, output)
    except EmitError as error:
        print(f"nodecfg: {error}", file=sys.stderr)
        return error.exit_code  # 2, or 128 + the signal that interrupted the write
    return 0


def _refuse_to_replace(output: str, force: bool) -> str:
    """Why an existing directory at output must not be replaced, or ''."""
    import os

    if force or not os.path.isdir(output) or os.path.islink(output):
        return ""
    unexpected = sorted(set(os.listdir(output)) - ROOTFS_TOP_LEVEL)
    if not unexpected:
        return ""
    return (f"{output} exists and holds {', '.join(unexpected[:3])}, which nodecfg did not write; "
            "choose another output or pass --force to replace it")
