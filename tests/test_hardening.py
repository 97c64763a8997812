"""Regression tests for issue 15 ("Hardening, round two"): one or more per item, inputs of our own.

Findings are asserted as (code, line, col, severity); time bounds are CPU seconds (tests/cputime.py), generous
multiples of what the fixed code takes, far below what the defects took.
"""
from __future__ import annotations

import io
import json
import os
import signal
import tarfile
from pathlib import Path

import pytest

import nodecfg
from cputime import CpuTime
from nodecfg.cli.main import main
from nodecfg.core.diagnostics import Diagnostic, Severity, Span
from nodecfg.parse.yaml import parse_yaml_documents

ROOT = Path(__file__).resolve().parents[1]
VALID = (ROOT / "examples" / "nodeconfig.yaml").read_text()
CLUSTER = VALID.split("  kubelet:")[0]  # header, spec: and the cluster section
CLUSTER_LINES = CLUSTER.count("\n")


def found(diagnostics, *codes):
    return [(d.code, d.span.line, d.span.col, d.severity) for d in diagnostics if not codes or d.code in codes]


def with_spec(extra: str) -> bytes:
    return (CLUSTER + extra).encode()


# --- 1. no pickle from lark's shared cache ---------------------------------------------------

def test_heredoc_grammar_never_reads_or_writes_a_pickle(monkeypatch, tmp_path):
    import pickle

    import lark

    from nodecfg.parse import shell

    def refuse(*args, **kwargs):
        raise AssertionError("a pickle was loaded")

    seen = []
    real_init = lark.Lark.__init__

    def spy(self, grammar, **options):
        seen.append(options)
        real_init(self, grammar, **options)

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(lark.Lark, "__init__", spy)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    shell._parser.cache_clear()
    try:
        dropins, _ = shell.extract_nodeadm_dropins(
            # a pipe: a plain one-command line is read without the grammar
            "cat <<'EOF' | tee /etc/eks/nodeadm.d/a.yaml\nkind: NodeConfig\nEOF\n", "s.sh")
    finally:
        shell._parser.cache_clear()
    assert [d.name for d in dropins] == ["a.yaml"]
    assert seen and all(not options.get("cache") for options in seen)
    assert list(tmp_path.iterdir()) == []  # no cache file planted or written in the temp directory


# --- 2. resolved.conf -------------------------------------------------------------------------

NETWORK_LINE = CLUSTER_LINES + 3  # nameservers: (a list merges whole, so its key is reported)


def _network(nameservers: list[str], domains: list[str]) -> bytes:
    return with_spec("  instance:\n    network:\n      nameservers:\n"
                     + "".join(f"        - {json.dumps(n)}\n" for n in nameservers)
                     + "      domains:\n" + "".join(f"        - {json.dumps(d)}\n" for d in domains))


@pytest.mark.parametrize("server", [
    "10.0.0.2#dns.example\nDNSStubListener=no",
    "10.0.0.2%eth0\nDNSStubListener=no",
    "10.0.0.2:0", "10.0.0.2:65536", "fd00::1:53x", "10.0.0.2 10.0.0.3", "dns.example", "10.0.0.2#",
    "10.0.0.2%a/b", "01.0.0.2", "[10.0.0.2]:53",
])
def test_nameserver_is_validated_whole(server):
    diagnostics = nodecfg.lint([_network([server], ["corp.example"])])
    assert found(diagnostics, "NC309", "NC320") == [("NC309", NETWORK_LINE, 7, Severity.ERROR)]


@pytest.mark.parametrize("server", ["10.0.0.2", "10.0.0.2:53", "[fd00::1]:53", "fd00::1", "fe80::1%eth0",
                                    "10.0.0.2%eth0#dns.example", "[fd00::2]:853%2#dns.example."])
def test_resolved_dns_grammar_is_accepted(server):
    assert found(nodecfg.lint([_network([server], ["~."])]), "NC309", "NC320") == []


@pytest.mark.parametrize("domain", ["corp example", "corp.example\nDNS=192.0.2.66", ".", "", "a..b",
                                    "x" * 64 + ".example", "bad!.example"])
def test_domains_are_dns_names(domain):
    diagnostics = nodecfg.lint([_network(["10.0.0.2"], [domain])])
    assert found(diagnostics, "NC309", "NC320") == [("NC320", NETWORK_LINE + 2, 7, Severity.ERROR)]


def test_compile_never_writes_a_value_that_breaks_resolved_conf():
    # NC309/NC320 are advisory (nodeadm writes the file anyway): rendering goes on,
    # but a value with a line break is refused by the renderer itself
    result = nodecfg.compile([_network(["10.0.0.2\nDNSStubListener=no"], ["ok.example"])])
    assert "run/systemd/resolved.conf.d/40-eks.conf" not in result.files
    assert ("NC540", NETWORK_LINE, 7, Severity.ERROR) in found(result.diagnostics, "NC540")
    assert all(b"DNSStubListener" not in data for data in result.files.values())


def test_line_breaker_names_every_line_ending_and_control():
    from nodecfg.core.lines import line_breaker

    for char in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00\x1b\x7f\x9b\t":
        assert line_breaker(f"a{char}b") == char
    assert line_breaker("10.0.0.2#dns.example") is None and line_breaker("bücher.example") is None


def test_build_refuses_and_check_fails_on_the_injection(tmp_path, capsys):
    source = tmp_path / "n.yaml"
    source.write_bytes(_network(["10.0.0.2#dns.example\nDNSStubListener=no"], ["corp.example"]))
    assert main(["check", str(source)]) == 1
    assert main(["build", str(source), "-o", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()


# --- 3, 6. complex keys -------------------------------------------------------------------------

def test_aliases_inside_a_complex_key_cost_nothing():
    # the anchors live inside the key only: 2**40 nodes if the key were expanded or printed
    ladder = ", ".join(["&a0 [x, x]"] + [f"&a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 40)])
    text = f"b: 1\n? [{ladder}]\n: 1\n"
    with CpuTime() as spent:
        documents, diagnostics = parse_yaml_documents(text, "k.yaml")
    assert spent.seconds < 3
    assert found(diagnostics) == [("NC147", 2, 3, Severity.ERROR)]
    assert documents[0].data == {"b": 1}


def test_mapping_key_in_a_flow_mapping_is_refused():
    _, diagnostics = parse_yaml_documents("a: {? {b: c} : d, e: f}\n", "k.yaml")
    assert found(diagnostics) == [("NC147", 1, 7, Severity.ERROR)]


def test_merge_key_pulling_in_a_complex_key_does_not_crash():
    text = (CLUSTER + "  kubelet:\n    config:\n      <<: {? [1, 2] : x, maxPods: 20}\n      podsPerCore: 2\n")
    result = nodecfg.compile([text.encode()])
    line = CLUSTER_LINES + 3
    assert ("NC147", line, 14, Severity.ERROR) in found(result.diagnostics, "NC147")
    assert nodecfg.lint([text.encode()])  # no TypeError either
    assert result.files == {}  # nodeadm cannot decode the document


# --- 4. every YAML read is bounded --------------------------------------------------------------

def test_cloud_config_merge_key_bomb_is_bounded():
    from nodecfg.parse.mime import cloud_config_problem

    lines = ["a0: &a0 {k0: 1}"] + [f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}], k{i}: 1}}" for i in range(1, 45)]
    ladder = ["b0: &b0 [x, x]"] + [f"b{i}: &b{i} [*b{i - 1}, *b{i - 1}]" for i in range(1, 40)]
    with CpuTime() as spent:
        problem = cloud_config_problem(("\n".join(lines + ladder) + "\n").encode())
    assert spent.seconds < 10  # it took 40 s
    assert problem is not None and problem[0] == 46 and "100000 nodes" in problem[2]


@pytest.mark.parametrize("text,line,col,words", [
    ("#\n" * 60_000, 50_001, 1, "50000 lines"),
    ("[" * 3_000 + "]" * 3_000, 1, 102, "nests deeper"),
    ("? [[a]]\n: 1\n", 1, 3, "invalid map key"),
])
def test_instance_file_uses_the_bounded_reader(tmp_path, text, line, col, words):
    from nodecfg.context.instance import load_instance_file

    path = tmp_path / "instance.yaml"
    path.write_text(text)
    with CpuTime() as spent:
        values, diagnostics = load_instance_file(str(path))
    assert spent.seconds < 2
    assert values == {} and found(diagnostics) == [("NC090", line, col, Severity.ERROR)]
    assert words in diagnostics[0].message


def test_instance_file_positions_come_from_the_reader(tmp_path):
    from nodecfg.context.instance import load_instance_file

    path = tmp_path / "instance.yaml"
    path.write_text("instanceType: m5.large\nvcpus: -1\nbogus: 1\n")
    values, diagnostics = load_instance_file(str(path))
    assert values == {"instanceType": "m5.large"}
    assert found(diagnostics) == [("NC092", 2, 8, Severity.ERROR), ("NC091", 3, 1, Severity.ERROR)]


def test_one_event_allowance_for_all_parts_of_an_input(monkeypatch):
    from nodecfg.parse.yaml import EventAllowance

    monkeypatch.setattr(EventAllowance, "DEFAULT", 3_000)
    monkeypatch.setattr(EventAllowance.__init__, "__defaults__", (3_000,))
    part = (CLUSTER + "  containerd:\n    baseRuntimeSpec:\n"
            + "".join(f"      k{i}: {i}\n" for i in range(400))).encode()
    mime = b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n' + b"".join(
        b"--B\nContent-Type: application/node.eks.aws\n\n" + part + b"\n" for _ in range(6)) + b"--B--\n"
    diagnostics = nodecfg.lint([mime])
    refused = [d for d in diagnostics if d.code == "NC123"]
    # each part is about 830 events: parts 1-3 are read, the fourth runs out, 5 and 6 are refused at once
    assert [d.span.uri for d in refused] == [f"<input 1>#part={n}" for n in (4, 5, 6)]
    assert all(d.severity == Severity.ERROR and "in all" in d.message for d in refused)


# --- 5, 14. bounded, escaped output -----------------------------------------------------------

def test_many_findings_on_one_long_line_print_little(tmp_path, capsys):
    source = tmp_path / "n.yaml"
    source.write_text(CLUSTER + "  kubelet:\n    flags: [" + ",".join(["yes"] * 5_000) + "]\n")
    assert main(["check", str(source)]) == 1
    captured = capsys.readouterr()
    assert len(captured.out) < 50_000
    assert "nodecfg: 4980 more NC122 findings in" in captured.out
    longest = max(len(line) for line in captured.out.splitlines())
    assert longest < 400
    assert "5000 warnings" in captured.err


def test_excerpt_window_keeps_the_caret_under_the_column():
    from nodecfg.output.report import excerpt

    line = "".join(f"{i:05d}," for i in range(2_000))
    column = line.index("01234") + 1
    shown = excerpt(Diagnostic("NC122", Severity.WARNING, Span("f", 1, column), "m"), {"f": line})
    text, caret = shown.split("\n")
    assert len(text) < 140 and text.index("01234") == caret.index("^")


def test_total_and_per_code_caps():
    from nodecfg.output.report import MAX_PER_CODE, MAX_SHOWN, limit

    many = [Diagnostic("NC201", Severity.ERROR, Span(f"f{i % 40}.yaml", i, 1), "m") for i in range(2_000)]
    shown, notes = limit(many)
    assert len(shown) == MAX_SHOWN  # 40 files x 20 would be 800
    # 50 per file: 30 of each file are over the per-code cap, and 300 of the other 800 over the total
    assert notes[-1] == f"nodecfg: {40 * MAX_PER_CODE - MAX_SHOWN} more findings not shown (at most {MAX_SHOWN} are printed)"
    assert sum(1 for note in notes if note.endswith("not shown") and "NC201" in note) == 40


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_terminal_control_characters_are_escaped(tmp_path, capsys, output_format):
    source = tmp_path / "n.yaml"
    source.write_text(CLUSTER + '  "x\\e[2J\\a\\u202e\\x9b": 1\n')
    assert main(["check", str(source), "--format", output_format]) == 1
    out = capsys.readouterr().out
    assert not any(char in out for char in "\x1b\x07\u202e\x9b")
    assert "x\\x1b[2J\\x07\\u202e\\x9b" in out


# --- 7. merging is linear, with the same provenance --------------------------------------------

def test_merging_large_free_form_maps_is_fast():
    from nodecfg.merge.nodeconfig import merge_documents

    def document(nested: bool):
        spec = {f"k{i}": ({"a": i} if nested else i) for i in range(9_500)}
        return nodecfg.core.document.Document("x", {"spec": {"containerd": {"baseRuntimeSpec": spec}}}, {}, {})

    with CpuTime() as spent:
        merged = merge_documents([document(True), document(False), document(True)])
    assert spent.seconds < 4
    assert len(merged.provenance) == 9_500 and "/spec/containerd/baseRuntimeSpec/k7/a" in merged.provenance


# --- 8. heredocs -----------------------------------------------------------------------------

def test_heredocs_per_script_are_capped():
    from nodecfg.parse.shell import MAX_HEREDOCS, extract_nodeadm_dropins

    script = "#!/bin/bash\n" + "".join(f"cat <<'EOF' > /etc/eks/nodeadm.d/d{i:04d}.yaml\nkind: x\nEOF\n"
                                       for i in range(1_000))
    with CpuTime() as spent:
        dropins, diagnostics = extract_nodeadm_dropins(script, "s.sh")
    assert spent.seconds < 3
    assert len(dropins) == MAX_HEREDOCS
    assert found(diagnostics, "NC148") == [("NC148", 2 + 3 * MAX_HEREDOCS, 1, Severity.ERROR)]


# --- 9. boundary -----------------------------------------------------------------------------

def test_boundary_search_is_one_pass_and_exact():
    from nodecfg.userdata.compose import choose_boundary

    assert choose_boundary([b"plain"]) == "==NODECFG=="
    assert choose_boundary([b"==NODECFG===NODECFG-1===NODECFG-2=="]) == "==NODECFG-3=="  # overlapping
    assert choose_boundary([b"==NODECFG-01==", b"==NODECFG=="]) == "==NODECFG-1=="
    assert choose_boundary([b"==NODECFG-2==", b"==NODECFG=="]) == "==NODECFG-1=="
    script = b"".join(b"# ==NODECFG-%d==\n" % i for i in range(1, 50_000)) + b"# ==NODECFG==\n"
    with CpuTime() as spent:
        assert choose_boundary([script]) == "==NODECFG-50000=="
    assert spent.seconds < 2


# --- 10. numbers JSON cannot hold --------------------------------------------------------------

def test_nan_and_infinity_are_refused_like_nodeadm():
    text = CLUSTER + "  containerd:\n    baseRuntimeSpec:\n      a: .nan\n      b: -.Inf\n"
    result = nodecfg.compile([text.encode()])
    assert found(result.diagnostics, "NC145") == [("NC145", CLUSTER_LINES + 3, 10, Severity.ERROR),
                                                  ("NC145", CLUSTER_LINES + 4, 10, Severity.ERROR)]
    assert result.files == {}


def test_render_json_prints_nothing_invalid(tmp_path, capsys):
    source = tmp_path / "n.yaml"
    source.write_text(CLUSTER + "  containerd:\n    baseRuntimeSpec:\n      a: .inf\n")
    assert main(["render", str(source), "--output-format", "json"]) == 1
    assert capsys.readouterr().out == ""


def test_a_float_beyond_float64_stays_a_string_as_in_go_yaml():
    documents, diagnostics = parse_yaml_documents("a: 1" + "0" * 400 + "\nb: 1e999\nc: 1e300\n", "n.yaml")
    assert documents[0].data == {"a": "1" + "0" * 400, "b": "1e999", "c": 1e300}
    assert diagnostics == []


@pytest.mark.parametrize("number", ["1" + "0" * 400, "-1e999"])
def test_json_number_beyond_float64_is_refused(tmp_path, capsys, number):
    text = ('{\t"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": {"containerd": '
            '{"baseRuntimeSpec": {"a": ' + number + '}}}}')
    _, diagnostics = parse_yaml_documents(text, "n.json")
    assert found(diagnostics, "NC146") == [("NC146", 1, 1, Severity.ERROR)]
    source = tmp_path / "n.json"
    source.write_text(text)
    assert main(["build", str(source), "-o", str(tmp_path / "out.tar")]) == 1
    assert main(["explain", str(source)]) == 1


def test_json_nan_literal_is_not_json():
    # YAML reads NaN as a string, but nodeadm decodes a text starting with '{' as JSON
    _, diagnostics = parse_yaml_documents('{\n\t"a": NaN\n}', "n.json")
    assert found(diagnostics) == [("NC145", 1, 1, Severity.ERROR)]


# --- 11. long paths ---------------------------------------------------------------------------

def _environment(service: str) -> bytes:
    return with_spec(f"  instance:\n    environment:\n      {service}:\n        A: b\n")


def test_long_service_name_is_written_with_a_pax_header(tmp_path):
    service = "s" * 200
    output = tmp_path / "out.tar"
    source = tmp_path / "n.yaml"
    source.write_bytes(_environment(service))
    assert main(["build", str(source), "-o", str(output)]) == 0
    with tarfile.open(output) as archive:
        names = archive.getnames()
        member = archive.extractfile(f"etc/systemd/system/{service}.service.d/environment.conf")
        assert member.read() == b'[Service]\nEnvironment="A=b"\n'
    assert "etc/kubernetes/kubelet/config.json" in names


def test_service_name_over_systemds_unit_name_limit_is_refused():
    result = nodecfg.compile([_environment("s" * 248)])
    assert ("NC530", CLUSTER_LINES + 4, 12, Severity.ERROR) in found(result.diagnostics, "NC530")
    assert nodecfg.compile([_environment("s" * 247)]).ok


def test_short_paths_stay_plain_ustar():
    from nodecfg.output.emit import tar_bytes
    from nodecfg.core.filetree import FileEntry

    data = tar_bytes({"etc/" + "d" * 90 + "/" + "f" * 90: FileEntry(b"x", 0o644)}, gzip=False, mtime=0)
    assert b"PaxHeader" not in data and b"path=" not in data


# --- 12. YAML writers -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a\x7fb", "a\x85b", "a\x9bb", "x\u2028y", "\ufeffz", "tab\there"])
def test_kubeconfig_reads_back_with_control_characters(name):
    from nodecfg.render.kubeconfig import kubeconfig_document, to_yaml

    text = to_yaml(kubeconfig_document(cluster=name, region="us-west-2", server="https://h\x85x"))
    documents, diagnostics = parse_yaml_documents(text, "kubeconfig")
    assert diagnostics == []
    assert documents[0].data["users"][0]["user"]["exec"]["args"][3] == name
    assert documents[0].data["clusters"][0]["cluster"]["server"] == "https://h\x85x"
    assert all(char not in text for char in "\x7f\x85\x9b\u2028\ufeff")


@pytest.mark.parametrize("value", ["@home", "`x", "a\x00b", "a\x85b", "\x1b[31m", "line\nbreak\x85\n"])
def test_render_yaml_reads_back(value):
    from nodecfg.encode.yaml import dump_yaml

    documents, diagnostics = parse_yaml_documents(dump_yaml({"k": value}), "r.yaml")
    assert diagnostics == [] and documents[0].data == {"k": value}


def test_compose_userdata_refuses_a_lone_surrogate_with_a_finding():
    with pytest.raises(nodecfg.UserDataError) as refused:
        nodecfg.compose_userdata([{"spec": {"cluster": {"name": "\ud800"}}}])
    assert "NC124" in str(refused.value)


# --- 13. explain ------------------------------------------------------------------------------

def test_explain_survives_toml_dates_and_unbalanced_quotes(tmp_path, capsys):
    source = tmp_path / "n.yaml"
    source.write_text(CLUSTER + "  containerd:\n    config: |\n      [plugins]\n      when = 1979-05-27T07:32:00Z\n"
                      "  kubelet:\n    flags:\n      - --node-labels=\"a=b\n")
    assert main(["explain", str(source)]) in (0, 1)
    out = capsys.readouterr().out
    assert '/plugins/when = "1979-05-27 07:32:00+00:00"' in out


# --- 15, 16, 17. instance tables ----------------------------------------------------------------

def _table(entries) -> str:
    return json.dumps({"InstanceTypes": entries})


def _card(enis, ips=10):
    return {"NetworkCards": [{"MaximumNetworkInterfaces": enis}], "Ipv4AddressesPerInterface": ips}


@pytest.mark.parametrize("entry,words", [
    ({"InstanceType": "x1.large", "VCpuInfo": [2], "NetworkInfo": _card(3)}, None),
    ({"InstanceType": "x1.large", "MemoryInfo": "lots", "NetworkInfo": _card(3)}, None),
    ({"InstanceType": "x1.large", "NetworkInfo": {"NetworkCards": 4, "Ipv4AddressesPerInterface": 10}},
     "NetworkCards is not a list"),
    ({"InstanceType": "x1.large", "NetworkInfo": _card(3, -8)}, "ips -8 is outside 1..1024"),
    ({"InstanceType": "x1.large", "NetworkInfo": _card(10 ** 40)}, "outside 1..1024"),
    ({"InstanceType": "x1.large", "VCpuInfo": {"DefaultVCpus": 10 ** 6}, "NetworkInfo": _card(3)},
     "vcpus 1000000 is outside"),
])
def test_instance_table_shapes_and_ranges(entry, words):
    from nodecfg.nodeadm.instance_table import parse_table_text

    table, diagnostics = parse_table_text(_table([entry]), "t.json")
    if words is None:  # a wrong shape of an optional figure: the figure is unknown
        assert table["x1.large"].vcpus is None and table["x1.large"].memory_mib is None
        assert diagnostics == []
    else:
        assert table == {} and found(diagnostics) == [("NC094", 1, 1, Severity.WARNING)]
        assert words in diagnostics[0].message


def test_jsonl_figures_out_of_range_are_skipped():
    from nodecfg.nodeadm.instance_table import parse_table_text

    text = ('{"instanceType": "x1.large", "defaultMaxENIs": 3, "ipv4AddressesPerInterface": -8}\n'
            '{"instanceType": "x2.large", "defaultMaxENIs": 3, "ipv4AddressesPerInterface": 10, "memoryMiB": 0}\n')
    table, diagnostics = parse_table_text(text, "t.jsonl")
    assert table == {} and found(diagnostics) == [("NC094", 1, 1, Severity.WARNING),
                                                  ("NC094", 2, 1, Severity.WARNING)]


def test_build_continues_past_a_warning_level_table_problem(tmp_path):
    source = tmp_path / "n.yaml"
    source.write_text(VALID)
    table = tmp_path / "t.jsonl"
    table.write_text('{"instanceType": "x1.large", "defaultMaxENIs": 3}\n')
    assert main(["build", str(source), "--instance-table", str(table), "-o", str(tmp_path / "out.tar")]) == 0
    assert main(["explain", str(source), "--instance-table", str(table)]) == 0


# --- 18. signals during build and leftovers ----------------------------------------------------

def _tree():
    from nodecfg.core.filetree import FileEntry

    return {f"etc/f{i}": FileEntry(b"new %d" % i, 0o644) for i in range(20)}


@pytest.mark.parametrize("name", ["rootfs", "out.tar.gz"])
def test_sigterm_while_writing_cleans_up_and_keeps_the_old_output(tmp_path, monkeypatch, name):
    from nodecfg.output import emit

    target = tmp_path / name
    emit.write_output({"etc/old": _tree()["etc/f0"]}, target)
    before = sorted(p.name for p in tmp_path.iterdir())

    # the signal arrives while a file of the directory, or the archive, is being written
    owner, attribute = (emit, "_write_file") if name == "rootfs" else (emit.os, "fdopen")
    real = getattr(owner, attribute)

    def interrupted(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, attribute, interrupted)
    with pytest.raises(emit.EmitInterrupted) as stopped:
        emit.write_output(_tree(), target)
    assert stopped.value.exit_code == 128 + signal.SIGTERM
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary sibling left
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the handler is put back


def test_sigterm_between_the_two_renames_is_held_back(tmp_path, monkeypatch):
    from nodecfg.output import emit

    target = tmp_path / "rootfs"
    emit.write_output({"etc/old": _tree()["etc/f0"]}, target)
    real_rename = os.rename
    calls = []

    def rename(source, destination):
        calls.append(destination)
        if len(calls) == 1:  # the old tree was just parked
            os.kill(os.getpid(), signal.SIGTERM)
        return real_rename(source, destination)

    monkeypatch.setattr(emit.os, "rename", rename)
    with pytest.raises(emit.EmitInterrupted):
        emit.write_output(_tree(), target)
    assert (target / "etc" / "f3").read_bytes() == b"new 3"  # both renames happened
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rootfs"]


def test_next_build_removes_a_killed_writers_leftovers_and_restores_a_parked_tree(tmp_path):
    from nodecfg.output import emit

    dead = 2 ** 22 + 12345  # above the default pid_max: no such process
    while True:
        try:
            os.kill(dead, 0)
            dead += 1
        except ProcessLookupError:
            break
        except PermissionError:
            dead += 1
    (tmp_path / f".out.tar.gz.{dead}.0123456789ab.tmp").write_bytes(b"half")
    (tmp_path / f".rootfs.{dead}.abcdefgh.new").mkdir()
    holder = tmp_path / f".rootfs.{dead}.ijklmnop.old"
    (holder / "previous" / "etc").mkdir(parents=True)
    (holder / "previous" / "etc" / "kept").write_bytes(b"old tree")
    alive = tmp_path / f".rootfs.{os.getppid()}.qrstuvwx.new"  # another live writer: left alone
    alive.mkdir()
    unrelated = tmp_path / ".rootfs.notours.new"
    unrelated.mkdir()

    emit._clean_leftovers(tmp_path / "out.tar.gz")
    assert not (tmp_path / f".out.tar.gz.{dead}.0123456789ab.tmp").exists()
    emit._clean_leftovers(tmp_path / "rootfs")
    assert (tmp_path / "rootfs" / "etc" / "kept").read_bytes() == b"old tree"  # put back first
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["rootfs", alive.name, unrelated.name])
    emit.write_output(_tree(), tmp_path / "rootfs")
    assert (tmp_path / "rootfs" / "etc" / "f1").read_bytes() == b"new 1"


def test_build_prints_the_interruption_and_exits_128_plus_the_signal(tmp_path, monkeypatch, capsys):
    from nodecfg.output import emit

    source = tmp_path / "n.yaml"
    source.write_text(VALID)
    real = emit._populate

    def interrupted(*args):
        os.kill(os.getpid(), signal.SIGINT)
        return real(*args)

    monkeypatch.setattr(emit, "_populate", interrupted)
    assert main(["build", str(source), "-o", str(tmp_path / "rootfs")]) == 130
    assert "interrupted by SIGINT" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.yaml"]


def test_tar_members_are_reproducible_after_the_format_switch():
    from nodecfg.output.emit import tar_bytes
    from nodecfg.core.filetree import FileEntry

    tree = {"etc/" + "x" * 150 + "/f": FileEntry(b"1", 0o600), "etc/a": FileEntry(b"2", 0o644)}
    first = tar_bytes(tree, gzip=True, mtime=7)
    assert first == tar_bytes(tree, gzip=True, mtime=7)
    with tarfile.open(fileobj=io.BytesIO(first)) as archive:
        assert [m.name for m in archive.getmembers()][-1] == "etc/" + "x" * 150 + "/f"


def test_a_redefined_anchor_prints_no_warning(tmp_path, capfd):
    # ruamel warns on stderr with the raw input; go-yaml lets the later anchor win
    source = tmp_path / "n.yaml"
    source.write_text(CLUSTER + "  kubelet:\n    config: {a: &x 1, b: &x '\\e[2J', maxPods: *x}\n")
    main(["check", str(source)])
    assert "Warning" not in capfd.readouterr().err
    documents, _ = parse_yaml_documents("a: &x 1\nb: &x 2\nc: *x\n", "a.yaml")
    assert documents[0].data == {"a": 1, "b": 2, "c": 2}


# --- 7. the linear provenance bookkeeping gives what the scan gave --------------------------------

from hypothesis import given, strategies as st  # noqa: E402

_json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["", "x"])),
                            lambda inner: st.one_of(st.lists(inner, max_size=2),
                                                    st.dictionaries(st.sampled_from("abc"), inner, max_size=3)),
                            max_leaves=8)
_inline = st.dictionaries(st.sampled_from("abc"), _json_values, max_size=3)
_env = st.dictionaries(st.sampled_from(["kubelet", "default"]),
                       st.one_of(st.none(), st.dictionaries(st.sampled_from(["A", "B"]), st.sampled_from(["1", ""]),
                                                            max_size=2)), max_size=2)
_specs = st.fixed_dictionaries({}, optional={
    "kubelet": st.fixed_dictionaries({}, optional={"config": _inline}),
    "containerd": st.fixed_dictionaries({}, optional={"baseRuntimeSpec": _inline}),
    "instance": st.fixed_dictionaries({}, optional={"environment": _env}),
})


def _scanning_forget(setters, pointer, replaced):
    for stale in [p for p in setters if p.startswith(pointer + "/")]:
        del setters[stale]


@given(st.lists(_specs, min_size=1, max_size=4))
def test_linear_forget_keeps_the_provenance_of_the_scan(specs):
    from unittest import mock

    from nodecfg.merge import nodeconfig as merge
    from nodecfg.core.document import Document

    documents = [Document(f"d{i}", {"spec": spec}, {}, {}) for i, spec in enumerate(specs)]
    linear = merge.merge_documents(documents)
    with mock.patch.object(merge, "_forget", _scanning_forget):
        scanned = merge.merge_documents(documents)
    assert linear.data == scanned.data and linear.provenance == scanned.provenance
