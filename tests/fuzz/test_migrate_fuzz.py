"""Fuzzing `nodecfg migrate` with generated AL2 user data: scripts with one real bootstrap.sh call among
assignments, quoting, continuations, compound commands, multi-line strings and heredocs whose bodies may hold a
decoy call and decoy delimiter lines.

Properties: migrate never raises and stays within a CPU-time bound; what it writes is user data nodecfg reads
back (parts intact, the NodeConfig part one YAML mapping); a decoy call is never migrated: the migration either
names the real cluster or refuses (NC809, nothing written) when a decoy sits where bash may run it or inside a
heredoc.  The example budget comes from the hypothesis profile (tests/conftest.py): "ci" by default,
HYPOTHESIS_PROFILE=long for 10,000 examples (docs/limits.md).
"""
from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from helpers import cpu_seconds
from nodecfg.parse.mime import split_userdata
from nodecfg.parse.yaml import parse_yaml_documents
from nodecfg.userdata.migrate import migrate

CPU_BOUND = 2.0  # seconds per example; the generated scripts are a few KiB
DECOY = "/etc/eks/bootstrap.sh decoy-cluster --apiserver-endpoint https://decoy.example --b64-cluster-ca REVDT1k="

_name = st.sampled_from(["CLUSTER", "CA", "ENDPOINT", "ARGS", "B64_CLUSTER_CA", "KUBELET_EXTRA_ARGS", "X"])
_plain = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-=./:,", min_size=0, max_size=12)


@st.composite
def _quoted(draw, value=_plain) -> str:
    text = draw(value)
    style = draw(st.sampled_from(["plain", "single", "double", "dollar", "mixed"]))
    if style == "single":
        return f"'{text}'"
    if style == "double":
        return '"' + text.replace('"', '\\"') + '"'
    if style == "dollar":
        return f'"${{{draw(_name)}}}{text}"'
    if style == "mixed":
        return f"{text}'{text}'\"$X\""
    return text or "x"


@st.composite
def _assignment(draw) -> str:
    export = draw(st.sampled_from(["", "export "]))
    return f"{export}{draw(_name)}={draw(_quoted())}"


@st.composite
def _delimiter(draw) -> tuple[str, str]:
    """(the word written after <<, the line that ends the heredoc)."""
    return draw(st.sampled_from([
        ("EOF", "EOF"), ("'EOF'", "EOF"), ('"EOF"', "EOF"), ("\\EOF", "EOF"), ('"E O F"', "E O F"),
        ("E\\ O\\ F", "E O F"), ("'E'\"N\"D", "END"), ("$X", "$X"),
    ]))


@st.composite
def _heredoc(draw, decoy: bool) -> list[str]:
    word, end = draw(_delimiter())
    dash = draw(st.booleans())
    target = draw(st.sampled_from(["> /etc/motd", "> /root/notes-`date +%F`.txt", "| tee /tmp/x >/dev/null",
                                   "> /etc/eks/nodeadm.d/10-x.yaml", ""]))
    before = draw(st.sampled_from(["cat", "sudo tee /tmp/y", "python3 -"]))
    opener = f"{before} <<{'-' if dash else ''}{word} {target}".rstrip()
    decoys = [end[:1], end + " ", " " + end, end.lower(), "\\" + end]  # lines that do not end it
    body = draw(st.lists(st.one_of(st.sampled_from(decoys), _plain, _assignment()), max_size=4))
    if decoy:
        body.insert(draw(st.integers(0, len(body))), DECOY)
    closing = ("\t" if dash and draw(st.booleans()) else "") + end
    return [opener, *body, closing]


@st.composite
def _other(draw) -> list[str]:
    return draw(st.sampled_from([
        ["yum install -y jq"], ["echo \"starting $(date)\""], ["# /etc/eks/bootstrap.sh in a comment"],
        ["if [ -f /etc/x ]; then", "  echo yes", "fi"], ["for i in 1 2; do echo $i; done"],
        ['echo "multi', DECOY, 'line"'], ["echo 'multi", DECOY, "line'"], ["set -ex"],
        ["exec > >(tee /var/log/user-data.log) 2>&1"], ["systemctl restart amazon-ssm-agent"],
    ]))


@st.composite
def _call(draw) -> list[str]:
    cluster = draw(st.sampled_from(["demo", '"demo"', "'demo'", "de\\mo", '"de"mo']))
    options = draw(st.lists(st.sampled_from([
        ["--b64-cluster-ca", "Q0E="], ["--apiserver-endpoint", "https://demo.example"],
        ["--service-ipv4-cidr", "10.100.0.0/16"], ["--kubelet-extra-args", "'--max-pods=20 --node-labels=a=b'"],
        ["--kubelet-extra-args", '"$ARGS"'], ["--dns-cluster-ip", "172.20.0.10"], ["--use-max-pods", "false"],
        ["--container-runtime", "containerd"], ["--local-disks", "raid0"],
    ]), max_size=5))
    words = [draw(st.sampled_from(["/etc/eks/bootstrap.sh", "sudo /etc/eks/bootstrap.sh"])), cluster]
    words += [word for option in options for word in option]
    redirect = draw(st.sampled_from(["", " > /var/log/join.log 2>&1", " &>>/tmp/log", " </dev/null"]))
    if draw(st.booleans()):  # one option per line, with backslash continuations
        return [words[0] + " " + words[1] + " \\", *("  " + " ".join(pair) + " \\" for pair in options),
                "  " + redirect]
    return [" ".join(words) + redirect]


@st.composite
def al2_scripts(draw) -> tuple[str, bool]:
    """(the script, whether a decoy call sits inside a heredoc body)."""
    pieces: list[list[str]] = [[a] for a in draw(st.lists(_assignment(), max_size=3))]
    pieces += draw(st.lists(_other(), max_size=3))
    in_heredoc = False
    for _ in range(draw(st.integers(0, 3))):
        decoy = draw(st.booleans())
        in_heredoc = in_heredoc or decoy
        pieces.append(draw(_heredoc(decoy)))
    pieces.insert(draw(st.integers(0, len(pieces))), draw(_call()))
    if draw(st.booleans()):
        pieces.append(["/opt/aws/bin/cfn-signal --exit-code $? --stack s --resource r"])
    lines = ["#!/bin/bash", *(line for piece in pieces for line in piece)]
    return "\n".join(lines) + "\n", in_heredoc


@given(al2_scripts())
def test_migrate_never_raises_never_hangs_and_never_migrates_a_decoy(generated):
    script, decoy_in_heredoc = generated
    migration, used = cpu_seconds(lambda: migrate(script.encode(), uri="al2.sh"))
    assert used < CPU_BOUND
    assert "decoy" not in json.dumps(migration.nodeconfig)
    codes = {d.code for d in migration.diagnostics}
    if decoy_in_heredoc:
        assert migration.userdata == b"" and "NC809" in codes, script
        return
    assert migration.userdata, (script, migration.diagnostics)
    assert migration.nodeconfig["spec"]["cluster"]["name"] == "demo"
    readback = split_userdata(migration.userdata, "out")
    assert not [d for d in readback.diagnostics if d.severity.name == "ERROR"], readback.diagnostics
    nodeconfigs = [part for part in readback.parts if part.content_type == "application/node.eks.aws"]
    documents, problems = parse_yaml_documents(nodeconfigs[0].body.decode(), "out")
    assert problems == [] and documents[0].data["kind"] == "NodeConfig"
    assert [part.body for part in readback.parts if part.content_type.startswith("text/x-shellscript")] == \
        migration.scripts
