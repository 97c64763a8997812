"""Base64 and gzip unwrapping of user data, as nodeadm does it, with a size limit.

nodeadm (internal/configprovider/encoding.go) first tries Go's
``base64.StdEncoding`` on the whole input and keeps the raw bytes when that
fails, then inflates the result when it starts with the gzip magic ``1f 8b``.
The same two steps run again on each ``application/node.eks.aws`` MIME part.

Inflation is streamed in bounded chunks, so a gzip bomb is refused once the
output passes the limit instead of after it has been inflated in memory.
The limit is one ``DecodeBudget`` for everything a run decodes: the whole
user data, each MIME part and each layer of it, and user data embedded in a
manifest or template all draw on it (docs/limits.md), so a hundred small
gzip bombs cost what one does.
"""

import binascii
from typing import NamedTuple

from nodecfg.core.codes import CATALOGUE
from nodecfg.core.diagnostics import Diagnostic, Severity, Span

DEFAULT_LIMIT = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
_INFLATE_CHUNK = 64 * 1024
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

class Unwrapped(NamedTuple):
    data: bytes
    layers: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    sizes: tuple[int, ...] = ()  # bytes after each layer, in the order of layers

    @property
    def ec2_size(self) -> int | None:
        """Bytes EC2 counts against its 16 KiB limit when the data came base64: the decoded bytes."""
        return self.sizes[0] if self.layers[:1] == ("base64",) else None

    @property
    def ok(self) -> bool:
        return not any(d.severity >= Severity.ERROR for d in self.diagnostics)


class UnwrapError(Exception):
    """Internal signal carrying a diagnostic code and sentence; never escapes this module."""

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


_GZIP_HINT = "re-create the data with gzip, or send it uncompressed"


class DecodeBudget:
    """Bytes that base64 and gzip decoding may still produce in one run, all layers and parts together.

    A plain ``int`` limit given to the functions below is a budget of its own
    for that one call.
    """

    __slots__ = ("limit", "used", "exhausted")

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self.used = 0
        self.exhausted = False

    def charge(self, size: int, refusal: str) -> None:
        """Count ``size`` more decoded bytes, or refuse them (NC103, ``refusal``) when they pass the limit."""
        if self.used + size > self.limit:
            self.exhausted = True
            raise UnwrapError("NC103", f"{refusal}; refused",
                              f"the limit is {self.limit} bytes of decoded data for the whole user data "
                              "(every MIME part and base64/gzip layer together)")
        self.used += size


def budget_of(limit: "int | DecodeBudget") -> DecodeBudget:
    return limit if isinstance(limit, DecodeBudget) else DecodeBudget(limit)


def unwrap(data: bytes, uri: str, limit: "int | DecodeBudget" = DEFAULT_LIMIT, span: Span | None = None
           ) -> Unwrapped:
    """Undo optional base64 then optional gzip, like nodeadm's decodeIfBase64 + decompressIfGZIP.

    ``span`` anchors any diagnostic (default: the start of ``uri``).  On an
    error the returned data is empty: nodeadm refuses such input.
    """
    anchor = span or Span(uri, 1, 1)
    budget = budget_of(limit)
    layers: list[str] = []
    sizes: list[int] = []
    try:
        decoded = decode_if_base64(data, budget)
        if decoded is not None:
            data = decoded
            layers.append("base64")
            sizes.append(len(data))
        if is_gzip(data):
            data = gunzip_limited(data, budget)
            layers.append("gzip")
            sizes.append(len(data))
    except UnwrapError as error:
        diagnostic = CATALOGUE[error.code].at(anchor, error.message, error.hint)
        return Unwrapped(b"", tuple(layers), (diagnostic,), tuple(sizes))
    return Unwrapped(data, tuple(layers), (), tuple(sizes))


def decode_if_base64(data: bytes, limit: "int | DecodeBudget" = DEFAULT_LIMIT) -> bytes | None:
    """The decoded bytes when ``data`` is valid standard base64, else None.

    Matches Go's StdEncoding.Decode: CR and LF are ignored anywhere, the
    alphabet is strict, ``=`` padding is required and only at the end,
    non-zero trailing bits are tolerated.  Input that is empty after removing
    CR/LF decodes to nothing in Go too; it is reported as "not base64" here
    because the result would be the same empty document either way.
    """
    compact = data.replace(b"\r", b"").replace(b"\n", b"")
    if not compact or len(compact) % 4:
        return None
    body = compact.rstrip(b"=")
    if len(compact) - len(body) > 2 or body.translate(None, _BASE64_ALPHABET):
        return None
    decoded_size = len(compact) // 4 * 3 - (len(compact) - len(body))
    budget_of(limit).charge(decoded_size, f"base64 data decodes to {decoded_size} bytes, over the decoded size limit")
    try:
        return binascii.a2b_base64(compact)
    except binascii.Error:
        return None


def decode_quoted_printable(data: bytes) -> tuple[bytes, str]:
    """Decode a quoted-printable body like Go's mime/quotedprintable.Reader.

    Returns the bytes decoded before any error, and the error sentence ("" if
    none).  Like Go: trailing white space is dropped, ``=`` at a line end is
    a soft break, lower-case hex is accepted, an ``=`` not followed by hex is
    kept literally, bytes >= 0x80 pass, other control bytes are an error.
    """
    output = bytearray()
    position = 0
    while position < len(data):
        end = data.find(b"\n", position)
        end = len(data) if end < 0 else end + 1
        line, position = data[position:end], end
        content, error = _qp_line_content(line, at_eof=position >= len(data))
        error = _qp_decode_line(content, output) or error
        if error:
            return bytes(output), error
    return bytes(output), ""


def _qp_line_content(line: bytes, at_eof: bool) -> tuple[bytes, str]:
    content = line.rstrip(b" \t\r\n")
    if content.endswith(b"="):
        stripped = line[len(content):]
        content = content[:-1]
        if stripped.startswith((b"\n", b"\r\n")) or (not stripped and content and at_eof):
            return content, ""
        return content, f"invalid bytes after '=': {stripped!r}"
    if line.endswith(b"\r\n"):
        return content + b"\r\n", ""
    if line.endswith(b"\n"):
        return content + b"\n", ""
    return content, ""


def _qp_decode_line(content: bytes, output: bytearray) -> str:
    index = 0
    while index < len(content):
        byte = content[index]
        if byte == 0x3D:  # '='
            escape = content[index + 1:index + 3]
            if len(escape) == 2 and not escape.translate(None, _HEX_DIGITS):
                output.append(int(escape, 16))
                index += 3
                continue
            if index + 1 >= len(content) or content[index + 1] in b"\r\n":
                return "an '=' escape is cut short"
        elif byte < 0x20 and byte not in b"\t\r\n" or byte == 0x7F:
            return f"invalid unescaped byte 0x{byte:02x}"
        output.append(byte)
        index += 1
    return ""


def is_gzip(data: bytes) -> bool:
    return data[:2] == GZIP_MAGIC


def gunzip_limited(data: bytes, limit: "int | DecodeBudget" = DEFAULT_LIMIT) -> bytes:
    """Inflate every gzip member of ``data`` (Go's reader is multistream) within ``limit``."""
    output = bytearray()
    remaining = data
    budget = budget_of(limit)
    while True:
        remaining = _inflate_member(remaining, output, budget)
        if not remaining:
            return bytes(output)
        if not is_gzip(remaining):
            raise UnwrapError("NC102", "gzip data is followed by bytes that are not another gzip member", _GZIP_HINT)


def _inflate_member(data: bytes, output: bytearray, budget: DecodeBudget) -> bytes:
    """Inflate one member into ``output``; return the bytes after it."""
    import zlib  # only gzip-compressed user data needs it

    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = data
    try:
        while not inflater.eof:
            chunk = inflater.decompress(pending, _INFLATE_CHUNK)
            budget.charge(len(chunk), "gzip data inflates past the decoded size limit")
            output += chunk
            pending = inflater.unconsumed_tail
            if not chunk and not pending:
                break
    except zlib.error as error:
        raise UnwrapError("NC102", f"gzip data is corrupt ({error})", _GZIP_HINT) from None
    if not inflater.eof:
        raise UnwrapError("NC102", "gzip data is truncated: the stream ends before its end marker", _GZIP_HINT)
    return inflater.unused_data
