"""Explain rendered values: which source line, default or instance fact set each.

Renderers record an origin for every value they write ("default",
"instance:<key>", "config:<pointer>", "computed:<what>"); this module turns
those into readable rows, with the span that set a configuration value, and
computes what the kubelet effectively runs with once it has merged the
config.json.d drop-in over config.json.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from typing import Any

from nodecfg.core.document import get_pointer
from nodecfg.merge.nodeconfig import MergedConfig

KUBELET_CONFIG = "etc/kubernetes/kubelet/config.json"
KUBELET_DROPIN = "etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf"
KUBELET_ENVIRONMENT = "etc/eks/kubelet/environment"
# Kubelet flags whose occurrences merge instead of the last one winning: --node-labels is a
# cliflag.MapStringString (kubernetes cmd/kubelet/app/options/options.go), whose Set adds each
# occurrence's comma-separated key=value pairs to one map, a later key replacing an earlier one
# (k8s.io/component-base/cli/flag/map_string_string.go).  nodeadm appends the user's flags after its own.
MERGING_FLAGS = frozenset({"--node-labels"})


@dataclass(frozen=True)
class Row:
    path: str
    key: str  # JSON pointer in the file, or a flag name
    value: Any
    origin: str  # readable: "examples/x.yaml:12:7 (spec.kubelet.config.maxPods)", "default", ...


def _flag_values(environment: bytes) -> dict[str, list[str]]:
    """``--name`` -> the values the kubelet gets, in order (nodecfg.nodeadm.kubelet_argv)."""
    from nodecfg.nodeadm.kubelet_argv import kubelet_argv

    values: dict[str, list[str]] = {}
    for line in environment.decode().splitlines():
        if not line.startswith("NODEADM_KUBELET_ARGS="):
            continue
        for arg in kubelet_argv([line.split("=", 1)[1]]).flags():
            values.setdefault(f"--{arg.name}", []).append(arg.value or "")
    return values


def _parse(path: str, data: bytes) -> Any:
    try:
        if path.endswith(".toml"):
            return tomllib.loads(data.decode())
        if path.endswith((".json", ".conf")):
            return json.loads(data)
        if path.endswith("kubeconfig"):
            from nodecfg.parse.yaml import parse_yaml_documents

            documents, _ = parse_yaml_documents(data.decode(), path)
            return documents[0].data if documents else None
    except (ValueError, UnicodeDecodeError):
        return None
    return data.decode(errors="replace").strip()


def describe_origin(origin: str, merged: MergedConfig, defaulted: frozenset[str]) -> str:
    kind, _, detail = origin.partition(":")
    if kind == "config":
        span = merged.locate(detail)
        return f"{span} ({detail[1:].replace('/', '.')})"
    if kind == "instance":
        keys = detail.split(",")
        marks = [f"{k} (default)" if k in defaulted else k for k in keys]
        return "instance " + ", ".join(marks)
    return origin


def merge_map_flag(values: list[str]) -> str:
    """What the kubelet makes of repeated MapStringString flags: the merged pairs, sorted as its String()."""
    pairs: dict[str, str] = {}
    for value in values:
        for item in value.split(","):
            if item:
                key, _, entry = item.partition("=")
                pairs[key.strip()] = entry.strip()
    return ",".join(f"{key}={entry}" for key, entry in sorted(pairs.items()))


def _merging_flag_rows(key: str, values: list[str], origin: str, merged: MergedConfig, defaulted: frozenset[str],
                       instance: Any) -> list[Row]:
    """One row per occurrence of a flag the kubelet merges, with its own origin, then the merged value."""
    origins = [origin] * len(values)
    if instance is not None:
        from nodecfg.render.flags import kubelet_flags, occurrences

        found = occurrences(kubelet_flags(merged.data, instance)).get(key.removeprefix("--"), [])
        if len(found) == len(values):  # else an item holds several flags (NC411): keep the one origin
            origins = [flag.origin for flag in found]
    rows = [Row(KUBELET_ENVIRONMENT, key, value, describe_origin(where, merged, defaulted))
            for value, where in zip(values, origins)]
    rows.append(Row(KUBELET_ENVIRONMENT, f"{key} (merged)", merge_map_flag(values),
                    f"the kubelet merges all {len(values)} {key} flags; a later key wins"))
    return rows


def explain_rows(files: dict[str, bytes], origins: dict[str, str], merged: MergedConfig,
                 defaulted: frozenset[str], instance: Any = None) -> list[Row]:
    """Rows for every rendered value; ``instance`` (the resolved Instance) gives repeated flags their origins."""
    parsed: dict[str, Any] = {}
    flags = _flag_values(files[KUBELET_ENVIRONMENT]) if KUBELET_ENVIRONMENT in files else {}
    rows = []
    for reference, origin in origins.items():
        path, _, key = reference.partition("#")
        if path not in files:
            continue
        if path == KUBELET_ENVIRONMENT and key in MERGING_FLAGS and len(flags.get(key, [])) > 1:
            rows += _merging_flag_rows(key, flags[key], origin, merged, defaulted, instance)
            continue
        if path == KUBELET_ENVIRONMENT:
            value: Any = flags.get(key, [None])[-1]
        else:
            if path not in parsed:
                parsed[path] = _parse(path, files[path])
            value = get_pointer(parsed[path], key) if key else "(whole file)"
        rows.append(Row(path, key, value, describe_origin(origin, merged, defaulted)))
    return rows


def effective_kubelet_config(files: dict[str, bytes]) -> dict[str, Any]:
    """config.json with the drop-in merged over it, as the kubelet does at start."""
    from nodecfg.merge.nodeconfig import merge_json

    base = json.loads(files[KUBELET_CONFIG]) if KUBELET_CONFIG in files else {}
    if KUBELET_DROPIN not in files:
        return base
    dropin = json.loads(files[KUBELET_DROPIN])
    return merge_json(base, dropin, "", {}, lambda pointer: None)


def overridden_by_dropin(files: dict[str, bytes]) -> list[tuple[str, Any, Any]]:
    """(key, config.json value, effective value) for top-level keys the drop-in changes."""
    if KUBELET_DROPIN not in files or KUBELET_CONFIG not in files:
        return []
    base = json.loads(files[KUBELET_CONFIG])
    effective = effective_kubelet_config(files)
    dropin = json.loads(files[KUBELET_DROPIN])
    return [(key, base.get(key), effective[key]) for key in dropin
            if key not in ("apiVersion", "kind") and base.get(key) != effective[key]]


def matches(row: Row, field_path: str | None) -> bool:
    if not field_path:
        return True
    reference = f"{row.path}#{row.key}"
    return field_path in reference or field_path.strip("/").replace(".", "/") in reference


def format_rows(rows: list[Row]) -> str:
    """For a terminal: paths, keys, values and origins with their controls made visible."""
    from nodecfg.output.escape import printable

    lines, current = [], None
    for row in rows:
        if row.path != current:
            current = row.path
            lines.append(("" if not lines else "\n") + printable(row.path))
        # default=str: TOML dates and times have no JSON form
        shown = json.dumps(row.value, default=str) if not isinstance(row.value, str) else row.value
        if len(shown) > 60:
            shown = shown[:57] + "..."
        lines.append(f"  {printable(row.key or '(file)')} = {printable(shown)}\n      <- {printable(row.origin)}")
    return "\n".join(lines)


def format_overrides(changes: list[tuple[str, Any, Any]]) -> str:
    """The keys of overridden_by_dropin, for a terminal, under their heading."""
    from nodecfg.output.escape import printable

    lines = ["kubelet effective configuration (config.json.d/40-nodeadm.conf merged over config.json):"]
    lines += [f"  {printable(key)} = {json.dumps(effective)}   (config.json had {json.dumps(base)})"
              for key, base, effective in changes]
    return "\n".join(lines)
