"""`--help` is laid out at the terminal's width, exactly as argparse's own formatter does it.

nodecfg.cli.main.HelpFormatter asks for the width only when it formats text
(argparse makes a formatter for every add_argument); the text must not change.
"""
from __future__ import annotations

import argparse

import pytest

from nodecfg.cli import main
from nodecfg.cli.commands import COMMANDS


def _help(command: str | None, formatter) -> str:
    original = main.HelpFormatter
    main.HelpFormatter = formatter
    try:
        parser = main.build_parser(command)
    finally:
        main.HelpFormatter = original
    if command is None:
        return parser.format_help()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return subparsers.choices[command].format_help()


@pytest.mark.parametrize("columns", ["40", "72", "160"])
@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_argparse_help_at_the_terminal_width(command, columns, monkeypatch):
    monkeypatch.setenv("COLUMNS", columns)
    assert _help(command, main.HelpFormatter) == _help(command, argparse.HelpFormatter)


def test_the_width_is_asked_for_when_help_is_printed(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    narrow = _help("max-pods", main.HelpFormatter)
    monkeypatch.setenv("COLUMNS", "160")
    assert narrow != _help("max-pods", main.HelpFormatter)
    assert max(map(len, narrow.splitlines())) <= 60
