"""parse/yaml_block.py reads the texts it accepts exactly as ruamel.yaml does (issue 24).

The block-style subset is composed without ruamel.yaml, for start-up time; a
text it accepts must give the same documents (data, value and key spans,
document index), the same findings and the same charge to the shared event and
expansion allowances as ruamel's reading.  Compared here on every YAML text
the project holds (golden inputs, examples, test fixtures, the YAML strings of
the YAML reader's tests) and on generated texts, valid and broken.
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nodecfg.parse import yaml as reader
from nodecfg.parse import yaml_block

ROOT = Path(__file__).resolve().parent.parent


def _read(text: str, monkeypatch, *, fast: bool, events_left: int = reader.EventAllowance.DEFAULT):
    """What parse_yaml_documents gives, through the subset reader or forced through ruamel."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(yaml_block, "compose", lambda text, limit: None)
        allowance = reader.EventAllowance(events_left)
        documents, diagnostics = reader.parse_yaml_documents(text, "file.yaml", 2, allowance)
    return ([(d.uri, d.data, d.positions, d.key_positions, d.index) for d in documents], diagnostics,
            allowance.left, allowance.chars_left)


def _project_texts() -> list[tuple[str, str]]:
    texts = []
    suffixes = {".yaml", ".yml", ".json", ".mime", ".txt", ".userdata", ""}
    files = [p for p in (ROOT / "examples").rglob("*") if p.is_file()]
    files += [p for p in (ROOT / "golden").rglob("*") if p.is_file() and "expected" not in p.parts]
    files += [p for p in (ROOT / "tests").rglob("*") if p.is_file() and p.suffix in suffixes - {""}]
    for path in sorted(files):
        if path.suffix in suffixes:
            try:
                texts.append((str(path.relative_to(ROOT)), path.read_text()))
            except (UnicodeDecodeError, OSError):
                continue
    for name in ("test_yaml_reader.py", "test_source.py", "test_hostile_files.py", "test_hardening.py"):
        path = ROOT / "tests" / name
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value:
                texts.append((f"{name}:{node.lineno}", node.value))
    return texts


def test_every_project_text_the_subset_accepts_reads_as_ruamel_reads_it(monkeypatch):
    accepted = 0
    for name, text in _project_texts():
        if yaml_block.compose(text, reader.MAX_EVENTS) is None:
            continue
        accepted += 1
        assert _read(text, monkeypatch, fast=True) == _read(text, monkeypatch, fast=False), name
    assert accepted > 80  # the comparison is not vacuous: most of the project's YAML is in the subset


@pytest.mark.parametrize("path", ["examples/nodeconfig.yaml", "golden/plain-yaml/nodeconfig.yaml",
                                  "golden/dns-resolution/nodeconfig.yaml", "golden/karpenter-helm-output/rendered.yaml",
                                  "golden/merge-containerd-toml/a.yaml",
                                  "golden/launch-template-versions/versions.json"])
def test_typical_configs_are_in_the_subset(path):
    # block mappings and sequences, a block scalar, one-line flow sequences and mappings, comments, '---',
    # JSON
    assert yaml_block.compose((ROOT / path).read_text(), reader.MAX_EVENTS) is not None


@pytest.mark.parametrize("text", [
    "a: [b, # c\n  d]\n",        # a comment inside a flow collection
    "a: &x 1\nb: *x\n",         # anchors and aliases
    "a: !!str 1\n",             # tags
    "a: 'one\n  two'\n",        # a quoted scalar over two lines
    "a: one\n  two\n",          # a plain scalar over two lines
    'a: "\\x41"\n',              # an escape YAML has and JSON has not
    "a:\tb\n",                  # a tab
    "a: 1\r\nb: 2\r\n",         # CR LF line breaks
    "%YAML 1.1\n---\na: 1\n",   # a directive
    "a: 1\n...\n",              # a document end marker
    "a: b: c\n",                # an error
    "a:\n  b: 1\n c: 2\n",      # an error (bad indentation)
    "- - x\n",                  # a sequence in a sequence on one line
    "a: |2\n   x\n",            # an indentation indicator
    "? a\n: b\n",               # a complex key
    'a: "\\/"\n',                # an escape YAML 1.1 has not
    '{"a": "\\ud800"}\n',        # a surrogate escape: the builder reports it
])
def test_outside_the_subset_ruamel_reads(text):
    assert yaml_block.compose(text, reader.MAX_EVENTS) is None


@pytest.mark.parametrize("text", [
    "a:\n  b: [x,\n    y]\n  c: 1\n",
    "a:\n  b: [x,\ny]\nc: 1\n",                      # continuation lines less indented than the block
    "a:\n  b: {\n    \"k\": [1, 2],\n    \"n\": {}\n  }\n  c: d\n",
    "- [a,\n   b]\n- {c: d,\n   e: f}  # note\n",
    "a: {\n}\n",
])
def test_flow_collections_over_several_lines_inside_block_ones(monkeypatch, text):
    assert yaml_block.compose(text, reader.MAX_EVENTS) is not None
    assert _read(text, monkeypatch, fast=True) == _read(text, monkeypatch, fast=False)


def test_more_events_than_allowed_are_left_to_ruamel_which_reports_the_limit(monkeypatch):
    text = "a:\n" + "".join(f"  - {n}\n" for n in range(30))  # 1 + 2 + 2 + 1 + 2 + 30 = 38 events
    assert yaml_block.compose(text, 38) is not None
    assert yaml_block.compose(text, 37) is None
    for left in (37, 38):
        fast, slow = _read(text, monkeypatch, fast=True, events_left=left), \
            _read(text, monkeypatch, fast=False, events_left=left)
        assert fast == slow
    assert [d.code for d in _read(text, monkeypatch, fast=True, events_left=37)[1]] == ["NC123"]


# Generated texts: lines of YAML fragments at random indentation, most of them valid in some
# arrangement, some never valid; whatever the subset reader accepts must read as ruamel reads it.
FRAGMENTS = [
    "a: 1", "b:", "key with spaces: value with  spaces", "- x", "- k: v", "-  k2: v2", "- 'q'", "c: |", "d: >-",
    "e: |+", "f: >", "text line", "  indented text", "# comment", "", "---", "--- # doc", "g: 'it''s'",
    'h: "plain double"', "i: [1, 'two', x]", "j: {m: n, 'o': \"p\"}", "k: {}", "l: []", "m: yes", "n: a b  # c",
    "o: -1", "p: --flag=1", "q: a#b", "r: a #b", "s: 1:2", "t: 0644", "u: ~", "v: ''", "w: x: y", "x: 'open",
    "y: *ref", "z: &a v", "aa: !!str 1", "bb: [a, [b]]", "cc:\tdd", ":x", "? k", "...", "ee: `y`", "- ", "-",
    "ff: é", "gg: 10.0.0.0/16", "<<: {a: 1}", "hh: https://example.com:443/x", "ii: [ ]", "jj: {a: }",
    "kk:  # only a comment", "ll: 'a' # c", "mm: \"a\"b", "- [a, b]", "- {a: b}", "nn: |-", "  - y",
    "{", "}", "[", "]", "{}", '"k": "v",', '"k": 1', '"k": [1, 2.5, true, null],', '"k": {"n": "\\u00e9\\n"}',
    '"k":"v"', "oo: {\"a\":1}", "pp: [a, {b: c}]", '"e": "\\ud83d"', "qq: [a,]", "rr: {a:b}", "[1, 2]",
    "ss: {", "tt: [", "- {", "- [", "x,", "y]", "z}", "uu: [a, # c",
]


@st.composite
def generated_texts(draw):
    lines = draw(st.lists(st.tuples(st.integers(0, 6), st.sampled_from(FRAGMENTS)), min_size=1, max_size=14))
    text = "\n".join(" " * indent + fragment for indent, fragment in lines)
    return text + draw(st.sampled_from(["", "\n", "\n\n", "\n  \n", "\n# end\n"]))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=generated_texts(), events_left=st.sampled_from([reader.EventAllowance.DEFAULT, 5, 12]))
def test_generated_texts_the_subset_accepts_read_as_ruamel_reads_them(monkeypatch, text, events_left):
    if yaml_block.compose(text, reader.MAX_EVENTS) is None:
        return
    assert _read(text, monkeypatch, fast=True, events_left=events_left) == \
        _read(text, monkeypatch, fast=False, events_left=events_left)


def test_the_generated_texts_reach_the_subset():
    # the property above compares accepted texts only: many arrangements of the fragments must be
    pairs = [f"{first}\n{second}\n" for first in FRAGMENTS for second in FRAGMENTS]
    accepted = sum(yaml_block.compose(text, reader.MAX_EVENTS) is not None for text in pairs)
    assert accepted > len(pairs) // 4


# --- a text that can only read as a scalar or fail (Karpenter's choice of part) -------------------

@pytest.mark.parametrize("text", [
    "#!/bin/bash\nset -euo pipefail\ncat > /etc/x.yaml <<'EOF'\napiVersion: v1\nEOF\n",  # ':' on later lines
    "#!/bin/bash\n\n  # indented comment\necho hi\n",
    "echo hi\nkey: value\n",          # a multi-line scalar then ':': an error, not a mapping
    "echo hi\n: value\n",
    "echo hi\n---\nkind: NodeConfig\n",  # the first document is the scalar
    "just words",
    "echo\thi\n",
    "echo ${A} [b] {c}\n",
    "a\x01b\n",                        # a control character: ruamel refuses the text
])
def test_a_text_read_as_plain_text_is_never_a_mapping_or_null_for_ruamel(text):
    assert yaml_block.reads_as_plain_text(text)
    documents, diagnostics = reader.parse_yaml_documents(text, "file.yaml")
    assert any(d.code == "NC120" for d in diagnostics) or not isinstance(documents[0].data, (dict, list, type(None)))


@pytest.mark.parametrize("text", [
    "", "# only a comment\n", "\n\n",     # null: Karpenter reads it as a NodeConfig
    "key: value\n", "#!/bin/sh\nurl http://x\n", "  echo indented\n", "\techo tab\n",
    "- a\n", "---\necho\n", "...\necho\n", "%YAML 1.2\n---\na\n", "&a x\n", "!tag x\n", "'quoted'\n",
    "\ufeffecho\n", "? a\n", "[a]\n", "{a: b}\n", "|\n  x\n",
])
def test_a_text_that_may_read_otherwise_is_left_to_the_yaml_reader(text):
    assert not yaml_block.reads_as_plain_text(text)


def test_karpenter_chooses_the_shell_part_of_a_script_without_ruamel():
    import subprocess
    import sys

    script = ("import sys\nfrom nodecfg.parse.containers.kinds.ec2nodeclass import karpenter_part_kind\n"
              "assert karpenter_part_kind('#!/bin/bash\\nset -e\\ncurl -o /x https://example.com\\n') == 'shell'\n"
              "print(sorted(m for m in sys.modules if m.startswith('ruamel')))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True,
                          text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]", done.stderr


# The plain-scalar pattern takes a run of characters without ':' in one step (issue 24, speed); the
# pattern it replaced took one character a step.  Both must end every plain scalar at the same place.
_PLAIN_ONE_CHARACTER_A_STEP = re.compile(
    r"(?:[^ \t:]|:(?=[^ \t]))+(?: +(?:[^ \t:#]|:(?=[^ \t]))(?:[^ \t:]|:(?=[^ \t]))*)*")


@settings(max_examples=600, deadline=None)
@given(line=st.text(st.sampled_from("ab: #\t-é'\"[{,"), max_size=30) | st.text(max_size=30),
       start=st.integers(0, 30))
def test_the_plain_pattern_ends_a_scalar_where_the_character_pattern_did(line, start):
    expected = _PLAIN_ONE_CHARACTER_A_STEP.match(line, start)
    found = yaml_block._PLAIN.match(line, start)
    assert (found and found.span()) == (expected and expected.span())


@settings(max_examples=400, deadline=None)
@given(value=st.text(max_size=40))
def test_a_double_quoted_scalar_reads_as_json_reads_the_same_string(value):
    # JSON's escapes are the ones the subset reads; the text between them is taken in runs
    quoted = json.dumps(value, ensure_ascii=False)
    assert yaml_block._double_quoted(f"k: {quoted} # c", 3) == (value, 3 + len(quoted))
    assert yaml_block._double_quoted(quoted[:-1], 0) is None  # not closed on its line


@pytest.mark.parametrize("text", [
    'echo "Hello world"\n',                       # Karpenter's docs: user data of one command
    '#!/bin/bash\necho "Hello, AL2023!"\n\n',     # a script of one command after its shebang
    "echo hello",                                 # no line break at the end
    "123\n", "true\n", "~\n", "1.5e3\n", "0o17\n", "-x\n",
    "'single ''quoted'''\n", '"double \\u00e9"\n',
    "plain # a comment\n# and a comment line\n",
    "one\n---\ntwo\n", "a: 1\n---\nscalar\n",
])
def test_a_document_of_one_scalar_on_one_line_reads_as_ruamel_reads_it(monkeypatch, text):
    assert yaml_block.compose(text, reader.MAX_EVENTS) is not None
    assert _read(text, monkeypatch, fast=True) == _read(text, monkeypatch, fast=False)


@pytest.mark.parametrize("text", [
    "echo hi\nyum install -y x\n",    # a second line continues a plain scalar: ruamel folds it
    "echo hi\n  more\n",
    "echo hi\n\nmore\n",
    "|\n  block\n", ">\n  folded\n",
    "!tag x\n", "&anchor x\n", "*alias\n", "? x\n",
    "'open\n  quote'\n",
])
def test_a_document_of_one_scalar_over_several_lines_is_left_to_ruamel(text):
    assert yaml_block.compose(text, reader.MAX_EVENTS) is None
