"""Positions inside a container file: where each character of an embedded value sits.

User data inside a YAML or JSON file is one string value; ``TextMap`` maps a
line and column of that text back to the line and column of the file, through
the YAML block scalar's indentation and folding and the double-quoted or JSON
string's escapes (YAML 1.1 spec, 5.7 "Escaped Characters"; go-yaml v2 reads
the same escapes).
"""
from __future__ import annotations

import re

from nodecfg.core.diagnostics import Span
from nodecfg.core.positions import LineIndex


class TextMap:
    """Maps a (line, col) of an embedded text to the (line, col) of its file.

    ``offsets[i]`` is the file offset of character ``i`` of the text; the
    file's ``LineIndex`` turns an offset into a line and column.
    """

    def __init__(self, text: str, offsets: list[int], file_lines: LineIndex) -> None:
        self.offsets = offsets or [0]
        self.text_lines = LineIndex(text)
        self.file_lines = file_lines
        self.text_length = len(text)

    def map(self, line: int, col: int) -> tuple[int, int]:
        if line <= 0:
            return self.file_lines.position(self.offsets[0])
        starts = self.text_lines.starts
        start = starts[min(line, len(starts)) - 1]
        index = min(start + max(col, 1) - 1, len(self.offsets) - 1)
        return self.file_lines.position(self.offsets[index])

    def map_span(self, span: Span, uri: str) -> Span:
        line, col = self.map(span.line, span.col)
        end_line, end_col = self.map(span.end_line, span.end_col) if span.end_line else (0, 0)
        return Span(uri, line, col, end_line, end_col)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f",
            "0": "\0", "a": "\a", "v": "\v", "e": "\x1b", " ": " ", "N": "\x85", "_": "\xa0"}


def value_offsets(file_text: str, span: Span, value: str, lines: LineIndex) -> list[int]:
    """The file offset of every character of a string scalar that starts at ``span``.

    The raw characters from the span are aligned with the value: a double
    quoted scalar is decoded escape by escape first; indentation and the
    line folding of block and plain scalars are skipped over.
    """
    start = lines.offset(span.line, span.col)
    end = lines.offset(span.end_line, span.end_col) if span.end_line else len(file_text)
    end = max(end, start + 1)
    start = _skip_tag(file_text, start, end)
    if file_text[start:start + 1] == '"':
        chars, offsets = _decode_double_quoted(file_text, start + 1, end)
    else:
        chars, offsets = file_text[start:end], list(range(start, end))
    return _align(value, chars, offsets, start)


def _skip_tag(text: str, start: int, end: int) -> int:
    if text[start:start + 1] != "!":
        return start
    match = re.compile(r"![^\s]*\s+").match(text, start, end)
    return match.end() if match else start


def _decode_double_quoted(text: str, start: int, end: int) -> tuple[str, list[int]]:
    chars: list[str] = []
    offsets: list[int] = []
    index = start
    while index < end:
        char = text[index]
        if char == '"':
            break
        if char == "\\" and index + 1 < end:
            code = text[index + 1]
            width = {"x": 2, "u": 4, "U": 8}.get(code)
            if width:
                digits = text[index + 2:index + 2 + width]
                try:
                    chars.append(chr(int(digits, 16)))
                except ValueError:
                    chars.append("\ufffd")
                offsets.append(index)
                index += 2 + width
                continue
            chars.append(_ESCAPES.get(code, code))
            offsets.append(index)
            index += 2
            continue
        chars.append(char)
        offsets.append(index)
        index += 1
    return "".join(chars), offsets


def _align(value: str, chars: str, offsets: list[int], fallback: int) -> list[int]:
    """The offset of each character of value, matched left to right against the raw characters.

    Linear in the text: the cursor only moves forward, so a character once
    missing after it stays missing, and the next line break is looked up again
    only when the cursor has passed it.
    """
    result: list[int] = []
    cursor = 0
    missing: set[str] = set()
    newline = chars.find("\n")
    for char in value:
        found = -1 if char in missing else chars.find(char, cursor)
        if found < 0:
            missing.add(char)
        if char == " ":  # a folded line break reads as one space
            if 0 <= newline < cursor:
                newline = chars.find("\n", cursor)
            if newline >= 0 and (found < 0 or newline < found):
                found = newline
        if found < 0:
            result.append(offsets[cursor] if cursor < len(offsets) else (offsets[-1] if offsets else fallback))
            continue
        result.append(offsets[found])
        cursor = found + 1
    return result
