"""Command-line entry point: argument parsing and dispatch only.

Subcommand modules are imported only when chosen, so ``nodecfg check`` pays
for nothing it does not use.  Exit codes (docs/cli.md): 0 ok, 1 configuration errors,
2 usage or I/O errors, 3 internal error (no traceback unless --debug), 141 when
stdout is closed early (a broken pipe, as a process killed by SIGPIPE reports).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from nodecfg import __version__
from nodecfg.cli.commands import COMMANDS

EXIT_OK, EXIT_CONFIG, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 128 + 13  # 128 + SIGPIPE: what the shell reports for `yes | head -1`


class HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, asking the terminal for its width only when it lays out text.

    argparse makes a formatter for every add_argument (to check the metavar), and
    each one asks for the width, which imports shutil: milliseconds of every run
    that prints no help.  The width is what HelpFormatter.__init__ computes.
    """

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=80)  # replaced below before any text is laid out

    def format_help(self) -> str:
        import shutil

        width = shutil.get_terminal_size().columns - 2
        self._width = width
        self._max_help_position = min(24, max(width - 20, self._indent_increment * 2))
        return super().format_help()


def build_parser(command: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nodecfg", description="Offline compiler and linter for EKS nodeadm NodeConfig.", allow_abbrev=False,
        formatter_class=HelpFormatter)
    parser.add_argument("--version", action="version", version=f"nodecfg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    # prog given: argparse would lay out a usage line (and ask the terminal's width) to find it
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", prog="nodecfg")
    for name, (module_name, summary) in COMMANDS.items():
        if command is not None and name != command:
            continue  # a chosen command needs only its own parser (the list is for --help and typos)
        sub = subparsers.add_parser(name, help=summary, description=summary, allow_abbrev=False,
                                     formatter_class=HelpFormatter)
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        if name == command:  # only the chosen command's module is imported
            _module(module_name).add_arguments(sub)
    return parser


def _module(module_name: str):
    return importlib.import_module(f"nodecfg.cli.commands.{module_name}")


def _chosen_command(argv: list[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Like parse_args, but positionals may follow options (`build a.yaml -o out b.yaml`)."""
    args, extras = parser.parse_known_args(argv)
    if extras and hasattr(args, "sources") and not any(e.startswith("-") and e != "-" for e in extras):
        args.sources.extend(extras)
    elif extras:
        parser.error("unrecognized arguments: " + " ".join(extras))
    return args


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _escape_unencodable()
    command = _chosen_command(argv)
    parser = build_parser(command if command in COMMANDS else None)
    try:
        args = _parse(parser, argv)
    except SystemExit as exit_:
        return EXIT_USAGE if exit_.code not in (0, None) else EXIT_OK
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        code = _module(COMMANDS[args.command][0]).run(args)
        sys.stdout.flush()  # a reader that went away shows here, not at interpreter exit
        return code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    except Exception:  # the guard: never a traceback for the user
        if args.debug:
            raise
        print("nodecfg: internal error, please report it with the input that caused it "
              "(rerun with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL


def _escape_unencodable() -> None:
    """Characters the output encoding lacks (PYTHONIOENCODING=ascii, a C locale) print as \\x escapes.

    The findings quote the input, which may hold any character; a report
    with an escape beats a crash half-way through it.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
            try:
                reconfigure(errors="backslashreplace")
            except (ValueError, OSError):  # a stream that cannot change (closed, or detached)
                pass


def _discard_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured in a test)
        pass


def run() -> NoReturn:
    """The ``nodecfg`` command: main(), then exit without tearing the interpreter down.

    A short-lived process gains nothing from freeing every module and object one by
    one at exit, and that costs about 35 ms after a cold `check` here and 70 ms after
    `check --each` of 50 files (a fifth of the run).  Everything nodecfg writes is
    flushed and closed before main() returns, and its forked workers are joined,
    so the only thing skipped is the teardown.  main() itself stays a plain call
    for tests and embedding.
    """
    import os

    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = EXIT_BROKEN_PIPE
    except (OSError, ValueError):
        pass  # a stream already closed: nothing is left to write to it
    os._exit(code)
