"""Reading sources: files, drop-in directories, stdin, file:// URIs, raw bytes.

A source becomes NodeConfig documents in nodeadm's order: the user data (or
file) first, its MIME parts in part order, then NodeConfig drop-ins that its
shell parts write into /etc/eks/nodeadm.d/ (lexical order by file name, as
nodeadm's run phase reads that directory).  nodeadm decodes one document per
file or part (go-yaml v2 ``Unmarshal`` reads the first), so later ``---``
documents are parsed and linted but not merged.
"""

import os
import re
import sys
from typing import NamedTuple, Union

from nodecfg.core.codes import NC110, NC140, NC141, NC142, NC144
from nodecfg.core.diagnostics import Diagnostic, Span
from nodecfg.core.locations import layers_uri
from nodecfg.core.document import Document
from nodecfg.parse.containers import maybe_container
from nodecfg.parse.files import path_text
from nodecfg.nodeadm.userdata import karpenter_reads_as_mime
from nodecfg.parse.yaml import EventAllowance, decode_text, parse_yaml_documents

NODECONFIG_MEDIA_TYPE = "application/node.eks.aws"
CONFIG_SUFFIXES = (".yaml", ".yml", ".json")

SourceSpec = Union[str, os.PathLike, bytes]


class NamedBytes(bytes):
    """Bytes that stand for a file's content, reported under the file's name (an editor's open buffer)."""

    name: str

    def __new__(cls, data: bytes, name: str) -> "NamedBytes":
        named = super().__new__(cls, data)
        named.name = name
        return named


class Limits(NamedTuple):
    """Input bounds; see docs/limits.md."""

    max_source_bytes: int = 1 << 20
    max_decoded_bytes: int = 1 << 20
    max_total_bytes: int = 2 << 20
    max_directory_files: int = 1000


class Script(NamedTuple):
    """A shell-script part, kept for linting and reporting."""

    uri: str
    text: str
    line_offset: int


class UnitRead(NamedTuple):
    """A user data read from a container file, recorded for the part EKS or Karpenter appends to it.

    The pipeline generates that NodeConfig after loading, when cluster facts are
    given (nodecfg/context/simulate.py ``append_generated``), and puts it where
    it goes in nodeadm's order: right after this unit's documents.
    """

    mode: str                 # the mode the container implies
    nodeclass: dict | None    # the EC2NodeClass with its NodePools (containers.Unit.karpenter), else None
    documents: int            # len(Loaded.documents) after the unit: where its appended part goes
    texts: int                # len(Loaded.texts) after the unit: where the part's text goes


class Loaded:
    """What reading the sources found, filled in as they are read."""

    def __init__(self) -> None:
        self.documents: list[Document] = []
        self.ignored_documents: list[Document] = []
        self.diagnostics: list[Diagnostic] = []
        self.texts: dict[str, str] = {}  # uri -> text its spans number lines in
        self.scripts: list[Script] = []
        self.raw_sizes: dict[str, int] = {}  # uri -> bytes as given
        self.ec2_sizes: dict[str, int] = {}  # uri -> bytes EC2 counts as user data (base64 counts decoded)
        self.user_data: list[str] = []  # the sources given as user data (not the files of a directory)
        self.decode_budget = None  # parse.wrapping.DecodeBudget: bytes left to decode for all sources together
        self.yaml_events = EventAllowance()  # YAML parser events left for all texts together (docs/limits.md)
        self.modes: list[str] = []  # modes the inputs imply (an EC2NodeClass: karpenter)
        self.containers: list[str] = []  # kinds of the container files read
        self.units: list[UnitRead] = []  # user data read from container files, in order
        # multipart user data with no NodeConfig part nor a script writing a drop-in: its Content-Type
        self.without_nodeconfig: list[Span] = []


class LoadOptions(NamedTuple):
    """What reading user data inside manifests and templates needs (nodecfg/parse/containers/)."""

    mode: str | None = None            # karpenter: a plain script is Karpenter's text/x-shellscript part
                                       # (pipeline.analyse sets it from the request's mode)
    params: tuple[tuple[str, str], ...] = ()  # CloudFormation --param NAME=VALUE
    # context/simulate.ClusterFacts: the pipeline appends the Karpenter/EKS NodeConfig after loading
    cluster: object = None
    instance_type: str = ""            # for the pod capacity of the simulated part (pipeline.run sets it)
    containers: bool = True
    unit: int | None = None            # which user data of a container file to read (check: each in turn)


def display_name(spec: SourceSpec, index: int) -> str:
    if isinstance(spec, bytes):
        return spec.name if isinstance(spec, NamedBytes) else f"<input {index + 1}>"
    text = os.fspath(spec)
    return "<stdin>" if text == "-" else text.removeprefix("file://")


def load_sources(specs: list[SourceSpec], limits: Limits = Limits(), stdin=None,
                 options: LoadOptions = LoadOptions()) -> Loaded:
    """Read every source in command-line order."""
    loaded = Loaded()
    for index, spec in enumerate(specs):
        name = display_name(spec, index)
        if isinstance(spec, bytes):
            _load_bytes(spec, name, loaded, limits, options)
        elif name == "<stdin>":
            _load_bytes(_read_stdin(stdin, limits), name, loaded, limits, options)
        else:
            path = path_text(name)  # "./a//b.yaml" is reported as a/b.yaml
            if os.path.isdir(path):
                _load_directory(path, loaded, limits)
                continue
            _load_file(path, loaded, limits, options)
        loaded.user_data.append(name)
    return loaded


def decode_budget(loaded: Loaded, limits: Limits):
    """The one budget of decoded bytes for everything this run reads (docs/limits.md)."""
    if loaded.decode_budget is None:
        from nodecfg.parse.wrapping import DecodeBudget

        loaded.decode_budget = DecodeBudget(limits.max_decoded_bytes)
    return loaded.decode_budget


def _read_stdin(stdin, limits: Limits) -> bytes:
    from nodecfg.parse.files import read_capped

    stream = stdin if stdin is not None else getattr(sys.stdin, "buffer", None)
    if stream is None:  # descriptor 0 was closed: nothing to read
        return b""
    return read_capped(stream, limits.max_source_bytes + 1)


def _load_directory(directory: str, loaded: Loaded, limits: Limits) -> None:
    from nodecfg.parse.files import check_contained, tree_of

    tree = tree_of(directory)  # a drop-in directory that is a link out of the tree is refused as a whole
    try:
        check_contained(directory, tree)
        names = sorted(entry.name for entry in os.scandir(directory)
                       if entry.is_file() and entry.name.lower().endswith(CONFIG_SUFFIXES))
    except OSError as error:
        loaded.diagnostics.append(_io_error(directory, error))
        return
    if not names:
        message = f"{directory} holds no *.yaml, *.yml or *.json file; nodeadm skips it"
        loaded.diagnostics.append(NC144.at(Span(directory), message))
    if len(names) > limits.max_directory_files:
        message = (f"{directory} holds {len(names)} configuration files, more than the limit of "
                   f"{limits.max_directory_files}; none of them is read")
        loaded.diagnostics.append(NC141.at(Span(directory), message))
        return
    for name in names:
        _load_file(path_text(os.path.join(directory, name)), loaded, limits, tree=tree)


def _load_file(path: str, loaded: Loaded, limits: Limits, options: LoadOptions | None = None,
               tree: str | None = None) -> None:
    """One file (a ``path_text``, its uri); a symbolic link out of its tree (nodecfg/parse/files.py) is
    NC140, never read."""
    from nodecfg.parse.files import read_source

    try:
        data = read_source(path, limits.max_source_bytes + 1, tree)
    except OSError as error:
        loaded.diagnostics.append(_io_error(path, error))
        return
    _load_bytes(data, path, loaded, limits, options)


def _io_error(uri: str, error: OSError) -> Diagnostic:
    reason = error.strerror or str(error)
    return NC140.at(Span(uri, 0, 0), f"cannot read {uri}: {reason}")


def _load_bytes(data: bytes, uri: str, loaded: Loaded, limits: Limits, options: LoadOptions | None = None) -> None:
    already_read = sum(loaded.raw_sizes.values())
    loaded.raw_sizes[uri] = loaded.ec2_sizes[uri] = len(data)
    if len(data) > limits.max_source_bytes:
        message = (f"{uri} is larger than the {limits.max_source_bytes} byte input limit "
                   "(raise it with --max-input-bytes)")
        loaded.diagnostics.append(NC141.at(Span(uri), message))
        return
    if already_read + len(data) > limits.max_total_bytes:
        message = (f"{uri} is not read: all sources together pass the {limits.max_total_bytes} byte "
                   "total input limit (raise it with --max-input-bytes)")
        loaded.diagnostics.append(NC141.at(Span(uri), message))
        return
    if options is not None and options.containers:
        if maybe_container(data):
            from nodecfg.parse.containers.reading import extract

            container = extract(data, uri, dict(options.params))
            if container is not None:
                from nodecfg.parse.embedded import load_container

                load_container(container, data, uri, loaded, limits, options)
                return
    layers: tuple[str, ...] = ()
    if _maybe_wrapped(data):
        from nodecfg.parse.wrapping import unwrap

        unwrapped = unwrap(data, uri, decode_budget(loaded, limits))
        if unwrapped.ec2_size is not None:
            loaded.ec2_sizes[uri] = unwrapped.ec2_size
        loaded.diagnostics.extend(unwrapped.diagnostics)
        if unwrapped.data is None:
            return
        data, layers = unwrapped.data, unwrapped.layers
    decoded_uri = layers_uri(uri, layers)
    file_text, _ = decode_text(data, decoded_uri)
    if not _maybe_mime(data):
        kind = None
        if options is not None and options.mode == "karpenter" and file_text is not None:
            from nodecfg.parse.containers.kinds.ec2nodeclass import karpenter_part_kind

            kind = karpenter_part_kind(file_text)
            if kind == "shell":
                load_script_source(data, decoded_uri, loaded, file_text)
                return
        if kind != "mime":  # Karpenter reads text that starts like MIME headers as MIME
            if options is not None and options.mode == "managed-nodegroup" and _is_script(file_text):
                _refused_script(decoded_uri, loaded, file_text)  # type: ignore[arg-type]
                return
            _load_documents(data, decoded_uri, 0, loaded, file_text)
            if options is not None and options.mode == "self-managed" and _is_script(file_text):
                # cloud-init runs it too (cloudinit/handlers/shell_script.py), beside nodeadm reading it as a
                # NodeConfig (internal/configprovider/userdata.go, ParseMaybeMultipart: not multipart, one document)
                load_script_source(data, decoded_uri, loaded, file_text)
            return
    from nodecfg.parse.mime import split_decoded

    result = split_decoded(data, decoded_uri, decode_budget(loaded, limits))
    if not result.is_multipart:
        refused = options is not None and _launcher_refuses(result, file_text, options.mode)
        loaded.diagnostics.extend(result.diagnostics)
        if refused:
            loaded.texts[decoded_uri] = file_text or ""
            return
        _load_documents(data, decoded_uri, 0, loaded, file_text)
        return
    dropins = {}
    for part in result.parts:
        _load_part(part, loaded, file_text, dropins)
    if result.open_end and options is not None and options.mode == "karpenter":
        _karpenter_open_end(result)
    loaded.diagnostics.extend(result.diagnostics)
    # a script that writes a NodeConfig drop-in means the user data does configure the node
    if result.without_nodeconfig is not None and not dropins:
        loaded.without_nodeconfig.append(Span(decoded_uri, result.without_nodeconfig, 1))
    for name in sorted(dropins):
        dropin = dropins[name]
        loaded.texts[dropin.uri] = file_text or _shifted(dropin.text, dropin.line_offset)
        _parse_into(dropin.text, dropin.uri, dropin.line_offset, loaded)


# Who refuses MIME-looking user data that is not multipart, and what happens then
_REFUSED_BY = {
    "karpenter": "Karpenter's mime.NewArchive refuses such user data, so Karpenter builds no user data and "
                 "launches no node with this EC2NodeClass",
    "managed-nodegroup": "EKS refuses such launch template user data for a managed node group "
                         "('Ec2LaunchTemplateInvalidConfiguration: User data was not in the MIME multipart format')",
}


def _launcher_refuses(result, file_text: str | None, mode: str | None) -> bool:
    """User data that starts as MIME but is not multipart, where Karpenter or EKS read it first.

    Karpenter reads EC2NodeClass user data as MIME when its trimmed text
    starts with ``MIME-Version:`` or ``Content-Type:`` (aws/karpenter-provider-aws
    pkg/providers/amifamily/bootstrap/nodeadm.go, ``parseUserData``);
    ``mime.NewArchive`` then needs net/mail headers with a multipart
    Content-Type (bootstrap/mime/mime.go, ``getReader``), else it returns an
    error and ``Script`` builds no user data.  EKS merges its NodeConfig into
    a managed node group's MIME user data and fails the node group with the
    error quoted in _REFUSED_BY otherwise.  nodeadm is never reached: NC104 and
    nothing else is read.
    """
    if mode not in _REFUSED_BY or result.top_problem is None \
            or not karpenter_reads_as_mime(file_text or ""):
        return False
    from nodecfg.core.codes import NC104

    line, what, no_blank_line = result.top_problem
    result.diagnostics.clear()  # the NC101 warning for headers that are not multipart says less than this
    problem = "have no blank line after them" if no_blank_line else "give no multipart Content-Type"
    message = f"the MIME headers {problem}: {what}; {_REFUSED_BY[mode]}"
    hint = "end the headers with an empty line, and give a multipart Content-Type with a boundary"
    if no_blank_line and mode == "karpenter":
        hint += ("; in YAML write userData as a literal block scalar (userData: |): a folded one (>) "
                 "joins the header lines")
    result.diagnostics.append(NC104.at(Span(result.uri, line, 1), message, hint))
    return True


def _karpenter_open_end(result) -> None:
    """Karpenter reads user data that ends in a delimiter line without a newline, and rewrites it.

    Go's Reader.NextPart returns the end of input there wrapped
    ("multipart: NextPart: EOF"); nodeadm compares with ``err == io.EOF`` and
    fails (NC106), but Karpenter's ``mime.NewArchive`` (bootstrap/mime/mime.go)
    stops on ``errors.Is(err, io.EOF)``, keeps the parts read so far, and
    ``Serialize`` writes them again with a closing delimiter.
    """
    result.diagnostics[:] = [d for d in result.diagnostics
                             if not (d.code == "NC106" and d.span.line == result.open_end)]


_BASE64_ONLY = re.compile(rb"[A-Za-z0-9+/=\r\n]+")


def _maybe_wrapped(data: bytes) -> bool:
    """Cheap pre-check so plain YAML never pays for the unwrapping module."""
    return data[:2] == b"\x1f\x8b" or _BASE64_ONLY.fullmatch(data) is not None


def _maybe_mime(data: bytes) -> bool:
    """A multipart message needs a Content-Type header; plain YAML skips the MIME parser."""
    return b"content-type" in data[:65536].lower()


def load_script_source(data: bytes, uri: str, loaded: Loaded, file_text: str | None) -> None:
    """A whole source that is one shell script: the text/x-shellscript part Karpenter wraps it as, or
    self-managed user data cloud-init runs as a script."""
    from nodecfg.parse.mime import SHELL_MEDIA_TYPE, Part

    if not data.removeprefix(b"\xef\xbb\xbf").startswith(b"#!"):
        loaded.diagnostics.append(NC110.at(
            Span(uri, 1, 1),
            "the script Karpenter wraps as a text/x-shellscript part does not start with a #! line",
            "start the script with #!/bin/bash"))
    dropins: dict = {}
    _load_script(Part(1, SHELL_MEDIA_TYPE, {}, [], data, uri, 0, 0), loaded, file_text, dropins)
    for name in sorted(dropins):
        dropin = dropins[name]
        loaded.texts[dropin.uri] = file_text or _shifted(dropin.text, dropin.line_offset)
        _parse_into(dropin.text, dropin.uri, dropin.line_offset, loaded)


def _is_script(file_text: str | None) -> bool:
    """Text cloud-init runs as a script (cloudinit/handlers/shell_script.py: it starts with #!)."""
    return file_text is not None and file_text.removeprefix("\ufeff").startswith("#!")


def _refused_script(uri: str, loaded: Loaded, file_text: str) -> None:
    """A plain script as a managed node group's launch template user data: EKS refuses it.

    EKS merges its NodeConfig into the launch template's user data and needs
    MIME multipart user data to do so; anything else fails the node group with
    the error quoted in _REFUSED_BY (aws/containers-roadmap#596: "user data
    must [be] in MIME multi-part archive format ... EKS will merge").  Neither
    cloud-init nor nodeadm is reached, so nothing else is read.
    """
    from nodecfg.core.codes import NC704

    loaded.texts[uri] = file_text
    loaded.diagnostics.append(NC704.at(
        Span(uri, 1, 1),
        f"the user data is a plain script, not MIME multipart; {_REFUSED_BY['managed-nodegroup']}",
        "make the script a text/x-shellscript part of MIME multipart user data; with an AMI in the launch "
        "template EKS merges nothing: lint it with --mode self-managed"))


def _load_part(part, loaded: Loaded, file_text: str | None, dropins: dict) -> None:
    media_type = part.content_type
    if media_type == NODECONFIG_MEDIA_TYPE:
        _load_documents(part.body, part.uri, part.line_offset, loaded,
                        file_text if not part.layers else None)
    elif media_type == "text/x-shellscript":
        _load_script(part, loaded, file_text, dropins)
    # text/cloud-config: parse.mime checks its YAML (NC111) with the same bounded reader


def _load_script(part, loaded: Loaded, file_text: str | None, dropins: dict) -> None:
    text, problems = decode_text(part.body, part.uri)
    loaded.diagnostics.extend(problems)
    if text is None:
        return
    loaded.scripts.append(Script(part.uri, text, part.line_offset))
    loaded.texts[part.uri] = file_text if (file_text and not part.layers) else _shifted(text, part.line_offset)
    from nodecfg.parse.shell import extract_nodeadm_dropins

    found, diagnostics = extract_nodeadm_dropins(text, part.uri, part.line_offset)
    loaded.diagnostics.extend(diagnostics)
    for dropin in found:
        dropins[dropin.name] = dropin  # a later write of the same file replaces it


def _load_documents(data: bytes, uri: str, line_offset: int, loaded: Loaded, file_text: str | None) -> None:
    text, problems = decode_text(data, uri)
    loaded.diagnostics.extend(problems)
    if text is None:
        return
    loaded.texts[uri] = file_text if file_text is not None else _shifted(text, line_offset)
    _parse_into(text, uri, line_offset, loaded)


def _shifted(text: str, line_offset: int) -> str:
    """A part's text numbered like its spans (lines of the file) when the whole file is not text."""
    return "\n" * line_offset + text


def _parse_into(text: str, uri: str, line_offset: int, loaded: Loaded) -> None:
    documents, diagnostics = parse_yaml_documents(text, uri, line_offset, loaded.yaml_events)
    loaded.diagnostics.extend(diagnostics)
    if not documents:
        return
    loaded.documents.append(documents[0])
    for extra in documents[1:]:
        loaded.ignored_documents.append(extra)
        message = ("nodeadm decodes only the first YAML document of a file or MIME part; "
                   "this document is ignored")
        loaded.diagnostics.append(NC142.at(extra.span_of(""), message,
                                             "move it into its own MIME part or drop-in file"))
