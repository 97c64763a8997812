"""One escaping function per output format, for text that comes from the input.

Keys, values, paths and origins are chosen by whoever wrote the configuration
(in CI, the author of a pull request).  Every output writes them through the
function of its format:

- ``printable`` for a terminal (text, concise, explain, diff text, GitHub
  workflow commands): every character a terminal acts on (ESC, BEL, the
  other C0 and C1 controls, bidirectional overrides, line and paragraph
  separators) is written as a visible escape such as ``\\x1b`` or ``\\u202e``.
- ``markdown_code`` for Markdown (diff --format markdown, the language
  server's hover): the text inside a code span whose backtick run is longer
  than any run in the text (CommonMark 0.31, "Code spans"), so nothing in
  it closes the span or becomes a link, an image, HTML or emphasis;
  ``markdown_block`` is the fenced-block form of the same rule.
- ``xml_text`` and ``xml_attribute`` for XML (JUnit): XML 1.0 forbids most
  C0 characters even as character references, so they are made visible as
  ``printable`` does before the XML escaping.

JSON outputs need none of these: ``json.dumps`` escapes control characters
(and, with its default ``ensure_ascii``, everything outside ASCII).
"""
from __future__ import annotations

from nodecfg.core.lazy_re import LazyPattern

# Cc: C0/C1 controls; Cf: format (bidi overrides, zero-width); Zl/Zp: line and paragraph separators;
# Cs: lone surrogates; Co: private use; Cn: unassigned and noncharacters (U+FFFE, U+FFFF)
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
_BACKTICKS = LazyPattern(r"`+")
_PIPE = LazyPattern(r"(\\?)\|")


def printable(text: str, *, keep_newlines: bool = False) -> str:
    """text with every character a terminal would act on written as an escape (\\x1b, \\u202e).

    ``keep_newlines`` is for formats that escape line breaks their own way (GitHub's %0A).
    """
    if text.isascii() and text.isprintable():
        return text
    if keep_newlines:
        return "\n".join(printable(line) for line in text.split("\n"))
    return "".join(_escape(char) for char in text)


def _escape(char: str) -> str:
    if char.isascii() and " " <= char <= "~":
        return char
    if char == "\t":
        return char
    import unicodedata  # only text outside printable ASCII comes here

    if unicodedata.category(char) not in _UNSAFE_CATEGORIES:
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else (f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def markdown_code(text: str, *, in_table: bool = False) -> str:
    """text as one Markdown code span that shows it literally, on one line.

    The delimiter is one backtick longer than the longest run of backticks in
    the text, so no run inside can close the span; a space pads the text when
    it starts or ends with a backtick or a space (CommonMark strips exactly one
    space from each side when both are there).  Line breaks and controls are
    made visible as ``printable`` does.  ``in_table``: a ``|`` is written ``\\|``,
    which a GFM table cell needs even inside a code span, or ``\\x7c`` after a
    backslash (GFM reads ``\\\\|`` as an escaped backslash and a cell border).
    """
    shown = printable(text)
    if in_table:  # a pipe after a backslash would end the cell whatever is added: write it as \x7c
        shown = _PIPE.sub(lambda match: match[1] + "\\x7c" if match[1] else "\\|", shown)
    if not shown:
        shown = " "
    fence = "`" * (_longest_backtick_run(shown) + 1)
    if shown.strip(" ") and (shown[0] in "` " or shown[-1] in "` "):
        shown = f" {shown} "
    return f"{fence}{shown}{fence}"


def markdown_block(text: str, info: str = "") -> str:
    """text as a fenced code block: a backtick fence longer than any backtick run in it (and at least 3)."""
    shown = printable(text.rstrip("\n"), keep_newlines=True)
    fence = "`" * max(3, _longest_backtick_run(shown) + 1)
    return f"{fence}{info}\n{shown}\n{fence}"


def xml_text(text: str) -> str:
    """Character data for XML 1.0: controls made visible, then ``&``, ``<`` and ``>`` escaped."""
    from xml.sax.saxutils import escape

    return escape(printable(text, keep_newlines=True))


def xml_attribute(text: str) -> str:
    """A quoted XML 1.0 attribute value (quotes included), controls made visible."""
    from xml.sax.saxutils import quoteattr

    return quoteattr(printable(text, keep_newlines=True))
