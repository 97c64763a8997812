"""go-yaml v2 scalar semantics and span tracking of nodecfg.parse.yaml."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nodecfg.core.diagnostics import Span
from nodecfg.parse import yaml_block
from nodecfg.parse.yaml import (_WORDS, _Builder, decode_text, is_plain_string, parse_yaml_documents,
                                resolve_plain_scalar, yaml12_disagreement)


@pytest.mark.parametrize("text, value", [
    ("yes", True), ("Yes", True), ("on", True), ("ON", True), ("y", True), ("Y", True), ("true", True),
    ("no", False), ("off", False), ("n", False), ("FALSE", False),
    ("~", None), ("null", None), ("", None),
    ("0644", 420), ("0x1F", 31), ("0o17", 15), ("0b101", 5), ("-12", -12), ("+7", 7), ("1_000", 1000),
    ("1.5", 1.5), ("1e3", 1000.0), (".5", 0.5), ("09", 9.0),
    ("10.100.0.0/16", "10.100.0.0/16"), ("v1.31", "v1.31"), ("yess", "yess"), ("2023-01-01", "2023-01-01"),
])
def test_plain_scalars_resolve_like_go_yaml_v2(text, value):
    resolved = resolve_plain_scalar(text)
    assert resolved == value and type(resolved) is type(value)


def test_special_floats():
    assert math.isinf(resolve_plain_scalar(".inf")) and math.isnan(resolve_plain_scalar(".NaN"))


def test_quoted_and_block_scalars_stay_strings():
    docs, _ = parse_yaml_documents('a: "yes"\nb: \'0644\'\nc: |\n  on\n', "f")
    assert docs[0].data == {"a": "yes", "b": "0644", "c": "on\n"}


def test_explicit_str_tag_keeps_string():
    docs, _ = parse_yaml_documents("a: !!str 12\nb: 12\n", "f")
    assert docs[0].data == {"a": "12", "b": 12}


def test_spans_point_at_keys_and_values():
    docs, _ = parse_yaml_documents("spec:\n  cluster:\n    name: demo\n", "f.yaml")
    document = docs[0]
    assert (document.key_positions["/spec/cluster/name"].line, document.key_positions["/spec/cluster/name"].col) == (3, 5)
    assert (document.positions["/spec/cluster/name"].line, document.positions["/spec/cluster/name"].col) == (3, 11)


def test_line_offset_shifts_spans():
    docs, _ = parse_yaml_documents("a: 1\n", "f#part=2", line_offset=10)
    assert docs[0].positions["/a"].line == 11


def test_duplicate_key_keeps_last_and_warns():
    docs, diagnostics = parse_yaml_documents("a: 1\nb: 2\na: 3\n", "f")
    assert docs[0].data == {"a": 3, "b": 2}
    assert [(d.code, d.span.line, d.span.col) for d in diagnostics] == [("NC121", 3, 1)]


def test_yaml11_ambiguity_is_reported_where_it_occurs():
    _, diagnostics = parse_yaml_documents("a: yes\nb: true\nc: 0755\n", "f")
    assert [(d.code, d.span.line, d.span.col) for d in diagnostics] == [("NC122", 1, 4), ("NC122", 3, 4)]


def test_merge_keys_expand_with_explicit_keys_winning():
    docs, _ = parse_yaml_documents("base: &b {p: 1, q: 2}\nm:\n  <<: *b\n  q: 3\n", "f")
    assert docs[0].data["m"] == {"p": 1, "q": 3}


def test_y_and_n_keys_are_booleans_as_in_go_yaml_v2():
    docs, _ = parse_yaml_documents("y: 1\nn: 2\n", "f")
    assert docs[0].data == {"true": 1, "false": 2}


def test_syntax_error_has_line_and_column():
    _, diagnostics = parse_yaml_documents("a:\n  - 1\n - 2\n", "f")
    assert diagnostics[0].code == "NC120" and diagnostics[0].span.line == 3


def test_multiple_documents_are_all_returned_in_order():
    docs, _ = parse_yaml_documents("a: 1\n---\na: 2\n---\n", "f")
    assert [d.data for d in docs] == [{"a": 1}, {"a": 2}]


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    docs, diagnostics = parse_yaml_documents("\n".join(lines) + "\n", "bomb.yaml")
    assert docs == [] and diagnostics[-1].code == "NC123"


def test_deep_nesting_is_refused_without_recursion_error():
    text = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    docs, diagnostics = parse_yaml_documents(text, "deep.yaml")
    assert docs == [] and diagnostics and diagnostics[0].code in ("NC120", "NC123")


def test_tab_indented_json_falls_back_to_json():
    docs, diagnostics = parse_yaml_documents('{\n\t"kind": "NodeConfig"\n}', "c.json")
    assert docs[0].data == {"kind": "NodeConfig"} and diagnostics == []


def test_invalid_utf8_is_located():
    text, diagnostics = decode_text(b"a: 1\nb: \xff\n", "f")
    assert text is None and (diagnostics[0].code, diagnostics[0].span.line, diagnostics[0].span.col) == ("NC124", 2, 4)


def test_spans_are_spans():
    # the builder makes its spans with Span._make (fields in order): they must still be Spans, field for field
    docs, _ = parse_yaml_documents("a:\n  b: c\n", "f", 3)
    span = docs[0].positions["/a/b"]
    assert type(span) is Span and span == Span("f", 5, 6, 5, 7) and span.end_col == 7


_WORD_FIRST = st.characters(whitelist_categories=("Lu", "Ll", "Lo", "Nd", "Nl", "No", "Pd", "Po", "Sm"))


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=10), st.sampled_from(sorted(_WORDS)),
                 st.builds(str.__add__, _WORD_FIRST, st.text(st.sampled_from("0_.1e+-xob9aYN"), max_size=6))))
def test_a_plain_word_needs_no_resolving(text):
    # the builder's shortcut: what is_plain_string accepts resolves to itself and reads alike in YAML 1.2
    if is_plain_string(text):
        assert resolve_plain_scalar(text) is text and yaml12_disagreement(text) is None


def test_words_take_the_shortcut_and_yaml11_words_do_not():
    assert all(is_plain_string(word) for word in ("apiVersion", "NodeConfig", "a1", "x_0755", "nulls", "é"))
    assert not any(is_plain_string(word) for word in ("yes", "Off", "y", "null", "NULL", "", "_0755", "0755",
                                                      "1.5", ".inf", "-x", "~"))


def _mapping(keys: list[tuple[str, str | None]]) -> yaml_block.MappingNode:
    mark = yaml_block.Mark(0, 0)
    node = yaml_block.MappingNode([], mark)
    for index, (key, style) in enumerate(keys):
        value = yaml_block.ScalarNode(str(index), None, mark, mark)
        node.value.append((yaml_block.ScalarNode(key, style, mark, mark), value))
    return node


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "<", "<<<"]), st.sampled_from([None, "'"])), max_size=6))
def test_a_mapping_without_merge_keys_keeps_its_pairs_as_the_merging_reading_would(keys):
    # the shortcut (no '<<' key: the pairs as they are) against the merging reading, which a quoted '<<'
    # (an ordinary key) takes
    fast = _Builder("f", 0)._merged_pairs(_mapping(keys))
    slow = _Builder("f", 0)._merged_pairs(_mapping(keys + [("<<", '"')]))
    assert [(k.value, v.value) for k, v in fast] == [(k.value, v.value) for k, v in slow[:-1]]
    assert slow[-1][0].value == "<<"
