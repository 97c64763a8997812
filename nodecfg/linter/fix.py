"""Applying the fixes findings carry (``check --fix`` / ``--diff`` / ``--unsafe-fixes``, the language server).

The contract is ruff's: a *safe* fix gives a result that is certain and is
applied by ``--fix``; an *unsafe* one may change behaviour beyond the finding
and needs ``--unsafe-fixes`` too.  Fixes are text edits at the spans ruamel's
parser recorded (parse/yaml.py), so every byte outside an edit stays as it
was, comments and formatting included.  After each round the file is linted
again, and fixing stops when a round changes nothing, so fixing twice
changes nothing.  User data keeps its wrapping: the edits are made in the
decoded text of a base64/gzip file and the result is encoded the same way
(same base64 line length, gzip with mtime 0), and MIME framing is left as is
except for the MIME fixes themselves.

Each fix is a ``Fix`` on its finding (core/diagnostics.py), made where the
finding is made; this module only maps its edits to offsets and applies
them.  Reading arguments, writing files and printing is the CLI's
(cli/commands/_fix.py).

Fixable codes (``FIXABLE``; ``--list-rules`` and the rule pages show them):
"""
from __future__ import annotations

import base64 as base64_codec
import gzip as gzip_codec
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

from nodecfg.core.codes import CATALOGUE
from nodecfg.core.locations import Location
from nodecfg.core.positions import LineIndex

if TYPE_CHECKING:
    from nodecfg.pipeline import Request

SAFE, UNSAFE = "safe", "unsafe"

# code -> (applicability, what the fix does)
FIXABLE: dict[str, tuple[str, str]] = {code: (entry.fix, entry.fix_does) for code, entry in CATALOGUE.items()
                                       if entry.fix}
__doc__ += "".join(f"\n* {code} ({kind}): {text}" for code, (kind, text) in FIXABLE.items()) + "\n"
MAX_ROUNDS = 10


@dataclass(frozen=True)
class OffsetEdit:
    """A finding's edit (core/diagnostics.Edit) as offsets into the decoded text of one file."""
    start: int
    end: int
    text: str
    code: str
    finding: int = 0  # which finding of its round it fixes (one fix may be several edits)


@dataclass
class FixResult:
    original: bytes
    fixed: bytes
    applied: list[str]  # codes, one per applied fix
    remaining: int = 0  # findings of the fixed text

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


# --- wrapping ----------------------------------------------------------------------


BOM = "\ufeff"


def unwrap_file(data: bytes) -> tuple[str, tuple[str, ...]]:
    """The text fixes are planned and applied in, and how to encode it again (``rewrap``).

    A UTF-8 byte order mark is not part of that text, as it is not part of the
    text the findings' spans count in (parse/yaml.py ``decode_text``); it is
    the layer ``bom``, put back by ``rewrap``.
    """
    from nodecfg.parse.wrapping import unwrap

    unwrapped = unwrap(data, "<fix>")
    if not unwrapped.ok:
        text, layers = data.decode("utf-8", "surrogateescape"), ()
    else:
        text, layers = unwrapped.data.decode("utf-8", "surrogateescape"), unwrapped.layers
    if text.startswith(BOM):
        return text[len(BOM):], (*layers, "bom")
    return text, layers


def encodings(layers: tuple[str, ...]) -> tuple[str, ...]:
    """The layers that encode the text (base64, gzip), without the byte order mark."""
    return tuple(layer for layer in layers if layer != "bom")


def rewrap(text: str, layers: tuple[str, ...], original: bytes) -> bytes:
    """Encode the fixed text the way the original file was encoded."""
    data = (BOM if "bom" in layers else "").encode() + text.encode("utf-8", "surrogateescape")
    if "gzip" in layers:
        data = gzip_codec.compress(data, mtime=0)
    if "base64" in layers:
        encoded = base64_codec.b64encode(data)
        width = _base64_line_width(original)
        if width:
            encoded = b"\n".join(encoded[i:i + width] for i in range(0, len(encoded), width))
        data = encoded + (b"\n" if original.endswith(b"\n") else b"")
    return data


def _base64_line_width(original: bytes) -> int:
    lines = original.strip().split(b"\n")
    return len(lines[0].rstrip(b"\r")) if len(lines) > 1 else 0


# --- the loop ------------------------------------------------------------------------


def fix_bytes(data: bytes, *, unsafe: bool = False, request: Request | None = None) -> FixResult:
    """Apply fixes to one source until a round changes nothing (at most MAX_ROUNDS).

    Each round lints the source as ``request`` says (its mode, instance context,
    limits and settings; None: the defaults), without a tree.
    """
    from nodecfg.pipeline import Request, run

    base = (request or Request(()))._replace(render=False)

    def lint(sources: list[bytes]):
        return run(base._replace(sources=sources))

    current, applied, remaining = data, [], None
    for _ in range(MAX_ROUNDS):
        text, layers = unwrap_file(current)
        result = lint([current])
        edits = plan_edits(result, text, unsafe=unsafe)
        if not edits:
            remaining = len(result.diagnostics)
            break
        text = apply_edits(text, edits)
        current = rewrap(text, layers, current)
        applied += [code for _, code in sorted({(edit.finding, edit.code) for edit in edits})]
    if remaining is None:
        remaining = len(lint([current]).diagnostics)
    return FixResult(data, current, applied, remaining)


def apply_edits(text: str, edits: list[OffsetEdit]) -> str:
    # one pass from the start (not a copy of the text per edit: 80,000 edits of a 250 KB text took
    # seconds); at one offset an insertion's text goes before a removal's replacement
    pieces, position = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        pieces += [text[position:edit.start], edit.text]
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


def plan_edits(result, text: str, *, unsafe: bool) -> list[OffsetEdit]:
    """Non-overlapping edits for the fixable findings of one lint result.

    Unsafe fixes are planned only in a round without safe ones, so that they
    see the text the safe fixes leave (a renamed key, a corrected value).
    """
    safe = _plan(result, text, (SAFE,))
    return safe if safe or not unsafe else _plan(result, text, (UNSAFE,))


def _plan(result, text: str, kinds: tuple[str, ...]) -> list[OffsetEdit]:
    planner = _Planner(result, text)
    edits: list[OffsetEdit] = []
    taken = bytearray(len(text) + 1)  # 1 at each offset an edit of this round covers (an insertion: one)
    for number, diagnostic in enumerate(result.diagnostics):
        kind = planner.applicability(diagnostic)
        if kind not in kinds or not _same_text(diagnostic.span):
            continue
        planned = [replace(edit, finding=number) for edit in planner.edits_for(diagnostic)]
        covers = [(edit.start, max(edit.end, edit.start + 1)) for edit in planned]
        if any(taken.find(1, start, end) != -1 for start, end in covers):
            continue  # a fix overlapping another waits for the next round; a fix is applied whole
        edits += planned
        for start, end in covers:
            taken[start:end] = b"\x01" * (end - start)
    return edits


def edits_by_finding(result, text: str) -> dict[int, tuple[str, list[OffsetEdit]]]:
    """Each fixable finding's own edits, planned as if it were the only one (an editor applies one).

    Keys index ``result.diagnostics``; values are (safe or unsafe, edits in ``text``).
    """
    planner = _Planner(result, text)
    found: dict[int, tuple[str, list[OffsetEdit]]] = {}
    for number, diagnostic in enumerate(result.diagnostics):
        kind = planner.applicability(diagnostic)
        if kind is None or not _same_text(diagnostic.span):
            continue
        edits = planner.edits_for(diagnostic)
        if edits:
            found[number] = (kind, [replace(edit, finding=number) for edit in edits])
    return found


def _same_text(span) -> bool:
    """Whether the span's lines are lines of the (decoded) file: not inside a part with its own encoding.

    The file's own base64/gzip wrapping is undone and redone around the fix; a container's
    user data that is base64 in the file, and a drop-in a script writes, are not fixed.
    """
    location = Location.parse(span.uri)
    return location.heredoc is None and not (location.unit is not None and location.layers)


class _Planner:
    """Turns findings' fixes (core/diagnostics.Fix, made where each finding is made) into offsets in the text."""

    def __init__(self, result, text: str) -> None:
        self.result = result
        self.text = text
        self.lines = LineIndex(text)

    def applicability(self, diagnostic) -> str | None:
        return diagnostic.fix.applicability if diagnostic.fix is not None else None

    def edits_for(self, diagnostic) -> list[OffsetEdit]:
        try:
            return self._offsets(diagnostic) if diagnostic.fix is not None else []
        except (ValueError, IndexError, KeyError):
            return []  # a fix that cannot be made with certainty is not made

    def _offsets(self, diagnostic) -> list[OffsetEdit]:
        edits = []
        for edit in diagnostic.fix.edits:
            if edit.span.uri != diagnostic.span.uri:
                return []
            start, end = self._range(edit.span)
            if edit.expect is not None and self.text[start:end] != edit.expect:
                return []  # the text is not what the fix was made for (a quoted key, an earlier edit)
            if self.text[start:end] != edit.text:
                edits.append(OffsetEdit(start, end, edit.text, diagnostic.code))
        return edits

    def _range(self, span) -> tuple[int, int]:
        start = self.lines.exact_offset(span.line, span.col)
        end = self.lines.exact_offset(span.end_line, span.end_col) if span.end_line else -1
        if start < 0 or end < start:
            raise ValueError("span outside the text")
        return start, end


# --- files ------------------------------------------------------------------------------


class FileFix(NamedTuple):
    """What fixing one file gave: ``result`` is None when it could not be read (``error`` says why)."""
    source: str
    result: FixResult | None
    error: OSError | None = None


def fix_files(sources, *, unsafe: bool = False, request: Request | None = None,
              max_bytes: int = 1 << 20) -> list[FileFix]:
    """Fix each regular file among sources; nothing is written (the caller writes or shows the new bytes).

    Directories, stdin (``-``), URIs and FIFOs are linted, not fixed, and are left out.
    """
    from nodecfg.parse.files import is_regular, read_source

    done = []
    for source in sources:
        if source == "-" or not is_regular(source):
            continue
        try:
            original = read_source(source, max_bytes + 1)
        except OSError as error:  # a link out of the tree, or unreadable: the lint reports it as NC140
            done.append(FileFix(source, None, error))
            continue
        done.append(FileFix(source, fix_bytes(original, unsafe=unsafe, request=request)))
    return done
