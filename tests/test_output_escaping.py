"""Text from the input cannot inject markup or terminal escapes into any output (issue 22, classes 11 and 12).

Markdown is read back with markdown-it-py (a CommonMark parser, with the GFM
table rule GitHub applies to a pull-request comment), XML with xml.etree and
JSON with json: what a reader sees is checked, not the bytes nodecfg meant
to write.  The hostile configuration puts backticks, an image, a link, HTML,
an OSC and a CSI sequence, BEL, a C1 CSI and a bidi override into a kubelet
key, a value and the source's file name (which every origin quotes).
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from nodecfg.cli.main import main
from nodecfg.output.diff import Side, diff_sides, format_markdown, format_text
from nodecfg.output.escape import markdown_block, markdown_code, printable

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "examples" / "nodeconfig.yaml").read_text()
UNSAFE = ("\x1b", "\x07", "\x9b", "\u202e", "\r", "\x00")  # none may reach a terminal raw

# In the YAML: \e is ESC, \a BEL, \x9b the C1 CSI, \u202e RIGHT-TO-LEFT OVERRIDE.
KEY_YAML = r'"k`` ![i](https://evil.example/k.png) <img src=x> \e]0;t\a |` "'
KEY = "k`` ![i](https://evil.example/k.png) <img src=x> \x1b]0;t\x07 |` "
VALUE_YAML = r'"v` [Run fix](https://evil.example/r) \e[31m \x9b2J \u202eexe.yaml"'
SOURCE_NAME = "new` ![o](evil.example) \u202e `.yaml"  # a file name cannot hold '/'


def markdown_tokens(text: str) -> list:
    """Every inline token a GitHub-like reader makes of text (block tokens' children flattened)."""
    found = []
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        found.append(token)
        found.extend(token.children or [])
    return found


def assert_no_markup_from_input(text: str) -> None:
    """No link, image or HTML anywhere, and 'evil' (which only the input holds) only inside code."""
    tokens = markdown_tokens(text)
    kinds = {token.type for token in tokens}
    assert not kinds & {"image", "link_open", "html_inline", "html_block"}, sorted(kinds)
    for token in tokens:
        if token.type not in ("code_inline", "fence", "inline"):
            assert "evil" not in token.content, (token.type, token.content)


# --- the escaping functions --------------------------------------------------------------------------

@pytest.mark.parametrize("text,shown", [
    ("plain", "plain"),
    ("a`b", "a`b"),
    ("x`` ![i](https://evil.example/x.png) ``y", "x`` ![i](https://evil.example/x.png) ``y"),
    ("`starts", "`starts"),               # padded with a space, which the reader strips
    ("ends`", "ends`"),
    (" both ", " both "),                 # a space each side: padded, so the reader strips only the padding
    ("a|b", "a|b"),                       # \| in the cell, a plain | once read
    ("a\\|b", "a\\\\x7cb"),                # after a backslash: \x7c, as GFM cannot write it there
    ("trailing\\", "trailing\\"),
    ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    ("line\nbreak\x1b[2J\u202e", "line\\x0abreak\\x1b[2J\\u202e"),
    ("", " "),
])
def test_a_table_cell_code_span_shows_exactly_the_text(text, shown):
    document = f"| h |\n|---|\n| {markdown_code(text, in_table=True)} |\n"
    cells = [token for token in markdown_tokens(document) if token.type == "inline"]
    assert len(cells) == 2  # the header cell and this one: the text made no other cell or row
    assert [(child.type, child.content) for child in cells[1].children] == [("code_inline", shown)]


def test_a_code_span_is_one_backtick_longer_than_the_longest_run_inside():
    assert markdown_code("a```b`c") == "````a```b`c````"
    assert markdown_code("plain") == "`plain`"


def test_a_fenced_block_outlasts_every_fence_inside_it():
    text = "+```\n````\n```` evil\n<img src=x>\n- \x1b[31mred\n"
    block = markdown_block(text, "diff")
    assert block.startswith("`````diff\n") and block.endswith("\n`````")
    (fence,) = [token for token in markdown_tokens(block + "\n\nafter [link](https://evil.example)\n")
                if token.type == "fence"]
    assert fence.info == "diff"
    assert fence.content == "+```\n````\n```` evil\n<img src=x>\n- \\x1b[31mred\n"


def test_printable_escapes_every_control_and_keeps_other_text():
    assert printable("caf\u00e9 \u00fc\u00df \u65e5\u672c tab\there") == "caf\u00e9 \u00fc\u00df \u65e5\u672c tab\there"
    assert printable("\x1b[31m\x07\x9b\x85\u202e\u2028\ud800\ufffe\x7f") == \
        "\\x1b[31m\\x07\\x9b\\x85\\u202e\\u2028\\ud800\\ufffe\\x7f"


# --- nodecfg diff ----------------------------------------------------------------------------------------

@pytest.fixture
def hostile_sides(tmp_path, monkeypatch):
    """old.yaml (the example) and a new side that adds the hostile key and value, named hostilely."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.yaml").write_text(EXAMPLE)
    marker = "      shutdownGracePeriod: 30s\n"
    assert marker in EXAMPLE
    (tmp_path / SOURCE_NAME).write_text(EXAMPLE.replace(marker, f"{marker}      {KEY_YAML}: {VALUE_YAML}\n"))
    return ["diff", "old.yaml", "--", SOURCE_NAME, "--instance-type", "m5.large"]


def test_diff_markdown_keeps_keys_values_and_origins_in_code_spans(hostile_sides, capsys):
    assert main([*hostile_sides, "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert_no_markup_from_input(out)
    assert not any(char in out for char in UNSAFE)
    # the key as a JSON pointer (/ written ~1), whole, in one code span, and the origin naming it
    code = [token.content for token in markdown_tokens(out) if token.type == "code_inline"]
    pointer = "/" + printable(KEY).replace("/", "~1")
    assert pointer in code
    assert "\"v` [Run fix](https://evil.example/r) \\u001b[31m \\u009b2J \\u202eexe.yaml\"" in code  # JSON-shown
    origins = [c for c in code if c.startswith(printable(SOURCE_NAME) + ":")]
    assert origins and all(f"(spec.kubelet.config.{pointer[1:]})" in origin for origin in origins)


def test_diff_text_writes_no_terminal_control(hostile_sides, capsys):
    assert main(hostile_sides) == 1
    captured = capsys.readouterr()
    assert not any(char in captured.out + captured.err for char in UNSAFE)
    assert f"<- {printable(SOURCE_NAME)}:" in captured.out
    assert f"  /{printable(KEY).replace('/', '~1')}: (absent) -> " in captured.out


def test_unified_diff_lines_are_escaped_in_text_and_fenced_in_markdown():
    path = "etc/kubernetes/pki/ca.crt"
    old = Side({path: b"one\n"}, {path: 0o644}, {})
    new = Side({path: b"one\n````\n\x1b]8;;https://evil.example\x07link\n"}, {path: 0o644}, {})
    diff = diff_sides(old, new)
    text = format_text(diff)
    assert "\x1b" not in text and "\x07" not in text
    assert "  +\\x1b]8;;https://evil.example\\x07link" in text
    markdown = format_markdown(diff)
    assert_no_markup_from_input(markdown)
    (fence,) = [token for token in markdown_tokens(markdown) if token.type == "fence"]
    assert "+````\n+\\x1b]8;;https://evil.example\\x07link\n" in fence.content


# --- explain and check -----------------------------------------------------------------------------------

def test_explain_shows_values_and_keys_with_their_controls_escaped(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = "      shutdownGracePeriod: 30s\n"
    (tmp_path / "n.yaml").write_text(EXAMPLE.replace(marker, f"{marker}      {KEY_YAML}: {VALUE_YAML}\n"))
    main(["explain", "n.yaml", "--instance-type", "m5.large"])
    captured = capsys.readouterr()
    assert not any(char in captured.out + captured.err for char in UNSAFE)
    assert f"{printable('/' + KEY.replace('/', '~1'))} = v` [Run fix](https://evil.example/r) \\x1b[31m" \
        in captured.out
    # the drop-in's keys in the "kubelet effective configuration" section come from the input too
    assert f"  {printable(KEY)} = " in captured.out


@pytest.fixture
def hostile_finding(tmp_path, monkeypatch):
    """A file whose NC210 message quotes a key holding every kind of control (and a name with one)."""
    monkeypatch.chdir(tmp_path)
    key = r'"bad\e[2J\a\x01\x0c\x9b\u202e\r\x7fkey"'
    (tmp_path / "c\x1bd.yaml").write_text(EXAMPLE.replace("      shutdownGracePeriod: 30s\n",
                                                          f"      {key}: 1\n"))
    return "c\x1bd.yaml"


def test_check_concise_writes_no_terminal_control(hostile_finding, capsys):
    assert main(["check", hostile_finding, "--format", "concise"]) == 0  # NC210 is a warning
    captured = capsys.readouterr()
    assert not any(char in captured.out + captured.err for char in (*UNSAFE, "\x01", "\x0c", "\x7f"))
    (line,) = captured.out.splitlines()
    assert line.startswith("c\\x1bd.yaml:12:7: NC210 [warning] unknown KubeletConfiguration field "
                           "'bad\\x1b[2J\\x07\\x01\\x0c\\x9b\\u202e\\x0d\\x7fkey'")


def test_junit_with_controls_in_a_key_is_well_formed_xml(hostile_finding, capsys):
    main(["check", hostile_finding, "--format", "junit"])
    out = capsys.readouterr().out
    root = ElementTree.fromstring(out.encode("utf-8"))  # raises on a character XML 1.0 forbids
    (failure,) = root.iter("failure")
    assert "'bad\\x1b[2J\\x07\\x01\\x0c\\x9b\\u202e\\x0d\\x7fkey'" in failure.get("message")
    (suite,) = root.iter("testsuite")
    assert suite.get("name") == "c\\x1bd.yaml"


@pytest.mark.parametrize("output_format", ["json", "sarif", "gitlab"])
def test_json_formats_with_controls_in_a_key_parse_and_keep_the_key(hostile_finding, capsys, output_format):
    main(["check", hostile_finding, "--format", output_format])
    out = capsys.readouterr().out
    assert "\x1b" not in out  # json.dumps writes \u001b
    strings = []

    def collect(value):
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            for item in value:
                collect(item)
        elif isinstance(value, str):
            strings.append(value)

    collect(json.loads(out))
    assert any("'bad\x1b[2J\x07\x01\x0c\x9b\u202e\r\x7fkey'" in text for text in strings)


def test_github_annotations_write_no_terminal_control(hostile_finding, capsys):
    main(["check", hostile_finding, "--format", "github"])
    out = capsys.readouterr().out
    assert not any(char in out for char in (*UNSAFE, "\x01", "\x0c", "\x7f"))
    assert "'bad\\x1b[2J\\x07\\x01\\x0c\\x9b\\u202e\\x0d\\x7fkey'" in out


# --- the language server's hover ------------------------------------------------------------------------

def test_hover_on_an_unknown_key_keeps_the_key_in_a_code_span(tmp_path):
    from nodecfg.lsp.document import hover, lint_document

    key = "x` ![i](https://evil.example/i.png) [Run fix](command:workbench.action.terminal.new) <b>b</b> `"
    text = EXAMPLE.replace("      shutdownGracePeriod: 30s\n", f"      {json.dumps(key)}: 1\n")
    linted = lint_document(text, str(tmp_path / "n.yaml"))
    (finding,) = [f for f in linted.findings if f.code == "NC210"]
    shown = hover(linted, finding.range.line, finding.range.character)
    message = shown.split("\n\n---\n\n")[0]  # the rest is the NC210 rule page, nodecfg's own Markdown
    assert_no_markup_from_input(message)
    (code,) = [token.content for token in markdown_tokens(message) if token.type == "code_inline"]
    assert f"'{key}'" in code
    assert "evil" not in shown.split("\n\n---\n\n", 1)[1]
