"""Reading a shell script the way bash does: where each command line ends, and which lines are heredoc bodies.

bash reads a command line up to a newline outside quotes, ``$(...)`` and
backquotes, then the bodies of the heredocs that line opened (bash's
parse.y, ``read_token`` and ``gather_here_documents``).  Everything that
decides which text bash runs as a command (the heredoc reader of
parse/shell.py, and ``nodecfg migrate``) reads scripts through
``read_shell``, so text inside a heredoc or a quoted string is never taken
for a command.  One pass, linear in the script's length; nesting and the
number of heredocs and lines are bounded (docs/limits.md).
"""

import bisect
import itertools
import re
from typing import NamedTuple
from nodecfg.core.lazy_re import LazyPattern

# Heredocs followed in one script.  Each costs a command-line parse and often a
# YAML document; real user data has a handful (docs/limits.md).
MAX_HEREDOCS = 100
# $(, ${, $(( and double quotes inside one another: the reader recurses once per level.
MAX_NESTING = 100

class CommandText(NamedTuple):
    """One command line as bash reads it: continuations and multi-line quotes included."""

    text: str  # backslash-newlines removed; newlines inside quotes kept
    first: int  # 0-based index of its first physical line
    last: int  # 0-based index of its last physical line
    offsets: tuple[tuple[int, int, int], ...]  # (offset in text, physical line index, 1-based column there)
    heredocs: tuple["HeredocBody", ...]


class HeredocBody(NamedTuple):
    delimiter: str  # the delimiter word after quote removal
    quoted: bool  # any quoting in the word: bash then leaves the body unexpanded
    strip_tabs: bool  # <<-
    first: int  # 0-based index of the body's first line
    stop: int  # index one past the body's last line
    terminated: bool  # a line holding only the delimiter ended it (that line is `stop`)
    lines: tuple[str, ...]  # the body's lines (leading tabs stripped for <<-)


class ShellText:
    """A script as read_shell reads it (by attribute only: a plain class, no NamedTuple to build at import)."""

    __slots__ = ("lines", "commands", "problem", "too_many_heredocs")

    def __init__(self, lines: list[str], commands: list[CommandText], problem: tuple[int, int, str] | None,
                 too_many_heredocs: int | None) -> None:
        self.lines = lines
        self.commands = commands
        self.problem = problem  # (line index, column, why) where reading stopped
        self.too_many_heredocs = too_many_heredocs  # line index of the command whose heredoc passed MAX_HEREDOCS


class UnreadableShell(Exception):
    def __init__(self, offset: int, why: str) -> None:
        super().__init__(why)
        self.offset, self.why = offset, why


# What matters while scanning, per context; everything else is skipped in one regex step.
_TOP_SPECIAL = re.compile(r"[\\'\"`$<#\n(]")
_DOUBLE_SPECIAL = re.compile(r"[\\\"`$]")
# inside $(...) and ${...}, which many scripts never write: compiled on first use
_NESTED_SPECIAL = LazyPattern(r"[\\'\"`$<()\n#]")
_BRACE_SPECIAL = LazyPattern(r"[\\'\"`$}]")
_ANSI_C_SPECIAL = LazyPattern(r"[\\']")
# The escapes of $'...' that nodecfg decodes in a heredoc delimiter (bash's ansicstr); others are refused.
_ANSI_C_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "?": "?", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b",
                   "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_WORD_END = frozenset(" \t\n;&|()<>")


def read_shell(script: str) -> ShellText:
    """Command lines and heredoc bodies, split where bash splits them (bash's parse.y, read_token).

    A command line ends at a newline outside quotes, ``$(...)`` and backquotes;
    the bodies of the heredocs it opened follow that newline, each up to a line
    holding only its delimiter: the operator's word with quotes removed
    (``<<"E O F"`` ends at ``E O F``).  A heredoc opened inside ``$(...)`` or
    backquotes, an unclosed quote or a missing delimiter word stop the reading
    with ``problem`` set, since bash's reading of everything after depends on
    them; so does a script of more than ``parse.yaml.MAX_LINES`` lines, which
    is not read at all.  Linear in the script's length.
    """
    from nodecfg.parse.yaml import MAX_LINES  # the one bound on lines in a text (docs/limits.md)

    lines = script.split("\n")
    if len(lines) > MAX_LINES:
        return ShellText(lines, [], (MAX_LINES, 1, f"the script has more than {MAX_LINES} lines, the limit "
                                     "for one text"), None)
    starts = [0, *itertools.accumulate(len(line) + 1 for line in lines[:-1])]
    commands: list[CommandText] = []
    position, index, count = 0, 0, 0
    while index < len(lines):
        if _TOP_SPECIAL.search(lines[index]) is None:  # no quote, escape, expansion, << or comment: one line
            commands.append(CommandText(lines[index], index, index, ((0, index, 1),), ()))
            index += 1
            position = starts[index] if index < len(lines) else len(script)
            continue
        try:
            end, pending = _scan_command(script, position)
        except UnreadableShell as error:
            line = bisect.bisect_right(starts, error.offset) - 1
            return ShellText(lines, commands, (line, error.offset - starts[line] + 1, error.why), None)
        last = bisect.bisect_right(starts, max(position, end - 1)) - 1 if end > position else index
        text, offsets = _join_continuations(script, position, min(end, len(script)), starts)
        next_line = last + 1
        bodies: list[HeredocBody] = []
        for delimiter, quoted, strip_tabs in pending:
            count += 1
            if count > MAX_HEREDOCS:
                commands.append(CommandText(text, index, last, offsets, tuple(bodies)))
                return ShellText(lines, commands, None, index)
            body, next_line = _read_body(lines, next_line, delimiter, quoted, strip_tabs)
            bodies.append(body)
        commands.append(CommandText(text, index, last, offsets, tuple(bodies)))
        index = next_line
        position = starts[index] if index < len(lines) else len(script)
    return ShellText(lines, commands, None, None)


def _read_body(lines: list[str], index: int, delimiter: str, quoted: bool, strip_tabs: bool
               ) -> tuple[HeredocBody, int]:
    first = index
    body: list[str] = []
    while index < len(lines):
        line = lines[index].lstrip("\t") if strip_tabs else lines[index]
        if line == delimiter:
            return HeredocBody(delimiter, quoted, strip_tabs, first, index, True, tuple(body)), index + 1
        body.append(line)
        index += 1
    if body and body[-1] == "" and index == len(lines):
        body.pop()  # the script's final newline, not a body line
    return HeredocBody(delimiter, quoted, strip_tabs, first, index, False, tuple(body)), index


def _join_continuations(script: str, start: int, end: int, starts: list[int]
                        ) -> tuple[str, tuple[tuple[int, int, int], ...]]:
    """The command's text with backslash-newlines removed, and where each physical line's piece begins."""
    if script.find("\n", start, end) < 0:  # the common case: one physical line
        line = bisect.bisect_right(starts, start) - 1
        return script[start:end], ((0, line, start - starts[line] + 1),)
    pieces: list[str] = []
    offsets: list[tuple[int, int, int]] = []
    length, position = 0, start
    line = bisect.bisect_right(starts, start) - 1
    while position < end:
        newline = script.find("\n", position, end)
        stop = end if newline < 0 else newline
        piece = script[position:stop]
        offsets.append((length, line, position - starts[line] + 1))
        continued = newline >= 0 and (len(piece) - len(piece.rstrip("\\"))) % 2 == 1 and \
            not _in_comment(piece)
        if continued:
            piece = piece[:-1]
        elif newline >= 0:
            piece += "\n"
        pieces.append(piece)
        length += len(piece)
        position, line = stop + 1, line + 1
    text = "".join(pieces)
    return text.removesuffix("\n"), tuple(offsets)


def _in_comment(piece: str) -> bool:
    return piece.lstrip().startswith("#")


def _scan_command(text: str, position: int) -> tuple[int, list[tuple[str, bool, bool]]]:
    """(offset of the newline that ends the command line, or the text's end; heredocs it opens)."""
    pending: list[tuple[str, bool, bool]] = []
    n = len(text)
    while True:
        match = _TOP_SPECIAL.search(text, position)
        if match is None:
            return n, pending
        position = match.start()
        char = text[position]
        if char == "\n":
            return position, pending
        if char == "\\":
            position += 2
        elif char == "'":
            position = _single(text, position)
        elif char == '"':
            position = _double(text, position + 1)
        elif char == "`":
            position = _backquote(text, position + 1)
        elif char == "$":
            position = _dollar(text, position, 0)
        elif char == "#":
            if position == 0 or text[position - 1] in " \t\n;&|()<>":
                newline = text.find("\n", position)
                return (n if newline < 0 else newline), pending
            position += 1
        elif char == "(":
            if text.startswith("((", position):  # arithmetic command: << is a shift there
                position = _nested(text, position + 2, depth=2, arithmetic=True, level=1)
            else:
                position += 1
        elif text.startswith("<<<", position):
            position += 3
        elif text.startswith("<<", position):
            strip = text.startswith("<<-", position)
            position, heredoc = _delimiter(text, position + (3 if strip else 2), position)
            pending.append((*heredoc, strip))
        else:
            position += 1


def _single(text: str, position: int) -> int:
    end = text.find("'", position + 1)
    if end < 0:
        raise UnreadableShell(position, "a single quote is never closed")
    return end + 1


def _double(text: str, position: int, level: int = 0) -> int:
    """Offset after the closing double quote; ``position`` is just after the opening one."""
    start = position - 1
    while True:
        match = _DOUBLE_SPECIAL.search(text, position)
        if match is None:
            raise UnreadableShell(start, "a double quote is never closed")
        position = match.start()
        char = text[position]
        if char == '"':
            return position + 1
        if char == "\\":
            position += 2
        elif char == "`":
            position = _backquote(text, position + 1)
        else:
            position = _dollar(text, position, level, quoted=True)


def _backquote(text: str, position: int) -> int:
    start = position - 1
    while True:
        end = text.find("`", position)
        if end < 0:
            raise UnreadableShell(start, "a backquote is never closed")
        backslashes = len(text[position:end]) - len(text[position:end].rstrip("\\"))
        if backslashes % 2 == 0:
            if "<<" in text[start:end]:
                raise UnreadableShell(start, "a heredoc inside a backquoted command")
            return end + 1
        position = end + 1


def _dollar(text: str, position: int, level: int, quoted: bool = False) -> int:
    """Offset after an expansion at ``$``; ``quoted``: inside double quotes, where $'...' is no string."""
    if level >= MAX_NESTING:
        raise UnreadableShell(position, f"quotes and substitutions nest more than {MAX_NESTING} deep")
    if text.startswith("$((", position):
        return _nested(text, position + 3, depth=2, arithmetic=True, level=level + 1)
    if text.startswith("$(", position):
        return _nested(text, position + 2, depth=1, arithmetic=False, level=level + 1)
    if text.startswith("${", position):
        return _brace(text, position + 2, level + 1, quoted)
    if text.startswith("$'", position) and not quoted:
        return _ansi_c(text, position + 1)
    return position + 2 if text.startswith("$$", position) else position + 1  # $$ is the process id


def _ansi_c(text: str, position: int) -> int:
    """Offset after a $'...' string (``position`` at its quote): a backslash escapes the next character."""
    start = position - 1
    position += 1
    while True:
        match = _ANSI_C_SPECIAL.search(text, position)
        if match is None:
            raise UnreadableShell(start, "a $' string is never closed")
        if match.group() == "'":
            return match.end()
        position = match.end() + 1


def _brace(text: str, position: int, level: int, quoted: bool = False) -> int:
    start = position - 2
    while True:
        match = _BRACE_SPECIAL.search(text, position)
        if match is None:
            raise UnreadableShell(start, "a ${ is never closed")
        position = match.start()
        char = text[position]
        if char == "}":
            return position + 1
        if char == "\\":
            position += 2
        elif char == "'":
            position = position + 1 if quoted else _single(text, position)  # literal in "${x:-'a'}"
        elif char == '"':
            position = _double(text, position + 1, level)
        elif char == "`":
            position = _backquote(text, position + 1)
        else:
            position = _dollar(text, position, level, quoted)


def _nested(text: str, position: int, depth: int, arithmetic: bool, level: int) -> int:
    """Offset after the parentheses that close ``$(``, ``$((`` or ``((``."""
    start = position - depth
    while True:
        match = _NESTED_SPECIAL.search(text, position)
        if match is None:
            raise UnreadableShell(start, "a $( or (( is never closed")
        position = match.start()
        char = text[position]
        if char == ")":
            depth -= 1
            position += 1
            if depth == 0:
                return position
        elif char == "(":
            depth += 1
            position += 1
        elif char == "\\":
            position += 2
        elif char == "'":
            position = _single(text, position)
        elif char == '"':
            position = _double(text, position + 1, level)
        elif char == "`":
            position = _backquote(text, position + 1)
        elif char == "$":
            position = _dollar(text, position, level)
        elif char == "<":
            if text.startswith("<<", position) and not arithmetic and not text.startswith("<<<", position):
                raise UnreadableShell(position, "a heredoc inside $(...)")
            position += 2 if text.startswith("<<", position) else 1
        elif char == "#" and not arithmetic and text[position - 1] in " \t\n;&|(":
            newline = text.find("\n", position)
            position = len(text) if newline < 0 else newline
        else:
            position += 1


def _delimiter(text: str, position: int, operator: int) -> tuple[int, tuple[str, bool]]:
    """The heredoc word after ``<<``: (offset after it, (delimiter with quotes removed, quoted))."""
    while position < len(text) and text[position] in " \t":
        position += 1
    out: list[str] = []
    quoted = False
    while position < len(text) and text[position] not in _WORD_END:
        char = text[position]
        if char == "\\":
            quoted = True
            if text.startswith("\\\n", position):
                position += 2
                continue
            out.append(text[position + 1:position + 2])
            position += 2
        elif char == "'":
            quoted = True
            end = _single(text, position)
            out.append(text[position + 1:end - 1])
            position = end
        elif text.startswith("$$", position):  # the process id: the quote after it is a plain one
            out.append("$$")
            position += 2
        elif text.startswith("$'", position):  # ANSI-C quoting: bash drops the $ and decodes the escapes
            quoted = True
            end = _ansi_c(text, position + 1)
            out.append(_decode_ansi_c(text[position + 2:end - 1], position))
            position = end
        elif text.startswith('$"', position):  # a translatable string: the $ goes, the rest is "..."
            position += 1
        elif text.startswith(("${", "$("), position) or char == "`":
            # bash's handling differs between versions (5.2 runs a $(...) here); no real script does this
            raise UnreadableShell(position, "a heredoc delimiter word with $(, ${ or a backquote in it")
        elif char == '"':
            quoted = True
            end = _double(text, position + 1)
            inner = text[position + 1:end - 1]
            if "`" in inner or "$(" in inner or "${" in inner:
                raise UnreadableShell(position, "a heredoc delimiter word with $(, ${ or a backquote in it")
            out.append(re.sub(r'\\([$`"\\])', r"\1", inner))
            position = end
        else:
            out.append(char)
            position += 1
    if not out and not quoted:
        raise UnreadableShell(operator, "<< is not followed by a delimiter word")
    return position, ("".join(out), quoted)


def _decode_ansi_c(body: str, position: int) -> str:
    out: list[str] = []
    index = 0
    while index < len(body):
        backslash = body.find("\\", index)
        if backslash < 0:
            out.append(body[index:])
            break
        out.append(body[index:backslash])
        escape = body[backslash + 1:backslash + 2]
        if escape not in _ANSI_C_ESCAPES:
            raise UnreadableShell(position, f"a $'...' heredoc delimiter with the escape \\{escape}")
        out.append(_ANSI_C_ESCAPES[escape])
        index = backslash + 2
    return "".join(out)
