"""Kubelet command-line flags as KubeletConfiguration fields, for `migrate` and `check --fix`.

The flag -> field table is the linter's (lint/rules/kubelet_flags.py,
CONFIG_FIELDS); the value syntax is the kubelet's flag parsing
(kubernetes/kubernetes cmd/kubelet/app/options/options.go and
k8s.io/component-base/cli/flag): ``k=v,k2=v2`` maps, ``<``-separated maps for
the eviction thresholds, comma lists, ``key=value:Effect`` taints.  The
field's JSON type comes from the KubeletConfiguration schema nodecfg
validates with.  A value that does not convert (a template placeholder, a
typo) gives None: the caller keeps the flag.
"""
from __future__ import annotations

import re
from typing import Any

LANGLE_MAPS = frozenset({"eviction-hard", "eviction-soft"})
# bool flags the kubelet accepts without a value (pflag NoOptDefVal "true")
_BOOL_TEXT = {"true": True, "false": False, "1": True, "0": False, "t": True, "f": False,
              "True": True, "False": False, "TRUE": True, "FALSE": False, "T": True, "F": False}


def config_field(flag: str) -> str | None:
    from nodecfg.linter.rules.kubelet_flags import CONFIG_FIELDS

    return CONFIG_FIELDS.get(flag)


def _field_schema(path: str) -> dict:
    from nodecfg.validate.schemas import KUBELET_CONFIG, load_schema

    schema = load_schema(KUBELET_CONFIG)
    node: dict = schema
    for part in path.split("."):
        node = _resolve(schema, node).get("properties", {}).get(part, {})
    return _resolve(schema, node)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _types(node: dict) -> set[str]:
    kind = node.get("type", [])
    kinds = {kind} if isinstance(kind, str) else set(kind)
    if "enum" in node:
        kinds |= {type(v).__name__ for v in node["enum"] if v is not None}
    return kinds - {"null"}


def convert(flag: str, value: str | None) -> Any:
    """The config value for ``--flag=value``, or None when it cannot be converted faithfully."""
    field = config_field(flag)
    if field is None:
        return None
    node = _field_schema(field)
    kinds = _types(node)
    if value is None:
        return True if kinds == {"boolean"} else None
    if "$" in value or "`" in value:
        return None
    if kinds == {"boolean"}:
        return _BOOL_TEXT.get(value)
    if kinds == {"integer"}:
        # int64 has at most 19 digits; longer text is no kubelet integer (and int() refuses 4,300+ digits)
        return int(value) if re.fullmatch(r"[+-]?[0-9]{1,19}", value) else None
    if kinds == {"object"}:
        return _map(flag, value, node)
    if kinds == {"array"}:
        if field == "registerWithTaints":
            return _taints(value)
        return [item for item in value.split(",") if item] or None
    if kinds <= {"string", "str"}:
        if "enum" in node and value not in node["enum"]:
            return None
        return value
    return None


def _map(flag: str, value: str, node: dict) -> dict | None:
    separator = "<" if flag in LANGLE_MAPS else "="
    boolean = _types(node.get("additionalProperties", {})) == {"boolean"}
    result: dict[str, Any] = {}
    for item in value.split(","):
        if not item:
            continue
        key, found, text = item.partition(separator)
        key, text = key.strip(), text.strip()
        if not found or not key:
            return None
        if boolean:
            if text not in _BOOL_TEXT:
                return None
            result[key] = _BOOL_TEXT[text]
        else:
            result[key] = text
    return result or None


def _taints(value: str) -> list[dict] | None:
    """key[=value]:Effect,... as registerWithTaints entries (the kubelet's taint parsing)."""
    taints = []
    for spec in value.split(","):
        head, colon, effect = spec.partition(":")
        if not colon or effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            return None
        key, _, taint_value = head.partition("=")
        if not key:
            return None
        taint = {"key": key, "value": taint_value, "effect": effect} if taint_value else {"key": key, "effect": effect}
        taints.append(taint)
    return taints or None


def nest(path: str, value: Any) -> dict:
    """{'a': {'b': value}} for 'a.b'."""
    result: Any = value
    for part in reversed(path.split(".")):
        result = {part: result}
    return result


def merge_into(target: dict, addition: dict) -> None:
    for key, value in addition.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge_into(target[key], value)
        else:
            target[key] = value
