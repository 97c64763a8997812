"""The kubelet's argv from a flag list (nodecfg.nodeadm.kubelet_argv), stage by stage.

Expected values come from reading the upstream code named in the module
docstring (systemd env-file.c, extract-word.c, env-util.c; pflag), not from
running nodecfg.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from nodecfg.nodeadm.kubelet_argv import (BOOLEAN_FLAGS, Traced, kubelet_argv, read_environment_value,
                                  split_words)

OWN = "--cloud-provider=external"  # nodeadm's value always starts with one of its own flags


def traced(text: str) -> Traced:
    return Traced(text, tuple((0, offset) for offset in range(len(text))))


def words(*items: str) -> list[str]:
    return [word.text for word in kubelet_argv([OWN, *items]).words][1:]


@pytest.mark.parametrize("raw, kept", [
    ('--a="x y"', '--a="x y"'),           # quotes after an unquoted start stay literal
    ("--a='x'", "--a='x'"),
    ("--a=x\\ y", "--a=x y"),             # a backslash drops itself and keeps the next character
    ("--a=x\\\\y", "--a=x\\y"),
    ("--a=x   ", "--a=x"),                # trailing blanks are chomped
    ("--a=x\\ ", "--a=x "),               # ... but not an escaped one
    ("  --a=x", "--a=x"),                 # leading blanks are skipped
    ('"x y" z', "x yz"),                  # a leading quote is unquoted, and blanks after it are skipped
    ('"a\\$b\\qc"', "a$b\\qc"),           # in double quotes only \" \\ \` \$ lose the backslash
])
def test_environment_file_reader(raw, kept):
    value, truncated, _ = read_environment_value(traced(raw))
    assert (value.text, truncated) == (kept, None)


def test_a_line_break_ends_the_assignment():
    value, truncated, _ = read_environment_value(traced("--a=1\nEVIL=2"))
    assert (value.text, truncated) == ("--a=1", (0, 5))


@pytest.mark.parametrize("text, expected", [
    ("a b\tc", ["a", "b", "c"]),
    ('a"b c"d', ["ab cd"]),                   # a quoted run may start anywhere in a word
    ("'x y' z", ["x y", "z"]),
    ('a "" b', ["a", "", "b"]),               # an empty quoted word is still a word
    ("a\\ b", ["a b"]),
    ('"a\\"b"', ['a"b']),
    ("x\\", ["x"]),                           # EXTRACT_RELAX: a trailing backslash is dropped
])
def test_systemd_split(text, expected):
    found, unclosed = split_words(traced(text))
    assert ([word.text for word in found], unclosed) == (expected, None)


def test_an_unclosed_quote_runs_to_the_end():
    found, unclosed = split_words(traced('a "b c d'))
    assert ([word.text for word in found], unclosed) == (["a", "b c d"], (0, 2))


def test_the_whole_path_for_karpenters_labels():
    argv = kubelet_argv([OWN, '--node-labels="karpenter.sh/nodepool=default,team=a"'])
    assert argv.environment_value == OWN + ' --node-labels="karpenter.sh/nodepool=default,team=a"'
    assert [(arg.kind, arg.name, arg.value) for arg in argv.args] == [
        ("flag", "cloud-provider", "external"), ("flag", "node-labels", "karpenter.sh/nodepool=default,team=a")]


def test_character_origins_survive_every_stage():
    argv = kubelet_argv([OWN, "--v=2", '--node-labels "a=b"'])
    labels = argv.args[-1]
    assert labels.value == "a=b"
    assert labels.value_origins == ((2, 15), (2, 16), (2, 17))  # after the opening quote of item 2


@pytest.mark.parametrize("items, parsed", [
    (["--node-labels", "a=b"], [("flag", "node-labels", "a=b")]),
    (["--fail-swap-on", "--v=2"], [("flag", "fail-swap-on", None), ("flag", "v", "2")]),
    (["--fail-swap-on", "no"], [("flag", "fail-swap-on", None), ("positional", "", None)]),
    (["--node-labels", "--v=2"], [("flag", "node-labels", "--v=2")]),   # pflag takes the next word, whatever it is
    (["-v4"], [("flag", "v", "4")]),
    (["-v", "4"], [("flag", "v", "4")]),
    (["-h"], [("flag", "help", None)]),
    (["-x=1"], [("bad-syntax", "-x=1", None)]),
    (["---x"], [("bad-syntax", "-x", None)]),
    (["-"], [("positional", "", None)]),
    (["--", "--v=2"], [("dashdash", "", None), ("after-dashdash", "", None)]),
    (["--max_pods=3"], [("flag", "max-pods", "3")]),
    (["--node-labels"], [("needs-value", "node-labels", None)]),
])
def test_pflag_reading(items, parsed):
    args = kubelet_argv([OWN, *items]).args[1:]
    assert [(arg.kind, arg.name, arg.value) for arg in args] == parsed


def test_blank_items_give_no_word():
    assert words("", "  ", "--v=2") == ["--v=2"]


def test_boolean_flags_include_every_boolean_config_field_flag():
    from nodecfg.nodeadm.kubelet_flags import CONFIG_FIELDS

    schema = json.loads((Path(__file__).parent.parent / "schemas" / "kubelet-config.v1beta1.json").read_text())
    booleans = set()
    for flag, field in CONFIG_FIELDS.items():
        node = schema
        for part in field.split("."):
            node = node.get("properties", {}).get(part) or {}
            while "$ref" in node:
                node = schema["$defs"][node["$ref"].split("/")[-1]]
        kinds = node.get("type", [])
        if "boolean" in (kinds if isinstance(kinds, list) else [kinds]):
            booleans.add(flag)
    assert booleans and booleans <= BOOLEAN_FLAGS


# --- the start-up-cheap checks answer as the patterns they replaced ------------------------------

def test_a_flag_name_is_valid_as_pflag_names_were_matched_for_every_character():
    """_valid_name without a regex: as ``[^\\W][\\w.-]*|\\.[\\w.-]*`` for every code point, first and later."""
    import re

    from nodecfg.nodeadm.kubelet_argv import _valid_name

    pattern = re.compile(r"[^\W][\w.-]*|\.[\w.-]*")
    every = "".join(map(chr, range(0x110000)))
    first, later = set(re.findall(r"[\w.]", every)), set(re.findall(r"[\w.-]", every))
    assert 100_000 < len(first) < len(later) < 0x110000
    assert {char for char in every if _valid_name(char)} == first
    assert {char for char in every if _valid_name("a" + char)} == later
    for name in ("", "-", "--", "-v", ".", "_", "-.", "._-", "a-b.c_d", "ü-x", "v", "a b", "x=1", "٣", "a\u00a0b"):
        assert _valid_name(name) == (pattern.fullmatch(name) is not None), name


@pytest.mark.parametrize("text", [
    "", " ", "--a=1", "  --a=1 \t--b=2\n\n--c\r--d  ", "a\u00a0b c\u2003d\x0be", "\t\tx", "x\r\n",
    "--a=1 " * 50,
])
def test_words_without_quotes_are_the_blank_free_runs(text):
    import re

    words, unclosed = split_words(traced(text))
    runs = [(m.group(), m.start(), m.end()) for m in re.finditer(r"[^ \t\n\r]+", text)]
    assert unclosed is None
    assert [(w.text, tuple(w.origins), w.start) for w in words] == \
        [(run, tuple((0, i) for i in range(start, end)), (0, start)) for run, start, end in runs]
