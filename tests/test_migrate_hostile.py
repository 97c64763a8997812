"""nodecfg migrate and the shell reader under hostile input (issue 22 classes 1, 5, 6; issue 25's migrate items).

Time bounds are CPU time of a child process (RUSAGE_CHILDREN), which also runs
under RLIMIT_CPU so that a regression fails instead of hanging the suite.
"""
from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers import cpu_seconds
from nodecfg.core.diagnostics import Severity
from nodecfg.parse.bash import read_shell
from nodecfg.parse.shell import extract_nodeadm_dropins
from nodecfg.userdata.migrate import _cidr_for_dns, migrate

HEAD = "#!/bin/bash\n"
CLUSTER = " --b64-cluster-ca Q0E= --apiserver-endpoint https://x.example --service-ipv4-cidr 10.100.0.0/16"
CALL = "/etc/eks/bootstrap.sh demo" + CLUSTER
CPU_LIMIT = 20  # seconds: the child is killed past this, so a regression fails instead of hanging
CLI_BOUND = 4.0  # seconds of CPU for one command, interpreter start-up included (the contract is 2 s of work)


def found(migration):
    return [(d.code, d.span.line, d.span.col, d.severity) for d in migration.diagnostics]


def run_cli(args: list[str], stdin=subprocess.DEVNULL, cwd: Path | None = None):
    """(completed process, CPU seconds it used)."""
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT))
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.run([sys.executable, "-m", "nodecfg", *args], stdin=stdin, capture_output=True,
                             preexec_fn=limits, cwd=cwd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return process, used


# --- class 1: heredoc data is never a command ------------------------------------------------------

ATTACK = (HEAD + 'cat > /root/notes-`date +%F`.txt <<"E O F"\n'
          "E\n"
          "/etc/eks/bootstrap.sh evil-cluster --apiserver-endpoint https://evil.example --b64-cluster-ca RVZJTA== "
          "--kubelet-extra-args '--node-labels=pwned=true'\n"
          "E O F\n" + CALL + "\n")


def test_a_bootstrap_line_inside_a_heredoc_is_never_migrated(tmp_path):
    source, out = tmp_path / "al2.sh", tmp_path / "al2023.mime"
    source.write_text(ATTACK)
    process, _ = run_cli(["migrate", str(source), "-o", str(out)])
    assert process.returncode == 1
    assert not out.exists()  # nothing written
    assert b"NC809" in process.stderr and b"al2.sh:4:1:" in process.stderr  # the heredoc's bootstrap line
    assert b"evil" not in process.stdout


def test_the_heredoc_of_the_attack_ends_at_its_whole_delimiter():
    (opener, *rest) = read_shell(ATTACK).commands[1:]
    (body,) = opener.heredocs
    assert (body.delimiter, body.quoted, body.first, body.stop, body.terminated) == ("E O F", True, 2, 4, True)
    assert body.lines[0] == "E"
    assert [command.text for command in rest] == [CALL, ""]


@pytest.mark.parametrize("operator,delimiter,quoted", [
    ('<<"E O F"', "E O F", True),
    ("<<'EOF'", "EOF", True),
    ("<<E\\ O\\ F", "E O F", True),
    ("<<\"E\"'O'F", "EOF", True),
    ('<<"a\\"b"', 'a"b', True),
    ("<<  END", "END", False),
    ("<<$X", "$X", False),  # bash does not expand the delimiter word
])
def test_the_delimiter_is_the_word_with_its_quotes_removed(operator, delimiter, quoted):
    text = f"cat {operator} > /tmp/x\nbody\n{delimiter}\necho after\n"
    commands = read_shell(text).commands
    (body,) = commands[0].heredocs
    assert (body.delimiter, body.quoted, body.lines) == (delimiter, quoted, ("body",))
    assert commands[1].text == "echo after"


def test_shift_in_arithmetic_is_not_a_heredoc():
    commands = read_shell("echo $((1 << 2))\n(( x <<= 1 ))\necho done\n").commands
    assert [c.heredocs for c in commands[:3]] == [(), (), ()]
    assert commands[2].text == "echo done"


@pytest.mark.parametrize("text,line,col", [
    ("X=$(cat <<EOF\n/etc/eks/bootstrap.sh evil\nEOF\n)\n", 2, 9),
    ("X=`cat <<EOF`\n", 2, 3),
    ("echo 'never closed\n", 2, 6),
    ("cat <<\n", 2, 5),
    ("echo " + "$(" * 150 + "\n", 2, 206),  # the 101st level
])
def test_shell_the_reader_cannot_delimit_refuses_the_migration(text, line, col):
    migration = migrate((HEAD + text + CALL + "\n").encode())
    assert found(migration) == [("NC810", line, col, Severity.ERROR)]
    assert migration.userdata == b""


@pytest.mark.parametrize("script,line", [
    ("if true; then\n" + CALL + "\nfi\n", 3),
    ("if [ -x /etc/eks/bootstrap.sh ]; then " + CALL + "; fi\n", 2),
    ("join() {\n  " + CALL + "\n}\njoin\n", 3),
    ("for i in 1 2; do\n" + CALL + "\ndone\n", 3),
    ("{ " + CALL + "; } > /var/log/join.log\n", 2),
    (CALL + "\n/etc/eks/bootstrap.sh other\n", 3),
])
def test_calls_that_may_not_run_or_run_twice_refuse_the_migration(script, line):
    migration = migrate((HEAD + script).encode())
    assert [(d.code, d.span.line, d.severity) for d in migration.diagnostics] == [("NC809", line, Severity.ERROR)]
    assert migration.userdata == b"" and migration.nodeconfig == {}


@pytest.mark.parametrize("redirect", [" > /var/log/join.log 2>&1", " &>> /var/log/join.log", " 2> /tmp/err </dev/null"])
def test_a_call_with_redirections_is_migrated_without_them(redirect):
    migration = migrate((HEAD + CALL + redirect + "\necho done\n").encode())
    assert migration.ok, migration.diagnostics
    assert migration.nodeconfig["spec"]["cluster"] == {
        "name": "demo", "apiServerEndpoint": "https://x.example", "certificateAuthority": "Q0E=",
        "cidr": "10.100.0.0/16"}
    assert migration.scripts == [b"#!/bin/bash\necho done\n"]


@pytest.mark.parametrize("wrapper", ["time ", "sudo -E ", "exec ", "bash "])
def test_a_call_behind_a_wrapper_is_migrated(wrapper):
    migration = migrate((HEAD + wrapper + CALL + "\n").encode())
    assert migration.ok and migration.nodeconfig["spec"]["cluster"]["name"] == "demo", migration.diagnostics


def test_a_call_after_a_closed_compound_is_migrated():
    migration = migrate((HEAD + "if true; then\n  echo hi\nfi\n" + CALL + "\n").encode())
    assert migration.ok and migration.nodeconfig["spec"]["cluster"]["name"] == "demo"


def test_text_inside_a_multi_line_string_is_not_a_call():
    script = HEAD + 'echo "\n/etc/eks/bootstrap.sh evil-cluster\n"\n' + CALL + "\n"
    migration = migrate(script.encode())
    assert migration.ok, migration.diagnostics
    assert migration.nodeconfig["spec"]["cluster"]["name"] == "demo"
    assert migration.scripts == [b'#!/bin/bash\necho "\n/etc/eks/bootstrap.sh evil-cluster\n"\n']


def test_the_linter_does_not_take_a_heredoc_inside_a_heredoc_for_a_dropin():
    script = ('cat > /root/notes <<"E O F"\nE\ncat <<\'X\' > /etc/eks/nodeadm.d/evil.yaml\n'
              "spec: {cluster: {name: evil}}\nX\nE O F\n")
    assert extract_nodeadm_dropins(script, "u") == ([], [])


def test_an_assignment_a_later_line_uses_is_kept():
    script = (HEAD + "B64_CLUSTER_CA=Q0E=\n"
              "/etc/eks/bootstrap.sh demo --b64-cluster-ca $B64_CLUSTER_CA --apiserver-endpoint https://x.example"
              " --service-ipv4-cidr 10.100.0.0/16\n"
              'echo "$B64_CLUSTER_CA" | base64 -d > /etc/pki/ca.crt\n')
    migration = migrate(script.encode(), uri="u.sh")
    assert migration.scripts == [b'#!/bin/bash\nB64_CLUSTER_CA=Q0E=\necho "$B64_CLUSTER_CA" | base64 -d > '
                                 b"/etc/pki/ca.crt\n"]
    assert "u.sh:2:1: B64_CLUSTER_CA (assignment) 'Q0E=' -> kept in the script: line 4 uses it" in migration.report()


def test_an_assignment_nothing_else_uses_goes_with_the_call():
    script = HEAD + "export KUBELET_EXTRA_ARGS=--max-pods=9\n" + CALL + "\necho done\n"
    assert migrate(script.encode()).scripts == [b"#!/bin/bash\necho done\n"]


CONTAINERD = "/etc/eks/containerd/extra.toml"


@pytest.mark.parametrize("delimiter,expected", [
    ("EOF", [("NC113", 4, 9, Severity.WARNING)]),
    ("'EOF'", []),
])
def test_an_unquoted_heredoc_body_copied_into_the_nodeconfig_is_flagged(delimiter, expected):
    script = (HEAD + f"cat <<{delimiter} > {CONTAINERD}\nversion = 2\nroot = \"$ROOT_DIR\"\nEOF\n"
              + CALL + f" --containerd-config-file {CONTAINERD}\n")
    migration = migrate(script.encode())
    assert [f for f in found(migration) if f[0] == "NC113"] == expected
    assert migration.nodeconfig["spec"]["containerd"]["config"] == 'version = 2\nroot = "$ROOT_DIR"\n'


# --- class 5: the heredoc grammar is linear --------------------------------------------------------

PATHOLOGICAL = HEAD + 'cat <<EOF "' + "$aaaa" * 51 + "\nEOF\n"  # 283 bytes: 4^51 ways to split it before


def test_the_283_byte_input_that_hung_every_command_is_linear(tmp_path):
    assert len(PATHOLOGICAL) == 283
    source = tmp_path / "user-data.sh"
    source.write_text(PATHOLOGICAL)
    for command in (["check", str(source)], ["migrate", str(source)]):
        process, used = run_cli(command)
        assert process.returncode == 1, process.stderr  # migrate: no bootstrap call; check: no NodeConfig
        assert b"Traceback" not in process.stderr
        assert used < CLI_BOUND, (command, used)


_SHELL_PIECES = st.sampled_from(['$a', '$ab', 'a', 'b', '"', "'", '\\', '${', '}', ' ', '<<', 'EOF', '`', '$(',
                                 ')', '|', ';', '&&', '#', '\n', '-', '<', '>', '$((', '((', '=', '\t'])


@given(st.lists(_SHELL_PIECES, min_size=1, max_size=12).map("".join))
def test_grammar_and_reader_time_grow_linearly_with_repetition(unit):
    """A unit repeated 300 times must parse about as fast as any 300-fold text; exponential or quadratic
    behaviour in the grammar or the reader shows up as seconds here."""
    from lark.exceptions import LarkError

    from nodecfg.parse.shell import _parser

    text = unit * 300

    def work() -> None:
        try:
            _parser().parse("cat <<EOF " + text.replace("\n", " "))
        except LarkError:
            pass
        read_shell(text)
        migrate((HEAD + text + "\n" + CALL + "\n").encode())

    _, used = cpu_seconds(work)
    assert used < 1.0


# --- class 6: bounds -----------------------------------------------------------------------------


def test_variable_doubling_stops_at_the_input_limit(tmp_path):
    source = tmp_path / "al2.sh"
    source.write_text(HEAD + "A=x\n" + 'A="$A$A"\n' * 40 + CALL + ' --kubelet-extra-args "$A"\n')
    process, used = run_cli(["migrate", str(source)])
    assert process.returncode == 1 and used < CLI_BOUND
    assert b"NC810" in process.stderr and b"1048576 bytes" in process.stderr
    assert process.stdout == b""


@pytest.mark.parametrize("word", [
    "a" * 1_040_000,
    '"' + "a" * 1_040_000 + '"',
    "\\a" * 520_000,
    "'--node-labels=" + "a" * 1_040_000 + "'",
    "x; if true; then echo " + '\\"' * 500_000 + "; fi",  # escaped quotes: once a quadratic rescan
])
def test_a_one_mebibyte_word_is_linear(tmp_path, word):
    source = tmp_path / "al2.sh"
    source.write_text(HEAD + CALL + " --kubelet-extra-args " + word + "\n")
    process, used = run_cli(["migrate", str(source), "--no-check", "-o", str(tmp_path / "out")])
    assert b"Traceback" not in process.stderr
    assert used < CLI_BOUND, used


@pytest.mark.parametrize("line", ["sudo/" * 200_000 + "x bootstrap.sh", "!a" * 500_000 + " bootstrap.sh"])
def test_looking_for_calls_in_a_heredoc_body_is_linear(tmp_path, line):
    source = tmp_path / "al2.sh"
    source.write_text(HEAD + "cat <<'EOF' > /tmp/x\n" + line + "\nEOF\n" + CALL + "\n")
    process, used = run_cli(["migrate", str(source), "--no-check"])
    assert used < CLI_BOUND, used
    assert b"Traceback" not in process.stderr and b"NC809" not in process.stderr  # not a call: no leader before it
    assert b"NC117" in process.stderr  # the 1 MiB script does not fit EC2's 16 KiB


@pytest.mark.parametrize("after", ["", "echo $KUBELET_EXTRA_ARGS\n"])
def test_forty_thousand_assignments_are_weighed_in_one_pass(tmp_path, after):
    source = tmp_path / "al2.sh"
    source.write_text(HEAD + "export KUBELET_EXTRA_ARGS=--v=2\n" * 40_000 + CALL + "\n" + after)
    process, used = run_cli(["migrate", str(source), "--no-check"])
    assert b"Traceback" not in process.stderr and used < CLI_BOUND, used


def test_heredocs_past_the_limit_refuse_the_migration():
    script = HEAD + "cat <<EOF\nx\nEOF\n" * 16_000 + CALL + "\n"
    started = time.process_time()
    migration = migrate(script.encode())
    assert time.process_time() - started < 1.0
    assert found(migration) == [("NC148", 2 + 3 * 100, 1, Severity.ERROR)]
    assert migration.userdata == b""


def test_sixty_thousand_heredocs_are_refused_in_bounded_time(tmp_path):
    source = tmp_path / "al2.sh"
    source.write_text(HEAD + "cat <<EOF\nx\nEOF\n" * 60_000 + CALL + "\n")
    process, used = run_cli(["migrate", str(source)])
    assert process.returncode == 1 and used < CLI_BOUND
    assert b"NC810" in process.stderr and b"more than 50000 lines" in process.stderr


def test_migrate_reads_an_endless_device_up_to_the_limit():
    process, used = run_cli(["migrate", "/dev/zero"])
    assert process.returncode == 1 and used < CLI_BOUND
    assert b"NC141" in process.stderr and process.stdout == b""


def test_userdata_reads_an_endless_stdin_up_to_the_limit():
    with open("/dev/zero", "rb") as zero:
        process, used = run_cli(["userdata", "-"], stdin=zero)
    assert process.returncode == 1 and used < CLI_BOUND
    assert b"NC141" in process.stderr and process.stdout == b""


# --- issue 25: migrate's output, $? and the cluster DNS --------------------------------------------


def test_findings_on_the_output_name_the_written_file(tmp_path):
    source, out = tmp_path / "al2.sh", tmp_path / "al2023.mime"
    source.write_text(HEAD + "/etc/eks/bootstrap.sh demo --apiserver-endpoint https://x.example\n")
    process, _ = run_cli(["migrate", str(source), "-o", str(out)])
    checked = process.stderr.split(b"`nodecfg check` of the output:")[1].decode()
    assert f"{out}:" in checked and "<input 1>" not in checked


@pytest.mark.parametrize("script,line,col", [
    (CALL + "\n/opt/aws/bin/cfn-signal --exit-code $? --stack s --resource r\n", 3, 37),
    (CALL + "\n\n# tell CloudFormation\nif [ ${?} -ne 0 ]; then exit 1; fi\n", 5, 6),
    (CALL + "; cfn-signal -e $? --stack s\n", 2, len(CALL) + 17),
    (CALL + " && cfn-signal -e $? --stack s\n", 2, len(CALL) + 19),
])
def test_exit_status_of_the_removed_call_is_an_error(script, line, col):
    migration = migrate((HEAD + script).encode())
    assert ("NC811", line, col, Severity.ERROR) in found(migration)
    assert not migration.ok and b"$?" in migration.scripts[0] or b"${?}" in migration.scripts[0]


def test_exit_status_read_later_is_not_flagged():
    migration = migrate((HEAD + CALL + "\necho joined\necho $?\n").encode())
    assert [f for f in found(migration) if f[0] == "NC811"] == []


@pytest.mark.parametrize("dns,cidr", [
    ("172.20.0.10", "172.20.0.0/16 (EKS's default when the VPC is in 10.0.0.0/8)"),
    ("10.100.0.10", "10.100.0.0/16 (EKS's default for other VPCs)"),
    ("10.50.3.10", "10.50.3.0/16, so"),
])
def test_dns_cluster_ip_suggests_the_service_cidr(dns, cidr):
    migration = migrate((HEAD + f"/etc/eks/bootstrap.sh demo --b64-cluster-ca Q0E= --apiserver-endpoint "
                         f"https://x.example --dns-cluster-ip {dns}\n").encode())
    (finding,) = [d for d in migration.diagnostics if d.code == "NC804"]
    assert f"the service CIDR {cidr}" in finding.hint
    assert migration.nodeconfig["spec"]["kubelet"]["config"]["clusterDNS"] == [dns]


def test_cidr_for_dns_is_get_cluster_dns_backwards():
    assert _cidr_for_dns("172.20.0.10") == "172.20.0.0/16"
    assert _cidr_for_dns("fd00:10:20::a") == "fd00:10:20::/108"
    assert _cidr_for_dns("172.20.0.53") is None  # nodeadm never derives a .53
    assert _cidr_for_dns("10.0.0.10,10.0.0.11") is None


# --- the library boundary and huge integers (issue 22 class 14, in migrate's own files) ------------


def test_an_unreadable_source_is_a_finding_and_the_command_exits_2(tmp_path):
    migration = migrate(tmp_path / "missing.sh")
    assert [(d.code, d.severity) for d in migration.diagnostics] == [("NC140", Severity.ERROR)]
    process, _ = run_cli(["migrate", str(tmp_path / "missing.sh")])
    assert process.returncode == 2 and b"NC140" in process.stderr and b"Traceback" not in process.stderr


def test_wrong_types_and_unknown_modes_are_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        migrate(b"#!/bin/bash\n", mode="bogus")
    with pytest.raises(TypeError, match="not int"):
        migrate(5)  # type: ignore[arg-type]


def test_a_max_pods_of_five_thousand_digits_stays_a_flag():
    migration = migrate((HEAD + CALL + " --kubelet-extra-args '--max-pods=" + "9" * 5000 + "'\n").encode())
    assert migration.nodeconfig["spec"]["kubelet"]["flags"] == ["--max-pods=" + "9" * 5000]
    assert "NC806" in {d.code for d in migration.diagnostics}
