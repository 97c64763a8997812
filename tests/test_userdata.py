"""Composing user data: layout, boundary, documents, encodings, merge-into, checks, CLI, goldens."""
from __future__ import annotations

import base64
import gzip
import json
import shutil
from pathlib import Path

import pytest

import nodecfg
from nodecfg.cli.main import main
from nodecfg.core.diagnostics import Severity
from nodecfg.parse.mime import split_userdata
from nodecfg.pipeline import Request, analyse
from nodecfg.userdata.compose import NewPart, append_parts, choose_boundary, compose, split_documents, write_multipart

ROOT = Path(__file__).parent.parent
GOLDEN = ROOT / "golden" / "userdata"
COMPLETE = (ROOT / "golden" / "plain-yaml" / "nodeconfig.yaml").read_bytes()
FRAGMENT = b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    flags: [--v=2]\n"
SCRIPT = b"#!/bin/bash\necho hello\n"


def codes(diagnostics):
    return [(d.code, d.span.uri, d.span.line) for d in diagnostics]


# --- layout -----------------------------------------------------------------------


def test_layout_is_headers_then_parts_each_with_one_newline_before_the_next_delimiter():
    parts = [NewPart("text/x-shellscript", b"#!/bin/sh\necho a\n", "a.sh"),
             NewPart("application/node.eks.aws", b"kind: NodeConfig", "n.yaml")]
    assert write_multipart(parts) == (
        b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="==NODECFG=="\n\n'
        b'--==NODECFG==\nContent-Type: text/x-shellscript; charset="us-ascii"\n\n#!/bin/sh\necho a\n\n'
        b"--==NODECFG==\nContent-Type: application/node.eks.aws\n\nkind: NodeConfig\n"
        b"--==NODECFG==--\n")


def test_non_ascii_scripts_declare_utf8():
    assert NewPart("text/x-shellscript", "echo é".encode(), "x").content_type == 'text/x-shellscript; charset="utf-8"'


def test_parts_come_in_type_order_then_given_order():
    result = compose([FRAGMENT, COMPLETE], [b"#!/bin/sh\n1\n", b"#!/bin/sh\n2\n"], [b"#cloud-config\n{}\n"],
                     boothooks=[b"#cloud-boothook\n"], check=False)
    parts = split_userdata(result.mime, "u").parts
    assert [(p.content_type, p.body) for p in parts] == [
        ("text/cloud-boothook", b"#cloud-boothook\n"), ("text/x-shellscript", b"#!/bin/sh\n1\n"),
        ("text/x-shellscript", b"#!/bin/sh\n2\n"), ("text/cloud-config", b"#cloud-config\n{}\n"),
        ("application/node.eks.aws", FRAGMENT), ("application/node.eks.aws", COMPLETE)]


# --- boundary ---------------------------------------------------------------------


def test_boundary_is_the_default_unless_a_body_contains_it():
    assert choose_boundary([b"plain"]) == "==NODECFG=="
    assert choose_boundary([b"x ==NODECFG== y"]) == "==NODECFG-1=="
    assert choose_boundary([b"==NODECFG==", b"==NODECFG-1=="]) == "==NODECFG-2=="


def test_a_body_with_the_default_delimiter_line_still_round_trips():
    body = b"#!/bin/sh\n--==NODECFG==\n--==NODECFG==--\n"
    result = compose([COMPLETE], [body])
    assert result.ok
    assert [p.body for p in split_userdata(result.mime, "u").parts] == [body, COMPLETE]


# --- documents --------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("a: 1\n", [(1, "a: 1\n")]),
    ("---\na: 1\n---\nb: 2\n", [(1, "---\na: 1\n"), (3, "---\nb: 2\n")]),
    ("# head\n---\na: 1\n# tail\n", [(1, "# head\n---\na: 1\n# tail\n")]),
    ("a: 1\n...\n# next\n---\nb: 2\n", [(1, "a: 1\n...\n"), (3, "# next\n---\nb: 2\n")]),
    ("a: 1\n---\n# only a comment\n", [(1, "a: 1\n---\n# only a comment\n")]),
    ("--- {a: 1}\n--- {b: 2}\n", [(1, "--- {a: 1}\n"), (2, "--- {b: 2}\n")]),
    ("a: |\n  ---\n  text\n---\nb: 2\n", [(1, "a: |\n  ---\n  text\n"), (4, "---\nb: 2\n")]),
    ("a: 1\r\n---\r\nb: 2\r\n", [(1, "a: 1\r\n"), (2, "---\r\nb: 2\r\n")]),
    ("a: ---x\n----\n", [(1, "a: ---x\n----\n")]),
    ("# nothing\n---\n", []),
    ("", []),
])
def test_split_documents_keeps_each_documents_text_and_first_line(text, expected):
    assert split_documents(text.encode()) == [(line, part.encode()) for line, part in expected]


def test_each_document_of_a_file_becomes_its_own_part_so_nodeadm_reads_all_of_them(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_bytes(COMPLETE + b"---\n" + FRAGMENT)
    result = compose([path])
    assert result.ok and result.diagnostics == []
    merged = analyse([result.mime]).merged.data
    assert merged["spec"]["kubelet"]["flags"] == ["--node-labels=team=platform", "--v=2"]


def test_a_file_with_no_document_is_refused(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing here\n")
    result = compose([COMPLETE, empty])
    assert codes(result.diagnostics) == [("NC160", str(empty), 1)] and not result.ok


def test_an_input_file_over_1_mib_is_refused_without_reading_it_all(tmp_path):
    huge = tmp_path / "huge.sh"
    huge.write_bytes(b"#" * (2 << 20))
    result = compose([COMPLETE], [huge])
    assert codes(result.diagnostics) == [("NC141", str(huge), 1)] and not result.ok


def test_mappings_are_written_as_yaml():
    config = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig",
              "spec": {"kubelet": {"config": {"maxPods": 17}, "flags": ["--v=4"]}}}
    result = compose([config], request=Request((), "karpenter"))
    assert result.ok, result.diagnostics
    assert analyse([result.mime], mode="karpenter").merged.data == config


# --- encodings and the EC2 limit ----------------------------------------------------


def test_gzip_is_deterministic_with_mtime_zero_and_no_file_name():
    first = compose([COMPLETE], [SCRIPT], gzip=True)
    second = compose([COMPLETE], [SCRIPT], gzip=True)
    assert first.data == second.data
    header = first.data[:10]
    assert header[:3] == b"\x1f\x8b\x08" and header[3] == 0 and header[4:8] == b"\0\0\0\0"  # no FNAME, mtime 0
    assert gzip.decompress(first.data) == first.mime


def test_base64_encodes_after_gzip_and_nodecfg_reads_it_back():
    result = compose([COMPLETE], [SCRIPT], gzip=True, base64=True)
    assert gzip.decompress(base64.b64decode(result.data, validate=True)) == result.mime
    assert analyse([result.data]).diagnostics == []


def test_over_16_kib_is_refused_and_the_limit_is_counted_after_gzip_before_base64():
    big = b"#!/bin/bash\n" + b"echo padding padding padding\n" * 600  # about 17.4 KB, compresses well
    plain = compose([COMPLETE], [big])
    assert [d.code for d in plain.diagnostics] == ["NC117"] and not plain.ok
    assert compose([COMPLETE], [big], gzip=True, base64=True).ok


def test_just_at_the_limit_is_accepted():
    head = compose([COMPLETE], [b"#!/bin/bash\n"]).mime
    exact = b"#!/bin/bash\n" + b"#" * (16384 - len(head)) + b"\n"
    result = compose([COMPLETE], [exact[:-1]])
    assert len(result.mime) == 16384 and result.ok
    assert not compose([COMPLETE], [exact]).ok


# --- checks, located in the inputs ---------------------------------------------------


def test_findings_point_at_the_input_file_and_line(tmp_path):
    path = tmp_path / "n.yaml"
    path.write_bytes(COMPLETE + b"---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kublet: {}\n")
    result = compose([path])
    assert codes(result.diagnostics) == [("NC201", str(path), 18)]
    assert not result.ok
    assert result.texts[str(path)].splitlines()[17] == "  kublet: {}"


def test_missing_cluster_fields_are_fine_in_managed_modes_only():
    assert {d.code for d in compose([FRAGMENT]).diagnostics} == {"NC301"}
    assert compose([FRAGMENT], request=Request((), "managed-nodegroup")).diagnostics == []
    assert compose([FRAGMENT], request=Request((), "karpenter")).diagnostics == []


def test_script_findings_point_at_the_script():
    result = compose([COMPLETE], ["echo no shebang\r\n"])
    assert codes(result.diagnostics) == [("NC110", "<script 1>", 1), ("NC162", "<script 1>", 1)]
    assert not result.ok  # NC110: cloud-init cannot execute a script without #!


def test_boothooks_are_not_reported_as_a_type_nodeadm_ignores():
    assert compose([COMPLETE], boothooks=["#cloud-boothook\necho hi\n"]).diagnostics == []


def test_instance_context_reaches_the_render_checks():
    v3 = COMPLETE.replace(b"  kubelet:", b'  containerd:\n    config: |\n      version = 3\n  kubelet:')
    from nodecfg.context.instance import instance_from_mapping

    assert compose([v3]).ok
    old = compose([v3], request=Request((), instance=instance_from_mapping({"containerdVersion": "1.7.27"})))
    assert [d.code for d in old.diagnostics] == ["NC502"]


def test_compose_userdata_raises_with_the_findings_and_returns_bytes_when_clean():
    assert nodecfg.compose_userdata([COMPLETE], [SCRIPT]).startswith(b"MIME-Version: 1.0\n")
    with pytest.raises(nodecfg.UserDataError) as raised:
        nodecfg.compose_userdata([FRAGMENT])
    assert {d.code for d in raised.value.diagnostics} == {"NC301"}
    assert "NC301" in str(raised.value)


def test_compose_userdata_reads_paths_and_takes_str_as_content(tmp_path):
    path = tmp_path / "n.yaml"
    path.write_bytes(COMPLETE)
    from_path = nodecfg.compose_userdata([path], [SCRIPT.decode()])
    assert from_path == nodecfg.compose_userdata([COMPLETE.decode()], [SCRIPT])


# --- merge-into ----------------------------------------------------------------------


CRLF_USERDATA = (b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n'
                 b"--B\r\nContent-Type: text/x-shellscript\r\n\r\n#!/bin/sh\necho a\n\r\n--B--\r\n")


def test_merge_into_keeps_existing_bytes_and_uses_their_line_endings():
    merged, problem = append_parts(split_userdata(CRLF_USERDATA, "u"), [NewPart("application/node.eks.aws", COMPLETE, "n")])
    assert problem is None
    closing = CRLF_USERDATA.index(b"--B--")
    assert merged == (CRLF_USERDATA[:closing] + b"--B\r\nContent-Type: application/node.eks.aws\r\n\r\n"
                      + COMPLETE + b"\r\n" + CRLF_USERDATA[closing:])
    parsed = split_userdata(merged, "u")
    assert parsed.diagnostics == [] and [p.body for p in parsed.parts] == [b"#!/bin/sh\necho a\n", COMPLETE]


def test_merge_into_a_multipart_with_no_parts_yet():
    empty = b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B--\r\n'
    merged, problem = append_parts(split_userdata(empty, "u"), [NewPart("text/x-shellscript", SCRIPT, "s")])
    assert problem is None
    assert [p.body for p in split_userdata(merged, "u").parts] == [SCRIPT]


def test_merge_into_wrapped_user_data_unwraps_it_first():
    existing = base64.b64encode(gzip.compress(CRLF_USERDATA, mtime=0))
    result = compose([COMPLETE], merge_into=existing)
    assert result.ok and result.mime.startswith(CRLF_USERDATA[:CRLF_USERDATA.index(b"--B--")])


def test_merge_into_a_plain_nodeconfig_makes_it_the_first_part():
    result = compose([FRAGMENT], merge_into=COMPLETE)
    assert result.ok
    assert [(p.content_type, p.body) for p in split_userdata(result.mime, "u").parts] == [
        ("application/node.eks.aws", COMPLETE), ("application/node.eks.aws", FRAGMENT)]


def test_merge_into_refuses_a_part_that_contains_the_existing_delimiter():
    """NC161 is at the script's line 3, where '--B' starts a line and would end the new part."""
    result = compose([COMPLETE], ["#!/bin/sh\necho\n--B\n"], merge_into=CRLF_USERDATA)
    assert [(d.code, d.span.uri, d.span.line, d.span.col, str(d.severity)) for d in result.diagnostics] == [
        ("NC161", "<script 1>", 3, 1, "error")]
    assert "starts with '--B'" in result.diagnostics[0].message and not result.ok


def test_merge_into_finds_the_delimiter_after_a_lone_cr():
    """cloud-init's reader ends a line at a lone CR: '--B' after one starts a line (line 2, column 3)."""
    result = compose([COMPLETE], ["#!/bin/sh\nx\r--B\n"], merge_into=CRLF_USERDATA)
    assert [(d.code, d.span.line, d.span.col) for d in result.diagnostics] == [("NC161", 2, 3)]


def test_merge_into_accepts_the_delimiter_inside_a_line():
    """'echo --B' does not start a line, so neither Go's reader nor cloud-init's ends the part there."""
    result = compose([COMPLETE], ["#!/bin/sh\necho --B\n"], merge_into=CRLF_USERDATA)
    assert result.ok and "NC161" not in [d.code for d in result.diagnostics]
    assert b"#!/bin/sh\necho --B\n" in [p.body for p in split_userdata(result.mime, "u").parts]


def test_merge_into_user_data_that_ends_after_a_delimiter_line_points_at_that_line(tmp_path):
    """A bare '--B' line at the end is a clean end for nodeadm, but leaves no closing line to insert before."""
    existing = tmp_path / "lt.mime"
    existing.write_bytes(b'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/x-shellscript'
                         b"\n\n#!/bin/sh\necho a\n--B\n")
    result = compose([COMPLETE], merge_into=existing)
    assert [(d.code, d.span.uri, d.span.line, d.span.col, str(d.severity)) for d in result.diagnostics] == [
        ("NC161", str(existing), 8, 1, "error")]
    assert result.diagnostics[0].hint == "end the user data with a line '--B--'"


def test_merge_into_refuses_broken_user_data():
    broken = b'Content-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: text/x-shellscript\n\nx\n'
    result = compose([COMPLETE], merge_into=broken)
    assert [d.code for d in result.diagnostics] == ["NC106", "NC110"] and not result.ok


def test_findings_in_existing_parts_name_the_merged_file(tmp_path):
    existing = tmp_path / "lt.mime"
    existing.write_bytes(b'Content-Type: multipart/mixed; boundary="B"\n\n--B\n'
                         b"Content-Type: application/node.eks.aws\n\n"
                         + FRAGMENT.replace(b"flags", b"flgas") + b"\n--B--\n")
    result = compose([COMPLETE], merge_into=existing)
    assert codes(result.diagnostics) == [("NC201", f"{existing}#part=1", 10)]


# --- injection patterns: EKS managed node groups and Karpenter -------------------------


def merged_config(mime: bytes) -> dict:
    analysis = analyse([mime])
    assert [d for d in analysis.diagnostics if d.severity >= Severity.ERROR] == []
    return analysis.merged.data["spec"]


def test_managed_nodegroup_appends_its_nodeconfig_after_the_launch_template_parts():
    spec = merged_config((GOLDEN / "managed-nodegroup-merge" / "expected.mime").read_bytes())
    assert spec["cluster"]["name"] == "demo" and spec["cluster"]["cidr"] == "10.100.0.0/16"
    # the later EKS document adds clusterDNS (its stand-in here sets no maxPods: eksctl's integration test shows
    # an AL2023 managed node group's nodes getting the launch template's); the launch template's settings stay
    assert spec["kubelet"]["config"] == {"maxPods": 20, "shutdownGracePeriod": "30s", "clusterDNS": ["10.100.0.10"]}
    assert spec["kubelet"]["flags"] == [
        "--node-labels=role=batch",
        "--node-labels=eks.amazonaws.com/nodegroup-image=ami-0123456789abcdef0,"
        "eks.amazonaws.com/capacityType=ON_DEMAND,eks.amazonaws.com/nodegroup=general"]


def test_karpenter_nodeconfig_comes_first_and_the_nodeclass_parts_follow():
    spec = merged_config((GOLDEN / "karpenter-merge" / "expected.mime").read_bytes())
    assert spec["kubelet"]["config"] == {
        "clusterDNS": ["10.100.0.10"], "maxPods": 58,
        "registerWithTaints": [{"effect": "NoExecute", "key": "karpenter.sh/unregistered"}],
        "imageGCHighThresholdPercent": 70, "shutdownGracePeriod": "45s"}
    assert spec["kubelet"]["flags"] == [
        "--node-labels=karpenter.sh/capacity-type=on-demand,karpenter.sh/nodepool=default", "--node-labels=team=ml"]


def test_injection_builds_the_same_tree_as_the_documents_in_that_order():
    case = GOLDEN / "managed-nodegroup-merge"
    fragment = split_userdata((case / "launch-template.mime").read_bytes(), "lt").parts[1].body
    as_userdata = nodecfg.compile([case / "expected.mime"], instance={"instanceType": "m5.large"})
    as_files = nodecfg.compile([fragment, case / "eks-injected.yaml"], instance={"instanceType": "m5.large"})
    assert as_userdata.files and as_userdata.files == as_files.files


# --- golden compositions ---------------------------------------------------------------


CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "args.txt").is_file())


def test_there_are_at_least_five_golden_compositions():
    assert len(CASES) >= 5


@pytest.mark.parametrize("case", CASES)
def test_golden_composition(case, tmp_path, monkeypatch, request):
    directory = GOLDEN / case
    args = (directory / "args.txt").read_text().splitlines()
    expected = next(directory.glob("expected.*"))
    monkeypatch.chdir(directory)
    output = tmp_path / expected.name
    assert main(["userdata", *args, "-o", str(output)]) == 0
    if request.config.getoption("--update-golden"):
        shutil.copyfile(output, expected)
    actual = output.read_bytes()
    if expected.suffix == ".b64":  # compare what EC2 stores, not one zlib's deflate choices
        actual, wanted = base64.b64decode(actual), base64.b64decode(expected.read_bytes())
        assert actual[:10] == wanted[:10] and gzip.decompress(actual) == gzip.decompress(wanted)
    else:
        assert actual == expected.read_bytes()


# --- the command line --------------------------------------------------------------------


def test_cli_prints_user_data_to_stdout(tmp_path, capsysbinary):
    case = GOLDEN / "script-and-nodeconfig"
    assert main(["userdata", "--script", str(case / "sysctl.sh"), str(case / "nodeconfig.yaml")]) == 0
    out = capsysbinary.readouterr().out
    assert [p.body for p in split_userdata(out, "u").parts] == [
        (case / "sysctl.sh").read_bytes(), (case / "nodeconfig.yaml").read_bytes()]


def test_cli_reads_a_nodeconfig_from_stdin(monkeypatch, capsysbinary):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(COMPLETE)))
    assert main(["userdata", "-"]) == 0
    assert split_userdata(capsysbinary.readouterr().out, "u").parts[0].body == COMPLETE


def test_cli_refuses_with_exit_1_and_writes_nothing(tmp_path, capsysbinary):
    fragment = tmp_path / "f.yaml"
    fragment.write_bytes(FRAGMENT)
    output = tmp_path / "out"
    assert main(["userdata", str(fragment), "-o", str(output)]) == 1
    assert not output.exists()
    captured = capsysbinary.readouterr()
    assert captured.out == b"" and b"NC301" in captured.err
    assert main(["userdata", str(fragment), "--mode", "managed-nodegroup", "-o", str(output)]) == 0


def test_cli_usage_and_io_errors_exit_2(tmp_path, capsys):
    assert main(["userdata"]) == 2
    assert main(["userdata", str(tmp_path / "missing.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["userdata", "-", "--script", "-"]) == 2


def test_cli_options_and_positionals_mix(tmp_path, capsysbinary):
    complete, fragment = tmp_path / "c.yaml", tmp_path / "f.yaml"
    complete.write_bytes(COMPLETE)
    fragment.write_bytes(FRAGMENT)
    assert main(["userdata", str(complete), "--base64", str(fragment)]) == 0
    parts = split_userdata(base64.b64decode(capsysbinary.readouterr().out), "u").parts
    assert [p.body for p in parts] == [COMPLETE, FRAGMENT]


# --- the rest of the library surface ---------------------------------------------------------


def test_lint_is_callable_before_and_after_the_lint_package_is_imported():
    import nodecfg.linter.engine  # binds the subpackage as nodecfg.lint

    assert nodecfg.lint([COMPLETE]) == []
    assert nodecfg.linter.engine.lint([COMPLETE]).diagnostics == []


def test_lint_takes_instance_context_keywords():
    v3 = COMPLETE.replace(b"  kubelet:", b'  containerd:\n    config: |\n      version = 3\n  kubelet:')
    assert "NC502" not in {d.code for d in nodecfg.lint([v3])}  # the default containerd is 2.x
    assert [d.code for d in nodecfg.lint([v3], containerd_version="1.7.27")] == ["NC502"]
    assert [d.code for d in nodecfg.lint([v3], instance={"containerdVersion": "1.7.27"})] == ["NC502"]
    assert [d.code for d in nodecfg.lint([v3], containerd_version="one")] == ["NC092"]
    assert {d.code for d in nodecfg.lint([FRAGMENT], mode="managed-nodegroup")} == set()
    with pytest.raises(TypeError):
        nodecfg.lint([v3], containerd="1.7")


def test_max_pods_by_type_and_expression():
    assert nodecfg.max_pods("m5.large") == 29  # 3 ENIs * (10 - 1) + 2
    assert nodecfg.max_pods("m5.large", "default_enis * (ips_per_eni - 1)") == 27
    assert nodecfg.max_pods("no-such.type") == 110

