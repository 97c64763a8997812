"""get_pointer finds keys YAML read as numbers, booleans or null by the text a pointer names them by
(core/document.py); the shortcut for tokens that start with a letter must say what int() and float() say."""
from __future__ import annotations

from hypothesis import given, strategies as st

from nodecfg.core.document import MISSING, _typed_key, escape_pointer_token, get_pointer, split_pointer


def _slow_typed_key(token: str):
    """The reading without the shortcut: YAML's words, then int(), then float()."""
    words = {"true": True, "false": False, "null": None}
    if token in words:
        return words[token]
    for convert in (int, float):
        try:
            return convert(token)
        except ValueError:
            pass
    return MISSING


def _same(left, right) -> bool:
    if left is MISSING or right is MISSING:
        return left is right
    return repr(left) == repr(right)  # nan equals no number, but prints alike


@given(st.one_of(st.text(max_size=12),
                 st.sampled_from(["inf", "Infinity", "-inf", "NaN", "nan", "iNF", "1e5", "e5", "1_000", " 7 ",
                                  "٣", "x1", "true", "True", "null", ""])))
def test_the_shortcut_reads_every_token_as_int_and_float_do(token):
    assert _same(_typed_key(token), _slow_typed_key(token))


def test_keys_read_as_numbers_are_found_and_absent_words_are_not():
    data = {2: "two", float("inf"): "infinite", True: "yes", "name": "text"}
    assert get_pointer(data, "/2") == "two"
    assert get_pointer(data, "/inf") == "infinite"
    assert get_pointer(data, "/Infinity") == "infinite"
    assert get_pointer(data, "/true") == "yes"
    assert get_pointer(data, "/name") == "text"
    assert get_pointer(data, "/missing", default="absent") == "absent"


@given(st.lists(st.text(st.sampled_from("ab~/01"), max_size=5) | st.text(max_size=5), max_size=5))
def test_a_pointer_splits_into_the_tokens_it_was_joined_from(tokens):
    # RFC 6901 escapes, written only where a token holds '~' or '/', read only where the pointer holds '~'
    pointer = "".join("/" + escape_pointer_token(token) for token in tokens)
    assert split_pointer(pointer) == tokens
    assert all(escape_pointer_token(token) == token.replace("~", "~0").replace("/", "~1") for token in tokens)


def test_escaped_tokens():
    assert escape_pointer_token("a/b~c") == "a~1b~0c" and escape_pointer_token(12) == "12"
    assert split_pointer("/a~1b~0c/~01") == ["a/b~c", "~1"] and split_pointer("/a//b") == ["a", "", "b"]


@given(st.lists(st.text(alphabet="ab~/1 0", max_size=4), max_size=4))
def test_split_pointer_undoes_join_pointer_with_or_without_escapes(tokens):
    from nodecfg.core.document import join_pointer, split_pointer

    pointer = ""
    for token in tokens:
        pointer = join_pointer(pointer, token)
    assert split_pointer(pointer) == tokens
