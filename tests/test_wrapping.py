"""Base64/gzip/quoted-printable unwrapping, matched to nodeadm's encoding.go and Go's decoders."""
from __future__ import annotations

import base64
import gzip
import tracemalloc
import zlib

import pytest

from cputime import CpuTime
from nodecfg.core.diagnostics import Severity, Span
from nodecfg.parse.wrapping import (
    decode_if_base64,
    decode_quoted_printable,
    gunzip_limited,
    unwrap,
)

CONFIG = b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"


def codes(result):
    return [(d.code, d.span.line, d.span.col) for d in result.diagnostics]


def test_plain_text_is_kept_as_is():
    result = unwrap(CONFIG, "u")
    assert (result.data, result.layers, result.diagnostics) == (CONFIG, (), ())


def test_base64_whole_input_is_decoded():
    result = unwrap(base64.b64encode(CONFIG), "u")
    assert (result.data, result.layers) == (CONFIG, ("base64",))


def test_base64_ignores_cr_and_lf_anywhere():
    encoded = base64.encodebytes(CONFIG * 10).replace(b"\n", b"\r\n")  # 76-column lines
    assert decode_if_base64(encoded) == CONFIG * 10
    assert decode_if_base64(b"QU\nJD\r\n") == b"ABC"


@pytest.mark.parametrize("text", [
    b"QUJD=",       # length not a multiple of 4
    b"QQ=",         # short padding
    b"QQ==QUJD",    # data after padding
    b"Q===",        # too much padding
    b"QU JD",       # space is not in the alphabet (Go ignores only CR and LF)
    b"QUJD-_==",    # URL alphabet is not StdEncoding
])
def test_invalid_base64_keeps_raw_bytes(text):
    assert decode_if_base64(text) is None
    assert unwrap(text, "u").data == text


def test_base64_tolerates_nonzero_trailing_bits_like_go_std_encoding():
    # "QR==" has low bits set in its last sextet; Go's non-strict StdEncoding decodes it to "A".
    assert decode_if_base64(b"QR==") == b"A"


def test_gzip_is_inflated():
    result = unwrap(gzip.compress(CONFIG), "u")
    assert (result.data, result.layers) == (CONFIG, ("gzip",))


def test_base64_then_gzip():
    result = unwrap(base64.b64encode(gzip.compress(CONFIG)), "u")
    assert (result.data, result.layers) == (CONFIG, ("base64", "gzip"))


def test_concatenated_gzip_members_are_all_read_like_go_multistream():
    assert gunzip_limited(gzip.compress(b"one\n") + gzip.compress(b"two\n")) == b"one\ntwo\n"


@pytest.mark.parametrize("damage", [
    lambda z: z[:-6],                          # truncated
    lambda z: z[:12] + b"\xff" * 4 + z[16:],   # corrupt deflate data
    lambda z: z[:-8] + b"\0\0\0\0" + z[-4:],   # wrong CRC32
    lambda z: z + b"\0\0",                     # trailing bytes that are no gzip member
    lambda z: z[:2],                           # only the magic
])
def test_corrupt_gzip_is_nc102_and_yields_no_data(damage):
    result = unwrap(damage(gzip.compress(CONFIG * 20)), "u.yaml")
    assert codes(result) == [("NC102", 1, 1)]
    assert result.diagnostics[0].severity is Severity.ERROR
    assert result.data == b"" and not result.ok


def test_diagnostic_anchor_can_be_given():
    result = unwrap(gzip.compress(CONFIG)[:-3], "u", span=Span("u", 7, 1))
    assert codes(result) == [("NC102", 7, 1)]


def test_limit_is_inclusive():
    data = gzip.compress(b"x" * 100)
    assert unwrap(data, "u", limit=100).data == b"x" * 100
    assert codes(unwrap(data, "u", limit=99)) == [("NC103", 1, 1)]


def test_base64_over_limit_is_refused_before_decoding():
    assert codes(unwrap(base64.b64encode(b"y" * 300), "u", limit=200)) == [("NC103", 1, 1)]


def _gzip_bomb() -> bytes:
    """About 1 MiB of gzip that inflates to 1.06 GiB: 68 members of 16 MiB of zeros each."""
    member = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    packed = member.compress(bytes(16 << 20)) + member.flush()
    return packed * 68


def test_gzip_bomb_is_refused_fast_and_without_inflating_it():
    bomb = _gzip_bomb()
    assert len(bomb) < 2 << 20
    tracemalloc.start()
    with CpuTime() as spent:
        result = unwrap(bomb, "bomb")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert codes(result) == [("NC103", 1, 1)]
    assert spent.seconds < 0.5
    assert peak < 8 << 20


@pytest.mark.parametrize("encoded, decoded", [
    (b"foo bar=3D", b"foo bar="),
    (b"soft=\nbreak", b"softbreak"),
    (b"soft=\r\nbreak", b"softbreak"),
    (b"trailing  \t\nspace", b"trailing\nspace"),
    (b"crlf kept\r\n", b"crlf kept\r\n"),
    (b"lower=c3=a9", b"lower\xc3\xa9"),
    (b"literal=zz", b"literal=zz"),
    (b"high\xe9", b"high\xe9"),
    (b"tab\tinside", b"tab\tinside"),
])
def test_quoted_printable_like_go(encoded, decoded):
    assert decode_quoted_printable(encoded) == (decoded, "")


@pytest.mark.parametrize("encoded, partial", [
    (b"nul\x00here", b"nul"),
    (b"cut=\rshort", b"cut"),
])
def test_quoted_printable_errors_keep_the_decoded_prefix(encoded, partial):
    data, error = decode_quoted_printable(encoded)
    assert data == partial and error
