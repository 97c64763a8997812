"""What a value may hold to be written into one line of a line-based file.

systemd unit files and drop-ins, resolved.conf and the kubelet's
EnvironmentFile are read line by line: a line break in a value ends it and
starts a directive of the value's choosing.  Every renderer that puts a
user's value into such a file asks ``line_breaker`` first.
"""
from __future__ import annotations

# Cc: C0 controls (LF, CR, ...), DEL and C1 controls (NEL); Zl/Zp: U+2028, U+2029
_BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def line_breaker(text: str) -> str | None:
    """The first character of text that must not go into a line, or None when it is safe."""
    if text.isascii():
        return next((char for char in text if not " " <= char <= "~"), None)
    import unicodedata  # only for text beyond ASCII

    return next((char for char in text if unicodedata.category(char) in _BREAKING_CATEGORIES), None)


def describe(char: str) -> str:
    """U+000A style, for messages (the character itself must not be printed)."""
    return f"U+{ord(char):04X}"
