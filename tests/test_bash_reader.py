"""nodecfg/parse/bash.py against bash itself: where a heredoc ends, and which lines are commands.

The scripts run here use only cat and echo, with an empty environment, so running them is harmless.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from nodecfg.parse.bash import read_shell

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash is the oracle; it is not installed here")


def run_bash(script: str, stderr: list[str] | None = None) -> str:
    process = subprocess.run([BASH, "--norc", "--noprofile"], input=script.encode(), capture_output=True,
                             env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"}, timeout=10)
    if stderr is not None:
        stderr.append(process.stderr.decode("utf-8", "replace"))
    return process.stdout.decode("utf-8", "replace")


_word_pieces = st.sampled_from(["E", "O", "F", "x", "-", "_", "$", "$x", "'", '"', "\\", "\\ ", "' '", '" "',
                                "'a b'", '"a\\"b"', "\\'", '\\"', "{", "}", "1", "$'", "$'a\\'b'", '$"',
                                "$'\\t'", "${x}", "${", "$(", ")", "`"])


@given(st.lists(_word_pieces, min_size=1, max_size=6).map("".join), st.booleans())
def test_the_heredoc_ends_where_bash_ends_it(word, dash):
    operator = "<<-" if dash else "<<"
    opener = f"f {operator}{word}"  # f ignores words after the delimiter word and prints its input
    assume(not opener.endswith("\\"))  # a backslash-newline would join the next line to the word
    shell = read_shell(opener + "\n")
    assume(shell.problem is None and shell.commands and len(shell.commands[0].heredocs) == 1)
    delimiter, strip_tabs = shell.commands[0].heredocs[0].delimiter, shell.commands[0].heredocs[0].strip_tabs
    assume(delimiter and "\n" not in delimiter and not (strip_tabs and delimiter.startswith("\t")))
    script = f"f() {{ cat; }}\n{opener}\nbody line\n{delimiter}\necho after the heredoc\n"
    (_, command, after, *_) = read_shell(script).commands
    assert command.heredocs[0].lines == ("body line",) and after.text == "echo after the heredoc"
    complaints: list[str] = []
    printed = run_bash(script, complaints)
    assume("syntax error" not in complaints[0])  # a word bash refuses (an unmatched parenthesis) runs nothing
    assert printed == "body line\nafter the heredoc\n", (word, delimiter)


@pytest.mark.parametrize("script", [
    'cat > /dev/null <<"E O F"\nE\necho inside\nE O F\necho outside\n',
    "echo 'one\necho two'\necho three\n",
    'echo "a $(echo b)\necho c"\necho d\n',
    "cat <<A; cat <<B\nfirst\nA\nsecond\nB\necho done\n",
    "cat <<-X\n\tindented\n\tX\necho done\n",
    "echo a \\\necho b\necho c\n",
    "echo $((1 << 2))\necho shifted\n",
    "cat <<'E'\"N\"D\n$HOME `x`\nEND\necho done\n",
])
def test_command_lines_are_the_ones_bash_runs(script):
    """Each command line read_shell finds, run alone, prints what bash prints for it within the whole script."""
    shell = read_shell(script)
    assert shell.problem is None
    pieces = []
    for command in shell.commands:
        lines = shell.lines[command.first:command.last + 1]
        for body in command.heredocs:
            lines += shell.lines[body.first:body.stop + (1 if body.terminated else 0)]
        pieces.append("\n".join(lines) + "\n")
    assert "".join(pieces).rstrip("\n") == script.rstrip("\n")  # the commands and bodies tile the script
    assert "".join(run_bash(piece) for piece in pieces if piece.strip()) == run_bash(script)


_PIECES = [
    "echo plain", 'echo "two\nlines"', "echo 'single\nquoted'", "echo joined \\\nline", "# a comment with ' and \"",
    "cat <<E\nbody $((1+1))\nE", "cat <<'E O F'\nE\necho not a command\nE O F", "cat <<-\"T\"\n\tx\n\tT",
    'echo "$(echo "inner\nnewline")"', "echo $'ansi \\' quote'", "cat <<A; cat <<B\na\nA\nb\nB",
    "echo `echo back\nquote`", "x=1 # trailing ' quote", "echo ${HOME:-'a\nb'}", "(( 1 << 2 )) && echo shift",
    "if true; then\necho in if\nfi", "cat <<E | cat\nE\nE", "echo \"a\\\"b\" 'c'\"d\"",
]


@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8))
def test_generated_scripts_split_into_the_commands_bash_runs(pieces):
    script = "\n".join(pieces) + "\n"
    shell = read_shell(script)
    assert shell.problem is None
    parts = []
    for command in shell.commands:
        lines = shell.lines[command.first:command.last + 1]
        for body in command.heredocs:
            lines += shell.lines[body.first:body.stop + (1 if body.terminated else 0)]
        parts.append("\n".join(lines) + "\n")
    assert "".join(parts).rstrip("\n") == script.rstrip("\n")
    # each part is whole for bash: a boundary inside a quote or substitution leaves an unexpected EOF
    # (the lines of an if, split on purpose, are not run alone)
    for part in parts:
        if not part.lstrip().startswith(("if", "echo in if", "fi")) and part.strip():
            errors: list[str] = []
            run_bash(part, errors)
            assert "syntax error" not in errors[0] and "unexpected EOF" not in errors[0], part
