"""Composing EC2 user data: MIME multipart from scripts, cloud-configs and NodeConfigs.

The output is what nodeadm (internal/configprovider/mime.go, Go's
``net/mail`` + ``mime/multipart``) and cloud-init both read part by part:

* parts in a fixed order: boothooks, shell scripts, cloud-configs, then one
  ``application/node.eks.aws`` part per NodeConfig document (nodeadm decodes
  only the first YAML document of a part, so a file with several ``---``
  documents becomes several parts, each keeping its text byte for byte);
* LF line endings for the framing (Karpenter writes the same; Go's reader
  takes the first delimiter line's ending for all of them), part bodies
  untouched, each followed by the one newline that belongs to the next
  delimiter, so a reader gives back exactly the body that went in;
* the boundary ``==NODECFG==``, or ``==NODECFG-N==`` with the smallest N
  that occurs in no part;
* optional gzip (mtime 0, no file name) and then base64.  EC2's 16 KiB limit
  is checked on the bytes EC2 stores: after gzip, before base64.

``merge_into`` appends the new parts to existing user data and keeps its
headers, parts, boundary and line endings byte for byte.  The result is
checked like ``nodecfg check`` checks it; findings are reported against the
input files and their lines.
"""
from __future__ import annotations

import base64 as base64_codec
import gzip as gzip_codec
import itertools
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Union

from nodecfg.core.codes import NC117, NC124, NC140, NC141, NC160, NC161, NC162
from nodecfg.core.locations import Location
from nodecfg.core.diagnostics import Diagnostic, Severity, Span, has_errors
from nodecfg.nodeadm.userdata import EC2_USER_DATA_LIMIT

if TYPE_CHECKING:
    from nodecfg.parse.mime import MimeResult
    from nodecfg.pipeline import Request

BOUNDARY = "==NODECFG=="
MAX_INPUT_BYTES = 1 << 20  # an input file read beyond this could never fit
NODECONFIG = "application/node.eks.aws"
SCRIPT = "text/x-shellscript"
CLOUD_CONFIG = "text/cloud-config"
BOOTHOOK = "text/cloud-boothook"
USERDATA_URI = "<userdata>"

PartInput = Union[str, bytes, os.PathLike]
NodeConfigInput = Union[str, bytes, os.PathLike, Mapping[str, Any]]


@dataclass(frozen=True)
class NewPart:
    """One part to add: its media type, body, and where the body came from."""

    media_type: str
    body: bytes
    origin: str
    first_line: int = 1  # line of origin on which the body starts

    @property
    def content_type(self) -> str:
        if self.media_type == NODECONFIG:
            return NODECONFIG
        charset = "us-ascii" if self.body.isascii() else "utf-8"
        return f'{self.media_type}; charset="{charset}"'


@dataclass
class Composition:
    """Composed user data, or why it is refused."""

    data: bytes  # the user data as asked for (gzip and/or base64 applied)
    mime: bytes  # the MIME document before gzip and base64
    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict, repr=False)  # uri -> text, for excerpts
    strict: bool = False  # settings.strict: warnings refuse it too, as they fail `nodecfg check`

    @property
    def ok(self) -> bool:
        threshold = Severity.WARNING if self.strict else Severity.ERROR
        return not any(d.severity >= threshold for d in self.diagnostics)


class UserDataError(ValueError):
    """Raised by ``nodecfg.compose_userdata`` when the user data would be refused."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = [d.format() for d in diagnostics if d.severity >= Severity.ERROR]
        super().__init__("user data refused:\n" + "\n".join(errors))


def compose(nodeconfigs: Iterable[NodeConfigInput] = (), scripts: Iterable[PartInput] = (),
            cloud_configs: Iterable[PartInput] = (), *, boothooks: Iterable[PartInput] = (),
            merge_into: PartInput | None = None, base64: bool = False, gzip: bool = False,
            check: bool = True, request: Request | None = None) -> Composition:
    """Compose user data; never raises on bad input (see ``Composition.diagnostics``).

    With ``check``, the result is linted as ``request`` says (its mode, instance
    context and settings; None: the defaults), as ``nodecfg check`` would.
    """
    if request is None:
        from nodecfg.pipeline import Request

        request = Request(())
    parts, texts, diagnostics = collect_parts(nodeconfigs, scripts, cloud_configs, boothooks)
    if merge_into is None:
        layout = Layout(write_multipart(parts), parts, 1)
    else:
        layout, problems = merged_layout(merge_into, parts, texts)
        diagnostics += problems
    data = encode(layout.mime, base64=base64, gzip=gzip)
    if has_errors(diagnostics):
        return Composition(data, layout.mime, _sorted(diagnostics), texts)
    if check:
        diagnostics += check_userdata(layout, texts, request)
    diagnostics += _size_problems(encode(layout.mime, gzip=gzip))
    settings = request.settings
    return Composition(data, layout.mime, _sorted(diagnostics), texts, strict=bool(settings and settings.strict))


@dataclass(frozen=True)
class Layout:
    """The MIME document, the parts nodecfg wrote into it, and where the first of them is."""

    mime: bytes
    added: list[NewPart]
    first_index: int  # 1-based part number of added[0]
    existing_uri: str = ""  # the user data merged into (its parts come first)


# --- inputs ---------------------------------------------------------------------


def collect_parts(nodeconfigs, scripts, cloud_configs, boothooks
                  ) -> tuple[list[NewPart], dict[str, str], list[Diagnostic]]:
    """The parts in user data order, the input texts by name, and reading problems."""
    parts: list[NewPart] = []
    texts: dict[str, str] = {}
    diagnostics: list[Diagnostic] = []
    for media_type, items, label in ((BOOTHOOK, boothooks, "boothook"), (SCRIPT, scripts, "script"),
                                     (CLOUD_CONFIG, cloud_configs, "cloud-config")):
        for index, item in enumerate(items, 1):
            data, origin, problem = read_input(item, f"<{label} {index}>")
            if problem:
                diagnostics.append(problem)
                continue
            texts[origin] = data.decode("utf-8", "replace")
            parts.append(NewPart(media_type, data, origin))
            diagnostics += _line_ending_problems(parts[-1])
    for index, item in enumerate(nodeconfigs, 1):
        data, origin, problem = read_input(item, f"<nodeconfig {index}>")
        if problem:
            diagnostics.append(problem)
            continue
        texts[origin] = data.decode("utf-8", "replace")
        documents = split_documents(data)
        if not documents:
            diagnostics.append(NC160.at(Span(origin),
                                          f"{origin} holds no YAML document to put in a NodeConfig part"))
        parts += [NewPart(NODECONFIG, text, origin, line) for line, text in documents]
    return parts, texts, diagnostics


def read_input(item: NodeConfigInput, label: str) -> tuple[bytes, str, Diagnostic | None]:
    """(bytes, name, problem): a path is read, str and bytes are the content, a mapping is dumped."""
    if isinstance(item, bytes):
        return item, label, None
    try:
        if isinstance(item, str):
            return item.encode("utf-8"), label, None
        if isinstance(item, Mapping):
            from nodecfg.encode.yaml import dump_yaml

            return dump_yaml(dict(item)).encode("utf-8"), label, None
    except (UnicodeEncodeError, ValueError) as error:  # a lone surrogate: no UTF-8 text holds it
        reason = error.reason if isinstance(error, UnicodeEncodeError) else str(error)
        return b"", label, NC124.at(Span(label),
                                      f"{label} cannot be written as UTF-8 text: {reason}")
    from nodecfg.parse.files import read_source

    path = os.fspath(item)
    try:
        data = read_source(path, MAX_INPUT_BYTES + 1)  # never a link out of the tree (docs/limits.md)
    except OSError as error:
        message = f"cannot read {path}: {error.strerror or error}"
        return b"", path, NC140.at(Span(path, 0, 0), message)
    if len(data) > MAX_INPUT_BYTES:
        message = f"{path} is larger than {MAX_INPUT_BYTES} bytes; user data holds at most {EC2_USER_DATA_LIMIT}"
        return b"", path, NC141.at(Span(path), message)
    return data, path, None


def _line_ending_problems(part: NewPart) -> list[Diagnostic]:
    if part.media_type not in (SCRIPT, BOOTHOOK) or b"\r\n" not in part.body:
        return []
    line = part.body[:part.body.index(b"\r\n")].count(b"\n") + 1
    return [NC162.at(Span(part.origin, line, 1),
                       f"{part.origin} has CRLF line endings: the shell reads each CR as part of the command "
                       "(a #! line ending in CR names no interpreter)",
                       "convert the script to LF line endings")]


# --- splitting a YAML stream into documents, keeping their text --------------------


def split_documents(data: bytes) -> list[tuple[int, bytes]]:
    """(first line, text) of each YAML document, split at ``---`` and ``...`` lines.

    A line starting with ``---`` or ``...`` followed by a blank or the end of
    the line is a document marker wherever it occurs (YAML forbids it inside
    content), so the split needs no parsing.  Comments and directives before a
    document stay with it; trailing ones stay with the last document.
    """
    documents: list[tuple[int, list[bytes]]] = []
    current: list[bytes] = []
    start, has_content = 1, False
    if data.startswith(b"\x1f\x8b"):
        return [(1, data)]  # gzip: nodeadm inflates the part; one document
    for number, line in enumerate(lf_lines(data), 1):
        if _is_marker(line, b"---") and has_content:
            documents.append((start, current))
            current, start, has_content = [], number, False
        current.append(line)
        has_content = has_content or _is_content(line)
        if _is_marker(line, b"...") and has_content:
            documents.append((start, current))
            current, start, has_content = [], number + 1, False
    if has_content:
        documents.append((start, current))
    elif current and documents:
        documents[-1][1].extend(current)
    return [(line, b"".join(lines)) for line, lines in documents]


def lf_lines(data: bytes) -> list[bytes]:
    """Lines ended by LF (each keeps it), as nodeadm's readers and nodecfg's positions count them."""
    lines = [line + b"\n" for line in data.split(b"\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _is_marker(line: bytes, marker: bytes) -> bool:
    return line.startswith(marker) and line[3:4] in (b"", b" ", b"\t", b"\r", b"\n")


def _is_content(line: bytes) -> bool:
    """A line that is part of a document's value (not blank, comment, directive or bare marker)."""
    text = line.lstrip(b"\xef\xbb\xbf").strip()
    if _is_marker(text, b"---") or _is_marker(text, b"..."):
        text = text[3:].strip()
    return bool(text) and not text.startswith((b"#", b"%"))


# --- writing MIME ---------------------------------------------------------------


def choose_boundary(bodies: Iterable[bytes]) -> str:
    """``==NODECFG==`` unless a body contains it; then ``==NODECFG-N==`` with the smallest free N.

    One pass over the bodies collects every candidate they contain (matches
    may overlap: ``==NODECFG-1===NODECFG-2==`` holds both), instead of
    searching them again for each candidate.
    """
    used: set[int] = set()
    for body in bodies:
        for match in _CANDIDATE.finditer(body):
            digits = match.group(1)
            used.add(0 if digits is None else int(digits))
    if 0 not in used:
        return BOUNDARY
    number = next(n for n in itertools.count(1) if n not in used)
    return f"==NODECFG-{number}=="


# a lookahead, so that overlapping occurrences are all found
# at most 9 digits: a longer number is never a boundary we write (and int() stops at 4300 digits)
_CANDIDATE = re.compile(rb"(?===NODECFG(?:-([1-9][0-9]{0,8}))?==)")


def write_multipart(parts: list[NewPart]) -> bytes:
    boundary = choose_boundary(part.body for part in parts)
    head = f'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="{boundary}"\n\n'.encode()
    closing = f"--{boundary}--\n".encode()
    return head + write_parts(parts, boundary.encode(), b"\n") + closing


def write_parts(parts: list[NewPart], boundary: bytes, newline: bytes) -> bytes:
    """Delimiter, header, blank line, body and the newline the next delimiter line owns."""
    chunks = []
    for part in parts:
        header = b"Content-Type: " + part.content_type.encode() + newline
        chunks.append(b"--" + boundary + newline + header + newline + part.body + newline)
    return b"".join(chunks)


def encode(mime: bytes, *, base64: bool = False, gzip: bool = False) -> bytes:
    """gzip (deterministic: mtime 0, no file name) and then base64, as asked."""
    data = gzip_codec.compress(mime, compresslevel=9, mtime=0) if gzip else mime
    return base64_codec.b64encode(data) if base64 else data


# --- appending to existing user data --------------------------------------------


def merged_layout(merge_into: PartInput, parts: list[NewPart], texts: dict[str, str]
                  ) -> tuple[Layout, list[Diagnostic]]:
    """The existing user data with the parts appended (a lone document becomes the first part)."""
    existing, problems = read_existing(merge_into)
    if existing is None:
        return Layout(b"", parts, 1), problems
    texts[existing.uri] = existing.data.decode("utf-8", "replace")
    if not existing.is_multipart:
        added = [NewPart(_guess_media_type(existing.data), existing.data, existing.uri), *parts]
        return Layout(write_multipart(added), added, 1, existing.uri), []
    merged, problem = append_parts(existing, parts)
    layout = Layout(merged, parts, len(existing.parts) + 1, existing.uri)
    return layout, [problem] if problem else []


def read_existing(merge_into: PartInput) -> tuple[MimeResult | None, list[Diagnostic]]:
    """The user data to merge into, split as nodeadm splits it (nodecfg/parse/mime.py)."""
    from nodecfg.parse.mime import split_userdata

    data, origin, problem = read_input(merge_into, "<merge-into>")
    if problem:
        return None, [problem]
    result = split_userdata(data, origin)
    errors = [d for d in result.diagnostics if d.severity >= Severity.ERROR]
    if errors:
        hint = "fix these findings in the user data first (nodecfg check shows them all)"
        return None, [d._replace(hint=d.hint or hint) for d in errors]
    return result, []


def _guess_media_type(data: bytes) -> str:
    """What a single-document user data is: cloud-init's markers, else a NodeConfig (nodeadm's view)."""
    stripped = data.lstrip()
    if stripped.startswith(b"#!"):
        return SCRIPT
    if stripped.startswith(b"#cloud-config"):
        return CLOUD_CONFIG
    return NODECONFIG


def append_parts(existing: MimeResult, parts: list[NewPart]) -> tuple[bytes, Diagnostic | None]:
    """Insert the parts before the closing delimiter; every existing byte stays as it was.

    Refused, at the line that makes it impossible: user data that ends after a
    delimiter line without the closing one (nothing marks where parts end), or a
    new part with a line that starts with the existing delimiter, where Go's
    multipart reader (src/mime/multipart/multipart.go, scanUntilBoundary: a
    newline then ``--boundary``) would end that part.
    """
    boundary, offset, uri = existing.boundary, existing.closing, existing.uri
    if boundary is None or offset is None:
        dash = "--" + (boundary or b"").decode("utf-8", "replace")
        if existing.delimiter_end:
            return b"", NC161.at(Span(uri, existing.delimiter_end, 1),
                                 f"{uri} ends with this delimiter line '{dash}' and no closing delimiter "
                                 f"'{dash}--': there is no closing line to insert the new parts before",
                                 f"end the user data with a line '{dash}--'")
        return b"", NC161.at(Span(uri), f"{uri}: no closing delimiter line to insert the new parts before")
    for part in parts:
        place = _delimiter_place(part.body, b"--" + boundary)
        if place is not None:
            message = (f"this line of {part.origin} starts with '--{boundary.decode('utf-8', 'replace')}', "
                       f"the delimiter of {uri}: the new part would end here")
            return b"", NC161.at(Span(part.origin, part.first_line + place[0], place[1]), message,
                                 "change the boundary of the user data you merge into")
    data = existing.data
    return data[:offset] + write_parts(parts, boundary, existing.newline) + data[offset:], None


def _delimiter_place(body: bytes, dash: bytes) -> tuple[int, int] | None:
    """(0-based line, column) of the first place in body where dash starts a line, or None.

    A line starts after LF, and after a lone CR too: cloud-init's reader (Python's
    email.feedparser) ends lines there.  Lines are counted in LFs, as the input's spans are.
    """
    match = re.search(rb"(?:\A|[\r\n])" + re.escape(dash), body)
    if match is None:
        return None
    start = match.end() - len(dash)
    return body.count(b"\n", 0, start), start - body.rfind(b"\n", 0, start)


# --- checking -------------------------------------------------------------------


def check_userdata(layout: Layout, texts: dict[str, str], request: Request) -> list[Diagnostic]:
    """What ``nodecfg check`` finds in the composed user data (linted as ``request`` says), located in the inputs."""
    from nodecfg.parse.mime import split_userdata
    from nodecfg.pipeline import run

    result = run(request._replace(sources=(layout.mime,), render=False))
    placed = {p.index: p for p in split_userdata(layout.mime, "").parts}
    owners = {layout.first_index + i: part for i, part in enumerate(layout.added)}
    texts.setdefault(USERDATA_URI, layout.mime.decode("utf-8", "replace"))
    # NC117 is measured on what is stored (gzipped when asked), by _size_problems
    return [_locate(d, layout, owners, placed, texts) for d in result.diagnostics if d.code != "NC117"]


def _part_number(location: Location, line: int, placed: dict) -> int | None:
    """The part a span is in: named by ``#part=N``, or found by line for findings about the structure."""
    if location.part is not None and location.unit is None and not location.layers:
        return location.part
    if location.fragment:
        return None
    inside = [index for index, part in placed.items() if part.header_line <= line]
    return max(inside) if inside else None


def _locate(diagnostic: Diagnostic, layout: Layout, owners: dict[int, NewPart], placed: dict,
            texts: dict[str, str]) -> Diagnostic:
    """Move a span in the composed user data to the input file and line it came from."""
    from nodecfg.parse.source import display_name

    span, location = diagnostic.span, Location.parse(diagnostic.span.uri)
    if location.file != display_name(b"", 0):
        return diagnostic
    number = _part_number(location, span.line, placed)
    owner = owners.get(number) if number is not None else None
    if owner is None:  # the whole user data, or a part of the user data merged into
        base = layout.existing_uri if layout.existing_uri and number is not None else USERDATA_URI
        moved = span._replace(uri=str(location._replace(file=base)))
        texts.setdefault(moved.uri, texts[USERDATA_URI])
        return diagnostic._replace(span=moved)
    shift = owner.first_line - 1 - placed[number].line_offset
    moved = span._replace(uri=str(location._replace(file=owner.origin, part=None)),
                          line=max(owner.first_line, span.line + shift),
                          end_line=max(owner.first_line, span.end_line + shift) if span.end_line else 0)
    texts.setdefault(moved.uri, texts.get(owner.origin, ""))
    return diagnostic._replace(span=moved)


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    from nodecfg.pipeline import sort_diagnostics

    return sort_diagnostics(diagnostics)


def _size_problems(stored: bytes) -> list[Diagnostic]:
    if len(stored) <= EC2_USER_DATA_LIMIT:
        return []
    message = (f"the user data is {len(stored)} bytes; EC2 stores at most {EC2_USER_DATA_LIMIT} bytes "
               "(counted before base64), so the launch would fail")
    return [NC117.at(Span(USERDATA_URI), message,
                       "add --gzip (nodeadm and cloud-init read gzip user data), or move files to S3 or the AMI")]
