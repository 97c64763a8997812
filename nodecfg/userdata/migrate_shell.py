"""Reading Amazon Linux 2 user-data scripts for ``nodecfg migrate``: logical lines,
shell words, variables set earlier, and the ``/etc/eks/bootstrap.sh`` call.

Only as much shell as AL2 user data uses: backslash-newline continuations,
``NAME=value`` / ``export NAME=value`` assignments, ``'...'`` and ``"..."``
quoting, ``$NAME`` / ``${NAME}`` / ``${NAME:-default}`` expansion with word
splitting of unquoted expansions (bash's default IFS), and command lists
(``;``, ``&&``, ``||``, ``|``).  What this cannot resolve is kept verbatim:
``${...}`` of a variable the script never sets (a Terraform template
placeholder, filled in before the instance sees the text), ``$(...)`` and
backquotes.  Heredoc bodies are skipped with the heredoc reader of
parse/shell.py, and their text is remembered by target path, so a file the
script writes (``--containerd-config-file``) can be followed.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nodecfg.parse.bash import HeredocBody

BOOTSTRAP_COMMAND = re.compile(r"(?:^|/)bootstrap\.sh$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
_OPERATOR = re.compile(r"&&|\|\||;;|[;|&]")
_REDIRECT = re.compile(r"&>>?|<<<|<<-?|>>|>\||<>|>&|<&|>|<")
_WORD_END = frozenset(" \t\n;&|<>()")
_PLAIN = re.compile(r"[^ \t\n;&|<>()'\"\\$`]+")
_DOUBLE_PLAIN = re.compile(r'[^"\\$`]+')
_WRAPPERS = {"sudo", "exec", "bash", "sh", "command", "env", "nohup", "time"}


class Word:
    """One shell word (a plain class with slots: the expander makes one per word of the script)."""

    __slots__ = ("text", "start", "end", "raw", "unresolved")

    def __init__(self, text: str, start: int, end: int, raw: str = "", unresolved: list[str] | None = None) -> None:
        self.text = text  # the value after quote removal and expansion
        self.start = start  # offset in the logical line
        self.end = end
        self.raw = raw
        self.unresolved = [] if unresolved is None else unresolved  # expansions kept verbatim

    def __repr__(self) -> str:
        return f"Word({self.text!r}, {self.start}, {self.end})"


class Command:
    __slots__ = ("words", "start", "end", "operator")

    def __init__(self, words: list[Word], start: int, end: int, operator: str = "") -> None:
        self.words = words
        self.start = start
        self.end = end
        self.operator = operator  # the list operator that follows it


@dataclass
class LogicalLine:
    text: str
    first: int  # 0-based index of its first physical line
    last: int  # 0-based index of its last physical line
    offsets: tuple[tuple[int, int, int], ...]  # (offset in text, physical line index, column of that offset)

    def position(self, offset: int) -> tuple[int, int]:
        """(0-based physical line, 1-based column) of an offset in the joined text."""
        found = bisect.bisect_right(self.offsets, (offset, float("inf"), 0)) - 1
        if found < 0:
            return self.first, 1 + offset
        start, index, column = self.offsets[found]
        return index, column + offset - start


@dataclass
class Script:
    lines: list[str]
    logical: list[LogicalLine]
    heredoc_bodies: dict[str, HeredocBody]  # target path -> the heredoc written there
    heredoc_lines: set[int]  # physical lines inside heredoc bodies (and their delimiters)
    heredocs: list[HeredocBody]  # every heredoc, in script order
    problem: tuple[int, int, str] | None  # (line index, column, why) where the shell could not be read
    too_many_heredocs: int | None  # line index of the command past MAX_HEREDOCS


def read_script(text: str) -> Script:
    """Split a script into logical command lines as bash does (parse/bash.py read_shell), skipping heredoc bodies."""
    from nodecfg.parse.bash import read_shell
    from nodecfg.parse.shell import _literal_path, heredoc_targets

    shell = read_shell(text)
    logical: list[LogicalLine] = []
    bodies: dict[str, HeredocBody] = {}
    in_heredoc: set[int] = set()
    heredocs: list[HeredocBody] = []
    for command in shell.commands:
        logical.append(LogicalLine(command.text, command.first, command.last, command.offsets))
        if not command.heredocs:
            continue
        targets = heredoc_targets(command) or [()] * len(command.heredocs)
        for body, found in zip(command.heredocs, targets):
            heredocs.append(body)
            in_heredoc.update(range(body.first, body.stop + 1 if body.terminated else body.stop))
            for target in found:
                path = _literal_path(target)
                if path:
                    bodies[path] = body
    return Script(shell.lines, logical, bodies, in_heredoc, heredocs, shell.problem, shell.too_many_heredocs)


class ExpansionTooLarge(Exception):
    """Variable expansions produced more text than migrate reads (docs/limits.md)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"variable expansions produce more than {limit} bytes")
        self.limit = limit


class Expander:
    """Turns a logical line into commands of words, expanding the variables known so far.

    ``budget`` bounds the characters all expansions together may produce, so
    that ``A="$A$A"`` repeated cannot grow without end; past it, ``commands``
    raises ExpansionTooLarge.  Words are built from slices, never a character
    at a time, so the work is linear in the text and the expansions.
    """

    def __init__(self, variables: dict[str, str], budget: int | None = None) -> None:
        from nodecfg.parse.source import Limits

        self.variables = variables
        self.limit = Limits().max_decoded_bytes if budget is None else budget
        self.left = self.limit

    def _charge(self, value: str) -> str:
        self.left -= len(value)
        if self.left < 0:
            raise ExpansionTooLarge(self.limit)
        return value

    def commands(self, text: str) -> list[Command] | None:
        """The simple commands of a line, or None when it uses syntax this reader does not follow."""
        commands: list[Command] = []
        words: list[Word] = []
        start = position = 0
        while position < len(text):
            char = text[position]
            if char in " \t\n":
                position += 1
                continue
            if char == "#":
                break  # a comment: # at the start of a word
            redirect = _REDIRECT.match(text, position) if char in "<>&" else None
            if redirect:  # `> FILE`, `2>&1`, `<<EOF`: not words of the command
                if words and words[-1].end == position and words[-1].raw.isdigit():
                    words.pop()  # the descriptor number of `2>`
                target = self.word(text, self._skip_blanks(text, redirect.end()))
                if not target:
                    return None
                position = target[-1].end
                continue
            found = _OPERATOR.match(text, position) if char in ";&|" else None
            if found:
                operator = found.group()
                commands.append(Command(words, start, position, operator))
                words, position = [], position + len(operator)
                start = position
                continue
            if char in "()":
                return None  # subshells, process substitution and function definitions: not followed
            parsed = self.word(text, position)
            if parsed is None:
                return None
            words.extend(parsed)
            position = parsed[-1].end if parsed else position + 1
            if not parsed:  # an empty unquoted expansion: skip its raw text
                position = self._skip_word(text, position)
        if words or not commands:
            commands.append(Command(words, start, len(text)))
        return commands

    @staticmethod
    def _skip_blanks(text: str, position: int) -> int:
        while position < len(text) and text[position] in " \t":
            position += 1
        return position

    @staticmethod
    def _skip_word(text: str, position: int) -> int:
        while position < len(text) and text[position] not in _WORD_END:
            position += 1
        return position

    def word(self, text: str, start: int) -> list[Word] | None:
        """One shell word at start: usually one Word, several when an unquoted expansion splits."""
        plain = _PLAIN.match(text, start)
        if plain and (plain.end() == len(text) or text[plain.end()] in _WORD_END):
            return [Word(plain.group(), start, plain.end(), plain.group())]  # no quotes, escapes or expansions
        fields: list[list[str]] = [[]]
        unresolved: list[str] = []
        position = start
        quoted = False
        while position < len(text) and text[position] not in _WORD_END:
            char = text[position]
            if char == "'":
                end = text.find("'", position + 1)
                if end < 0:
                    return None
                fields[-1].append(text[position + 1:end])
                position, quoted = end + 1, True
            elif char == '"':
                position = self._double(text, position + 1, fields[-1], unresolved)
                if position < 0:
                    return None
                quoted = True
            elif char == "\\" and position + 1 < len(text):
                fields[-1].append(text[position + 1])
                position += 2
            elif text.startswith('$"', position):  # a translatable string: the same as "..."
                position += 1
            elif text.startswith("$'", position):  # ANSI-C quoting: followed only without escapes
                end = text.find("'", position + 2)
                if end < 0 or "\\" in text[position + 2:end]:
                    return None
                fields[-1].append(text[position + 2:end])
                position, quoted = end + 1, True
            elif char in "$`":
                value, position, kept = self._expansion(text, position)
                if value is None:
                    return None
                if kept:
                    unresolved.append(kept)
                    fields[-1].append(value)
                else:  # unquoted: split on blanks
                    parts = value.split()
                    if parts:
                        if value[:1].isspace():
                            fields.append([])
                        fields[-1].append(parts[0])
                        fields.extend([part] for part in parts[1:])
                        if value[-1:].isspace():
                            fields.append([])
            else:
                match = _PLAIN.match(text, position)
                fields[-1].append(match.group() if match else char)
                position = match.end() if match else position + 1
        raw = text[start:position]
        values = [value for value in map("".join, fields) if value] or ([""] if quoted else [])
        return [Word(value, start, position, raw, list(unresolved)) for value in values]

    def _double(self, text: str, position: int, pieces: list[str], unresolved: list[str]) -> int:
        while position < len(text):
            char = text[position]
            if char == '"':
                return position + 1
            if char == "\\" and position + 1 < len(text) and text[position + 1] in '$`"\\':
                pieces.append(text[position + 1])
                position += 2
            elif char in "$`":
                value, position, kept = self._expansion(text, position)
                if value is None:
                    return -1
                if kept:
                    unresolved.append(kept)
                pieces.append(value)
            else:
                match = _DOUBLE_PLAIN.match(text, position)
                pieces.append(match.group() if match else char)
                position = match.end() if match else position + 1
        return -1

    def _expansion(self, text: str, position: int) -> tuple[str | None, int, str]:
        """(value, next position, the text kept verbatim when it cannot be resolved)."""
        if text[position] == "`":
            end = text.find("`", position + 1)
            if end < 0:
                return None, position, ""
            kept = text[position:end + 1]
            return kept, end + 1, kept
        if text.startswith("$(", position):
            end = _matching_paren(text, position + 1)
            if end < 0:
                return None, position, ""
            kept = text[position:end + 1]
            return kept, end + 1, kept
        if text.startswith("${", position):
            end = text.find("}", position + 2)
            if end < 0:
                return None, position, ""
            inner = text[position + 2:end]
            kept = text[position:end + 1]
            name, _, default = inner.partition(":-")
            if _NAME.fullmatch(name):
                if name in self.variables:
                    value = self.variables[name]
                    return self._charge(value if value or not _ else default), end + 1, ""
                if _ and "$" not in default:
                    return default, end + 1, ""
            return kept, end + 1, kept
        match = _NAME.match(text, position + 1)
        if match:
            name = match.group(0)
            if name in self.variables:
                return self._charge(self.variables[name]), match.end(), ""
            return text[position:match.end()], match.end(), text[position:match.end()]
        return "$", position + 1, ""


def _matching_paren(text: str, open_at: int) -> int:
    depth = 0
    for index in range(open_at, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    return -1


def assignments(command: Command) -> tuple[list[tuple[str, Word]], bool, list[Word]]:
    """(NAME=value prefix words, whether it is `export`, the words after the assignments)."""
    words = list(command.words)
    exported = bool(words) and words[0].text == "export" and words[0].raw == "export"
    if exported:
        words = words[1:]
    found = []
    while words:
        match = _ASSIGNMENT.match(words[0].raw)
        if not match or not words[0].text.startswith(match.group(1) + "="):
            break
        word = words.pop(0)
        name = match.group(1)
        found.append((name, Word(word.text[len(name) + 1:], word.start, word.end, word.raw, word.unresolved)))
    return found, exported, words


def bootstrap_arguments(words: list[Word]) -> list[Word] | None:
    """The arguments of a bootstrap.sh call (after sudo/bash/exec wrappers), or None if it is not one."""
    index = 0
    while index < len(words) and (words[index].text in _WRAPPERS or words[index].text.startswith("-")):
        index += 1
    if index < len(words) and BOOTSTRAP_COMMAND.search(words[index].text):
        return words[index + 1:]
    return None
