"""A small JSON Schema (2020-12) evaluator for the keywords nodecfg's schemas use.

Importing ``jsonschema`` costs more than a whole pre-commit run may spend, so
this walks the schema itself.  Supported: ``type``, ``const``, ``enum``,
``pattern``, ``required``, ``properties``, ``additionalProperties``,
``propertyNames`` (with ``enum``), ``items`` and local ``$ref`` into
``$defs``.  A ``$ref`` to another file is not followed: the caller validates
that part with the other schema.  Tests check agreement with ``jsonschema``.

Recursion follows the schema, whose depth is fixed, so deeply nested data
cannot exhaust the stack.
"""

import re
from functools import cache
from typing import Any, Iterator, NamedTuple

from nodecfg.core.document import join_pointer

# Violation kinds.
TYPE = "type"
CONST = "const"
ENUM = "enum"
PATTERN = "pattern"
REQUIRED = "required"
UNKNOWN_PROPERTY = "unknown-property"
PROPERTY_NAME = "property-name"


class Violation(NamedTuple):
    """One failed keyword.

    ``pointer`` is the instance location; for ``unknown-property``,
    ``property-name`` and ``required`` it is the pointer of the (missing or
    offending) mapping entry.  ``expected`` is the keyword's argument: the
    allowed types, the allowed values, the pattern, or the known property
    names.  ``schema`` is the subschema that failed (for its description).
    """

    kind: str
    pointer: str
    value: Any
    expected: Any
    schema: dict


def json_type_of(value: Any) -> str:
    """The JSON Schema type name of a Python value ('unknown' if none fits)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "unknown"


def _has_type(value: Any, type_name: str) -> bool:
    actual = json_type_of(value)
    return actual == type_name or (type_name == "number" and actual == "integer")


def json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON Schema defines it: true is not 1, 1 equals 1.0."""
    if isinstance(left, bool) or isinstance(right, bool) or left is None or right is None:
        return type(left) is type(right) and left == right
    return left == right


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def iter_violations(root: dict, instance: Any, pointer: str = "") -> Iterator[Violation]:
    """Every violation of ``root`` by ``instance``, in document order."""
    yield from _check(root, root, instance, pointer)


def _check(schema: dict, root: dict, value: Any, pointer: str) -> Iterator[Violation]:
    ref = schema.get("$ref")
    if ref is not None and ref.startswith("#/"):
        yield from _check(_resolve(root, ref), root, value, pointer)
    if "type" in schema:
        allowed = schema["type"]
        allowed = [allowed] if isinstance(allowed, str) else allowed
        if not any(_has_type(value, name) for name in allowed):
            # Other keywords would only repeat the same mistake.
            yield Violation(TYPE, pointer, value, tuple(allowed), schema)
            return
    yield from _check_values(schema, value, pointer)
    if isinstance(value, dict):
        yield from _check_object(schema, root, value, pointer)
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            yield from _check(schema["items"], root, item, join_pointer(pointer, index))


def _check_values(schema: dict, value: Any, pointer: str) -> Iterator[Violation]:
    if "const" in schema and not json_equal(value, schema["const"]):
        yield Violation(CONST, pointer, value, schema["const"], schema)
    if "enum" in schema and not any(json_equal(value, option) for option in schema["enum"]):
        yield Violation(ENUM, pointer, value, tuple(schema["enum"]), schema)
    if "pattern" in schema and isinstance(value, str):
        if not _compiled(schema["pattern"]).search(value):
            yield Violation(PATTERN, pointer, value, schema["pattern"], schema)


def _check_object(schema: dict, root: dict, value: dict, pointer: str) -> Iterator[Violation]:
    for name in schema.get("required", ()):
        if name not in value:
            yield Violation(REQUIRED, join_pointer(pointer, name), None, name, schema)
    properties = schema.get("properties", {})
    names_schema = schema.get("propertyNames")
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        entry = join_pointer(pointer, key)
        if names_schema is not None and not _name_allowed(names_schema, key):
            yield Violation(PROPERTY_NAME, entry, key, tuple(names_schema["enum"]), schema)
        if isinstance(key, str) and key in properties:
            yield from _check(properties[key], root, item, entry)
        elif extra is False:
            yield Violation(UNKNOWN_PROPERTY, entry, key, tuple(properties), schema)
        elif isinstance(extra, dict):
            yield from _check(extra, root, item, entry)


def _name_allowed(names_schema: dict, key: Any) -> bool:
    return any(json_equal(key, option) for option in names_schema["enum"])


def _resolve(root: dict, ref: str) -> dict:
    node: Any = root
    for token in ref[2:].split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node
