"""Machine-readable findings: JSON, SARIF 2.1.0, GitHub Actions workflow commands.

A span's uri may name a MIME part or a decoding layer after ``#``
(``userdata.mime#part=2``); file-based formats point at the file itself and
carry the part in the message or properties.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from ..diagnostics import Diagnostic, Severity

REPOSITORY_URL = "https://github.com/nodecfg/nodecfg"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def rule_doc_url(code: str) -> str:
    return f"{REPOSITORY_URL}/blob/main/docs/rules/{code}.md"


def split_uri(uri: str) -> tuple[str, str]:
    """('userdata.mime', 'part=2') for 'userdata.mime#part=2'; part is '' when absent."""
    path, _, part = uri.partition("#")
    return path, part


def artifact_path(uri: str) -> str:
    """The file path relative to the working directory when inside it, with '/' separators."""
    path, _ = split_uri(uri)
    if os.path.isabs(path):
        try:
            path = os.path.relpath(path)
        except ValueError:  # another drive on Windows
            return Path(path).as_posix()
        if path.startswith(".."):
            path = os.path.abspath(path)
    return Path(path).as_posix()


def _region(diagnostic: Diagnostic) -> dict:
    span = diagnostic.span
    line, col = max(span.line, 1), max(span.col, 1)
    region = {"startLine": line, "startColumn": col}
    if span.end_line >= line and span.end_col >= 1 and (span.end_line, span.end_col) > (line, col):
        region.update(endLine=span.end_line, endColumn=span.end_col)
    return region


def _message(diagnostic: Diagnostic) -> str:
    _, part = split_uri(diagnostic.span.uri)
    text = diagnostic.message
    if part:
        text = f"[{part}] {text}"
    if diagnostic.hint:
        text += f" (hint: {diagnostic.hint})"
    return text


# --- json -----------------------------------------------------------------

def format_json(diagnostics: list[Diagnostic]) -> str:
    findings = []
    for diagnostic in diagnostics:
        entry = diagnostic.as_dict()
        entry["file"], entry["part"] = split_uri(diagnostic.span.uri)
        findings.append(entry)
    return json.dumps(findings, indent=2, sort_keys=True)


# --- sarif ----------------------------------------------------------------

def format_sarif(diagnostics: list[Diagnostic], version: str) -> str:
    from .registry import catalogue

    rules = catalogue()
    codes = sorted(set(rules) | {d.code for d in diagnostics})
    index = {code: position for position, code in enumerate(codes)}
    run = {
        "tool": {"driver": {
            "name": "nodecfg",
            "version": version,
            "informationUri": REPOSITORY_URL,
            "rules": [_sarif_rule(code, rules.get(code)) for code in codes],
        }},
        "results": [_sarif_result(d, index[d.code]) for d in diagnostics],
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def _sarif_rule(code: str, info) -> dict:
    rule = {"id": code, "helpUri": rule_doc_url(code)}
    if info is not None:
        rule["name"] = info.name
        rule["shortDescription"] = {"text": info.summary}
        rule["defaultConfiguration"] = {"level": SARIF_LEVELS[info.severity]}
        rule["properties"] = {"stage": info.stage}
    else:
        rule["name"] = code.lower()
        rule["shortDescription"] = {"text": code}
    return rule


def _sarif_result(diagnostic: Diagnostic, rule_index: int) -> dict:
    _, part = split_uri(diagnostic.span.uri)
    result = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS[diagnostic.severity],
        "message": {"text": _message(diagnostic)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": artifact_path(diagnostic.span.uri)},
            "region": _region(diagnostic),
        }}],
    }
    if part:
        result["properties"] = {"part": part}
    return result


# --- github workflow commands -----------------------------------------------

def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: list[Diagnostic]) -> str:
    from ..report import printable  # a workflow log is a terminal too: no raw ESC or BEL

    lines = []
    for diagnostic in diagnostics:
        region = _region(diagnostic)
        properties = ",".join([
            f"file={_escape_property(artifact_path(diagnostic.span.uri))}",
            f"line={region['startLine']}",
            f"col={region['startColumn']}",
            f"title={_escape_property(diagnostic.code)}",
        ])
        command = GITHUB_COMMANDS[diagnostic.severity]
        lines.append(f"::{command} {properties}::{_escape_data(printable(_message(diagnostic), keep_newlines=True))}")
    return "\n".join(lines)
