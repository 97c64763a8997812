"""nodecfg's plain-scalar scan (parse/yaml.py, BoundedScanner.scan_plain) against ruamel's own.

The override only finds each line's run of characters with a regex; every
token, mark and error must be what ruamel's character-by-character scan gives.
"""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scanner import Scanner

from nodecfg.parse.yaml import _bounded_scanner_class


def _tokens(text: str, scanner_class) -> list:
    loader = YAML(typ="safe", pure=True)
    loader.Scanner = scanner_class
    found = []
    try:
        for token in loader.scan(text):
            start, end = token.start_mark, token.end_mark
            comment = getattr(token, "comment", None)
            found.append((type(token).__name__, getattr(token, "value", None), getattr(token, "plain", None),
                          (start.line, start.column, start.index), (end.line, end.column, end.index),
                          repr(comment)))
    except YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        found.append(("error", type(error).__name__, getattr(error, "problem", None),
                      (mark.line, mark.column) if mark else None))
    return found


# pieces that steer the plain-scalar scan: colons before and after blanks, '#', '?', tabs,
# line breaks of every kind, indentation changes, flow indicators and a long base64-like run
PIECES = st.sampled_from([
    "a", "key", "value", ":", ": ", "::", "a:b", "http://x:80/p", " ", "  ", "\t", "#", " #c", "?", "-", "- ",
    "\n", "\r\n", "\r", "\x85", "\u2028", "\u2029", "\n  ", "\n    ", "\n\n", "[", "]", "{", "}", ",", "'", '"',
    "---", "...", "é", "\ufeff", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t" * 8, "1.5", "0x1F", "~",
])


@settings(max_examples=400)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_every_token_is_the_one_ruamel_scans(text):
    assert _tokens(text, _bounded_scanner_class()) == _tokens(text, Scanner)


def test_a_typical_document_scans_alike():
    text = ("spec:\n  cluster:\n    name: my-cluster\n    certificateAuthority: " + "QUJD" * 300 + "\n"
            "  kubelet:\n    flags:\n      - --node-labels=a=b,c=d  # why\n      - --v=2\n"
            "    config: {maxPods: 58, x: 'y'}\n  multi: first line\n    continued: not a key\n\n# end\n")
    assert _tokens(text, _bounded_scanner_class()) == _tokens(text, Scanner)
