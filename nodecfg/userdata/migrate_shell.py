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

import re
from dataclasses import dataclass, field

BOOTSTRAP_COMMAND = re.compile(r"(?:^|/)bootstrap\.sh$")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
_OPERATORS = ("&&", "||", ";;", ";", "|", "&")
_WRAPPERS = {"sudo", "exec", "bash", "sh", "command", "env", "nohup", "time"}


@dataclass
class Word:
    text: str  # the value after quote removal and expansion
    start: int  # offset in the logical line
    end: int
    raw: str = ""
    unresolved: list[str] = field(default_factory=list)  # expansions kept verbatim


@dataclass
class Command:
    words: list[Word]
    start: int
    end: int
    operator: str = ""  # the list operator that follows it


@dataclass
class LogicalLine:
    text: str
    first: int  # 0-based index of its first physical line
    last: int  # 0-based index of its last physical line
    offsets: list[tuple[int, int, int]]  # (offset in text, physical line index, column of that offset)

    def position(self, offset: int) -> tuple[int, int]:
        """(0-based physical line, 1-based column) of an offset in the joined text."""
        line, col, base = self.first, 1, 0
        for start, index, column in self.offsets:
            if start <= offset:
                line, col, base = index, column, start
        return line, col + offset - base


@dataclass
class Script:
    lines: list[str]
    logical: list[LogicalLine]
    heredoc_bodies: dict[str, str]  # target path -> text written by a heredoc
    heredoc_lines: set[int]  # physical lines inside heredoc bodies (and their delimiters)


def read_script(text: str) -> Script:
    """Split a script into logical command lines, skipping heredoc bodies."""
    from nodecfg.parse.shell import _guess_heredocs, _literal_path, _parse_command

    lines = text.split("\n")
    logical: list[LogicalLine] = []
    bodies: dict[str, str] = {}
    in_heredoc: set[int] = set()
    index = 0
    while index < len(lines):
        first = index
        pieces, offsets, length = [], [], 0
        while index < len(lines):
            line = lines[index]
            offsets.append((length, index, 1))
            index += 1
            trailing = len(line) - len(line.rstrip("\\"))
            if trailing % 2 == 0 or line.lstrip().startswith("#"):
                pieces.append(line)
                length += len(line)
                break
            pieces.append(line[:-1])
            length += len(line) - 1
        joined = "".join(pieces)
        logical.append(LogicalLine(joined, first, index - 1, offsets))
        if "<<" in joined and not joined.lstrip().startswith("#"):
            heredocs = _parse_command(joined) or _guess_heredocs(joined)
            for heredoc in heredocs:
                body, index = _heredoc_body(lines, index, heredoc.delimiter, heredoc.strip_tabs, in_heredoc)
                for target in heredoc.targets:
                    path = _literal_path(target)
                    if path:
                        bodies[path] = body
    return Script(lines, logical, bodies, in_heredoc)


def _heredoc_body(lines: list[str], index: int, delimiter: str, strip_tabs: bool,
                  in_heredoc: set[int]) -> tuple[str, int]:
    body = []
    while index < len(lines):
        line = lines[index]
        in_heredoc.add(index)
        index += 1
        if (line.lstrip("\t") if strip_tabs else line) == delimiter:
            break
        body.append(line)
    return "".join(line + "\n" for line in body), index


class Expander:
    """Turns a logical line into commands of words, expanding the variables known so far."""

    def __init__(self, variables: dict[str, str]) -> None:
        self.variables = variables

    def commands(self, text: str) -> list[Command] | None:
        """The simple commands of a line, or None when it uses syntax this reader does not follow."""
        commands: list[Command] = []
        words: list[Word] = []
        start = position = 0
        while position < len(text):
            char = text[position]
            if char in " \t":
                position += 1
                continue
            if char == "#" and not words:
                break
            operator = next((op for op in _OPERATORS if text.startswith(op, position)), "")
            if operator:
                commands.append(Command(words, start, position, operator))
                words, position = [], position + len(operator)
                start = position
                continue
            if char in "<>()":
                return None  # redirections, subshells and process substitution: not a bootstrap call
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
    def _skip_word(text: str, position: int) -> int:
        while position < len(text) and text[position] not in " \t;&|<>()":
            position += 1
        return position

    def word(self, text: str, start: int) -> list[Word] | None:
        """One shell word at start: usually one Word, several when an unquoted expansion splits."""
        pieces: list[str] = [""]
        unresolved: list[str] = []
        position = start
        quoted = False
        while position < len(text) and text[position] not in " \t;&|<>()":
            char = text[position]
            if char == "'":
                end = text.find("'", position + 1)
                if end < 0:
                    return None
                pieces[-1] += text[position + 1:end]
                position, quoted = end + 1, True
            elif char == '"':
                position = self._double(text, position + 1, pieces, unresolved)
                if position < 0:
                    return None
                quoted = True
            elif char == "\\" and position + 1 < len(text):
                pieces[-1] += text[position + 1]
                position += 2
            elif char in "$`":
                value, position, kept = self._expansion(text, position)
                if value is None:
                    return None
                if kept:
                    unresolved.append(kept)
                    pieces[-1] += value
                else:  # unquoted: split on blanks
                    fields = value.split()
                    if fields:
                        if value[:1].isspace():
                            pieces.append("")
                        pieces[-1] += fields[0]
                        for extra in fields[1:]:
                            pieces.append(extra)
                        if value[-1:].isspace():
                            pieces.append("")
            else:
                pieces[-1] += char
                position += 1
        raw = text[start:position]
        values = [piece for piece in pieces if piece] or ([""] if quoted else [])
        return [Word(value, start, position, raw, list(unresolved)) for value in values]

    def _double(self, text: str, position: int, pieces: list[str], unresolved: list[str]) -> int:
        while position < len(text):
            char = text[position]
            if char == '"':
                return position + 1
            if char == "\\" and position + 1 < len(text) and text[position + 1] in '$`"\\':
                pieces[-1] += text[position + 1]
                position += 2
            elif char in "$`":
                value, position, kept = self._expansion(text, position)
                if value is None:
                    return -1
                if kept:
                    unresolved.append(kept)
                pieces[-1] += value
            else:
                pieces[-1] += char
                position += 1
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
                    return (value if value or not _ else default), end + 1, ""
                if _ and "$" not in default:
                    return default, end + 1, ""
            return kept, end + 1, kept
        match = _NAME.match(text, position + 1)
        if match:
            name = match.group(0)
            if name in self.variables:
                return self.variables[name], match.end(), ""
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
