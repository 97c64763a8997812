"""Where a span is: the one module that writes and reads the addresses ``Span.uri`` holds.

A uri names a source and, after a ``#`` each, the layers inside it, outermost first::

    file [#unit] [#layers] [#part=N] [#heredoc=NAME]   nodeclass.yaml#EC2NodeClass=default#part=2
    pointer:POINTER                                    pointer:/spec/containerd/config

- ``file``: a path, ``<stdin>``, ``<input 1>``, or an origin nodecfg generates (``karpenter-generated``);
- ``unit``: one user data of a container file (parse/containers/): ``EC2NodeClass=default``,
  ``version=1``, a CloudFormation logical id, a Terraform address;
- ``layers``: how the whole user data is wrapped, outermost first (parse/wrapping.py), ``base64+gzip``;
  its lines are then lines of the decoded text;
- ``part``: the index of a MIME part (parse/mime.py);
- ``heredoc``: the drop-in a user-data script writes with a heredoc (parse/shell.py);
- ``pointer``: a value of the merged NodeConfig, for the stages after the merge (render/), which
  ``pipeline.localise`` replaces by the place of the YAML that set the value.

``Span`` keeps the string: it is printed, sorted and compared as it is, goes into
JSON and SARIF and to the language server, and spans are made by the thousand.
Code that needs a layer asks ``Location.parse(uri)`` (cached) or a helper here;
code that adds a layer calls the builder here.  No other module takes a uri
apart (tests/test_locations.py checks that).
"""

from functools import lru_cache
from typing import NamedTuple, Sequence

from nodecfg.core.lazy_re import LazyPattern

POINTER = "pointer:"

# read only in a uri with a fragment (a part, a layer, a unit of a container file): compiled on first use
_LAYERS = LazyPattern(r"(?:base64|gzip)(?:\+(?:base64|gzip))*")  # what parse/wrapping.py unwraps, in any order
_PART = LazyPattern(r"part=(0|[1-9][0-9]*)")
_HEREDOC = "heredoc="


class Location(NamedTuple):
    """A uri's parts; ``str(location)`` is the uri.  Absent parts are None (or no layers)."""

    file: str
    unit: str | None = None
    layers: tuple[str, ...] = ()
    part: int | None = None
    heredoc: str | None = None
    pointer: str | None = None

    @staticmethod
    def parse(uri: str) -> "Location":
        return _parse(uri)

    def __str__(self) -> str:
        if self.pointer is not None:
            return POINTER + self.pointer
        return self.file + self.suffix

    @property
    def suffix(self) -> str:
        """Everything after the file: ``#part=2#heredoc=x.yaml``; '' for a whole file or a pointer."""
        if self.pointer is not None:
            return ""
        text = "" if self.unit is None else "#" + self.unit
        if self.layers:
            text += "#" + "+".join(self.layers)
        if self.part is not None:
            text += f"#part={self.part}"
        if self.heredoc is not None:
            text += "#" + _HEREDOC + self.heredoc
        return text

    @property
    def fragment(self) -> str:
        """The suffix without its leading '#': ``base64+gzip#part=3``, as the outputs print it."""
        return self.suffix[1:]

    @property
    def is_whole_file(self) -> bool:
        """A source as it is: no layer inside it, not a pointer."""
        return self.pointer is None and not self.suffix

    @property
    def lines_are_file_lines(self) -> bool:
        """Whether line and column count in the file as stored.

        Not so under a base64 or gzip layer (lines of the decoded text) nor for a
        pointer (lines of the value, until ``pipeline.localise`` maps them).
        """
        return self.pointer is None and not self.layers


@lru_cache(maxsize=1024)
def _parse(uri: str) -> Location:
    if uri.startswith(POINTER):
        return Location("", pointer=uri[len(POINTER):])
    file, hashed, fragment = uri.partition("#")
    return _with_fragment(file, fragment) if hashed else Location(file)


def _with_fragment(file: str, fragment: str) -> Location:
    pieces = fragment.split("#")
    index = 0
    while index < len(pieces) and not _is_layer_piece(pieces[index]):
        index += 1  # a unit's label may hold '#' (a Terraform address's key)
    unit = "#".join(pieces[:index]) if index else None
    layers: tuple[str, ...] = ()
    if index < len(pieces) and _LAYERS.fullmatch(pieces[index]):
        layers = tuple(pieces[index].split("+"))
        index += 1
    part = None
    if index < len(pieces) and (match := _PART.fullmatch(pieces[index])):
        part = int(match.group(1))
        index += 1
    heredoc = None
    if index < len(pieces) and pieces[index].startswith(_HEREDOC):
        heredoc = "#".join(pieces[index:])[len(_HEREDOC):]  # the last layer: a name may hold '#'
        index = len(pieces)
    if index < len(pieces):  # not in this order (a file name with '#'): the rest names a unit
        return Location(file, fragment)
    return Location(file, unit, layers, part, heredoc)


def _is_layer_piece(piece: str) -> bool:
    return bool(_LAYERS.fullmatch(piece) or _PART.fullmatch(piece)) or piece.startswith(_HEREDOC)


# --- reading: the questions stages ask of a uri ----------------------------------------------------

def file_of(uri: str) -> str:
    """The source a uri is in: ``ud.mime`` for ``ud.mime#part=2``."""
    return _parse(uri).file


def fragment_of(uri: str) -> str:
    """What inside the source the uri names, without the first '#': ``base64+gzip#part=3``; '' for a whole file."""
    return _parse(uri).fragment


def lines_are_file_lines(uri: str) -> bool:
    return _parse(uri).lines_are_file_lines


def is_within(uri: str, outer: str) -> bool:
    """Whether ``uri`` is ``outer`` or a layer inside it (a part of a unit, a heredoc of a part)."""
    return uri == outer or uri.startswith(outer + "#")


def layers_within(uri: str, outer: str) -> tuple[str, ...] | None:
    """The wrapping layers ``uri`` adds inside ``outer``; None when ``uri`` is not within it."""
    if not is_within(uri, outer):
        return None
    return _with_fragment("", uri[len(outer) + 1:]).layers if uri != outer else ()


# --- writing: each stage adds the layer it reads ------------------------------------------------

def pointer_uri(pointer: str) -> str:
    """The uri of the merged config's value at a JSON pointer."""
    return POINTER + pointer


def unit_uri(uri: str, label: str) -> str:
    """The uri of one user data inside a container file."""
    return f"{uri}#{label}"


def layers_uri(uri: str, layers: Sequence[str]) -> str:
    """The uri of the text decoded from ``uri`` through ``layers`` (outermost first); ``uri`` when none."""
    return f"{uri}#{'+'.join(layers)}" if layers else uri


def part_uri(uri: str, index: int) -> str:
    """The uri of MIME part ``index`` of the user data at ``uri``."""
    return f"{uri}#part={index}"


def heredoc_uri(uri: str, name: str) -> str:
    """The uri of the drop-in ``name`` a script at ``uri`` writes with a heredoc."""
    return f"{uri}#{_HEREDOC}{name}"
