"""Reading sources in nodeadm's order, with spans that survive MIME and wrapping."""
import base64
import gzip
import io

from nodecfg.parse.source import Limits, load_sources

DOC = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    flags: [--v={n}]\n"


def flags(loaded):
    return [d.data["spec"]["kubelet"]["flags"][0] for d in loaded.documents]


def test_directory_reads_config_files_in_lexical_order(tmp_path):
    (tmp_path / "b.yml").write_text(DOC.format(n=2))
    (tmp_path / "a.yaml").write_text(DOC.format(n=1))
    (tmp_path / "C.JSON").write_text('{"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", '
                                     '"spec": {"kubelet": {"flags": ["--v=0"]}}}')
    (tmp_path / "notes.txt").write_text("ignored")
    assert flags(load_sources([tmp_path])) == ["--v=0", "--v=1", "--v=2"]


def test_sources_merge_in_command_line_order_and_file_uri_is_accepted(tmp_path):
    first, second = tmp_path / "1.yaml", tmp_path / "2.yaml"
    first.write_text(DOC.format(n=1))
    second.write_text(DOC.format(n=2))
    assert flags(load_sources([f"file://{second}", str(first)])) == ["--v=2", "--v=1"]


def test_stdin_and_raw_bytes():
    loaded = load_sources(["-", DOC.format(n=7).encode()], stdin=io.BytesIO(DOC.format(n=6).encode()))
    assert flags(loaded) == ["--v=6", "--v=7"]
    assert loaded.documents[0].uri == "<stdin>" and loaded.documents[1].uri == "<input 2>"


def test_only_the_first_document_of_a_file_is_merged():
    loaded = load_sources([(DOC.format(n=1) + "---\n" + DOC.format(n=2)).encode()])
    assert flags(loaded) == ["--v=1"]
    assert [(d.code, d.span.line) for d in loaded.diagnostics] == [("NC142", 7)]


MIME = """MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: text/x-shellscript

#!/bin/bash
cat <<'EOF' > /etc/eks/nodeadm.d/20-b.yaml
{doc_b}EOF
cat <<'EOF' > /etc/eks/nodeadm.d/10-a.yaml
{doc_a}EOF

--B
Content-Type: application/node.eks.aws

{doc_main}
--B--
"""


def mime_text():
    return MIME.format(doc_b=DOC.format(n="b"), doc_a=DOC.format(n="a"), doc_main=DOC.format(n="main"))


def test_heredoc_dropins_follow_the_user_data_sorted_by_file_name():
    loaded = load_sources([mime_text().encode()])
    assert flags(loaded) == ["--v=main", "--v=a", "--v=b"]
    assert [d for d in loaded.diagnostics if d.code == "NC109"] == []


def test_spans_in_a_plain_mime_part_are_lines_of_the_file():
    loaded = load_sources([mime_text().encode()])
    main = loaded.documents[0]
    span = main.positions["/spec/kubelet/flags/0"]
    line = mime_text().splitlines()[span.line - 1]
    assert main.uri == "<input 1>#part=2" and "--v=main" in line


def test_base64_gzip_user_data_spans_name_the_layers():
    wrapped = base64.b64encode(gzip.compress(mime_text().encode(), mtime=0))
    loaded = load_sources([wrapped])
    assert flags(loaded) == ["--v=main", "--v=a", "--v=b"]
    assert loaded.documents[0].uri == "<input 1>#base64+gzip#part=2"


def test_a_source_over_the_limit_is_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(DOC.format(n=1) + "#" * 2000)
    loaded = load_sources([big], Limits(max_source_bytes=1000))
    assert loaded.documents == [] and [d.code for d in loaded.diagnostics] == ["NC141"]


def test_a_missing_file_is_an_io_diagnostic(tmp_path):
    loaded = load_sources([tmp_path / "absent.yaml"])
    assert [d.code for d in loaded.diagnostics] == ["NC140"]
