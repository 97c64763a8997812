"""nodecfg migrate: the shell forms and bootstrap.sh's argument rules, finding by finding."""
from __future__ import annotations

from nodecfg.cli.main import main
from nodecfg.core.diagnostics import Severity
from nodecfg.userdata.migrate import migrate, split_kubelet_args
from nodecfg.userdata.migrate_shell import Expander

HEAD = "#!/bin/bash\n"
CLUSTER = " --b64-cluster-ca Q0E= --apiserver-endpoint https://x.example --service-ipv4-cidr 10.100.0.0/16"


def found(migration):
    return [(d.code, d.span.line, d.span.col, d.severity) for d in migration.diagnostics]


def test_unquoted_expansion_splits_into_words_like_bash():
    words = Expander({"ARGS": "--a=1  --b=2"}).commands('x $ARGS "$ARGS"')[0].words
    assert [w.text for w in words] == ["x", "--a=1", "--b=2", "--a=1  --b=2"]


def test_ansi_c_and_translatable_strings_lose_their_dollar_like_bash():
    assert Expander({}).commands("x $'e\\'f'") is None  # an escape in $'...' is not followed
    words = Expander({}).commands("x $'a b' $\"c d\"")[0].words
    assert [w.text for w in words] == ["x", "a b", "c d"]


def test_default_expansion_and_unknown_variables_kept():
    words = Expander({}).commands("x ${A:-one} ${tf_name} $(hostname)")[0].words
    assert [w.text for w in words] == ["x", "one", "${tf_name}", "$(hostname)"]
    assert words[2].unresolved == ["${tf_name}"]


def test_equals_form_is_a_positional_argument_for_bootstrap():
    line = "/etc/eks/bootstrap.sh demo" + CLUSTER + " --kubelet-extra-args=--max-pods=9"
    migration = migrate((HEAD + line + "\n").encode())
    assert ("NC802", 2, line.index("--kubelet-extra-args=") + 1, Severity.WARNING) in found(migration)
    assert "kubelet" not in migration.nodeconfig["spec"]


def test_option_without_value():
    line = "/etc/eks/bootstrap.sh demo" + CLUSTER + " --use-max-pods"
    migration = migrate((HEAD + line + "\n").encode())
    assert ("NC802", 2, line.index("--use-max-pods") + 1, Severity.WARNING) in found(migration)


def test_second_call_refuses_the_migration():
    migration = migrate((HEAD + "/etc/eks/bootstrap.sh demo" + CLUSTER + "\n/etc/eks/bootstrap.sh other\n").encode())
    assert found(migration) == [("NC809", 3, 1, Severity.ERROR)]
    assert migration.userdata == b"" and migration.nodeconfig == {}


def test_option_wins_over_environment():
    text = HEAD + "export KUBELET_EXTRA_ARGS=--max-pods=5\n/etc/eks/bootstrap.sh demo" + CLUSTER + \
        " --kubelet-extra-args --max-pods=7\n"
    assert migrate(text.encode()).nodeconfig["spec"]["kubelet"]["config"] == {"maxPods": 7}


def test_unexported_variable_is_not_environment():
    text = HEAD + "KUBELET_EXTRA_ARGS=--max-pods=5\n/etc/eks/bootstrap.sh demo" + CLUSTER + "\n"
    assert "kubelet" not in migrate(text.encode()).nodeconfig["spec"]


def test_no_bootstrap_call():
    migration = migrate(b"#!/bin/bash\necho hi\n", uri="ud.sh")
    assert found(migration) == [("NC800", 1, 1, Severity.ERROR)]
    assert migration.userdata == b""


def test_kubelet_args_take_the_next_word_unless_boolean():
    assert split_kubelet_args("--node-labels a=b --fail-swap-on --v 3") == [
        ("node-labels", "a=b", "--node-labels a=b"), ("fail-swap-on", None, "--fail-swap-on"), ("v", "3", "--v 3")]


def test_script_with_other_commands_is_kept_without_the_call():
    text = HEAD + "echo before\n/etc/eks/bootstrap.sh demo" + CLUSTER + "\necho after\n"
    assert migrate(text.encode()).scripts == [b"#!/bin/bash\necho before\necho after\n"]


def test_command_writes_userdata_and_exits_zero(tmp_path, capsys):
    source = tmp_path / "al2.sh"
    cluster = CLUSTER.replace("Q0E=", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==")
    source.write_text(HEAD + "/etc/eks/bootstrap.sh demo" + cluster + "\n")
    out = tmp_path / "al2023.mime"
    assert main(["migrate", str(source), "-o", str(out), "--no-check"]) == 0
    assert b"application/node.eks.aws" in out.read_bytes()
    assert "spec.cluster.name" in capsys.readouterr().err


def test_command_missing_file_is_usage_error(tmp_path):
    assert main(["migrate", str(tmp_path / "nope.sh")]) == 2


def test_the_example_in_docs_is_what_migrate_writes():
    import re
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "migrate.md").read_text()
    example = page[page.index("For this AL2 script"):]
    script = re.search(r"```bash\n(.*?)```", example, re.S).group(1)
    shown = re.search(r"```yaml\n(.*?)```", example, re.S).group(1)
    migration = migrate(script.encode())
    assert migration.scripts == []
    assert shown.encode() in migration.userdata
