"""Loading the user data found inside a container file (nodecfg/parse/containers/).

Each unit is read like a user data file of its own, into a scratch
``Loaded``; then every span is moved into the containing file with the
unit's ``TextMap`` (spans inside base64 layers keep numbering the decoded
text, as everywhere in nodecfg) and grafted onto the real ``Loaded``.  Each
unit read is recorded (``Loaded.units``): with cluster facts, the pipeline
appends the NodeConfig Karpenter or EKS adds after the unit's own documents
(nodecfg/context/simulate.py).
"""
from __future__ import annotations

from nodecfg.core.codes import NC176
from nodecfg.core.diagnostics import Diagnostic, Span
from nodecfg.core.document import Document
from nodecfg.core.locations import fragment_of, layers_within


def load_container(container, data: bytes, uri: str, loaded, limits, options) -> None:
    from nodecfg.parse.yaml import decode_text
    from nodecfg.parse.source import Loaded, UnitRead, decode_budget

    file_text, _ = decode_text(data, uri)
    file_text = file_text or ""
    loaded.texts[uri] = file_text
    loaded.containers.append(container.kind)
    loaded.diagnostics.extend(container.diagnostics)
    sizes = []
    units = container.units
    if options.unit is not None:
        units = units[options.unit:options.unit + 1]
    elif len(units) > 1:
        loaded.diagnostics.append(NC176.at(
            units[1].anchor,
            f"{uri} holds {len(units)} user data ({', '.join(fragment_of(u.uri) for u in units)}); "
            "only the first is read here, `nodecfg check` lints each on its own"))
        units = units[:1]
    for unit in units:
        scratch = Loaded()
        # the unit draws on the run's bounds, as a source of its own would
        scratch.decode_budget = decode_budget(loaded, limits)
        scratch.yaml_events = loaded.yaml_events
        _load_unit(unit, scratch, limits, options)
        _graft(scratch, unit, file_text, loaded)
        sizes.append(max(scratch.ec2_sizes.values(), default=0))
        loaded.modes.append(unit.mode)
        loaded.units.append(UnitRead(unit.mode, unit.karpenter, len(loaded.documents), len(loaded.texts)))
    # NC117 measures the user data, not the manifest or template around it
    loaded.ec2_sizes[uri] = max(sizes, default=0)


def _load_unit(unit, scratch, limits, options) -> None:
    from nodecfg.parse.source import LoadOptions, _load_bytes, _load_documents, load_script_source

    inner = LoadOptions(mode=unit.mode, containers=False)
    if unit.karpenter is None:
        _load_bytes(unit.data, unit.uri, scratch, limits, inner)
        return
    from nodecfg.parse.containers.kinds.ec2nodeclass import karpenter_part_kind

    scratch.raw_sizes[unit.uri] = scratch.ec2_sizes[unit.uri] = len(unit.data)
    text = unit.data.decode("utf-8", "replace")
    if not text:
        return
    kind = karpenter_part_kind(text)
    if kind == "mime":
        _load_bytes(unit.data, unit.uri, scratch, limits, inner)
    elif kind == "nodeconfig":
        _load_documents(unit.data, unit.uri, 0, scratch, text)
    else:
        load_script_source(unit.data, unit.uri, scratch, text)


def _mapper(unit):
    def move(span: Span) -> Span:
        if not _in_file_lines(unit, span.uri):
            return span
        if span.line <= 0:
            return unit.anchor._replace(uri=span.uri)
        return unit.text_map.map_span(span, span.uri)
    return move


def _graft(scratch, unit, file_text: str, loaded) -> None:
    move = _mapper(unit)
    loaded.documents.extend(_moved_document(d, move) for d in scratch.documents)
    loaded.ignored_documents.extend(_moved_document(d, move) for d in scratch.ignored_documents)
    loaded.diagnostics.extend(_moved_diagnostic(d, move) for d in scratch.diagnostics)
    loaded.scripts.extend(scratch.scripts)
    for uri, text in scratch.texts.items():
        loaded.texts[uri] = file_text if _in_file_lines(unit, uri) else text


def _in_file_lines(unit, uri: str) -> bool:
    """Whether spans of uri are moved to lines of the containing file."""
    return unit.text_map is not None and layers_within(uri, unit.uri) == ()


def _moved_document(document: Document, move) -> Document:
    return Document(document.uri, document.data, {p: move(s) for p, s in document.positions.items()},
                    {p: move(s) for p, s in document.key_positions.items()}, document.index)


def _moved_diagnostic(diagnostic: Diagnostic, move) -> Diagnostic:
    return diagnostic.moved(move)

