"""TOML parse, mergo-style deep merge and go-toml v2 layout."""
import datetime as dt
import math

import pytest
from hypothesis import example, given, strategies as st

from nodecfg.merge.toml import deep_merge, merge_toml, parse_toml
from nodecfg.encode.gotoml import _positional, dumps, encode_key, encode_string, format_float


# --- parse_toml -------------------------------------------------------------

def test_parse_valid_document():
    data, error = parse_toml('version = 2\n[grpc]\naddress = "/run/x.sock"\n')
    assert error is None
    assert data == {"version": 2, "grpc": {"address": "/run/x.sock"}}


def test_parse_error_reports_line_and_column():
    data, error = parse_toml('version = 2\n[grpc]\naddress = \n')
    assert data is None
    assert error[:2] == (3, 11)
    assert "Invalid value" in error[2]


def test_parse_error_for_duplicate_key():
    _, error = parse_toml("a = 1\na = 2\n")
    assert error[0] == 2


def test_parse_rejects_integer_beyond_int64_like_go_toml():
    _, error = parse_toml("a = 1\nbig = 9223372036854775808\n")
    assert error[0] == 2
    assert "64 bits" in error[2]


def test_parse_accepts_int64_extremes():
    data, error = parse_toml("lo = -9223372036854775808\nhi = 9223372036854775807\n")
    assert error is None and data["hi"] == 2**63 - 1


# --- deep_merge (mergo.WithOverride on untyped maps) ------------------------

def test_maps_merge_key_by_key():
    base = {"a": {"x": 1, "y": 2}, "keep": True}
    assert deep_merge(base, {"a": {"y": 3, "z": 4}}) == {"a": {"x": 1, "y": 3, "z": 4}, "keep": True}


@pytest.mark.parametrize("empty", ["", False, 0, [], 0.0])
def test_empty_values_still_override(empty):
    assert deep_merge({"k": "set"}, {"k": empty}) == {"k": empty}


def test_arrays_are_replaced_not_appended():
    assert deep_merge({"k": [1, 2, 3]}, {"k": [9]}) == {"k": [9]}


def test_type_mismatch_later_wins_both_ways():
    assert deep_merge({"k": {"a": 1}}, {"k": "text"}) == {"k": "text"}
    assert deep_merge({"k": "text"}, {"k": {"a": 1}}) == {"k": {"a": 1}}


def test_empty_table_over_table_keeps_base_keys():
    assert deep_merge({"k": {"a": 1}}, {"k": {}}) == {"k": {"a": 1}}


def test_null_overrides_as_mergo_does():
    assert deep_merge({"k": 1}, {"k": None}) == {"k": None}


def test_inputs_are_not_modified():
    base, override = {"a": {"x": 1}}, {"a": {"y": 2}}
    deep_merge(base, override)
    assert base == {"a": {"x": 1}} and override == {"a": {"y": 2}}


# --- merge_toml ---------------------------------------------------------------

def test_empty_side_returns_the_other_string_untouched():
    text = 'version = 2\n[grpc]\naddress = "/x"   # comment kept\n'
    assert merge_toml("", text) == text
    assert merge_toml(text, "") == text


def test_merge_reserializes_in_go_toml_layout():
    base = 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\nconfig_path = "/a"\n'
    override = '[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]\nendpoint = ["https://m"]\n'
    assert merge_toml(base, override) == (
        "version = 2\n"
        "\n"
        "[plugins]\n"
        "[plugins.'io.containerd.grpc.v1.cri']\n"
        "[plugins.'io.containerd.grpc.v1.cri'.registry]\n"
        "config_path = '/a'\n"
        "\n"
        "[plugins.'io.containerd.grpc.v1.cri'.registry.mirrors]\n"
        "[plugins.'io.containerd.grpc.v1.cri'.registry.mirrors.'docker.io']\n"
        "endpoint = ['https://m']\n"
    )


def test_whitespace_only_side_counts_as_content():
    # nodeadm tests the length, so a blank document still goes through Marshal.
    assert merge_toml("a = 1 # note\n", "  \n") == "a = 1\n"


def test_merge_of_invalid_toml_raises_value_error():
    with pytest.raises(ValueError):
        merge_toml("a = 1", "b = ")


# --- tomlwrite layout -----------------------------------------------------------

def test_key_values_sorted_and_before_tables():
    data = {"z": 1, "b": {"k": "v"}, "a": "x"}
    assert dumps(data) == "a = 'x'\nz = 1\n\n[b]\nk = 'v'\n"


def test_root_with_only_tables_has_no_leading_blank_line():
    assert dumps({"t": {"k": 1}, "s": {"k": 2}}) == "[s]\nk = 2\n\n[t]\nk = 1\n"


def test_table_without_keys_prints_bare_header_then_children():
    assert dumps({"a": {"b": {"c": {"k": 1}}}}) == "[a]\n[a.b]\n[a.b.c]\nk = 1\n"


def test_empty_table_is_a_header_alone():
    assert dumps({"a": {}, "b": {"k": 1}}) == "[a]\n\n[b]\nk = 1\n"


def test_keys_bare_literal_or_quoted():
    assert encode_key("Binary_Name-2") == "Binary_Name-2"
    assert encode_key("io.containerd.grpc.v1.cri") == "'io.containerd.grpc.v1.cri'"
    assert encode_key("it's") == '"it\'s"'
    assert encode_key("") == "''"
    assert encode_key("a b") == "'a b'"


def test_strings_literal_unless_they_need_escapes():
    assert encode_string('say "hi" \\ there') == "'say \"hi\" \\ there'"
    assert encode_string("it's") == '"it\'s"'
    assert encode_string("line1\nline2\ttab") == '"line1\\nline2\\ttab"'
    assert encode_string("bell\x07") == '"bell\\u0007"'
    assert encode_string("tab\tonly") == "'tab\tonly'"


def test_numbers_and_booleans():
    assert dumps({"i": -1, "f": 0.02, "g": 100.0, "t": True, "n": False}) == (
        "f = 0.02\ng = 100.0\ni = -1\nn = false\nt = true\n"
    )


@pytest.mark.parametrize("value, text", [
    (1e-7, "0.0000001"), (1e20, "100000000000000000000.0"), (-0.0, "-0.0"),
    (float("inf"), "inf"), (float("-inf"), "-inf"), (float("nan"), "nan"), (2.5e-3, "0.0025"),
])
def test_float_format_matches_go_append_float(value, text):
    assert format_float(value) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
@example(5e-324)
@example(-1.5e-05)
@example(9.99e-05)
@example(0.0001)
@example(0.1)
def test_a_fraction_is_written_as_decimal_writes_it(value):
    """format_float's positional digits (no decimal import) are those of ``format(Decimal(repr(v)), "f")``."""
    from decimal import Decimal

    if value != math.trunc(value):
        assert format_float(value) == format(Decimal(repr(value)), "f")
        assert _positional(repr(value)) == format(Decimal(repr(value)), "f")


_KEY_TEXT = st.text(alphabet=st.sampled_from(list("aZ09_-'\" .\t\n\r\x00\x1f\x7f\x85é\u2028")), max_size=8)


@given(st.one_of(_KEY_TEXT, st.text(max_size=8)))
def test_keys_and_strings_are_judged_as_the_patterns_judge_them(text):
    """encode_key's bare-key test and _needs_basic_string answer what go-toml's patterns answer."""
    import re

    from nodecfg.encode.gotoml import _needs_basic_string

    if text:
        bare = re.fullmatch(r"[A-Za-z0-9_-]+", text) is not None
        assert bare == (encode_key(text) == text)  # any other key is quoted
    assert _needs_basic_string(text) == (re.search("['\x00-\x08\x0a-\x1f\x7f]", text) is not None)


def test_arrays_inline_and_empty_array_is_a_value():
    assert dumps({"a": [], "b": [1, "x"], "t": {"k": 1}}) == "a = []\nb = [1, 'x']\n\n[t]\nk = 1\n"


def test_array_of_tables():
    data = {"x": 1, "hooks": [{"name": "a", "opts": {"o": 1}}, {"name": "b"}]}
    assert dumps(data) == (
        "x = 1\n\n"
        "[[hooks]]\nname = 'a'\n\n[hooks.opts]\no = 1\n\n"
        "[[hooks]]\nname = 'b'\n"
    )


def test_tables_inside_mixed_array_are_inline():
    assert dumps({"a": [1, {"k": "v", "b": [2]}]}) == "a = [1, {b = [2], k = 'v'}]\n"


def test_datetimes():
    data = {
        "d": dt.date(2024, 1, 2),
        "t": dt.time(3, 4, 5, 120000),
        "l": dt.datetime(2024, 1, 2, 3, 4, 5),
        "u": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        "o": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=-7, minutes=-30))),
    }
    assert dumps(data) == (
        "d = 2024-01-02\n"
        "l = 2024-01-02T03:04:05\n"
        "o = 2024-01-02T03:04:05-07:30\n"
        "t = 03:04:05.12\n"
        "u = 2024-01-02T03:04:05Z\n"
    )


def test_dump_then_parse_round_trips():
    text = 'a = "x\'y"\n[b."c.d"]\ne = [1.5, true]\n[[f]]\ng = 1\n[[f]]\ng = 2\n'
    data, _ = parse_toml(text)
    again, error = parse_toml(dumps(data))
    assert error is None and again == data
