"""The common styles of YAML, and JSON, composed without ruamel.yaml.

Most NodeConfigs and the user data around them are block mappings and
sequences of one-line scalars, with a certificate or a containerd config as a
block scalar and a few flow collections (``clusterDNS: [10.100.0.10]``); the
container files are often JSON.  Reading those with ruamel's pure-Python
scanner, parser and composer costs an import of about 10 ms and a few
milliseconds per file; this module composes the same node tree directly, for
``parse/yaml.py``'s builder.

It is an optimisation, not a second YAML reader: every node it makes has the
value, style and start and end marks ruamel.yaml's composer gives it (the
marks follow ruamel's scanner: a block collection ends where the next token
starts, an empty value sits at the next token, a block scalar ends after its
last line break, a flow collection after its closing bracket), and it counts
the parser events ruamel would.  Anything else (anchors, aliases, tags,
directives, multi-line plain or quoted scalars, escapes JSON does not have,
comments inside flow collections, tabs outside scalars, other line breaks than
LF, errors of any kind, a text over the event limit) makes it decline, and the
text is read by ruamel.yaml as before.  ``tests/test_yaml_block.py`` compares
both readers on every YAML text of the project and on generated texts.
"""
from __future__ import annotations

import re

# What ruamel's reader refuses (reader.py NON_PRINTABLE: C0 and C1 controls, surrogates, U+FFFE and
# U+FFFF), and what this subset leaves to it: CR, NEL and the Unicode line separators (more line
# breaks), a byte order mark inside the text.  Spelled as ranges: a class of everything allowed
# would take milliseconds to compile.  The class with the non-ASCII ranges still takes most of a
# millisecond, so ASCII text (most files) asks only the ASCII part and compiles nothing else.
_DECLINE_ASCII = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_DECLINE_CHARACTERS = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]"
# A plain scalar on one line in block context (ruamel scanner.py scan_plain): chunks of anything
# but blanks and ': ' separated by spaces; a chunk after spaces does not start with '#' (a comment).
# Runs without ':' are taken whole ('+' inside the group): one step a run, not one a character.
_PLAIN = re.compile(r"(?:[^ \t:]+|:(?=[^ \t]))+(?: +(?:[^ \t:#]|:(?=[^ \t]))(?:[^ \t:]+|:(?=[^ \t]))*)*")
# The first character of a plain scalar (scanner.py check_plain): not an indicator, except '-' followed
# by a non-blank ('?' and ':' followed by one are left to ruamel).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# A plain scalar in a one-line flow collection: what no reading of flow context could take for an
# indicator (no ':', '?', '#', flow indicators or blanks inside).
_FLOW_PLAIN = re.compile(r"[^ \t,\[\]{}#:?'\"&*!|>%@`-][^ \t,\[\]{}#:?]*|-[^ \t,\[\]{}#:?]+")
_MAX_DEPTH = 60  # deeper texts are left to ruamel, whose event budget reports the limit
_MAX_SIMPLE_KEY = 1000  # ruamel allows 1024 characters before a key's ':'


# The escapes JSON has, read alike by YAML (scanner.py ESCAPE_REPLACEMENTS); others are left to ruamel.
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}
_HEX = frozenset("0123456789abcdefABCDEF")
_QUOTED_RUN = re.compile(r'[^"\\]*')  # the characters of a double-quoted scalar up to a quote or an escape


def _double_quoted(text: str, column: int) -> tuple[str, int] | None:
    """The value of a double-quoted scalar that closes on its line, and the column after it."""
    chunks = []
    index = column + 1
    while True:
        stop = _QUOTED_RUN.match(text, index).end()
        chunks.append(text[index:stop])
        if stop == len(text):
            return None  # continues on the next line
        if text[stop] == '"':
            return "".join(chunks), stop + 1
        escape = text[stop + 1:stop + 2]
        if escape in _ESCAPES:
            chunks.append(_ESCAPES[escape])
            index = stop + 2
        elif escape == "u" and len(text) >= stop + 6 and all(c in _HEX for c in text[stop + 2:stop + 6]):
            code = int(text[stop + 2:stop + 6], 16)
            if 0xD800 <= code <= 0xDFFF:
                return None  # a surrogate: the builder's finding, through ruamel
            chunks.append(chr(code))
            index = stop + 6
        else:
            return None


def _skip_spaces(text: str, index: int) -> int:
    while index < len(text) and text[index] == " ":
        index += 1
    return index


def _rest_is_comment(text: str, index: int) -> bool:
    """Whether a line goes on after a token with nothing but spaces and a comment."""
    rest = text[index:]
    if not rest:
        return True
    stripped = rest.lstrip(" ")
    return rest[0] == " " and (not stripped or stripped[0] == "#")


def reads_as_plain_text(text: str) -> bool:
    """Whether YAML reads ``text`` as a scalar or fails on it: never a mapping, a sequence or null.

    True when its first line that is not blank or a comment starts, at column 0, with what
    can only begin a plain scalar (not an indicator, a tab, a byte order mark or '...') and holds no
    ':' at all: a mapping's first key is a simple key, and ruamel's scanner looks for its ':'
    on the key's own line (scanner.py stale_possible_simple_keys); what follows can only
    continue the scalar or be an error.  A shell script's first command usually reads so,
    which settles Karpenter's choice of part without ruamel.  False means: unknown.
    """
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        content = line.lstrip(" ")
        if content and not content.startswith("#"):
            return (line[0] not in _INDICATORS and line[0] not in " \t\r\ufeff" and not line.startswith("...")
                    and ":" not in line)
        if end < 0:
            break
        start = end + 1
    return False


class _Decline(Exception):
    """The text is outside the subset: ruamel.yaml reads it."""


class Mark:
    __slots__ = ("line", "column")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column


# Named as ruamel's node classes: the builder dispatches on type(node).__name__.
class ScalarNode:
    __slots__ = ("value", "style", "start_mark", "end_mark")
    tag = ctag = None

    def __init__(self, value: str, style: str | None, start: Mark, end: Mark) -> None:
        self.value = value
        self.style = style
        self.start_mark = start
        self.end_mark = end


class SequenceNode:
    __slots__ = ("value", "start_mark", "end_mark")
    tag = ctag = style = None

    def __init__(self, value: list, start: Mark) -> None:
        self.value = value
        self.start_mark = start
        self.end_mark = start


class MappingNode(SequenceNode):
    __slots__ = ()


def compose(text: str, event_limit: int) -> tuple[list, int] | None:
    """The root node of each document (None for an empty one) and the parser events ruamel would
    deliver; None when the text is outside the subset or has more than event_limit events."""
    if (_DECLINE_ASCII.search(text) if text.isascii() else re.search(_DECLINE_CHARACTERS, text)) is not None:
        return None
    try:
        roots, events = _Composer(text.split("\n")).stream()
    except (_Decline, IndexError):
        return None
    return (roots, events) if events <= event_limit else None


def _inline_scalar(text: str, line: int, column: int):
    """A plain or quoted scalar that ends on this line: (node, column after it), or None."""
    first = text[column]
    if first not in _INDICATORS or (first == "-" and text[column + 1:column + 2] not in ("", " ", "\t")):
        match = _PLAIN.match(text, column)
        if match is None:
            return None
        end = match.end()
        return ScalarNode(match.group(), None, Mark(line, column), Mark(line, end)), end
    if first == "'":
        index, chunks = column + 1, []
        while True:
            close = text.find("'", index)
            if close < 0:
                return None  # continues on the next line
            chunks.append(text[index:close])
            if text.startswith("'", close + 1):
                chunks.append("'")
                index = close + 2
                continue
            end = close + 1
            return ScalarNode("".join(chunks), "'", Mark(line, column), Mark(line, end)), end
    if first == '"':
        scanned = _double_quoted(text, column)
        if scanned is None:
            return None
        value, end = scanned
        return ScalarNode(value, '"', Mark(line, column), Mark(line, end)), end
    return None  # another indicator


class _Composer:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.last = len(lines) - 1
        self.events = 1  # STREAM-START
        self.depth = 0

    # --- positions ------------------------------------------------------------------------

    def next_token(self, line: int, column: int) -> tuple[int, int]:
        """Where the next token starts (scanner.py scan_to_next_token): spaces, empty lines and
        comment lines skipped; the end of the text if none follows."""
        lines = self.lines
        while True:
            text = lines[line]
            # a line's indentation in one step (most calls start a line)
            index = len(text) - len(text.lstrip(" ")) if column == 0 else _skip_spaces(text, column)
            if index < len(text):
                character = text[index]
                if character != "#":
                    if character == "\t" or (index == 0 and text.startswith(("...", "%"))):
                        raise _Decline
                    return line, index
            if line == self.last:
                return line, len(text)
            line, column = line + 1, 0

    def at_end(self, line: int, column: int) -> bool:
        """The end of the text, or a document start marker (which ends every open collection)."""
        if line == self.last and column >= len(self.lines[line]):
            return True
        text = self.lines[line]
        return column == 0 and text.startswith("---") and (len(text) == 3 or text[3] in " \t")

    def entry(self, line: int, column: int) -> bool:
        text = self.lines[line]
        return text[column] == "-" and (column + 1 == len(text) or text[column + 1] == " ")

    # --- documents ----------------------------------------------------------------------------

    def stream(self) -> tuple[list, int]:
        roots: list = []
        line, column = self.next_token(0, 0)
        while not (line == self.last and column >= len(self.lines[line])):
            explicit = self.at_end(line, column)
            if explicit:
                if not _rest_is_comment(self.lines[line], 3):
                    raise _Decline  # content after '---'
                if line == self.last:
                    raise _Decline
                line, column = self.next_token(line + 1, 0)
            elif roots:
                raise _Decline
            self.events += 2  # DOCUMENT-START, DOCUMENT-END
            if self.at_end(line, column):
                roots.append(None)
                self.events += 1  # the empty scalar
                continue
            root, (line, column) = self.block_node(line, column, -1)
            roots.append(root)
            if not self.at_end(line, column):
                raise _Decline  # a token after the root node
        return roots, self.events

    def block_node(self, line: int, column: int, indent: int):
        """The collection starting at (line, column) inside a block collection at column ``indent``."""
        if indent < 0 and self.lines[line][column] in "[{":
            node, (line, column) = self.flow_node(line, column)
            text = self.lines[line]
            if column < len(text) and text[column] != " ":
                raise _Decline
            return node, self.next_token(line, column)
        if self.entry(line, column):
            return self.sequence(line, column, indentless=False)
        found = self.key(line, column)
        if found is not None:
            return self.mapping(line, column, found)
        if indent < 0 and self.lines[line][column] not in "|>":
            # a document that is one scalar on one line (a script's single command): a later line
            # would continue it, which stream() leaves to ruamel
            return self.scalar_value(line, column, indent)
        raise _Decline  # a scalar on a line of its own inside a collection

    # --- collections ----------------------------------------------------------------------------

    def mapping(self, line: int, column: int, found: tuple):
        """The block mapping at (line, column), whose first key ``found`` has been scanned."""
        self.enter()
        node = MappingNode([], Mark(line, column))
        pairs = node.value
        while True:
            key, after = found
            self.events += 1
            value, (line, next_column) = self.value(line, after, column)
            pairs.append((key, value))
            if next_column < column or self.at_end(line, next_column):
                break
            if next_column > column or self.entry(line, next_column):
                raise _Decline
            found = self.key(line, column)
            if found is None:
                raise _Decline
        node.end_mark = Mark(line, next_column)
        self.depth -= 1
        return node, (line, next_column)

    def sequence(self, line: int, column: int, *, indentless: bool):
        self.enter()
        node = SequenceNode([], Mark(line, column))
        while True:
            text = self.lines[line]
            start = column + 1
            while start < len(text) and text[start] == " ":
                start += 1
            if start == len(text) or text[start] == "#" or self.entry(line, start):
                raise _Decline  # an empty entry, or one on the next lines, or '- - x'
            # a key needs a ':' after it on its line: without one, the entry is scanned once, as a scalar
            found = self.key(line, start) if text.find(":", start) >= 0 else None
            if found is not None:
                item, (line, next_column) = self.mapping(line, start, found)
            else:
                item, (line, next_column) = self.scalar_value(line, start, column)
            node.value.append(item)
            if next_column < column or self.at_end(line, next_column):
                break
            if next_column > column:
                raise _Decline
            if not self.entry(line, next_column):
                if indentless:
                    break  # the next key of the mapping the sequence is a value of
                raise _Decline
        node.end_mark = Mark(line, next_column)
        self.depth -= 1
        return node, (line, next_column)

    def enter(self) -> None:
        self.depth += 1
        self.events += 2  # start and end
        if self.depth > _MAX_DEPTH:
            raise _Decline

    def value(self, line: int, start: int, indent: int):
        """The value after a key's ':' at ``start`` of a mapping at column ``indent``."""
        text = self.lines[line]
        index = start
        while index < len(text) and text[index] == " ":
            index += 1
        if index < len(text) and text[index] != "#":
            return self.scalar_value(line, index, indent)
        if line == self.last:
            next_line, next_column = line, len(text)
        else:
            next_line, next_column = self.next_token(line + 1, 0)
        if not self.at_end(next_line, next_column):
            if next_column > indent:
                return self.block_node(next_line, next_column, indent)
            if next_column == indent and self.entry(next_line, next_column):
                return self.sequence(next_line, next_column, indentless=True)
        # an empty value: ruamel's parser puts it at the next token (parser.py parse_block_mapping_value)
        self.events += 1
        mark = Mark(next_line, next_column)
        return ScalarNode("", None, mark, mark), (next_line, next_column)

    # --- scalars -------------------------------------------------------------------------------

    def key(self, line: int, column: int):
        """The key at (line, column) and the column after its ':', or None if no key starts there."""
        text = self.lines[line]
        scanned = _inline_scalar(text, line, column)
        if scanned is None:
            return None
        node, end = scanned
        index = end
        while index < len(text) and text[index] == " ":
            index += 1
        if index < len(text) and text[index] == ":" and (index + 1 == len(text) or text[index + 1] == " "):
            if index - column > _MAX_SIMPLE_KEY:
                raise _Decline
            return node, index + 1
        return None

    def scalar_value(self, line: int, column: int, indent: int):
        """A scalar starting on this line, as a value inside a block collection at column indent."""
        text = self.lines[line]
        if text[column] in "|>":
            return self.block_scalar(line, column, indent)
        if text[column] in "[{":
            node, (line, end) = self.flow_node(line, column)  # it may end on a later line
            text = self.lines[line]
        else:
            scanned = _inline_scalar(text, line, column)
            if scanned is None:
                raise _Decline
            node, end = scanned
            self.events += 1
        if end < len(text) and not _rest_is_comment(text, end):
            raise _Decline
        if line == self.last:
            return node, (line, len(text))
        return node, self.next_token(line + 1, 0)

    # --- flow collections ---------------------------------------------------------------------

    def flow_node(self, line: int, column: int):
        """A flow sequence or mapping of scalars and flow collections (JSON, or ``[a, b]`` in a
        block): the node ends after its closing bracket (parser.py: FLOW-SEQUENCE-END or
        FLOW-MAPPING-END), every entry is a scalar or a collection, every key a scalar."""
        lines = self.lines
        mapping = lines[line][column] == "{"
        close = "}" if mapping else "]"
        self.enter()
        node = (MappingNode if mapping else SequenceNode)([], Mark(line, column))
        line, column = self.flow_skip(line, column + 1)
        while not lines[line].startswith(close, column):
            if node.value:
                if not lines[line].startswith(",", column):
                    raise _Decline
                line, column = self.flow_skip(line, column + 1)
                if lines[line].startswith(close, column):
                    raise _Decline  # a trailing comma
            item, (line, column) = self.flow_item(line, column)
            if mapping:
                if type(item) is not ScalarNode:
                    raise _Decline  # a collection as a key
                line, column = self.flow_skip(line, column)
                text = lines[line]
                # ':' is a value indicator after a quoted key; after a plain one only with a blank
                plain_key = item.style is None
                if not text.startswith(":", column) or (plain_key and text[column + 1:column + 2] not in ("", " ")):
                    raise _Decline
                value, (line, column) = self.flow_item(*self.flow_skip(line, column + 1))
                item = (item, value)
            node.value.append(item)
            line, column = self.flow_skip(line, column)
        node.end_mark = Mark(line, column + 1)
        self.depth -= 1
        return node, (line, column + 1)

    def flow_item(self, line: int, column: int):
        text = self.lines[line]
        if text[column] in "[{":
            return self.flow_node(line, column)
        if text[column] in "'\"":
            scanned = _inline_scalar(text, line, column)
        else:
            match = _FLOW_PLAIN.match(text, column)
            scanned = match and (ScalarNode(match.group(), None, Mark(line, column), Mark(line, match.end())),
                                 match.end())
        if not scanned:
            raise _Decline
        self.events += 1
        return scanned[0], (line, scanned[1])

    def flow_skip(self, line: int, column: int) -> tuple[int, int]:
        """Spaces and line breaks inside a flow collection (comments and tabs are left to ruamel)."""
        lines = self.lines
        while True:
            text = lines[line]
            column = _skip_spaces(text, column)
            if column < len(text):
                if text[column] in "#\t" or (column == 0 and text.startswith(("---", "..."))):
                    raise _Decline
                return line, column
            if line == self.last:
                raise _Decline  # not closed
            line, column = line + 1, 0

    def block_scalar(self, line: int, column: int, indent: int):
        """A literal or folded block scalar (scanner.py scan_block_scalar, for a parent indent >= 0)."""
        lines = self.lines
        text = lines[line]
        style = text[column]
        index = column + 1
        chomping = None
        if index < len(text) and text[index] in "+-":
            chomping = text[index] == "+"
            index += 1
        if not _rest_is_comment(text, index) or line == self.last or indent < 0:
            raise _Decline  # an indentation indicator, a top-level block scalar, no line after it
        self.events += 1
        start = Mark(line, column)
        min_indent = indent + 1
        # scan_block_scalar_indentation: the first line that is not blank sets the indentation
        line, breaks, first_indent, max_indent = line + 1, [], -1, 0
        end = (line, 0)
        while True:
            text = lines[line]
            spaces = len(text) - len(text.lstrip(" "))
            max_indent = max(max_indent, spaces)
            if spaces == len(text) and line < self.last:
                if first_indent < 0:
                    first_indent = spaces
                breaks.append("\n")
                line += 1
                end = (line, 0)
                continue
            position = spaces
            break
        if 0 < first_indent < max_indent:
            raise _Decline  # ruamel: more indented follow up line than first
        block_indent = max(min_indent, max_indent)
        chunks: list[str] = []
        line_break = ""
        folded = style == ">"
        while position == block_indent and not (line == self.last and position >= len(lines[line])):
            chunks.extend(breaks)
            text = lines[line]
            leading_non_space = text[position] not in " \t"
            chunks.append(text[position:])
            # scan_line_break, then scan_block_scalar_breaks
            if line < self.last:
                line_break, line, position = "\n", line + 1, 0
            else:
                line_break, position = "", len(text)
            end = (line, position)
            breaks = []
            position = min(block_indent, len(lines[line]) - len(lines[line].lstrip(" "))) \
                if position == 0 else position
            while position == len(lines[line]) and line < self.last:
                breaks.append("\n")
                line += 1
                end = (line, 0)
                position = min(block_indent, len(lines[line]) - len(lines[line].lstrip(" ")))
            if position == block_indent and not (line == self.last and position >= len(lines[line])):
                if folded and line_break == "\n" and leading_non_space and lines[line][position] not in " \t":
                    if not breaks:
                        chunks.append(" ")
                else:
                    chunks.append(line_break)
            else:
                break
        if chomping in (None, True):
            chunks.append(line_break)
        if chomping is True:
            chunks.extend(breaks)
        node = ScalarNode("".join(chunks), style, start, Mark(*end))
        return node, self.next_token(line, position)
