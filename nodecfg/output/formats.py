"""Machine-readable findings: JSON, SARIF 2.1.0, GitHub workflow commands, JUnit XML, GitLab code quality.

A span's uri may name a MIME part or a decoding layer after ``#``
(``userdata.mime#part=2``, ``userdata.b64#base64+gzip``); file-based formats
point at the file itself and carry the part in the message or properties.
When the span's lines are lines of the *decoded* text (a base64 or gzip
layer), a file region would point at the wrong line, so the region is the
first line of the encoded text and the message names the layer and the
decoded position.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from nodecfg.core.diagnostics import Diagnostic, Severity
from nodecfg.core.locations import Location
from nodecfg.core.positions import text_lines
from nodecfg.output.escape import printable, xml_attribute, xml_text

REPOSITORY_URL = "https://github.com/nodecfg/nodecfg"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
GITHUB_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
GITLAB_SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
SRCROOT = "%SRCROOT%"
RULE_DOCS = Path(__file__).resolve().parent.parent / "linter" / "docs"


def rule_doc_url(code: str, version: str) -> str:
    """The rule page as it was in the installed version (the release tag ``vX.Y.Z``)."""
    return f"{REPOSITORY_URL}/blob/v{version}/docs/rules/{code}.md"


def split_uri(uri: str) -> tuple[str, str]:
    """('userdata.mime', 'part=2') for 'userdata.mime#part=2'; part is '' when absent."""
    location = Location.parse(uri)
    return location.file, location.fragment


def _is_file_uri(path: str) -> bool:
    """False for sources that are not files: stdin and bytes given to the library (``<stdin>``)."""
    return not (path.startswith("<") and path.endswith(">"))


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


def _decoded(diagnostic: Diagnostic) -> bool:
    return not diagnostic.span.lines_are_file_lines


@lru_cache(maxsize=256)
def _first_content_line(path: str) -> int:
    """The line where an encoded file's text starts (its first non-blank line), 1 when unreadable."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(65536)
    except OSError:
        return 1
    return first_content_line(head)


def first_content_line(head: bytes) -> int:
    """The number of the first non-blank line of an encoded text, 1 when there is none."""
    for number, line in enumerate(head.splitlines(), start=1):
        if line.strip():
            return number
    return 1


def file_region(diagnostic: Diagnostic, content: bytes | None = None) -> dict:
    """The SARIF region (1-based) of a finding in the file as it is stored, encoded or not.

    ``content`` is the file's bytes when they are at hand (an editor's buffer);
    otherwise the file is read for a finding in decoded content.
    """
    span = diagnostic.span
    if _decoded(diagnostic):
        path, _ = split_uri(span.uri)
        if content is not None:
            return {"startLine": first_content_line(content[:65536]), "startColumn": 1}
        return {"startLine": _first_content_line(path) if _is_file_uri(path) else 1, "startColumn": 1}
    line, col = max(span.line, 1), max(span.col, 1)
    region = {"startLine": line, "startColumn": col}
    if span.end_line >= line and span.end_col >= 1 and (span.end_line, span.end_col) > (line, col):
        region.update(endLine=span.end_line, endColumn=span.end_col)
    return region


def finding_message(diagnostic: Diagnostic) -> str:
    """The message with the part (and for decoded content the decoded position) and the hint."""
    _, part = split_uri(diagnostic.span.uri)
    text = diagnostic.message
    if part and _decoded(diagnostic):
        layers = part.replace("+", ", then ")
        text = f"[{part}: line {diagnostic.span.line}, column {diagnostic.span.col} of the text decoded " \
               f"from {layers}] {text}"
    elif part:
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

def repository_root(start: str | os.PathLike | None = None) -> Path:
    """The git work tree holding ``start`` (the working directory), or ``start`` itself outside git."""
    import subprocess  # only SARIF asks where the repository is

    here = Path(start or os.getcwd()).resolve()
    try:
        done = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=here, capture_output=True,
                              text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return here
    top = done.stdout.strip()
    return Path(top).resolve() if done.returncode == 0 and top else here


def sarif_location(uri: str, root: Path) -> dict:
    """artifactLocation: relative to %SRCROOT% inside the root, a file:// URI outside it."""
    path, _ = split_uri(uri)
    if not _is_file_uri(path):
        return {"uri": quote(path)}
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(root)
    except ValueError:
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}


def format_sarif(diagnostics: list[Diagnostic], version: str, root: str | os.PathLike | None = None,
                 texts: dict[str, str] | None = None) -> str:
    """A SARIF 2.1.0 log for GitHub code scanning; ``root`` defaults to the git work tree."""
    from nodecfg.linter.registry import catalogue

    root_path = Path(root).resolve() if root is not None else repository_root()
    rules = catalogue()
    codes = sorted(set(rules) | {d.code for d in diagnostics})
    index = {code: position for position, code in enumerate(codes)}
    fingerprints = _fingerprints(diagnostics, texts or {}, root_path)
    run = {
        "tool": {"driver": {
            "name": "nodecfg",
            "version": version,
            "semanticVersion": version,
            "informationUri": REPOSITORY_URL,
            "rules": [_sarif_rule(code, rules.get(code), version) for code in codes],
        }},
        "originalUriBaseIds": {SRCROOT: {"uri": root_path.as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [_sarif_result(d, index[d.code], root_path, fingerprint)
                    for d, fingerprint in zip(diagnostics, fingerprints)],
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


@lru_cache(maxsize=None)
def rule_page(code: str) -> str:
    """The packaged rule page (nodecfg/linter/docs/CODE.md), '' when there is none."""
    path = RULE_DOCS / f"{code}.md"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def page_section(page: str, title: str) -> str:
    """The text of a page's ``## title`` section, paragraphs joined by blank lines."""
    lines = page.splitlines()
    try:
        start = lines.index(f"## {title}") + 1
    except ValueError:
        return ""
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end]).strip()


def _sarif_rule(code: str, info, version: str) -> dict:
    rule: dict = {"id": code, "helpUri": rule_doc_url(code, version)}
    page = rule_page(code)
    if info is not None:
        rule["name"] = info.name
        rule["shortDescription"] = {"text": info.summary}
        rule["defaultConfiguration"] = {"level": SARIF_LEVELS[info.severity]}
        rule["properties"] = {"stage": info.stage, "blocking": info.blocking}
    else:
        rule["name"] = code.lower()
        rule["shortDescription"] = {"text": code}
    what = page_section(page, "What")
    if what:
        rule["fullDescription"] = {"text": what}
    if page:
        fix = page_section(page, "Fix")
        rule["help"] = {"text": "\n\n".join(part for part in (what, fix) if part) or page, "markdown": page}
    return rule


def _fingerprints(diagnostics: list[Diagnostic], texts: dict[str, str], root: Path) -> list[str]:
    """Per finding, a hash of what it is about, not where: code, file, part and the flagged line's text.

    Line numbers are left out so that inserting lines above a finding keeps its
    fingerprint; a counter tells apart equal findings on equal lines.
    """
    import hashlib  # SARIF and GitLab only

    seen: dict[str, int] = {}
    result = []
    for diagnostic in diagnostics:
        path, part = split_uri(diagnostic.span.uri)
        lines = text_lines(texts.get(diagnostic.span.uri, ""))
        line = diagnostic.span.line
        content = lines[line - 1].strip() if 0 < line <= len(lines) else diagnostic.message
        key = "\0".join([diagnostic.code, sarif_location(path, root)["uri"], part, content])
        seen[key] = seen.get(key, 0) + 1
        digest = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()[:32]
        result.append(digest)
    return result


def _sarif_result(diagnostic: Diagnostic, rule_index: int, root: Path, fingerprint: str) -> dict:
    _, part = split_uri(diagnostic.span.uri)
    result = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS[diagnostic.severity],
        "message": {"text": finding_message(diagnostic)},
        "locations": [{"physicalLocation": {
            "artifactLocation": sarif_location(diagnostic.span.uri, root),
            "region": file_region(diagnostic),
        }}],
        "partialFingerprints": {"nodecfgFinding/v1": fingerprint},
    }
    if part:
        properties: dict = {"part": part}
        if _decoded(diagnostic):
            properties["decodedRegion"] = {"startLine": diagnostic.span.line, "startColumn": diagnostic.span.col}
        result["properties"] = properties
    return result


# --- github workflow commands -----------------------------------------------

def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: list[Diagnostic]) -> str:
    """Workflow commands; a workflow log is a terminal too, so controls are made visible (no raw ESC or BEL)."""
    lines = []
    for diagnostic in diagnostics:
        region = file_region(diagnostic)
        properties = ",".join([
            f"file={_escape_property(printable(artifact_path(diagnostic.span.uri)))}",
            f"line={region['startLine']}",
            f"col={region['startColumn']}",
            f"title={_escape_property(diagnostic.code)}",
        ])
        command = GITHUB_COMMANDS[diagnostic.severity]
        text = printable(finding_message(diagnostic), keep_newlines=True)
        lines.append(f"::{command} {properties}::{_escape_data(text)}")
    return "\n".join(lines)


# --- concise: one line per finding ------------------------------------------

def format_concise(diagnostics: list[Diagnostic]) -> str:
    """``path:line:col: CODE [severity] message``, one line each, as ruff's concise format.

    For a terminal: controls in the path or message are made visible, and a line break in them
    cannot start a second line.
    """
    return "\n".join(printable(f"{d.span}: {d.code} [{d.severity}] {d.message}") for d in diagnostics)


# --- junit ------------------------------------------------------------------

def format_junit(diagnostics: list[Diagnostic], checked: list[str] = ()) -> str:
    """JUnit XML: a test suite per file, a failing test case per finding, like ruff's junit format.

    ``checked`` names files without findings, which appear as passing test cases.  Every text from
    the input goes through ``xml_attribute`` or ``xml_text``: XML 1.0 has no way to write most C0
    controls, even as character references, so they are shown as ``\\x01``.
    """
    by_file: dict[str, list[Diagnostic]] = {}
    for name in checked:
        by_file.setdefault(artifact_path(name), [])
    for diagnostic in diagnostics:
        by_file.setdefault(artifact_path(diagnostic.span.uri), []).append(diagnostic)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="nodecfg" tests="{max(len(diagnostics), 1)}" failures="{len(diagnostics)}">']
    for path in sorted(by_file):
        found = by_file[path]
        out.append(f'  <testsuite name={xml_attribute(path)} tests="{max(len(found), 1)}" failures="{len(found)}">')
        if not found:
            out.append(f'    <testcase name="nodecfg" classname={xml_attribute(path)}/>')
        for diagnostic in found:
            region = file_region(diagnostic)
            where = f"{path}:{region['startLine']}:{region['startColumn']}"
            out.append(f'    <testcase name={xml_attribute(f"{diagnostic.code} {where}")} classname={xml_attribute(path)} '
                       f'file={xml_attribute(path)} line="{region["startLine"]}">')
            out.append(f'      <failure message={xml_attribute(finding_message(diagnostic))} type={xml_attribute(diagnostic.code)}>'
                       f'{xml_text(f"{where}: {diagnostic.code} {diagnostic.severity}")}</failure>')
            out.append("    </testcase>")
        out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out)


# --- gitlab code quality ------------------------------------------------------

def format_gitlab(diagnostics: list[Diagnostic], texts: dict[str, str] | None = None) -> str:
    """GitLab code quality report (a subset of the Code Climate format): paths relative to the
    repository root, which is the project directory GitLab resolves them from."""
    root = repository_root()
    issues = []
    for diagnostic, fingerprint in zip(diagnostics, _fingerprints(diagnostics, texts or {}, root)):
        path, _ = split_uri(diagnostic.span.uri)
        absolute = Path(os.path.abspath(path))
        try:
            shown = absolute.relative_to(root).as_posix()
        except ValueError:
            shown = artifact_path(path)
        issues.append({
            "description": f"{diagnostic.code} {finding_message(diagnostic)}",
            "check_name": diagnostic.code,
            "fingerprint": fingerprint,
            "severity": GITLAB_SEVERITIES[diagnostic.severity],
            "location": {"path": shown, "lines": {"begin": file_region(diagnostic)["startLine"]}},
        })
    return json.dumps(issues, indent=2)
