"""One open document as the language server sees it: its findings, their fixes, hover text.

Nothing here imports pygls, so it is tested without it.  A document is linted
as ``nodecfg check FILE`` lints the file (the one pipeline, through
``nodecfg.linter.engine.lint``): its text is the file's content, named by the
file's path so that ``[tool.nodecfg]`` (found from the file's directory, as
the CLI finds it from the working directory) and its per-file-ignores apply.
A container file with several user data is linted once per user data, as
``check`` does.

Positions are 0-based lines and code-point columns with an exclusive end;
the server converts the columns to the client's units.  A finding's position
is its SARIF region (``nodecfg.output.formats.file_region``): in a MIME part
the part's line of the file, in base64 or gzip content the first line of the
encoded text (the message names the layer and the decoded line).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nodecfg.core.diagnostics import Diagnostic, Severity
from nodecfg.parse.source import Limits

UNTITLED = "<untitled>"  # the name of a buffer that is not a file
SNIFF_BYTES = 65536
# LSP's line ends (and YAML's): \r\n, \r and \n; not the others str.splitlines knows (\x0c, \x85, \u2028...)
_LINE_END = re.compile(r"\r\n|\r|\n")


def lsp_lines(text: str) -> list[str]:
    """The document's lines, without their ends, as the client numbers them."""
    return _LINE_END.split(text)


@dataclass(frozen=True, order=True)
class Range:
    line: int
    character: int
    end_line: int
    end_character: int

    def contains(self, line: int, character: int) -> bool:
        return (self.line, self.character) <= (line, character) <= (self.end_line, self.end_character)


@dataclass(frozen=True)
class Finding:
    diagnostic: Diagnostic
    range: Range
    message: str  # with the part, decoded position and hint, as SARIF writes it
    url: str      # the rule page of the installed version

    @property
    def code(self) -> str:
        return self.diagnostic.code

    @property
    def severity(self) -> Severity:
        return self.diagnostic.severity


@dataclass(frozen=True)
class TextEdit:
    range: Range
    new_text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[TextEdit, ...]
    finding: Finding | None  # None: every safe fix of the document (``check --fix``)
    safe: bool


@dataclass
class Linted:
    """What one lint of a document's text found."""

    name: str
    content: bytes
    text: str
    findings: list[Finding] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)  # pipeline Results, one per user data
    lint_options: dict = field(default_factory=dict)
    settings_problem: str = ""  # a [tool.nodecfg] that cannot be used; the defaults were used
    not_shown: list[str] = field(default_factory=list)  # "N more NCxxx findings ... not shown", as check prints


def wanted(text: str, path: str | None, limits: Limits = Limits()) -> bool:
    """Whether nodecfg lints this document: by content, as ``check DIR`` picks files."""
    from nodecfg.parse.containers.reading import recognised

    content = text.encode("utf-8", "replace")
    if len(content) > limits.max_source_bytes:  # too large to parse for a look: only its head is read
        head = content[:SNIFF_BYTES]
        return b"node.eks.aws" in head or b"content-type" in head.lower()
    return recognised(content, path or UNTITLED)


def lint_document(text: str, path: str | None, *, mode: str = "self-managed", config: str | None = None,
                  limits: Limits = Limits()) -> Linted:
    """Lint the text of the document at ``path`` (None: a buffer that is no file)."""
    from nodecfg import __version__
    from nodecfg.linter.config import ConfigError, load_settings
    from nodecfg.linter.engine import lint
    from nodecfg.output.formats import finding_message, rule_doc_url
    from nodecfg.output.report import limit
    from nodecfg.parse.containers import maybe_container
    from nodecfg.parse.source import LoadOptions, NamedBytes

    name = path or UNTITLED
    content = text.encode("utf-8", "replace")
    source = NamedBytes(content, name)
    problem = ""
    try:
        settings = load_settings(start=Path(path).parent if path else None, config=config)
    except ConfigError as error:
        settings, problem = None, str(error)
    options = {"mode": mode, "settings": settings, "limits": limits}
    units: list[int | None] = [None]
    if maybe_container(content):
        from nodecfg.parse.containers.reading import unit_count

        count = unit_count(content, name)
        units = list(range(count)) if count > 1 else [None]
    linted = Linted(name, content, text, lint_options=options, settings_problem=problem)
    lines = lsp_lines(text)
    seen: set[Diagnostic] = set()
    found: list[Diagnostic] = []
    for unit in units:
        result = lint([source], **options, options=LoadOptions(unit=unit))
        linted.results.append(result)
        for diagnostic in result.diagnostics:
            if diagnostic.span.path != name or diagnostic in seen:
                continue  # only positions inside the open document
            seen.add(diagnostic)
            found.append(diagnostic)
    # as many as `check` prints (nodecfg/output/report.py): thousands of findings on one line would
    # cost the editor, and the server converting their positions, seconds on every keystroke
    shown, linted.not_shown = limit(found)
    for diagnostic in shown:
        linted.findings.append(Finding(diagnostic, finding_range(diagnostic, content, lines),
                                       finding_message(diagnostic), rule_doc_url(diagnostic.code, __version__)))
    return linted


def finding_range(diagnostic: Diagnostic, content: bytes, lines: list[str]) -> Range:
    """The finding's file region, 0-based; without an end it runs to the end of its line."""
    from nodecfg.output.formats import file_region

    region = file_region(diagnostic, content)
    line = _clamp(region["startLine"] - 1, 0, len(lines) - 1)
    character = _clamp(region["startColumn"] - 1 + _bom(lines, line), 0, len(_line(lines, line)))
    if "endLine" in region:
        end_line = _clamp(region["endLine"] - 1, line, len(lines) - 1)
        end_character = _clamp(region["endColumn"] - 1 + _bom(lines, end_line), 0, len(_line(lines, end_line)))
        if (end_line, end_character) > (line, character):
            return Range(line, character, end_line, end_character)
    end = len(_line(lines, line).rstrip())
    return Range(line, character, line, max(end, character))


def _bom(lines: list[str], number: int) -> int:
    """1 on the first line of a text that starts with a byte order mark: columns count without it."""
    return 1 if number == 0 and lines and lines[0].startswith("\ufeff") else 0


def _line(lines: list[str], number: int) -> str:
    return lines[number].removesuffix("\r")


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


# --- fixes ------------------------------------------------------------------------------


def fixes(linted: Linted, wanted_range: Range | None = None) -> list[Fix]:
    """Each fixable finding's fix (of those overlapping ``wanted_range``), then one fix of all safe fixes."""
    from nodecfg.linter.fix import (BOM, FIXABLE, SAFE, apply_edits, edits_by_finding, encodings, fix_bytes,
                                    rewrap, unwrap_file)

    decoded, layers = unwrap_file(linted.content)  # without a byte order mark, as the spans count
    mark = BOM if "bom" in layers else ""
    by_diagnostic = {finding.diagnostic: finding for finding in linted.findings}
    found: list[Fix] = []
    any_safe = False
    for result in linted.results:
        for number, (kind, edits) in sorted(edits_by_finding(result, decoded).items()):
            finding = by_diagnostic.get(result.diagnostics[number])
            if finding is None:
                continue
            any_safe = any_safe or kind == SAFE
            if wanted_range is not None and not _overlaps(finding.range, wanted_range):
                continue
            if encodings(layers):  # the edit is made in the decoded text, which is encoded again as it was
                new_text = _as_text(rewrap(apply_edits(decoded, edits), layers, linted.content))
                if new_text is None:
                    continue
                text_edits = (whole_document(linted.text, new_text),)
            else:
                text_edits = tuple(TextEdit(_range_of(mark + decoded, len(mark) + edit.start, len(mark) + edit.end),
                                            edit.text) for edit in edits)
            title = f"Fix {finding.code}: {FIXABLE[finding.code][1]}" + ("" if kind == SAFE else " (unsafe)")
            found.append(Fix(title, text_edits, finding, kind == SAFE))
    if any_safe:
        fixed = fix_bytes(linted.content, lint_options=linted.lint_options)
        new_text = _as_text(fixed.fixed) if fixed.changed else None
        if new_text is not None:
            found.append(Fix("Fix all safe nodecfg findings (as check --fix)",
                             (whole_document(linted.text, new_text),), None, True))
    return found


def whole_document(text: str, new_text: str) -> TextEdit:
    lines = lsp_lines(text)
    return TextEdit(Range(0, 0, len(lines) - 1, len(lines[-1])), new_text)


def _range_of(text: str, start: int, end: int) -> Range:
    starts = [0] + [match.end() for match in _LINE_END.finditer(text)]  # where each line begins

    def position(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset) - 1
        return line, offset - starts[line]

    return Range(*position(start), *position(end))


def _as_text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # gzip without base64: not a text an editor holds
        return None


def _overlaps(a: Range, b: Range) -> bool:
    return (a.line, a.character) <= (b.end_line, b.end_character) and \
        (b.line, b.character) <= (a.end_line, a.end_character)


# --- hover --------------------------------------------------------------------------------


def hover(linted: Linted, line: int, character: int) -> str | None:
    """Markdown for the findings at a position: each finding's message, then its rule page.

    A message quotes the document (an unknown key, a value), so it is a code span
    (``nodecfg.output.escape.markdown_code``): nothing in it becomes a link, an image or HTML.
    The rule pages are nodecfg's own Markdown.
    """
    from nodecfg.linter.registry import catalogue
    from nodecfg.output.escape import markdown_code
    from nodecfg.output.formats import rule_page

    here = [finding for finding in linted.findings if finding.range.contains(line, character)]
    if not here:
        return None
    rules = catalogue()
    sections, pages = [], []
    for finding in here:
        name = rules[finding.code].name if finding.code in rules else ""
        sections.append(f"**{finding.code}** {name} ({finding.severity}): {markdown_code(finding.message)}")
        if finding.code not in pages:
            pages.append(finding.code)
    for code in pages:
        page = rule_page(code)
        if page:
            sections.append(page.strip())
    return "\n\n---\n\n".join(sections)
