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


# json_type_of for the exact types a parser makes, found at once (a float asks json_type_of: 1.0 is an integer)
_EXACT_TYPES = {dict: "object", str: "string", list: "array", bool: "boolean", int: "integer", type(None): "null"}


def json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON Schema defines it: true is not 1, 1 equals 1.0."""
    if isinstance(left, bool) or isinstance(right, bool) or left is None or right is None:
        return type(left) is type(right) and left == right
    return left == right


def iter_violations(root: dict, instance: Any, pointer: str = "") -> Iterator[Violation]:
    """Every violation of ``root`` by ``instance``, in document order."""
    found: list[Violation] = []
    _check(_prepared(root), instance, pointer, found)
    return iter(found)


class _Node:
    """One subschema with its keywords read once: what ``_check`` asks of every value it meets.

    ``schema`` is the subschema itself (a Violation names it); ``ref`` the
    node a local ``$ref`` resolves to; ``accepts`` the JSON types that pass
    ``type`` (an integer passes "number").  The nodes below it are made when a
    value first reaches them (``below``): a document visits few of the
    kubelet schema's fields, and a cold run checks one document.
    """

    __slots__ = ("schema", "ref", "types", "accepts", "const", "enum", "pattern", "required", "properties",
                 "names", "extra", "items", "_below", "_refs")

    def __init__(self, schema: dict, refs: "_Refs") -> None:
        self.schema = schema
        self._refs = refs
        self._below: dict[Any, _Node] = {}
        ref = schema.get("$ref")
        self.ref = refs.node(ref) if ref is not None and ref.startswith("#/") else None
        allowed = schema.get("type")
        self.types = None if allowed is None else tuple([allowed] if isinstance(allowed, str) else allowed)
        accepts = set(self.types or ())
        if "number" in accepts:
            accepts.add("integer")
        self.accepts = frozenset(accepts)
        self.const = schema["const"] if "const" in schema else _ABSENT
        self.enum = tuple(schema["enum"]) if "enum" in schema else None
        self.pattern = schema.get("pattern")  # compiled when a string first meets it
        self.required = schema.get("required", ())
        self.properties = schema.get("properties", {})
        names = schema.get("propertyNames")
        self.names = None if names is None else tuple(names["enum"])
        self.extra = schema.get("additionalProperties", True)
        self.items = schema.get("items")

    def below(self, key: Any, schema: dict) -> "_Node":
        """The node of ``schema``, this node's property ``key`` (a name, or ``_ITEMS``/``_EXTRA``)."""
        node = self._below.get(key)
        if node is None:
            node = self._below[key] = _Node(schema, self._refs)
        return node


class _Refs:
    """A root schema's ``$defs`` nodes by reference, each made once."""

    def __init__(self, root: dict) -> None:
        self.root = root
        self.nodes: dict[str, _Node] = {}

    def node(self, ref: str) -> _Node:
        if ref not in self.nodes:
            self.nodes[ref] = _Node(_resolve(self.root, ref), self)
        return self.nodes[ref]


_ABSENT: Any = object()
_ITEMS, _EXTRA = ("items",), ("additionalProperties",)  # keys of below() no property name can be
_PREPARED: dict[int, tuple[dict, _Node]] = {}  # id(root) -> (root, its node); root kept so its id stays its own
_PREPARED_KEPT = 8


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _prepared(root: dict) -> _Node:
    """root's node, made once per schema (the packaged ones are loaded once: nodecfg.validate.schemas)."""
    entry = _PREPARED.get(id(root))
    if entry is not None and entry[0] is root:
        return entry[1]
    node = _Node(root, _Refs(root))
    if len(_PREPARED) >= _PREPARED_KEPT:
        _PREPARED.pop(next(iter(_PREPARED)))
    _PREPARED[id(root)] = (root, node)
    return node


# Where a value sits: the base pointer, or (parent's path, key or index).  The pointer text is only
# made for a violation: most values have none.
Path = Any


def _pointer(path: Path) -> str:
    tokens = []
    while isinstance(path, tuple):
        path, token = path
        tokens.append(token)
    for token in reversed(tokens):
        path = join_pointer(path, token)
    return path


def _check(node: _Node, value: Any, path: Path, found: list[Violation]) -> None:
    if node.ref is not None:
        _check(node.ref, value, path, found)
    if node.types is not None and (_EXACT_TYPES.get(type(value)) or json_type_of(value)) not in node.accepts:
        # Other keywords would only repeat the same mistake.
        found.append(Violation(TYPE, _pointer(path), value, node.types, node.schema))
        return
    if node.const is not _ABSENT and not json_equal(value, node.const):
        found.append(Violation(CONST, _pointer(path), value, node.const, node.schema))
    if node.enum is not None and not any(json_equal(value, option) for option in node.enum):
        found.append(Violation(ENUM, _pointer(path), value, node.enum, node.schema))
    if node.pattern is not None and isinstance(value, str) and not _compiled(node.pattern).search(value):
        found.append(Violation(PATTERN, _pointer(path), value, node.pattern, node.schema))
    if isinstance(value, dict):
        _check_object(node, value, path, found)
    elif isinstance(value, list) and node.items is not None:
        items = node.below(_ITEMS, node.items)
        for index, item in enumerate(value):
            _check(items, item, (path, index), found)


def _check_object(node: _Node, value: dict, path: Path, found: list[Violation]) -> None:
    for name in node.required:
        if name not in value:
            found.append(Violation(REQUIRED, join_pointer(_pointer(path), name), None, name, node.schema))
    properties = node.properties
    extra = node.extra
    for key, item in value.items():
        entry = (path, key)
        if node.names is not None and not any(json_equal(key, option) for option in node.names):
            found.append(Violation(PROPERTY_NAME, _pointer(entry), key, node.names, node.schema))
        if isinstance(key, str) and key in properties:
            _check(node.below(key, properties[key]), item, entry, found)
        elif extra is False:
            found.append(Violation(UNKNOWN_PROPERTY, _pointer(entry), key, tuple(properties), node.schema))
        elif isinstance(extra, dict):
            _check(node.below(_EXTRA, extra), item, entry, found)


def _resolve(root: dict, ref: str) -> dict:
    node: Any = root
    for token in ref[2:].split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node
