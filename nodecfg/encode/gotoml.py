"""Serialize TOML data the way go-toml v2's ``Marshal`` lays out a Go map.

nodeadm writes every merged containerd config with ``toml.Marshal`` on a
``map[string]interface{}``; matching its layout byte for byte keeps
``nodecfg build`` output identical to the file on a node.  The rules:

* keys sorted (byte order); in each table plain key/values first, then
  sub-tables and arrays of tables;
* a table header ``[a.b]`` for every table, even one with no keys of its own;
  one blank line between sibling tables, and one before the first sub-table
  only when the parent printed key/values;
* bare keys when made of ``A-Za-z0-9_-``, else 'literal' keys, else "quoted";
* strings 'literal' unless they hold ``'``, CR, LF or a control character;
* arrays inline (``[a, b]``), an array whose items are all tables becomes
  ``[[array.of.tables]]``, tables inside inline arrays become ``{k = v}``;
* floats in fixed notation, integral ones with ``.0``; datetimes RFC 3339.

``dumps(..., sort_keys=False, indent_tables=True)`` is the same encoder on a
Go struct, as containerd's ``config migrate`` uses it: fields in the order
given (the caller sorts what are Go maps) and each table's header and keys
indented two spaces per level.

Input is what ``tomllib`` (or JSON) produces: dict, list, str, int, float,
bool, datetime/date/time.  ``None`` values are skipped, as go-toml skips nil.
"""
from __future__ import annotations

import datetime as _dt
import math
from typing import Any

from nodecfg.core.lazy_re import LazyPattern

# what a bare key is made of (go-toml's [A-Za-z0-9_-]+); a key is bare when strip() leaves nothing of it
_BARE_KEY_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"


def dumps(data: dict[str, Any], sort_keys: bool = True, indent_tables: bool = False) -> str:
    """Return ``data`` as TOML text in go-toml v2 layout."""
    out: list[str] = []
    _Writer(out, sort_keys, indent_tables).table([], data, header=False)
    return "".join(out)


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_array_of_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_is_table(v) for v in value)


class _Writer:
    def __init__(self, out: list[str], sort_keys: bool, indent_tables: bool):
        self.out, self.sort_keys, self.indent_tables = out, sort_keys, indent_tables

    def _indent(self, depth: int) -> str:
        return "  " * depth if self.indent_tables and depth > 0 else ""

    def split(self, table: dict[str, Any]) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
        plain, nested = [], []
        for key in sorted(table) if self.sort_keys else table:
            value = table[key]
            if value is None:
                continue
            if _is_table(value) or _is_array_of_tables(value):
                nested.append((key, value))
            else:
                plain.append((key, value))
        return plain, nested

    def table(self, path: list[str], table: dict[str, Any], header: bool) -> None:
        if header:
            self.out.append(f"{self._indent(len(path) - 1)}[{_dotted(path)}]\n")
        self.body(path, table)

    def body(self, path: list[str], table: dict[str, Any]) -> None:
        plain, nested = self.split(table)
        indent = self._indent(len(path))
        for key, value in plain:
            self.out.append(f"{indent}{encode_key(key)} = {_encode_value(value, self.sort_keys)}\n")
        for index, (key, value) in enumerate(nested):
            if index > 0 or plain:
                self.out.append("\n")
            child = path + [key]
            if _is_table(value):
                self.table(child, value, header=True)
            else:
                self.array_of_tables(child, value)

    def array_of_tables(self, path: list[str], items: list[dict]) -> None:
        for index, item in enumerate(items):
            if index > 0:
                self.out.append("\n")
            self.out.append(f"{self._indent(len(path) - 1)}[[{_dotted(path)}]]\n")
            self.body(path, item)


def _dotted(path: list[str]) -> str:
    return ".".join(encode_key(part) for part in path)


def encode_key(key: str) -> str:
    """Encode one key segment as go-toml does (bare, 'literal' or "quoted")."""
    if key == "":
        return "''"
    if not key.strip(_BARE_KEY_CHARACTERS):
        return key
    if "'" in key or _needs_basic_string(key):
        return _basic_string(key)
    return f"'{key}'"


def _needs_basic_string(text: str) -> bool:
    """A quote, a line break or a control character: what a 'literal' string cannot hold."""
    if text.isprintable():  # then it holds no control character, and only a quote can need one
        return "'" in text
    return _NEEDS_BASIC.search(text) is not None


# ', CR, LF and the characters _is_control names; asked only of a text with a character that is
# not printable (a tab, a line break, ...): compiled on first use
_NEEDS_BASIC = LazyPattern("['\x00-\x08\x0a-\x1f\x7f]")


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return (code < 0x20 and ch not in "\t\n\r") or code == 0x7F


def encode_string(text: str) -> str:
    if _needs_basic_string(text):
        return _basic_string(text)
    return f"'{text}'"


_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _basic_string(text: str) -> str:
    parts = ['"']
    for ch in text:
        if ch in _SHORT_ESCAPES:
            parts.append(_SHORT_ESCAPES[ch])
        elif _is_control(ch):
            parts.append(f"\\u00{ord(ch):02X}")
        else:
            parts.append(ch)
    parts.append('"')
    return "".join(parts)


def _encode_value(value: Any, sort_keys: bool = True) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, str):
        return encode_string(value)
    if isinstance(value, _dt.datetime):
        return _format_datetime(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return _format_time(value)
    if isinstance(value, list):
        return "[" + ", ".join(_encode_value(v, sort_keys) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return _inline_table(value, sort_keys)
    raise TypeError(f"cannot encode {type(value).__name__} as TOML")


def _inline_table(table: dict[str, Any], sort_keys: bool = True) -> str:
    keys = sorted(table) if sort_keys else table
    items = [f"{encode_key(k)} = {_encode_value(table[k], sort_keys)}" for k in keys if table[k] is not None]
    return "{" + ", ".join(items) + "}"


def format_float(value: float) -> str:
    """Go's AppendFloat: 'f' with one decimal for integral values, else shortest 'f'."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == math.trunc(value):
        return f"{value:.1f}"
    return _positional(repr(value))


def _positional(shortest: str) -> str:
    """``format(Decimal(shortest), "f")`` for the repr of a float that is not integral.

    repr writes such a float with an exponent only below 1e-4 ("1.5e-05": one digit, a point,
    the rest): its digits then follow "0." and the zeros the exponent asks for.  Any other form is
    left to decimal, which costs a millisecond to import.  tests/test_tomlmerge.py compares the two.
    """
    mantissa, _, exponent = shortest.partition("e")
    if not exponent:
        return shortest  # "0.25", "-1234.5": already positional
    sign, digits = ("-", mantissa[1:]) if mantissa.startswith("-") else ("", mantissa)
    whole, _, fraction = digits.partition(".")
    zeros = -int(exponent) - len(whole)
    if zeros < 0:
        from decimal import Decimal

        return format(Decimal(shortest), "f")
    return f"{sign}0.{'0' * zeros}{whole}{fraction}"


def _fraction(microsecond: int) -> str:
    return f".{microsecond:06d}".rstrip("0") if microsecond else ""


def _format_time(value: _dt.time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}{_fraction(value.microsecond)}"


def _format_datetime(value: _dt.datetime) -> str:
    text = f"{value.date().isoformat()}T{_format_time(value.timetz())}"
    offset = value.utcoffset()
    if offset is None:
        return text
    if offset == _dt.timedelta(0):
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"
