"""Parse and deep-merge TOML the way nodeadm merges containerd configs.

nodeadm (``internal/util/merge.go``) unmarshals both documents into
``map[string]interface{}`` with go-toml v2, merges them with
``mergo.Merge(dst, src, mergo.WithOverride)`` and marshals the result again.
For untyped maps mergo's rules reduce to: two tables merge key by key;
anything else from the later document replaces the earlier value, including
empty strings, ``false``, ``0``, empty arrays and values of another type.
The same rules serve JSON documents (``containerd.baseRuntimeSpec``).
"""
from __future__ import annotations

import tomllib
from typing import Any

from nodecfg.encode import gotoml as tomlwrite
from nodecfg.core.lazy_re import LazyPattern

TomlError = tuple[int, int, str]  # (line, col, message), 1-based

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
# tomllib reads a dotted table header of any depth without recursing, but
# merging and writing recurse; containerd configs nest about eight levels.
MAX_DEPTH = 100
_POSITION = LazyPattern(r"\s*\(at line (\d+), column (\d+)\)$")
_AT_END = LazyPattern(r"\s*\(at end of document\)$")


def parse_toml(text: str) -> tuple[dict[str, Any] | None, TomlError | None]:
    """Parse TOML; on failure return ``(None, (line, col, message))``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, _error_position(text, str(exc))
    except RecursionError:
        return None, (1, 1, "TOML nesting too deep")
    if _depth_over(data, MAX_DEPTH):
        return None, (1, 1, f"TOML tables or arrays nest deeper than {MAX_DEPTH} levels")
    overflow = _find_int64_overflow(data)
    if overflow is not None:
        return None, (*_locate(text, overflow), f"integer {overflow} does not fit in 64 bits")
    return data, None


def _error_position(text: str, message: str) -> TomlError:
    match = _POSITION.search(message)
    if match:
        return int(match.group(1)), int(match.group(2)), message[: match.start()]
    if _AT_END.search(message):
        lines = text.split("\n")
        return len(lines), len(lines[-1]) + 1, _AT_END.sub("", message)
    return 1, 1, message


def _depth_over(value: Any, limit: int) -> bool:
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return False


def _find_int64_overflow(value: Any) -> int | None:
    """go-toml refuses integers outside int64; tomllib accepts any size."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            if not _INT64_MIN <= item <= _INT64_MAX:
                return item
    return None


def _locate(text: str, number: int) -> tuple[int, int]:
    digits = str(abs(number))
    for line_number, line in enumerate(text.split("\n"), start=1):
        col = line.replace("_", "").find(digits)
        if col >= 0:
            return line_number, col + 1
    return 1, 1


def deep_merge(base: Any, override: Any) -> Any:
    """mergo.WithOverride on untyped maps; returns a new value, inputs untouched."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    merged = dict(base)
    for key, value in override.items():
        if key in merged:
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def merge_toml(base: str, override: str) -> str:
    """Merge two ``containerd.config`` strings as nodeadm's mergeContainerdConfig.

    An empty side leaves the other string untouched (nodeadm checks the
    length, so whitespace counts as content).  Both sides must be valid TOML:
    check them with :func:`parse_toml` first; invalid input raises ValueError.
    """
    if not base:
        return override
    if not override:
        return base
    return tomlwrite.dumps(deep_merge(_parse_or_raise(base), _parse_or_raise(override)))


def _parse_or_raise(text: str) -> dict[str, Any]:
    data, error = parse_toml(text)
    if error is not None:
        line, col, message = error
        raise ValueError(f"invalid TOML at line {line}, column {col}: {message}")
    return data
