"""A small deterministic YAML writer whose output nodeadm reads back unchanged.

Strings are quoted whenever go-yaml v2 (YAML 1.1) would read the plain form
as something else (``yes``, ``0644``, ``1e3``, ``~``); multi-line strings
become literal blocks.  Key order is preserved.
"""
from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from nodecfg.parse.yaml import resolve_plain_scalar

# '@' and '`' are reserved indicators: no plain scalar starts with them
_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9_./$+=()^-][^\n\r\t]*$")
_INDICATORS = ("- ", "? ", ": ", "---", "...")


def _plain_ok(text: str) -> bool:
    if any(_escaped(ch) for ch in text):
        return False
    if not text or text in ("-", "?", ":") or text != text.strip() or not _PLAIN_SAFE.match(text):
        return False
    if ": " in text or " #" in text or text.endswith(":") or text.startswith(_INDICATORS):
        return False
    if any(ch in text for ch in "{}[],&*!|>'\"%`#"):
        return False
    return resolve_plain_scalar(text) == text and isinstance(resolve_plain_scalar(text), str)


def _block_ok(text: str) -> bool:
    lines = text.split("\n")
    return ("\n" in text.rstrip("\n") and "\r" not in text and not text.startswith((" ", "\n"))
            and not any(_escaped(ch) for ch in text.replace("\n", "").replace("\t", "")) and lines[0] != "")


# Characters a YAML stream may not hold raw, or that a reader takes for a line
# break (NEL, U+2028, U+2029) or drops (BOM): written as escapes, in double quotes.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_SHORT_ESCAPES = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
                  "\f": "\\f", "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\"}


def _escaped(ch: str) -> bool:
    if " " <= ch <= "~":
        return False
    return ch.isascii() or unicodedata.category(ch) in _ESCAPED_CATEGORIES


def double_quoted(text: str) -> str:
    """A YAML double-quoted scalar that every YAML reader (go-yaml included) reads back as text.

    Raises ValueError for a lone surrogate, which no YAML (or UTF-8) text can hold.
    """
    parts = ['"']
    for ch in text:
        if ch in _SHORT_ESCAPES:
            parts.append(_SHORT_ESCAPES[ch])
        elif not _escaped(ch):
            parts.append(ch)
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            raise ValueError(f"a lone surrogate (U+{ord(ch):04X}) cannot be written as YAML")
        elif ord(ch) < 0x100:
            parts.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            parts.append(f"\\u{ord(ch):04x}")
        else:
            parts.append(f"\\U{ord(ch):08x}")
    parts.append('"')
    return "".join(parts)


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    text = str(value)
    return text if _plain_ok(text) else double_quoted(text)


def _block(text: str, indent: int) -> str:
    chomp = "-" if not text.endswith("\n") else ("+" if text.endswith("\n\n") else "")
    body = text[:-1] if text.endswith("\n") else text
    pad = " " * indent
    lines = [pad + line if line else "" for line in body.split("\n")]
    return f"|{chomp}\n" + "\n".join(lines)


def _emit(value: Any, indent: int, out: list[str], prefix: str) -> None:
    pad = " " * indent
    if isinstance(value, dict) and value:
        first = True
        for key, child in value.items():
            lead = prefix if first else pad
            first = False
            _emit_entry(scalar(str(key)), child, indent, lead, out)
    elif isinstance(value, list) and value:
        first = True
        for item in value:
            lead = prefix if first else pad
            first = False
            _emit(item, indent + 2, out, lead + "- ")
    else:
        out.append(prefix + _inline(value, indent))


def _emit_entry(key: str, child: Any, indent: int, lead: str, out: list[str]) -> None:
    if isinstance(child, dict) and child:
        out.append(f"{lead}{key}:")
        _emit(child, indent + 2, out, " " * (indent + 2))
    elif isinstance(child, list) and child:
        out.append(f"{lead}{key}:")
        _emit(child, indent, out, " " * indent)
    else:
        out.append(f"{lead}{key}: {_inline(child, indent + 2)}")


def _inline(value: Any, indent: int) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    if isinstance(value, str) and _block_ok(value):
        return _block(value, indent)
    return scalar(value)


def dump_yaml(data: Any) -> str:
    out: list[str] = []
    _emit(data, 0, out, "")
    return "\n".join(out) + "\n"
