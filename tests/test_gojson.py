"""nodecfg.encode.gojson against an independent model of Go's encoding/json layout.

For values without floats, json.Marshal and json.MarshalIndent(v, "", indent)
lay text out as Python's json.dumps does with the same separators; Go then
escapes <, >, &, U+2028 and U+2029 as \\u00XX / \\u20XX and writes U+FFFD for
a lone surrogate (encoding/json encode.go, appendString).  Floats are pinned
by hand against values printed by Go (strconv.FormatFloat through floatEncoder).
"""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nodecfg.encode.gojson import encode_go_json, go_float, go_string

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _model(value, indent):
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=(",", ": " if indent else ":"))
    for raw, escaped in _GO_ESCAPES.items():
        text = text.replace(raw, escaped)
    return "".join("\ufffd" if "\ud800" <= char <= "\udfff" else char for char in text)


texts = st.text(alphabet=st.characters(codec=None), max_size=12) | st.sampled_from(
    ["<b>&amp;", "\u2028", "\ud800", "a\"b\\c", "\n\t\r\b\f\x00\x1f", "x" * 300])
leaves = st.none() | st.booleans() | st.integers(-(2 ** 70), 2 ** 70) | texts
values = st.recursive(leaves, lambda children: st.lists(children, max_size=4)
                      | st.dictionaries(texts, children, max_size=4), max_leaves=20)


@given(values, st.sampled_from([None, "  ", "    "]))
def test_layout_and_escapes_match_the_model(value, indent):
    assert encode_go_json(value, indent) == _model(value, indent)


def test_a_long_string_is_escaped_like_a_short_one():
    long = "<" + "é" * 400 + "\u2028\ud800"
    assert go_string(long) == '"\\u003c' + "é" * 400 + '\\u2028\ufffd"'
    assert go_string(long[:200]) == '"\\u003c' + "é" * 199 + '"'


@pytest.mark.parametrize("number,go", [
    (110.0, "110"), (0.5, "0.5"), (1e-7, "1e-7"), (0.000001, "0.000001"), (1e20, "100000000000000000000"),
    (1e21, "1e+21"), (2.0 ** 64, "18446744073709552000"), (-0.0, "-0"), (123456.789, "123456.789"),
])
def test_floats_take_go_shortest_form(number, go):
    assert go_float(number) == go
