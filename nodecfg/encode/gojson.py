"""Go's encoding/json, as nodeadm's files are written with it.

``encode_go_json`` is ``json.Marshal`` (indent None) or
``json.MarshalIndent(v, "", indent)`` of a value already in the shape Go
marshals (struct fields in declaration order as dict order, maps sorted);
``as_go_interface`` is what ``json.Unmarshal`` into ``interface{}`` makes of a
value: maps with string keys sorted as Go sorts them, every number a float64.
Strings are escaped as encoding/json's encodeState.string does: HTML-safe
(<, >, & as \\u003c...), U+2028/U+2029 escaped, and an invalid code unit (a
lone surrogate, which Go's decoders have already turned into U+FFFD)
written as U+FFFD.  Floats take strconv's shortest form, with exponents only
below 1e-6 and from 1e21 on (encoding/json floatEncoder).
"""
from __future__ import annotations

import math
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any


def as_go_interface(value: Any) -> Any:
    """What json.Unmarshal into interface{} makes of a value: sorted maps, float64s."""
    if isinstance(value, dict):
        return {go_key(key): as_go_interface(value[key])
                for key in sorted(value, key=go_key)}
    if isinstance(value, (list, tuple)):
        return [as_go_interface(item) for item in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        try:
            return float(value)
        except OverflowError:
            return math.inf
    return str(value)


def go_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return key if isinstance(key, str) else str(key)


def go_string(text: str) -> str:
    """A JSON string as Go escapes it: HTML-safe, U+2028/9 escaped, bad UTF-16 replaced."""
    return _short_go_string(text) if len(text) <= _SHORT else _go_string(text)


# Keys and short values repeat from file to file and from tree to tree (a generator compiling one
# config per instance type); remembering the short ones keeps the cache under a megabyte.
_SHORT = 256


@lru_cache(maxsize=4096)
def _short_go_string(text: str) -> str:
    return _go_string(text)


def _go_string(text: str) -> str:
    cleaned = text if text.isascii() or _is_valid_utf8(text) else \
        "".join("\ufffd" if _is_surrogate(char) else char for char in text)
    encoded = encode_basestring(cleaned)  # json.dumps(cleaned, ensure_ascii=False), without its set-up
    if any(char in encoded for char in _GO_EXTRA):
        for raw, escaped in _GO_EXTRA_ESCAPES:
            encoded = encoded.replace(raw, escaped)
    return encoded


_GO_EXTRA_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                     ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))
_GO_EXTRA = "<>&\u2028\u2029"  # a character class of these takes half a millisecond to compile


def _is_valid_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _is_surrogate(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"


def go_float(number: float) -> str:
    """strconv's shortest float64 text, in the form encoding/json picks."""
    if math.isnan(number) or math.isinf(number):
        return "null"  # Go refuses to marshal these; nodeadm would fail
    magnitude = abs(number)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        mantissa, exponent = repr(number).split("e")
        if exponent.startswith("-0"):  # Go cleans e-07 to e-7
            exponent = "-" + exponent[2:]
        return f"{mantissa}e{exponent}"
    negative_zero = number == 0 and math.copysign(1.0, number) < 0
    if number.is_integer() and magnitude < 2 ** 53 and not negative_zero:
        return str(int(number))  # exact below 2**53, so also the shortest digits
    from decimal import Decimal

    # repr gives the shortest round-tripping digits, as Go does; 'f' pads zeros.
    return format(Decimal(repr(number)).normalize(), "f")


def encode_go_json(value: Any, indent: str | None = None) -> str:
    """Go's json.Marshal (indent None) or json.MarshalIndent(v, "", indent)."""
    parts: list[str] = []
    if indent is None:
        _encode(value, "", "", ":", parts)
    else:
        _encode(value, "\n", indent, ": ", parts)
    return "".join(parts)


def _encode(value: Any, newline: str, indent: str, colon: str, parts: list[str]) -> None:
    """Append value's text; ``newline`` starts a line at value's own depth ("" for json.Marshal)."""
    is_map = isinstance(value, dict)
    if not is_map and not isinstance(value, (list, tuple)):
        parts.append(_scalar(value))
        return
    opener, closer = ("{", "}") if is_map else ("[", "]")
    if not value:
        parts.append(opener + closer)
        return
    inner = newline + indent
    separator = opener + inner
    for item in value.items() if is_map else value:
        if is_map:
            key, item = item
            parts.append(separator + go_string(key if isinstance(key, str) else go_key(key)) + colon)
        else:
            parts.append(separator)
        if isinstance(item, (dict, list, tuple)):
            _encode(item, inner, indent, colon, parts)
        else:
            parts.append(_scalar(item))
        separator = "," + inner
    parts.append(newline + closer)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return go_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    return go_string(str(value))
