"""MIME multipart user data, split the way nodeadm splits it, with line numbers.

nodeadm (internal/configprovider/mime.go) reads the user data with Go's
``net/mail`` and, when the top-level Content-Type is ``multipart/*``, walks
the parts with ``mime/multipart``; parts of type ``application/node.eks.aws``
are NodeConfig documents, each maybe base64 then gzip.  Anything else is one
NodeConfig.  Python's ``email`` package loses line numbers and is more
lenient than Go in other places, so this module reimplements the Go readers
line by line: what Go accepts is accepted (odd spellings get a WARNING),
what makes Go fail is an ERROR.  No input makes this module raise.
"""

import functools
import re
from typing import NamedTuple

from nodecfg.core.codes import CATALOGUE
from nodecfg.core.diagnostics import Diagnostic, Edit, Severity, Span
from nodecfg.core.lazy_re import LazyPattern
from nodecfg.core.locations import Location, layers_uri, part_uri
from nodecfg.parse.wrapping import (DEFAULT_LIMIT, DecodeBudget, UnwrapError, budget_of, decode_if_base64,
                                   decode_quoted_printable, unwrap)

NODECONFIG_MEDIA_TYPE = "application/node.eks.aws"
SHELL_MEDIA_TYPE = "text/x-shellscript"
CLOUD_CONFIG_MEDIA_TYPE = "text/cloud-config"
BOOTHOOK_MEDIA_TYPE = "text/cloud-boothook"  # run by cloud-init first; nothing of nodeadm's to check
MAX_PARTS = 100
# Parameters of one Content-Type; Go has no limit, but parsing a few hundred
# thousand would take seconds here.  Real headers have one or two.
MAX_MEDIA_PARAMETERS = 100
# Go's multipart reader reads lines outside parts through a 4096-byte bufio buffer.
_GO_LINE_BUFFER = 4096

class Part(NamedTuple):
    index: int
    content_type: str
    params: dict[str, str]
    headers: list[tuple[str, str, int]]
    body: bytes
    uri: str
    line_offset: int
    header_line: int
    layers: tuple[str, ...] = ()


class MimeResult:
    """What split_userdata read, filled in as it reads."""

    def __init__(self, uri: str, layers: tuple[str, ...] = (), diagnostics: list[Diagnostic] | None = None) -> None:
        self.uri = uri
        self.layers = layers
        self.diagnostics: list[Diagnostic] = diagnostics or []
        self.is_multipart = False
        self.parts: list[Part] = []
        self.data = b""                          # the user data after base64/gzip, as split
        self.boundary: bytes | None = None       # of a multipart document
        self.newline = b"\n"                     # the line ending Go's reader takes from the first delimiter line
        self.closing: int | None = None          # offset of the closing delimiter line, when the document has one
        # the multipart structure was read and holds no NodeConfig part: the line of its Content-Type
        # (nodecfg.pipeline decides whether that is worth NC109: a script may write a drop-in instead)
        self.without_nodeconfig: int | None = None
        self.structure_broken = False            # the multipart reader stopped on an error
        # not multipart because of the top headers: (line, what is wrong there); see top_header_problem
        self.top_problem: tuple[int, str, bool] | None = None
        # the input ends with a delimiter line and no newline: its line (NC106 for nodeadm, whose
        # reader gets a wrapped io.EOF it does not accept; see source._karpenter_open_end)
        self.open_end = 0
        # the input ends right after a delimiter line, with nothing to close it (a clean end for Go's
        # reader, see _Multipart.headers_reach_eof): that line, where no closing delimiter follows
        self.delimiter_end = 0


def split_userdata(data: bytes, uri: str, limit: "int | DecodeBudget" = DEFAULT_LIMIT) -> MimeResult:
    """Unwrap base64/gzip user data, then split it into parts (or one pseudo-part).

    ``limit`` bounds the bytes decoded for the whole user data and all its parts together.
    """
    limit = budget_of(limit)
    unwrapped = unwrap(data, uri, limit)
    base_uri = layers_uri(uri, unwrapped.layers)
    result = MimeResult(base_uri, unwrapped.layers, list(unwrapped.diagnostics))
    if unwrapped.ok:
        _Splitter(unwrapped.data, result, limit).run()
    return result


def split_decoded(data: bytes, uri: str, limit: "int | DecodeBudget" = DEFAULT_LIMIT) -> MimeResult:
    """Split user data that is already unwrapped (nodeadm unwraps the whole user data only once)."""
    result = MimeResult(uri)
    _Splitter(data, result, budget_of(limit)).run()
    return result


# --- line reading ---------------------------------------------------------


class _Lines:
    """A cursor over ``\\n``-terminated lines that knows the current line number."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.number = 1
        self._peeked_at = -1
        self._peeked = b""

    def at_eof(self) -> bool:
        return self.pos >= len(self.data)

    def peek(self) -> bytes:
        if self._peeked_at != self.pos:
            end = self.data.find(b"\n", self.pos)
            self._peeked = self.data[self.pos:len(self.data) if end < 0 else end + 1]
            self._peeked_at = self.pos
        return self._peeked

    def take(self) -> bytes:
        text = self.peek()
        self.pos += len(text)
        self.number += 1
        return text

    def last_number(self) -> int:
        """Line number of the last line (for errors at end of input)."""
        # At the end every line has been taken, the last one too even without its newline.
        return max(1, self.number - 1) if self.data.endswith(b"\n") or self.at_eof() else self.number


def _content(line: bytes) -> bytes:
    """A line without its terminator, like bufio.ReadLine."""
    if line.endswith(b"\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith(b"\n") else line


# --- header blocks (net/mail and net/textproto) ---------------------------

_TOKEN_BYTES = (b"!#$%&'*+-.^_`|~0123456789"
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class _Header:
    """One header line, read by attribute only (a plain class: no NamedTuple to build at import)."""

    __slots__ = ("name", "key", "value", "line")

    def __init__(self, name: str, key: str, value: str, line: int) -> None:
        self.name = name
        self.key = key  # canonical, as Go's textproto.CanonicalMIMEHeaderKey
        self.value = value
        self.line = line


class _HeaderBlock:
    def __init__(self) -> None:
        self.headers: list[_Header] = []
        self.error = ""
        self.error_line = 0
        self.at_eof = False  # input ended before the blank line
        self.no_colon = False  # the error is a line without a colon (the body, when the blank line is missing)

    def first(self, key: str) -> _Header | None:
        return next((h for h in self.headers if h.key == key), None)


def _is_token(name: bytes) -> bool:
    return bool(name) and not name.translate(None, _TOKEN_BYTES)


@functools.lru_cache(maxsize=256)
def _canonical_key(name: bytes) -> str:
    if not _is_token(name):
        return name.decode("utf-8", "surrogateescape")
    words = name.decode("ascii").split("-")
    return "-".join(w[:1].upper() + w[1:].lower() for w in words)


_CONTROL_BYTES = bytes(range(0x20)).replace(b"\t", b"") + b"\x7f"


def _valid_value(value: bytes) -> bool:
    return value.translate(None, _CONTROL_BYTES) == value


def _read_header_block(lines: _Lines, strict: bool) -> _HeaderBlock:
    """Read headers up to the blank line: net/mail rules, or textproto's when ``strict``."""
    block = _HeaderBlock()
    if lines.peek()[:1] in (b" ", b"\t"):
        return _fail(block, lines.number, "the first header line starts with white space")
    while True:
        if lines.at_eof():
            block.at_eof = True
            return _fail(block, lines.last_number(), "input ends before the blank line after the headers")
        number = lines.number
        first = _content(lines.take())
        if not first:
            return block
        if strict and b":" not in first:
            block.no_colon = True
            return _fail(block, number, f"line has no colon: {_show(first)}")
        field_bytes = _unfold(first, lines)
        name, colon, value = field_bytes.partition(b":")
        if not colon:
            return _fail(block, number, f"malformed header line: {_show(first)}")
        if strict and (not _is_token(name) or not _valid_value(value)):
            return _fail(block, number, f"malformed header line: {_show(first)}")
        block.headers.append(_Header(
            name.decode("utf-8", "surrogateescape"), _canonical_key(name),
            value.lstrip(b" \t").decode("utf-8", "surrogateescape"), number))


def _unfold(first: bytes, lines: _Lines) -> bytes:
    """Join RFC 5322 continuation lines (those starting with space or tab)."""
    pieces = [first.strip(b" \t\r\n")]
    while not lines.at_eof() and lines.peek()[:1] in (b" ", b"\t"):
        pieces.append(_content(lines.take()).strip(b" \t\r\n"))
    return b" ".join(pieces)


def top_header_problem(top: _HeaderBlock) -> tuple[int, str, bool]:
    """Why the top headers give no Content-Type: the line to blame, what is there, and whether
    the headers run on into lines that are not headers (no blank line after them).

    A delimiter line read as a header means the blank line that ends the
    headers is missing (a YAML folded scalar joins the lines and leaves none).
    """
    joined = next((h for h in top.headers if h.name.startswith("--")), None)
    if joined is not None:
        text = f"{joined.name}: {joined.value}".encode("utf-8", "surrogateescape")
        return joined.line, f"line {_show(text)} is read as one more header", True
    if top.error:
        return top.error_line, top.error, top.error_line > 1 and not top.at_eof
    return (top.headers[0].line if top.headers else 1), "there is no Content-Type header", False


def _fail(block: _HeaderBlock, line: int, message: str) -> _HeaderBlock:
    block.error, block.error_line = message, line
    return block


def _show(text: bytes, width: int = 60) -> str:
    shown = text[:width].decode("utf-8", "backslashreplace")
    return repr(shown + ("..." if len(text) > width else ""))


# --- media types (Go's mime.ParseMediaType) -------------------------------

_TSPECIALS = frozenset('()<>@,;:\\"/[]?=')


class MediaTypeError(ValueError):
    pass


def _go_space(char: str) -> bool:
    """unicode.IsSpace: Python's isspace also counts the ASCII separators 0x1c-0x1f."""
    return char.isspace() and char not in "\x1c\x1d\x1e\x1f"


def _trim_left(text: str) -> str:
    index = 0
    while index < len(text) and _go_space(text[index]):
        index += 1
    return text[index:]


def _trim(text: str) -> str:
    text = _trim_left(text)
    end = len(text)
    while end and _go_space(text[end - 1]):
        end -= 1
    return text[:end]


def _consume_token(text: str) -> tuple[str, str]:
    index = 0
    while index < len(text) and 0x20 < ord(text[index]) < 0x7F and text[index] not in _TSPECIALS:
        index += 1
    return text[:index], text[index:]


def _consume_value(text: str) -> tuple[str, str]:
    if not text.startswith('"'):
        return _consume_token(text)
    value: list[str] = []
    index = 1
    while index < len(text):
        char = text[index]
        if char == '"':
            return "".join(value), text[index + 1:]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _TSPECIALS:
            value.append(text[index + 1])
            index += 2
            continue
        if char in "\r\n":
            return "", text
        value.append(char)
        index += 1
    return "", text


def _consume_param(text: str) -> tuple[str, str, str]:
    rest = _trim_left(text)
    if not rest.startswith(";"):
        return "", "", text
    name, rest = _consume_token(_trim_left(rest[1:]))
    name = name.lower()
    rest = _trim_left(rest)
    if not name or not rest.startswith("="):
        return "", "", text
    rest = _trim_left(rest[1:])
    value, after = _consume_value(rest)
    if value == "" and after == rest:
        return "", "", text
    return name, value, after


def _check_media_type(media: str) -> None:
    kind, rest = _consume_token(media)
    if not kind:
        raise MediaTypeError("no media type")
    if not rest:
        return
    if not rest.startswith("/"):
        raise MediaTypeError("expected slash after first token")
    subtype, rest = _consume_token(rest[1:])
    if not subtype:
        raise MediaTypeError("expected token after slash")
    if rest:
        raise MediaTypeError("unexpected content after media subtype")


def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """Media type (lowercase) and parameters, with Go's rules and error cases.

    RFC 2231 continuations (``name*0=``, ``name*=``) are kept under their
    literal names instead of being reassembled; no user data in the wild
    spells its boundary that way.
    """
    base = value.split(";", 1)[0]
    media = _trim(base.lower())
    _check_media_type(media)
    params: dict[str, str] = {}
    rest = value[len(base):]
    seen = 0
    while rest:
        rest = _trim_left(rest)
        if not rest:
            break
        seen += 1
        if seen > MAX_MEDIA_PARAMETERS:
            raise MediaTypeError(f"more than {MAX_MEDIA_PARAMETERS} media parameters")
        name, param_value, after = _consume_param(rest)
        if not name:
            if _trim(after) == ";":
                break  # a trailing semicolon is tolerated
            raise MediaTypeError("invalid media parameter")
        if params.get(name, param_value) != param_value:
            raise MediaTypeError("duplicate parameter name")
        params[name] = param_value
        rest = after
    return media, params


# --- the splitter ---------------------------------------------------------


class _Splitter:
    def __init__(self, data: bytes, result: MimeResult, budget: DecodeBudget) -> None:
        self.data = data
        self.result = result
        self.budget = budget  # shared by every part (and by the run, when the caller passes its budget)
        self.uri = result.uri
        self.lines = _Lines(data)
        result.data = data

    def report(self, code: str, line: int, message: str, hint: str = "",
               severity: Severity | None = None, col: int = 1, edits: tuple[Edit, ...] = ()) -> None:
        """A problem of the MIME structure itself."""
        finding = CATALOGUE[code].at(Span(self.uri, line, col), message, hint, severity=severity, edits=edits)
        self.result.structure_broken |= finding.severity >= Severity.ERROR
        self.result.diagnostics.append(finding)

    def report_content(self, code: str, line: int, message: str, hint: str = "", col: int = 1) -> None:
        """A problem of what a part holds (what cloud-init makes of it); the structure was read."""
        self.result.diagnostics.append(CATALOGUE[code].at(Span(self.uri, line, col), message, hint))

    def run(self) -> None:
        top = _read_header_block(self.lines, strict=False)
        usable = not top.error or (top.at_eof and top.headers)
        content_type = top.first("Content-Type") if usable else None
        if content_type is None:
            self.result.top_problem = top_header_problem(top)
            self.whole_is_nodeconfig(top if usable else None)
            return
        try:
            media, params = parse_media_type(content_type.value)
        except MediaTypeError as error:
            self.bad_top_content_type(content_type, str(error))
            return
        if not media.startswith("multipart/"):
            self.result.top_problem = (content_type.line, f"the Content-Type is {media}, not multipart", False)
            self.whole_is_nodeconfig(top)
            return
        self.result.is_multipart = True
        boundary = params.get("boundary", "")
        if not boundary:
            self.report("NC105", content_type.line, "multipart Content-Type has no boundary parameter",
                        'add boundary="..." naming the delimiter used between the parts')
            return
        _Multipart(self, boundary.encode("utf-8", "surrogateescape"), content_type.line).run()

    def line_text(self, number: int) -> str:
        """Line ``number`` of the data as text, as fixes count columns (no byte order mark)."""
        lines = self.data.split(b"\n")
        text = lines[number - 1].decode("utf-8", "surrogateescape") if 0 < number <= len(lines) else ""
        return text.removeprefix("\ufeff") if number == 1 else text

    def quote_boundary(self, number: int) -> tuple[Edit, ...]:
        """The fix of an unparsable multipart Content-Type: quote its unquoted boundary value."""
        match = re.search(r"(?i)\bboundary=([^\"\s;][^;\s]*)", self.line_text(number))
        if not match:
            return ()
        return (Edit(Span(self.uri, number, match.start(1) + 1, number, match.end(1) + 1),
                     f'"{match.group(1)}"', expect=match.group(1)),)

    def end_headers(self, number: int) -> tuple[Edit, ...]:
        """The fix of a part whose body follows its headers directly: the blank line before line ``number``."""
        if ":" not in self.line_text(number - 1) or not self.line_text(number).strip():
            return ()
        newline = "\r\n" if b"\r\n" in self.data else "\n"
        return (Edit(Span(self.uri, number, 1, number, 1), newline),)

    def whole_is_nodeconfig(self, top: _HeaderBlock | None) -> None:
        if top is not None and (top.first("Content-Type") or top.first("Mime-Version")):
            self.report("NC101", top.headers[0].line,
                        "user data has MIME headers but is not multipart: nodeadm reads all of it, "
                        "headers included, as one NodeConfig", severity=Severity.WARNING,
                        hint="use Content-Type: multipart/mixed with a boundary, or drop the headers")
        self.result.parts.append(Part(1, NODECONFIG_MEDIA_TYPE, {}, [], self.data, self.uri, 0, 1,
                                      self.result.layers))

    def bad_top_content_type(self, header: _Header, reason: str) -> None:
        if header.value.strip().lower().startswith("multipart/"):
            self.report("NC105", header.line,
                        f"multipart Content-Type cannot be parsed ({reason}): nodeadm then reads the whole "
                        "user data as one NodeConfig, fails, and ignores it",
                        'quote the boundary: boundary="..."', edits=self.quote_boundary(header.line))
            return
        self.report("NC101", header.line, f"Content-Type cannot be parsed ({reason})",
                    severity=Severity.WARNING)
        self.whole_is_nodeconfig(None)


class _Multipart:
    """Go's multipart.Reader, line by line."""

    def __init__(self, splitter: _Splitter, boundary: bytes, content_type_line: int) -> None:
        self.s = splitter
        self.lines = splitter.lines
        self.dash = b"--" + boundary
        self.dash_dash = self.dash + b"--"
        self.nl = b"\r\n"
        self.parts_read = 0
        self.content_type_line = content_type_line
        splitter.result.boundary = boundary

    # Go: isBoundaryDelimiterLine
    def is_delimiter(self, line: bytes) -> bool:
        if not line.startswith(self.dash):
            return False
        rest = line[len(self.dash):].lstrip(b" \t")
        if self.parts_read == 0 and rest == b"\n":
            self.nl = b"\n"
        return rest == self.nl

    # Go: isFinalBoundary
    def is_final(self, line: bytes) -> bool:
        if not line.startswith(self.dash_dash):
            return False
        rest = line[len(self.dash_dash):].lstrip(b" \t")
        return rest == b"" or rest == self.nl

    # Go: matchAfterPrefix, applied where a line starts with "--boundary"
    def ends_body(self, line: bytes) -> bool:
        if not line.startswith(self.dash):
            return False
        after = line[len(self.dash):]
        if not after:
            return True
        return after[:1] in (b" ", b"\t", b"\r", b"\n") or after[:2] == b"--"

    def run(self) -> None:
        delimiter_line = self.skip_preamble()
        while delimiter_line:
            if self.parts_read > MAX_PARTS:
                self.s.report("NC112", delimiter_line, f"more than {MAX_PARTS} MIME parts; the rest is not read")
                return
            delimiter_line = self.read_part(delimiter_line)
            if self.s.budget.exhausted and delimiter_line:
                self.s.report("NC103", delimiter_line, "the decoded size limit is used up; the parts from here "
                              "on are not read", f"the limit is {self.s.budget.limit} bytes of decoded data "
                              "for the whole user data (every MIME part and base64/gzip layer together)")
                return
        self.check_nodeconfig_present()

    def skip_preamble(self) -> int:
        """Go's first NextPart: skip lines up to the first delimiter; its line number or 0."""
        preamble = _Preamble()
        while not self.lines.at_eof():
            number = self.lines.number
            line = self.lines.take()
            if len(line) > _GO_LINE_BUFFER and self.parts_read == 0:
                self.s.report("NC101", number, f"line before the first boundary is longer than "
                              f"{_GO_LINE_BUFFER} bytes: Go's multipart reader fails on it")
                return 0
            if not line.endswith(b"\n"):
                if not self.is_final(line):
                    self.report_no_delimiter()
                return 0
            if self.is_delimiter(line):
                self.parts_read += 1
                self.check_preamble(preamble)
                return number
            if self.is_final(line):
                self.found_closing(line)
                self.check_preamble(preamble)
                return 0
            preamble.see(number, line)
        self.report_no_delimiter()
        return 0

    def check_preamble(self, preamble: "_Preamble") -> None:
        """A part or a NodeConfig before the first delimiter line: read by nothing.

        Go's Reader.nextPart skips every line before the first delimiter while
        no part has been read (src/mime/multipart/multipart.go, "skip line"
        when partsRead == 0), so nodeadm, Karpenter's mime.NewArchive and the
        node group's merge never see them, and nothing reports it.
        """
        line = preamble.header_line or preamble.nodeconfig_line
        if not line:
            return
        what = "a NodeConfig" if preamble.nodeconfig_line else "a MIME part header"
        boundary = _text(self.dash[2:])
        hint = f"parts start after a line '--{boundary}', the boundary the Content-Type declares"
        if preamble.stray_delimiter:
            hint = (f"'{preamble.stray_delimiter}' is not a delimiter of boundary=\"{boundary}\"; " + hint)
        self.s.report("NC101", line, f"{what} before the first '--{boundary}' line is in the MIME preamble: "
                      "Go's multipart reader skips the preamble, so nodeadm never reads it",
                      hint, severity=Severity.WARNING)

    def report_no_delimiter(self) -> None:
        boundary = self.dash[2:].decode("utf-8", "backslashreplace")
        self.s.report("NC105", self.content_type_line,
                      f"no line '--{boundary}' opens a part: the boundary does not match the delimiter lines",
                      "delimiter lines are '--' followed by the boundary parameter exactly")

    def read_part(self, delimiter_line: int) -> int:
        """Read one part after its delimiter line; return the next delimiter's line or 0."""
        headers = _read_header_block(self.lines, strict=True)
        if headers.at_eof:
            self.s.result.delimiter_end = delimiter_line
            self.headers_reach_eof(headers)
            return 0
        if headers.error:
            self.s.report("NC104", headers.error_line, f"MIME part headers: {headers.error}",
                          "a part's headers end with an empty line, then the body follows",
                          edits=self.s.end_headers(headers.error_line) if headers.no_colon else ())
            return 0
        body_line = self.lines.number
        body, end_line, end_text = self.read_body()
        _PartBuilder(self.s, self.parts_read, delimiter_line, headers, body, body_line).build()
        if end_text is None:
            self.s.report("NC106", self.lines.last_number(),
                          f"input ends inside part {self.parts_read}: the closing delimiter "
                          f"'{_text(self.dash_dash)}' is missing")
            return 0
        return self.after_body(end_line, end_text)

    def headers_reach_eof(self, headers: _HeaderBlock) -> None:
        """The input ends after a delimiter line, before a blank line.

        textproto's ReadMIMEHeader then returns io.EOF itself, and NextPart
        hands it on unwrapped (Go src/mime/multipart/multipart.go, newPart),
        so nodeadm (internal/configprovider/mime.go, ParseMultipart) and
        Karpenter (pkg/providers/amifamily/bootstrap/mime/mime.go, NewArchive)
        stop as at a closing delimiter.  A bare ``--BOUNDARY`` line at the end,
        as in Karpenter's examples, is therefore a clean end; header lines
        after it are a part that is silently not read.
        """
        if not headers.headers:
            return
        self.s.report("NC104", headers.headers[0].line,
                      f"part {self.parts_read} has headers but the input ends before the blank line and "
                      "body: Go's multipart reader stops here and nodeadm ignores the part",
                      "end the part's headers with an empty line and give it a body, or remove them",
                      severity=Severity.WARNING)

    def read_body(self) -> tuple[bytes, int, bytes | None]:
        """Body bytes up to the next boundary line, that line's number and text (None at EOF)."""
        start = self.lines.pos
        previous: bytes | None = None
        while not self.lines.at_eof():
            line = self.lines.peek()
            if self.ends_body(line) and (previous is None or previous.endswith(self.nl)):
                end = self.lines.pos - (len(self.nl) if previous is not None else 0)
                number = self.lines.number
                self.lines.take()
                return self.s.data[start:end], number, line
            previous = self.lines.take()
        return self.s.data[start:], self.lines.number, None

    def after_body(self, number: int, line: bytes) -> int:
        if not line.endswith(b"\n"):
            if self.is_final(line):
                self.found_closing(line)
                return 0
            if line.rstrip(b" \t") == self.dash:
                self.s.result.open_end = number
            self.s.report("NC106", number, f"the last boundary line is '{_text(line)}': "
                          f"the closing delimiter '{_text(self.dash_dash)}' is missing")
            return 0
        if self.is_delimiter(line):
            self.parts_read += 1
            return number
        if self.is_final(line):
            self.found_closing(line)
            self.check_epilogue()
            return 0
        self.s.report("NC101", number, self.bad_boundary_message(line))
        return 0

    def found_closing(self, line: bytes) -> None:
        """The closing delimiter line was just taken: where it starts, and the line ending in use."""
        self.s.result.closing = self.lines.pos - len(line)
        self.s.result.newline = self.nl if self.parts_read else (b"\r\n" if line.endswith(b"\r\n") else b"\n")

    def bad_boundary_message(self, line: bytes) -> str:
        if self.nl == b"\r\n" and line.endswith(b"\n") and not line.endswith(b"\r\n"):
            return ("boundary line ends with LF but the first one ended with CRLF: "
                    "Go's multipart reader stops here")
        return f"expected a boundary line, got {_show(line)}: Go's multipart reader stops here"

    def check_epilogue(self) -> None:
        """A part, a NodeConfig or a delimiter after the closing delimiter: read by nothing."""
        epilogue = _Preamble()
        while not self.lines.at_eof():
            number = self.lines.number
            line = self.lines.take()
            if line.startswith(self.dash):
                epilogue.header_line = epilogue.header_line or number
                break
            epilogue.see(number, line)
        line = min(n for n in (epilogue.header_line, epilogue.nodeconfig_line, 1 << 62) if n)
        if line == 1 << 62:
            return
        what = "a NodeConfig" if epilogue.nodeconfig_line else "text that looks like another part"
        self.s.report("NC101", line, f"{what} after the closing delimiter; nodeadm ignores everything after "
                      "the closing delimiter", severity=Severity.WARNING)

    def check_nodeconfig_present(self) -> None:
        result = self.s.result
        # with a broken structure, "no NodeConfig" would only be noise
        if not result.structure_broken and not any(p.content_type == NODECONFIG_MEDIA_TYPE for p in result.parts):
            result.without_nodeconfig = self.content_type_line


class _Preamble:
    """What the lines before the first delimiter hold that someone meant to be read."""

    # asked only of a line between the headers and the first delimiter, or after the closing one
    _HEADER = LazyPattern(rb"content-(type|transfer-encoding)[ \t]*:", re.I)
    _NODECONFIG = LazyPattern(rb"(kind:[ \t]*[\"']?NodeConfig\b|apiVersion:[ \t]*[\"']?node\.eks\.aws/)")

    def __init__(self) -> None:
        self.header_line = 0
        self.nodeconfig_line = 0
        self.stray_delimiter = ""  # a '--...' line before the first part: a delimiter of another boundary

    def see(self, number: int, line: bytes) -> None:
        if not self.header_line and self._HEADER.match(line):
            self.header_line = number
        elif not self.nodeconfig_line and self._NODECONFIG.match(line.lstrip()):
            self.nodeconfig_line = number
        elif not self.stray_delimiter and line.startswith(b"--") and len(line.strip()) > 2:
            self.stray_delimiter = _text(line.strip())


def _text(raw: bytes) -> str:
    return raw.rstrip(b"\r\n").decode("utf-8", "backslashreplace")


class _PartBuilder:
    """Turns one part's headers and raw body into a Part, decoding as nodeadm/cloud-init would."""

    def __init__(self, splitter: _Splitter, index: int, delimiter_line: int,
                 headers: _HeaderBlock, raw_body: bytes, body_line: int) -> None:
        self.s = splitter
        self.index = index
        self.delimiter_line = delimiter_line
        self.headers = headers
        self.body = raw_body
        self.body_line = body_line
        self.layers: list[str] = []
        self.uri = part_uri(splitter.uri, index)

    def build(self) -> None:
        self.check_duplicates()
        media, params = self.media_type()
        encoding = self.header_value("Content-Transfer-Encoding").strip().lower()
        if encoding == "quoted-printable":
            self.decode_quoted_printable(media)
        if media == NODECONFIG_MEDIA_TYPE:
            self.decode_nodeconfig(encoding)
        elif encoding == "base64":
            self.decode_declared_base64()
        self.check_kind(media)
        offset = 0 if self.layers else self.body_line - 1
        headers = [(h.name, h.value, h.line) for h in self.headers.headers]
        self.s.result.parts.append(Part(self.index, media, params, headers, self.body, self.uri,
                                        offset, self.delimiter_line, tuple(self.layers)))

    def header_value(self, key: str) -> str:
        header = self.headers.first(key)
        return header.value if header else ""

    def check_duplicates(self) -> None:
        seen: set[str] = set()
        for header in self.headers.headers:
            if header.key in seen:
                self.s.report("NC107", header.line, f"part {self.index} repeats the {header.key} header: "
                              "nodeadm uses the first one")
            seen.add(header.key)

    def media_type(self) -> tuple[str, dict[str, str]]:
        header = self.headers.first("Content-Type")
        if header is None or not header.value:
            return "", {}
        try:
            return parse_media_type(header.value)
        except MediaTypeError as error:
            self.s.report("NC101", header.line, f"part {self.index} Content-Type cannot be parsed ({error}): "
                          "nodeadm stops reading the user data with an error")
            return "", {}

    def decode_quoted_printable(self, media: str) -> None:
        self.body, error = decode_quoted_printable(self.body)
        self.layers.append("quoted-printable")
        if error:
            # nodeadm reads NodeConfig parts in full and fails; other parts it only skips.
            severity = Severity.ERROR if media == NODECONFIG_MEDIA_TYPE else Severity.WARNING
            self.s.report("NC101", self.body_line, f"part {self.index} quoted-printable body: {error}",
                          severity=severity)

    def decode_nodeconfig(self, encoding: str) -> None:
        unwrapped = unwrap(self.body, self.uri, self.s.budget, Span(self.s.uri, self.body_line, 1))
        self.s.result.diagnostics.extend(unwrapped.diagnostics)
        self.body = unwrapped.data
        self.layers.extend(unwrapped.layers)
        if encoding == "base64" and unwrapped.ok and "base64" not in unwrapped.layers:
            self.warn_not_base64("nodeadm then reads the text as it is")

    def decode_declared_base64(self) -> None:
        try:
            decoded = decode_if_base64(self.body, self.s.budget)
        except UnwrapError as error:
            self.s.report(error.code, self.body_line, f"part {self.index}: {error.message}")
            self.body = b""
            return
        if decoded is None:
            self.warn_not_base64("cloud-init may not be able to decode it")
            return
        self.body = decoded
        self.layers.append("base64")

    def warn_not_base64(self, consequence: str) -> None:
        self.s.report("NC101", self.body_line, f"part {self.index} declares Content-Transfer-Encoding: "
                      f"base64 but its body is not valid base64; {consequence}", severity=Severity.WARNING)

    def check_kind(self, media: str) -> None:
        if media in (NODECONFIG_MEDIA_TYPE, BOOTHOOK_MEDIA_TYPE):
            return
        if media == SHELL_MEDIA_TYPE:
            self.check_shebang()
            return
        if media == CLOUD_CONFIG_MEDIA_TYPE:
            self.check_cloud_config()
            return
        shown = media or "no Content-Type"
        self.s.report_content("NC108", self.delimiter_line, f"part {self.index} has {shown}: nodeadm ignores it "
                              "and nodecfg does not check it",
                              f"NodeConfig parts use Content-Type: {NODECONFIG_MEDIA_TYPE}")

    def check_shebang(self) -> None:
        """cloud-init writes the part to its scripts directory and runs it with subp([path])
        (cloudinit/handlers/shell_script.py, subp.runparts): an exec, which the kernel
        refuses with ENOEXEC ("Exec format error") unless the file starts with #!."""
        if self.body.startswith(b"#!"):
            return
        stripped = self.body.lstrip(b" \t\r\n").removeprefix(b"\xef\xbb\xbf")
        hint = ("remove what comes before #!: it must be the very first bytes of the part"
                if stripped.startswith(b"#!") else "start the script with #!/bin/bash")
        self.s.report_content("NC110", self.body_line, f"shell script part {self.index} does not start with a #! line: "
                              "cloud-init executes the part directly, which fails with 'Exec format error', "
                              "and the script never runs", hint)

    def check_cloud_config(self) -> None:
        problem = cloud_config_problem(self.body)
        if problem is None:
            return
        line, col, message = problem
        if self.layers:
            self.s.report_content("NC111", self.body_line, f"cloud-config part {self.index}: {message} "
                                  f"(line {line} of the decoded part)")
        else:
            self.s.report_content("NC111", self.body_line + line - 1, f"cloud-config part {self.index}: {message}",
                                  col=col)


def no_nodeconfig_part(span: Span) -> Diagnostic:
    """NC109 at the multipart Content-Type (nodecfg.pipeline decides when it applies)."""
    return CATALOGUE["NC109"].at(span, f"multipart user data has no {NODECONFIG_MEDIA_TYPE} part",
                                 "nodeadm finds no NodeConfig here unless a script writes one into "
                                 "/etc/eks/nodeadm.d/")


def cloud_config_problem(body: bytes) -> tuple[int, int, str] | None:
    """(line, col, message) of the first YAML problem in a cloud-config body, or None."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return body[:error.start].count(b"\n") + 1, 1, "not valid UTF-8"
    from nodecfg.parse.yaml import parse_yaml_documents  # the one bounded YAML reader

    _, diagnostics = parse_yaml_documents(text, "<cloud-config>")
    for diagnostic in diagnostics:
        if diagnostic.code in ("NC120", "NC123"):
            message = diagnostic.message.removeprefix("YAML syntax error: ")
            return diagnostic.span.line, diagnostic.span.col, f"not valid YAML: {message}"
    return None


