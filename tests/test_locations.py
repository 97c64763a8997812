"""nodecfg/core/locations.py: the one writer and reader of ``Span.uri``.

Two kinds of test: the type (every uri nodecfg writes reads back into its
layers and prints as it was; properties with hypothesis), and a guard that
no other module of nodecfg takes a uri apart or puts one together by hand.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from nodecfg.core.diagnostics import Diagnostic, Edit, Fix, Severity, Span
from nodecfg.core.locations import (Location, file_of, fragment_of, heredoc_uri, is_within, layers_uri,
                                    layers_within, lines_are_file_lines, part_uri, pointer_uri, unit_uri)
from nodecfg.core.positions import LineIndex, from_pointer, text_lines

PACKAGE = Path(__file__).resolve().parent.parent / "nodecfg"
ALLOWED = {"core/locations.py"}  # the one module that writes and reads the addresses


# --- the type --------------------------------------------------------------------------------

# (uri as nodecfg writes it, its Location) for each way a stage adds a layer
WRITTEN = [
    ("nodeconfig.yaml", Location("nodeconfig.yaml")),
    ("userdata.mime#part=2", Location("userdata.mime", part=2)),
    ("ud.b64#base64+gzip", Location("ud.b64", layers=("base64", "gzip"))),
    ("ud.b64#base64+gzip#part=3", Location("ud.b64", layers=("base64", "gzip"), part=3)),
    ("ud.mime#part=1#heredoc=10-labels.yaml", Location("ud.mime", part=1, heredoc="10-labels.yaml")),
    ("script.sh#heredoc=sub/20-x.yaml", Location("script.sh", heredoc="sub/20-x.yaml")),
    ("nodeclass.yaml#EC2NodeClass=default", Location("nodeclass.yaml", unit="EC2NodeClass=default")),
    ("nodeclass.yaml#EC2NodeClass=default#part=2#heredoc=a.yaml",
     Location("nodeclass.yaml", unit="EC2NodeClass=default", part=2, heredoc="a.yaml")),
    ("lt.json#my-lt:version=1#base64", Location("lt.json", unit="my-lt:version=1", layers=("base64",))),
    ("lt.json#LaunchTemplateData#base64#part=2",
     Location("lt.json", unit="LaunchTemplateData", layers=("base64",), part=2)),
    ('plan.json#module.a.aws_launch_template.b["k"]#base64',
     Location("plan.json", unit='module.a.aws_launch_template.b["k"]', layers=("base64",))),
    ("<stdin>#gzip+base64", Location("<stdin>", layers=("gzip", "base64"))),
    ("pointer:/spec/containerd/config", Location("", pointer="/spec/containerd/config")),
    ("pointer:", Location("", pointer="")),
]


@pytest.mark.parametrize("uri, location", WRITTEN, ids=[uri for uri, _ in WRITTEN])
def test_each_written_uri_reads_back_into_its_layers(uri, location):
    assert Location.parse(uri) == location
    assert str(location) == uri


def test_the_builders_write_what_the_stages_wrote_by_hand():
    uri = part_uri(layers_uri(unit_uri("lt.json", "version=2"), ("base64", "gzip")), 4)
    assert uri == "lt.json#version=2#base64+gzip#part=4"
    assert heredoc_uri(part_uri("ud", 1), "x.yaml") == "ud#part=1#heredoc=x.yaml"
    assert layers_uri("ud", ()) == "ud"
    assert pointer_uri("/spec/kubelet/config/maxPods") == "pointer:/spec/kubelet/config/maxPods"


def test_the_questions_stages_ask():
    assert file_of("ud.b64#base64#part=2") == "ud.b64"
    assert fragment_of("ud.b64#base64#part=2") == "base64#part=2"
    assert fragment_of("ud.b64") == ""
    # lines of the decoded text under base64/gzip; lines of the value for a pointer
    assert not lines_are_file_lines("ud.b64#base64#part=2")
    assert not lines_are_file_lines("lt.json#version=1#base64")
    assert not lines_are_file_lines("pointer:/spec/containerd/config")
    assert lines_are_file_lines("nodeclass.yaml#EC2NodeClass=x#part=2#heredoc=a.yaml")
    assert Location.parse("a.yaml").is_whole_file and not Location.parse("a.yaml#part=1").is_whole_file
    assert not Location.parse("pointer:/spec").is_whole_file


def test_within_a_unit():
    unit = "t.json#LT1"
    assert is_within("t.json#LT1", unit) and is_within("t.json#LT1#part=2", unit)
    assert not is_within("t.json#LT10", unit) and not is_within("t.json", unit)
    assert layers_within("t.json#LT1#part=2#heredoc=a.yaml", unit) == ()
    assert layers_within("t.json#LT1#base64#part=2", unit) == ("base64",)
    assert layers_within("t.json#LT10", unit) is None
    # a CloudFormation logical id may read like a layer: only what comes after the unit counts
    assert layers_within("t.json#gzip#part=1", "t.json#gzip") == ()
    assert layers_within("t.json#gzip#base64", "t.json#gzip") == ("base64",)


def test_span_and_diagnostic_read_through_the_location():
    span = Span("ud.b64#base64+gzip#part=3", 4, 2)
    assert (span.path, span.fragment, span.lines_are_file_lines) == ("ud.b64", "base64+gzip#part=3", False)
    assert str(span) == "ud.b64#base64+gzip#part=3:4:2"  # lines of the decoded text: the full uri
    part = Diagnostic("NC201", Severity.ERROR, Span("ud.mime#part=2", 7, 3), "unknown field")
    assert part.format() == "ud.mime:7:3: NC201 error unknown field [part=2]"
    assert str(Span("pointer:/spec/x", 2, 5)) == "pointer:/spec/x:2:5"


# a file or unit name as nodecfg meets them: no '#', not read as a layer
_NAME = st.text(st.characters(blacklist_characters="#\n", blacklist_categories=("Cs",)), min_size=1, max_size=12)
_FILE = _NAME.filter(lambda name: not name.startswith("pointer:"))
_UNIT = _NAME.filter(lambda name: Location.parse("f#" + name).unit == name)
_LAYERS = st.lists(st.sampled_from(("base64", "gzip")), max_size=3).map(tuple)
_HEREDOC = st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=12)

locations = st.one_of(
    st.builds(Location, file=_FILE, unit=st.none() | _UNIT, layers=_LAYERS,
              part=st.none() | st.integers(0, 10_000), heredoc=st.none() | _HEREDOC, pointer=st.none()),
    st.builds(lambda pointer: Location("", pointer=pointer), st.text(max_size=20)),
)


@given(locations)
def test_parse_of_format_is_the_location(location):
    assert Location.parse(str(location)) == location


@given(st.text(max_size=40))
def test_any_uri_prints_back_byte_for_byte(uri):
    """Span.uri stays the string it was: whatever a uri holds (a '#' in a file name), its Location prints it."""
    location = Location.parse(uri)
    assert str(location) == uri
    if location.pointer is None:
        assert location.file + ("#" + location.fragment if "#" in uri else "") == uri


# the questions as modules answered them by hand before core/locations.py (for names that hold
# neither '#' nor a layer's or a marker's word, where those answers were right)
def _old_path(uri):
    return uri.split("#", 1)[0]


def _old_fragment(uri):
    return uri.split("#", 1)[1] if "#" in uri else ""


def _old_lines_are_file_lines(uri):
    return not any(layer in _old_fragment(uri) for layer in ("base64", "gzip"))


def _old_same_text(uri):  # linter/fix.py _same_text
    parts = uri.split("#")[1:]
    return not any(("base64" in p or "gzip" in p) for p in parts[1:]) and \
        not any(p.startswith("heredoc=") for p in parts)


def _old_part_number(fragment):  # userdata/compose.py _part_number, for a span of the composed user data
    if fragment.startswith("#part="):
        number = fragment[len("#part="):].partition("#")[0]
        return int(number) if number.isdigit() else None
    return None


_PLAIN = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="-_.:/<> =[]\""),
                 min_size=1, max_size=10).filter(
    lambda name: not any(word in name for word in ("base64", "gzip", "part=", "heredoc=", "pointer:")))
written = st.builds(Location, file=_PLAIN, unit=st.none() | _PLAIN, layers=_LAYERS,
                    part=st.none() | st.integers(0, 10_000), heredoc=st.none() | _PLAIN, pointer=st.none())


@given(written)
def test_the_location_answers_as_the_hand_written_splits_did(location):
    uri = str(location)
    assert file_of(uri) == _old_path(uri) and fragment_of(uri) == _old_fragment(uri)
    assert lines_are_file_lines(uri) == _old_lines_are_file_lines(uri)
    assert (location.heredoc is None and not (location.unit is not None and location.layers)) == _old_same_text(uri)
    assert (location.part is not None and location.heredoc is None) == ("#part=" in uri and "#heredoc=" not in uri)
    if location.unit is None and not location.layers:
        assert location.part == _old_part_number(uri[len(location.file):])
    if location.unit is not None:  # parse/embedded.py: spans inside a container's unit
        unit = unit_uri(location.file, location.unit)
        rest = uri[len(unit):]
        assert (layers_within(uri, unit) == ()) == ("base64" not in rest and "gzip" not in rest)
    span = Span(uri, 3, 4)
    assert str(span) == f"{_old_path(uri) if _old_lines_are_file_lines(uri) else uri}:3:4"


# --- a pointer's finding, at the YAML that set the value (core/positions.from_pointer) ----------------

CONFIG = "spec:\n  containerd:\n    config: |\n      [plugins]\n      x = 1\n"
CONFIG_VALUE = Span("a.yaml", 3, 13, 6, 1)  # from the '|' of line 3 to the end of the block


def _at(pointer: str, span: Span) -> Span:
    return CONFIG_VALUE if pointer == "/spec/containerd/config" else Span("a.yaml", 9, 3)


def test_a_line_of_the_inline_config_moves_into_the_block_scalar_with_its_fix():
    inner = pointer_uri("/spec/containerd/config")
    fix = Fix("safe", (Edit(Span(inner, 2, 1, 2, 2), "y"), Edit(Span(inner, 1, 1, 2, 1), "")))
    finding = Diagnostic("NC503", Severity.WARNING, Span(inner, 2, 1), "m", fix=fix)
    moved = from_pointer(finding, lambda pointer: _at(pointer, finding.span), {"a.yaml": CONFIG})
    # config line 2 ("x = 1") is file line 3 + 2 = 5, after the block's 6 spaces of indentation
    assert moved.span == Span("a.yaml", 5, 7, 5, 7)
    assert [edit.span for edit in moved.fix.edits] == [
        Span("a.yaml", 5, 7, 5, 8),  # the 'x' of line 5
        Span("a.yaml", 4, 1, 5, 1),  # a whole line stays a whole line of the file, indentation included
    ]


def test_other_pointer_findings_take_the_value_s_span_and_no_fix_and_file_spans_stay():
    fix = Fix("safe", (Edit(Span(pointer_uri("/spec/kubelet/config/maxPods"), 1, 1), "1"),))
    finding = Diagnostic("NC403", Severity.WARNING, Span(pointer_uri("/spec/kubelet/config/maxPods")), "m", fix=fix)
    moved = from_pointer(finding, lambda pointer: _at(pointer, finding.span), {"a.yaml": CONFIG})
    assert (moved.span, moved.fix) == (Span("a.yaml", 9, 3), None)
    in_file = Diagnostic("NC201", Severity.ERROR, Span("a.yaml", 1, 1), "m")
    assert from_pointer(in_file, lambda pointer: pytest.fail("not a pointer"), {}) is in_file


def test_the_one_line_index_clamps_for_containers_and_not_for_fixes():
    index = LineIndex("ab\ncd\n")  # lines start at offsets 0, 3 and 6 (the empty last line)
    assert index.position(4) == (2, 2) and index.offset(2, 2) == 4
    assert index.offset(9, 1) == 6 and index.offset(0, 0) == 0  # a container's anchor: clamped into the text
    assert index.exact_offset(3, 1) == 6
    assert index.exact_offset(9, 1) == -1 and index.exact_offset(0, 1) == -1  # a fix outside the text: none
    assert text_lines("a\r\nb\u2028c") == ("a", "b", "c")  # str.splitlines, as excerpts always counted


# --- the guard: no other module takes a uri apart ------------------------------------------------

_SPLITTERS = {"split", "rsplit", "partition", "rpartition"}
_PREFIXES = {"startswith", "endswith", "removeprefix", "removesuffix"}
_MARKERS = ("#part=", "#heredoc=", "heredoc=", "part=", "pointer:")
_TESTED = {"#", "base64", "gzip"}


def _names_a_uri(node: ast.AST) -> bool:
    text = ast.unparse(node)
    return "uri" in text or "fragment" in text


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def uri_handling(source: str) -> list[tuple[int, str]]:
    """(line, what) for each place ``source`` writes or reads the uri mini-language by hand."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            marker = next((m for m in _MARKERS if m in node.value), None)
            if marker:
                found.append((node.lineno, f"the literal {marker!r}"))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver, method = node.func.value, node.func.attr
            first = node.args[0] if node.args else None
            if method in _SPLITTERS and isinstance(first, ast.Constant) and first.value == "#" \
                    and _names_a_uri(receiver):
                found.append((node.lineno, f"{ast.unparse(node.func)}('#')"))
            elif method in _PREFIXES and isinstance(receiver, ast.Attribute) and receiver.attr == "uri":
                found.append((node.lineno, ast.unparse(node.func)))
        elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant) \
                and node.left.value in _TESTED and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops) \
                and any(_names_a_uri(c) for c in node.comparators):
            found.append((node.lineno, f"{node.left.value!r} in a uri"))
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) \
                and ast.unparse(node.value).endswith("uri"):
            found.append((node.lineno, f"a slice of {ast.unparse(node.value)}"))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) \
                and isinstance(node.right, ast.Constant) and str(node.right.value).startswith("#") \
                and _names_a_uri(node.left):
            found.append((node.lineno, "a uri + '#...'"))
        elif isinstance(node, ast.JoinedStr):
            for before, after in zip(node.values, node.values[1:]):
                if isinstance(before, ast.FormattedValue) and _names_a_uri(before.value) \
                        and isinstance(after, ast.Constant) and str(after.value).startswith("#"):
                    found.append((node.lineno, f"f'{{{ast.unparse(before.value)}}}#...'"))
    return found


# the ways modules took uris apart before core/locations.py; the guard must catch each
BY_HAND = [
    'path = span.uri.split("#", 1)[0]',
    'parts = span.uri.split("#")[1:]',
    'path, _, part = uri.partition("#")',
    'if "#" not in uri: pass',
    'ok = "base64" not in rest_of_uri',
    'ok = span.uri.startswith(unit.uri + "#")',
    'ok = span.uri.startswith(POINTER_URI)',
    'pointer = span.uri[len(POINTER_URI):]',
    'ok = "#part=" not in uri',
    'uri = f"{splitter.uri}#part={index}"',
    'uri = f"{uri}#{label}"',
    'span = Span(f"pointer:{pointer}")',
    'span = Span("pointer:" + pointer)',
    'unit = unit_uri.split("#", 1)[1]',
    'number = fragment[len("#part="):]',
]


@pytest.mark.parametrize("snippet", BY_HAND)
def test_the_guard_catches_each_way_uris_were_taken_apart(snippet):
    assert uri_handling(snippet)


def test_the_guard_leaves_other_hashes_alone():
    assert uri_handling('path, _, key = reference.partition("#")\nok = line.startswith("#")\n'
                        'local = to_fs_path(uri) if uri.startswith("file:") else None\n'
                        'def f():\n    """A uri such as ``ud#part=2``."""\n') == []


def test_no_module_but_locations_takes_a_uri_apart():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name in ALLOWED:
            continue
        found += [f"nodecfg/{name}:{line}: {what}" for line, what in uri_handling(path.read_text(encoding="utf-8"))]
    assert found == [], "use nodecfg/core/locations.py:\n" + "\n".join(found)


def test_the_allowed_module_is_where_the_addresses_are_written():
    assert uri_handling((PACKAGE / "core" / "locations.py").read_text(encoding="utf-8"))
