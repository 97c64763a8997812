"""Heredoc drop-in extraction from user-data scripts, and the NC6xx script checks."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nodecfg.parse.shell import DROPIN_DIR, extract_nodeadm_dropins

BODY = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"


def script(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def codes(diagnostics):
    return [(d.code, d.span.line, d.span.col) for d in diagnostics]


@pytest.mark.parametrize("opener", [
    "cat <<EOF > /etc/eks/nodeadm.d/10-x.yaml",
    "cat > /etc/eks/nodeadm.d/10-x.yaml <<'EOF'",
    'cat <<"EOF" >/etc/eks/nodeadm.d/10-x.yaml',
    "cat << \\EOF > '/etc/eks/nodeadm.d/10-x.yaml'",
    "tee /etc/eks/nodeadm.d/10-x.yaml <<EOF",
    "sudo tee -a /etc/eks/nodeadm.d/10-x.yaml >/dev/null <<EOF",
    "cat <<EOF | sudo tee /etc/eks/nodeadm.d/10-x.yaml > /dev/null",
    "mkdir -p /etc/eks/nodeadm.d && cat <<EOF > /etc/eks/nodeadm.d/10-x.yaml",
    "cat <<EOF \\\n  > /etc/eks/nodeadm.d/10-x.yaml",
])
def test_heredoc_spellings_are_extracted(opener):
    text = f"#!/bin/bash\n{opener}\n{BODY}EOF\necho done\n"
    dropins, diagnostics = extract_nodeadm_dropins(text, "u#part=1", 6)
    assert diagnostics == []
    (dropin,) = dropins
    assert (dropin.path, dropin.name, dropin.text) == ("/etc/eks/nodeadm.d/10-x.yaml", "10-x.yaml", BODY)
    assert dropin.uri == "u#part=1#heredoc=10-x.yaml"
    body_line = opener.count("\n") + 3  # script line of 'apiVersion: ...'
    assert dropin.line_offset == body_line + 6 - 1


def test_dash_heredoc_strips_leading_tabs_from_body_and_delimiter():
    text = "if true; then\n\tcat <<-END > /etc/eks/nodeadm.d/x.yaml\n\tkind: NodeConfig\n\t\tspec: {}\n\tEND\nfi\n"
    (dropin,), diagnostics = extract_nodeadm_dropins(text, "u", 0)
    assert dropin.text == "kind: NodeConfig\nspec: {}\n" and dropin.line_offset == 2
    assert diagnostics == []


def test_unquoted_delimiter_with_expansion_warns_at_the_dollar():
    text = "cat <<EOF > /etc/eks/nodeadm.d/x.yaml\nkind: NodeConfig\nspec:\n  x: $REGION\nEOF\n"
    (dropin,), diagnostics = extract_nodeadm_dropins(text, "u", 10)
    assert codes(diagnostics) == [("NC113", 14, 6)]
    assert "$REGION" in dropin.text  # used literally


@pytest.mark.parametrize("line", ["  x: `hostname`", "  x: a\\\\b"])
def test_backquote_and_backslash_also_warn(line):
    text = f"cat <<EOF > /etc/eks/nodeadm.d/x.yaml\n{line}\nEOF\n"
    assert [d.code for d in extract_nodeadm_dropins(text, "u", 0)[1]] == ["NC113"]


def test_quoted_delimiter_does_not_warn_about_dollar():
    text = "cat <<'EOF' > /etc/eks/nodeadm.d/x.yaml\nx: $REGION\nEOF\n"
    assert extract_nodeadm_dropins(text, "u", 0)[1] == []


@pytest.mark.parametrize("target", [
    "/etc/eks/nodeadm.d/../../etc/passwd.yaml",
    "/etc/eks/nodeadm.d/../x.yaml",
    "/etc/eks/nodeadm.d/sub/x.yaml",
    "/etc/eks/nodeadm.d//x.yaml",
    "/etc/eks/nodeadm.d/",
    "/etc/eks/nodeadm.d/..",
    "/tmp/etc/eks/nodeadm.d/x.yaml",
    "$DIR/nodeadm.d/x.yaml",
    "/etc/eks/nodeadm.d/*.yaml",
    "/etc/eks/nodeadm.d/x.conf",
])
def test_targets_not_directly_inside_the_dropin_dir_are_refused(target):
    text = f"cat <<'EOF' > {target}\n{BODY}EOF\n"
    dropins, diagnostics = extract_nodeadm_dropins(text, "u", 0)
    assert dropins == []
    assert codes(diagnostics) == [("NC114", 1, 1)]


def test_targets_elsewhere_are_ignored_silently():
    text = "cat <<EOF > /etc/motd\nhello\nEOF\n"
    assert extract_nodeadm_dropins(text, "u", 0) == ([], [])


def test_heredoc_into_a_command_that_is_not_cat_or_tee_is_not_a_dropin():
    text = "python3 - <<'EOF' > /etc/eks/nodeadm.d/x.yaml\nprint('kind: NodeConfig')\nEOF\n"
    dropins, diagnostics = extract_nodeadm_dropins(text, "u", 0)
    assert dropins == [] and codes(diagnostics) == [("NC116", 1, 21)]


def test_unterminated_heredoc_is_read_to_the_end_with_a_warning():
    text = "cat <<'EOF' > /etc/eks/nodeadm.d/x.yaml\nkind: NodeConfig\n"
    (dropin,), diagnostics = extract_nodeadm_dropins(text, "u", 0)
    assert dropin.text == "kind: NodeConfig\n"
    assert codes(diagnostics) == [("NC115", 1, 1)]


def test_later_write_to_the_same_file_wins_and_dropins_come_in_name_order():
    text = script("""
        cat <<'EOF' > /etc/eks/nodeadm.d/20-b.yaml
        first
        EOF
        cat <<'EOF' > /etc/eks/nodeadm.d/10-a.yaml
        a
        EOF
        cat <<'EOF' > /etc/eks/nodeadm.d/20-b.yaml
        second
        EOF
        """)
    dropins, _ = extract_nodeadm_dropins(text, "u", 0)
    assert [(d.name, d.text, d.line_offset) for d in dropins] == [("10-a.yaml", "a\n", 4), ("20-b.yaml", "second\n", 7)]


def test_two_heredocs_on_one_line_take_their_bodies_in_order():
    text = "cat <<'A' > /etc/eks/nodeadm.d/a.yaml; cat <<'B' > /etc/eks/nodeadm.d/b.yaml\none\nA\ntwo\nB\n"
    dropins, _ = extract_nodeadm_dropins(text, "u", 0)
    assert [(d.name, d.text, d.line_offset) for d in dropins] == [("a.yaml", "one\n", 1), ("b.yaml", "two\n", 3)]


def test_command_line_the_grammar_cannot_read_is_reported_and_its_body_skipped():
    text = "cat <<'EOF' > \"$(echo /etc/eks/nodeadm.d)/x.yaml\"\nnodeadm init\nEOF\nnodeadm init\n"
    dropins, diagnostics = extract_nodeadm_dropins(text, "u", 0)
    assert dropins == []
    assert codes(diagnostics) == [("NC116", 1, 23), ("NC601", 2, 1), ("NC601", 4, 1)]


def test_write_without_heredoc_into_dropin_dir_is_nc116():
    text = "echo 'kind: NodeConfig' > /etc/eks/nodeadm.d/x.yaml\n"
    assert codes(extract_nodeadm_dropins(text, "u", 3)[1]) == [("NC116", 4, 27)]


def test_here_string_is_not_a_heredoc():
    text = "cat <<<'kind: NodeConfig' > /etc/eks/nodeadm.d/x.yaml\nEOF\n"
    dropins, diagnostics = extract_nodeadm_dropins(text, "u", 0)
    assert dropins == [] and [d.code for d in diagnostics] == ["NC116"]


def test_nodeadm_init_is_nc601_and_comments_are_skipped():
    text = "#!/bin/bash\n# nodeadm init is run for us\n  sudo nodeadm  init --skip run\n"
    assert codes(extract_nodeadm_dropins(text, "u", 0)[1]) == [("NC601", 3, 8)]


def test_al2_leftovers_are_nc602_and_bootstrap_sh_is_nc603_with_columns():
    text = script("""
        #!/bin/bash
        /etc/eks/bootstrap.sh my-cluster --kubelet-extra-args '--max-pods=20'
        export KUBELET_EXTRA_ARGS="--v=2"
        jq '.maxPods = 20' /etc/kubernetes/kubelet/kubelet-config.json > /tmp/k
        cat <<EOF > /etc/sysconfig/kubelet
        KUBELET_EXTRA_ARGS=--node-labels=a=b
        EOF
        """)
    assert codes(extract_nodeadm_dropins(text, "u", 0)[1]) == [
        ("NC603", 2, 1), ("NC602", 3, 8), ("NC602", 4, 20), ("NC602", 6, 1)]


def test_dropin_bodies_are_not_checked_as_commands():
    text = "cat <<'EOF' > /etc/eks/nodeadm.d/x.yaml\n# mentions nodeadm init and KUBELET_EXTRA_ARGS\nx: 1\nEOF\n"
    assert extract_nodeadm_dropins(text, "u", 0)[1] == []


def test_lark_is_loaded_only_for_scripts_with_a_heredoc():
    probe = ("import sys; from nodecfg.parse.shell import extract_nodeadm_dropins as x; "
             "x('#!/bin/sh\\necho > /tmp/y\\n', 'u', 0); print('lark' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "False"


_PIECES = st.sampled_from([
    "cat <<EOF > /etc/eks/nodeadm.d/", "<<-", "<<'", "EOF", "\t", "\n", "../", "x.yaml", "tee ",
    "/etc/eks/nodeadm.d/", "$", "`", "\\", "'", '"', "|", ";", "&&", " ", "$(", "#",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=25).map("".join))
def test_never_raises_and_never_yields_a_path_outside_the_dropin_dir(text):
    dropins, _ = extract_nodeadm_dropins(text, "u", 0)
    for dropin in dropins:
        assert dropin.path == DROPIN_DIR + dropin.name
        assert "/" not in dropin.name and dropin.name not in ("", ".", "..")


PLAIN_OPENERS = [
    "cat <<EOF > /etc/eks/nodeadm.d/10-x.yaml",
    "cat > /etc/eks/nodeadm.d/10-x.yaml <<'EOF'",
    'cat <<"EOF" >/etc/eks/nodeadm.d/10-x.yaml',
    "sudo tee -a /etc/eks/nodeadm.d/10-x.yaml >/dev/null <<-EOF",
    "  cat<<'NODECONFIG'>>/etc/eks/nodeadm.d/50-ssd.yaml  ",
]


def _grammar_reading(line):
    from nodecfg.parse.shell import _parse_with_grammar

    pipelines = _parse_with_grammar(line)
    return None if pipelines is None else [
        [[(element.data, tuple(map(str, element.children))) for element in command.children]
         for command in commands] for commands in pipelines]


def _plain_reading(line):
    from nodecfg.parse.shell import _plain_command

    pipelines = _plain_command(line)
    return None if pipelines is None else [
        [[(element.data, element.children) for element in command.children] for command in commands]
        for commands in pipelines]


@pytest.mark.parametrize("line", PLAIN_OPENERS)
def test_plain_command_lines_are_read_without_the_grammar_as_the_grammar_reads_them(line):
    assert _plain_reading(line) is not None
    assert _plain_reading(line) == _grammar_reading(line)


def test_a_script_with_a_plain_heredoc_does_not_load_lark():
    probe = ("import sys; from nodecfg.parse.shell import extract_nodeadm_dropins as x; "
             "d, _ = x(\"#!/bin/sh\\ncat <<'EOF' > /etc/eks/nodeadm.d/x.yaml\\na: 1\\nEOF\\n\", 'u', 0); "
             "print([p.name for p in d], 'lark' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "['x.yaml'] False"


_LINE_PIECES = st.sampled_from([
    "cat", "tee", "sudo", "-a", "/etc/eks/nodeadm.d/x.yaml", "EOF", "'EOF'", '"EOF"', "''", "'a b'", '"a b"',
    "<<", "<<-", "<<<", "<", ">", ">>", ">|", "&>", "2", "1", "2>", "#", "x#y", "=", "A=1", " ", "  ", "\t",
    "|", "&&", ";", "$X", "\\", "`", "(", "'", '"', "-", "\r", "é",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(_LINE_PIECES, max_size=12).map("".join))
def test_the_plain_reading_never_differs_from_the_grammar(line):
    plain = _plain_reading(line)
    if plain is not None:
        assert plain == _grammar_reading(line)
