"""Strict parsers for every file format nodecfg writes, used to read rendered files back.

``read_back(path, data)`` returns the parsed content or raises ``Unreadable``.
A path no parser claims is an error too, so a new renderer must bring its
format here.  The systemd parsers accept only what nodecfg means to write:
known sections and keys, one directive per line, no continuation lines, no
comments, no leading blanks, no control characters.
"""
from __future__ import annotations

import json
import re
import tomllib
from typing import Any, Callable

from ruamel.yaml import YAML

from nodecfg.parse.yaml import parse_yaml_documents


class Unreadable(AssertionError):
    pass


# --- systemd unit files and resolved.conf ----------------------------------------------------

UNIT_KEYS = {  # section -> keys allowed there, per kind of file
    "environment": {"Service": {"Environment"}},
    "manager": {"Manager": {"DefaultEnvironment"}},
    "unit": {"Unit": {"Requires", "After"}},
    "resolved": {"Resolve": {"DNS", "Domains"}},
}
REPEATABLE = {"Environment", "DefaultEnvironment"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def systemd_ini(data: bytes, kind: str) -> dict[str, list[tuple[str, str]]]:
    """{section: [(key, value), ...]} of a systemd-style file, refusing every trick a value could play."""
    text = _utf8(data)
    if not text.endswith("\n"):
        raise Unreadable("a systemd file must end with a newline")
    allowed = UNIT_KEYS[kind]
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for number, line in enumerate(text[:-1].split("\n"), 1):
        if _CONTROL.search(line):
            raise Unreadable(f"line {number}: control character")
        if line.endswith("\\"):
            raise Unreadable(f"line {number}: continuation line")
        if line == "":
            continue
        if line[0] in " \t#;":
            raise Unreadable(f"line {number}: leading blank or comment")
        if line.startswith("["):
            name = line[1:-1]
            if not line.endswith("]") or name not in allowed or name in sections:
                raise Unreadable(f"line {number}: unexpected section {line!r}")
            current = sections[name] = []
            continue
        key, equals, value = line.partition("=")
        if current is None or not equals or key not in allowed[name]:
            raise Unreadable(f"line {number}: unexpected directive {line!r}")
        if key not in REPEATABLE and any(k == key for k, _ in current):
            raise Unreadable(f"line {number}: {key} given twice")
        current.append((key, value))
    return sections


_UNQUOTE = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
            "s": " "}


def environment_assignment(value: str) -> tuple[str, str]:
    """NAME and value of one ``Environment="NAME=value"`` directive, with systemd's C-style unquoting."""
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        raise Unreadable(f"environment assignment not in double quotes: {value!r}")
    out, index, body = [], 0, value[1:-1]
    while index < len(body):
        char = body[index]
        if char == '"':
            raise Unreadable(f"unescaped quote inside {value!r}")
        if char == "%":  # a specifier; nodeadm doubles every percent sign
            if body[index + 1:index + 2] != "%":
                raise Unreadable(f"a specifier in {value!r}")
            index += 1
        if char == "\\":
            index += 1
            if index == len(body):
                raise Unreadable(f"dangling backslash in {value!r}")
            escape = body[index]
            if escape == "x":
                out.append(chr(int(body[index + 1:index + 3], 16)))
                index += 2
            elif escape in "uU":
                width = 4 if escape == "u" else 8
                out.append(chr(int(body[index + 1:index + 1 + width], 16)))
                index += width
            elif escape in _UNQUOTE:
                out.append(_UNQUOTE[escape])
            else:
                raise Unreadable(f"unknown escape \\{escape} in {value!r}")
        else:
            out.append(char)
        index += 1
    name, equals, text = "".join(out).partition("=")
    if not equals or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise Unreadable(f"not NAME=value: {value!r}")
    return name, text


def _environment_file(kind: str) -> Callable[[bytes], dict[str, str]]:
    def parse(data: bytes) -> dict[str, str]:
        sections = systemd_ini(data, kind)
        return dict(environment_assignment(value) for _, value in next(iter(sections.values())))
    return parse


def resolved_conf(data: bytes) -> dict[str, list[str]]:
    """{'DNS': [...], 'Domains': [...]}: the entries systemd-resolved splits each line into."""
    entries = {key: value.split() for key, value in systemd_ini(data, "resolved")["Resolve"]}
    for key, words in entries.items():
        if any(not word.isprintable() for word in words):
            raise Unreadable(f"{key}: an unprintable entry in {words!r}")
    return entries


def kubelet_environment(data: bytes) -> dict[str, str]:
    """The kubelet's EnvironmentFile: KEY=VALUE lines, no trailing newline, only nodeadm's keys."""
    text = _utf8(data)
    variables = {}
    for number, line in enumerate(text.split("\n"), 1):
        if _CONTROL.search(line) or line.endswith("\\") or line[:1] in (" ", "\t", "#", ""):
            raise Unreadable(f"line {number}: {line[:60]!r}")
        key, equals, value = line.partition("=")
        if not equals or key not in ("NODEADM_KUBELET_ARGS", "KUBELET_CONFIG_DROPIN_DIR_ALPHA") or key in variables:
            raise Unreadable(f"line {number}: unexpected variable {key!r}")
        if value[:1] in ("'", '"'):
            raise Unreadable(f"line {number}: a quoted value would be unquoted by systemd")
        variables[key] = value
    return variables


# --- JSON, TOML, YAML ---------------------------------------------------------------------------

def strict_json(data: bytes) -> Any:
    """Go-compatible JSON: no NaN or Infinity, no duplicate keys, UTF-8."""
    def pairs(items):
        keys = [key for key, _ in items]
        if len(set(keys)) != len(keys):
            raise Unreadable(f"duplicate keys in {keys!r}")
        return dict(items)

    def constant(name):
        raise Unreadable(f"{name} is not JSON")

    try:
        return json.loads(_utf8(data), object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise Unreadable(str(error)) from error


def strict_toml(data: bytes) -> dict:
    try:
        return tomllib.loads(_utf8(data))
    except tomllib.TOMLDecodeError as error:
        raise Unreadable(str(error)) from error


KUBECONFIG_KEYS = {"apiVersion", "kind", "clusters", "contexts", "current-context", "users"}


def kubeconfig(data: bytes) -> dict:
    """One YAML document that nodecfg's go-yaml reader and a YAML 1.2 reader read alike."""
    text = _utf8(data)
    documents, diagnostics = parse_yaml_documents(text, "kubeconfig")
    if diagnostics or len(documents) != 1:
        raise Unreadable(f"kubeconfig: {[d.format() for d in diagnostics]}")
    ours = documents[0].data
    theirs = YAML(typ="safe", pure=True).load(text)
    if ours != theirs or set(ours) != KUBECONFIG_KEYS:
        raise Unreadable("kubeconfig reads differently, or has other keys")
    return ours


def pem_or_bytes(data: bytes) -> bytes:
    return data  # the decoded certificate authority: whatever bytes the user gave


def _utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Unreadable(str(error)) from error


PARSERS: list[tuple[re.Pattern, Callable[[bytes], Any]]] = [
    (re.compile(r"run/systemd/resolved\.conf\.d/40-eks\.conf"), resolved_conf),
    (re.compile(r"etc/systemd/system\.conf\.d/environment\.conf"), _environment_file("manager")),
    (re.compile(r"etc/systemd/system/[^/]+\.service\.d/environment\.conf"), _environment_file("environment")),
    (re.compile(r"etc/systemd/system/[^/]+\.service\.d/[^/]+\.conf"), lambda data: systemd_ini(data, "unit")),
    (re.compile(r"etc/eks/kubelet/environment"), kubelet_environment),
    (re.compile(r"etc/kubernetes/kubelet/config\.json\.d/[^/]+\.conf"), strict_json),
    (re.compile(r".*\.json"), strict_json),
    (re.compile(r".*\.toml"), strict_toml),
    (re.compile(r"var/lib/kubelet/(bootstrap-)?kubeconfig"), kubeconfig),
    (re.compile(r"etc/kubernetes/pki/ca\.crt"), pem_or_bytes),
]


def read_back(path: str, data: bytes) -> Any:
    for pattern, parser in PARSERS:
        if pattern.fullmatch(path):
            return parser(data)
    raise Unreadable(f"no strict parser for {path}")


def read_back_all(files: dict[str, bytes]) -> dict[str, Any]:
    return {path: read_back(path, data) for path, data in files.items()}
