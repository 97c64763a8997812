"""`nodecfg lsp` end to end: the server as a child process, spoken to over stdio as an editor does.

The client (tests/lsp_client.py) frames JSON-RPC itself and reads with
timeouts, so a server that hangs fails the test instead of hanging it.
Expected positions are worked out by hand from the documents written here
(LSP lines and characters are 0-based; nodecfg's spans are 1-based).
"""
from __future__ import annotations

import base64
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lsp_client import TIMEOUT, Client, change, open_document

from cputime import CpuTime

pytestmark = pytest.mark.skipif(importlib.util.find_spec("pygls") is None,
                                reason="pygls is not installed (pip install 'nodecfg[lsp]')")

ROOT = Path(__file__).resolve().parent.parent
CA = (ROOT / "examples" / "nodeconfig.yaml").read_text().split("certificateAuthority: ", 1)[1].split()[0]

NODECONFIG = f"""\
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: demo
    apiServerEndpoint: https://example.com
    certificateAuthority: {CA}
    cidr: 10.100.0.0/16
  kubelet:
    config:
      maxPodz: 20
    flags:
      - --node-labels=node-role.kubernetes.io/master=x
"""
# line 11 (LSP 10): "      maxPodz: 20"            -> NC210 at characters 6..13
# line 13 (LSP 12): "      - --node-labels=..."    -> NC416 at character 22, the label's first character
FIXED = NODECONFIG.replace("maxPodz", "maxPods").replace("node-role.kubernetes.io/master", "team")

MIME = ('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="BOUNDARY"\n\n'
        "--BOUNDARY\nContent-Type: application/node.eks.aws\n\n"
        + NODECONFIG.split("    flags:\n")[0] + "\n--BOUNDARY--\n")
# line 17 of the file (LSP 16): "      maxPodz: 20" inside part 1


@pytest.fixture
def client(tmp_path):
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    started = Client(elsewhere)  # not the documents' directory: settings are found from each document
    result = started.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
    started.capabilities = result["capabilities"]
    started.notify("initialized", {})
    yield started
    started.close()


def by_code(diagnostics: list[dict]) -> dict[str, dict]:
    return {d["code"]: d for d in diagnostics}


def span(d: dict) -> tuple[int, int, int, int]:
    r = d["range"]
    return r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"]


def test_nodeconfig_diagnostics_change_code_action_hover_close_and_exit(client, tmp_path):
    sync = client.capabilities["textDocumentSync"]
    assert sync["openClose"] is True and sync["change"] == 1 and sync["save"]  # full text on every change
    assert client.capabilities["hoverProvider"]
    assert client.capabilities["codeActionProvider"]
    uri = (tmp_path / "nodeconfig.yaml").as_uri()  # never written: the buffer is linted, not the disk
    open_document(client, uri, NODECONFIG)
    published = client.diagnostics(uri)
    assert published["version"] == 1
    found = by_code(published["diagnostics"])
    assert sorted(found) == ["NC210", "NC416"]
    typo, label = found["NC210"], found["NC416"]
    assert span(typo) == (10, 6, 10, 13)
    assert typo["severity"] == 2 and typo["source"] == "nodecfg"
    assert "maxPodz" in typo["message"] and "did you mean 'maxPods'?" in typo["message"]
    assert typo["codeDescription"]["href"].endswith("/docs/rules/NC210.md")
    assert span(label)[:2] == (12, 22) and label["severity"] == 1
    assert label["codeDescription"]["href"].endswith("/docs/rules/NC416.md")

    change(client, uri, FIXED, 2)
    published = client.diagnostics(uri)
    assert published == {"uri": uri, "version": 2, "diagnostics": []}

    change(client, uri, NODECONFIG, 3)
    typo = by_code(client.diagnostics(uri)["diagnostics"])["NC210"]
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": typo["range"], "context": {"diagnostics": [typo]}})
    quick = [a for a in actions if a["kind"] == "quickfix"]
    assert [a["diagnostics"][0]["code"] for a in quick] == ["NC210"]  # NC416 is not fixable, and not in range
    assert quick[0]["isPreferred"] is True
    (document_edit,) = quick[0]["edit"]["documentChanges"]
    assert document_edit["textDocument"] == {"uri": uri, "version": 3}
    (edit,) = document_edit["edits"]
    assert span(edit) == (10, 6, 10, 13) and edit["newText"] == "maxPods"
    fix_all = [a for a in actions if a["kind"] == "source.fixAll.nodecfg"]
    assert len(fix_all) == 1
    (whole,) = fix_all[0]["edit"]["documentChanges"][0]["edits"]
    assert span(whole) == (0, 0, NODECONFIG.count("\n"), 0)
    assert whole["newText"] == NODECONFIG.replace("maxPodz", "maxPods")

    only_fix_all = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": typo["range"],
        "context": {"diagnostics": [], "only": ["source.fixAll"]}})
    assert [a["kind"] for a in only_fix_all] == ["source.fixAll.nodecfg"]

    hover = client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                  "position": {"line": 10, "character": 8}})
    assert hover["contents"]["kind"] == "markdown"
    page = (ROOT / "nodecfg" / "linter" / "docs" / "NC210.md").read_text()
    assert page.splitlines()[0] in hover["contents"]["value"]  # the rule page's heading
    assert page.strip().splitlines()[-1] in hover["contents"]["value"]  # and its end
    assert client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                 "position": {"line": 1, "character": 2}}) is None

    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri)["diagnostics"] == []

    assert client.request("shutdown") is None
    client.notify("exit")
    assert client.process.wait(timeout=TIMEOUT) == 0


def test_mime_user_data_points_at_the_line_of_the_part(client, tmp_path):
    uri = (tmp_path / "userdata.mime").as_uri()
    open_document(client, uri, MIME, "plaintext")
    (typo,) = client.diagnostics(uri)["diagnostics"]
    assert typo["code"] == "NC210"
    assert span(typo) == (16, 6, 16, 13)
    assert typo["message"].startswith("[part=1] unknown KubeletConfiguration field 'maxPodz'")
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": typo["range"], "context": {"diagnostics": [typo]}})
    (edit,) = [a for a in actions if a["kind"] == "quickfix"][0]["edit"]["documentChanges"][0]["edits"]
    assert span(edit) == (16, 6, 16, 13) and edit["newText"] == "maxPods"


def test_base64_user_data_points_at_the_encoded_line_and_fixes_it_encoded(client, tmp_path):
    uri = (tmp_path / "userdata.b64").as_uri()
    encoded = base64.b64encode(NODECONFIG.encode()).decode()
    text = "\n" + encoded + "\n"  # the encoded text starts on line 2 (LSP 1)
    open_document(client, uri, text, "plaintext")
    found = by_code(client.diagnostics(uri)["diagnostics"])
    typo = found["NC210"]
    assert span(typo) == (1, 0, 1, len(encoded))
    assert typo["message"].startswith("[base64: line 11, column 7 of the text decoded from base64]")
    actions = client.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": typo["range"], "context": {"diagnostics": [typo]}})
    quick = [a for a in actions if a["kind"] == "quickfix" and a["diagnostics"][0]["code"] == "NC210"]
    (edit,) = quick[0]["edit"]["documentChanges"][0]["edits"]
    assert span(edit) == (0, 0, 2, 0)  # the whole document (two line ends), encoded again
    decoded = base64.b64decode(edit["newText"]).decode()
    assert decoded == NODECONFIG.replace("maxPodz", "maxPods")


def test_settings_are_found_from_the_document_and_other_yaml_is_left_alone(client, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC416"]\n'
                                            '[tool.nodecfg.severity]\nNC210 = "info"\n')
    other = (tmp_path / "deployment.yaml").as_uri()
    open_document(client, other, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n")
    uri = (project / "nodeadm.d" / "10-kubelet.yaml").as_uri()
    open_document(client, uri, NODECONFIG)
    (typo,) = client.diagnostics(uri)["diagnostics"]
    assert typo["code"] == "NC210" and typo["severity"] == 3  # Information, as [tool.nodecfg.severity] says
    # the server answers in order: had it linted the Deployment, that would have been published first
    assert not [m for m in client.pending if m.get("params", {}).get("uri") == other]
    assert client.request("textDocument/hover", {"textDocument": {"uri": other},
                                                 "position": {"line": 0, "character": 0}}) is None


def test_a_huge_document_is_refused_quickly_and_the_server_keeps_answering(client, tmp_path):
    uri = (tmp_path / "huge.yaml").as_uri()
    huge = NODECONFIG + "".join(f"# comment line {n} {'x' * 60}\n" for n in range(40000))  # ~3 MB
    with CpuTime(client.process.pid) as spent:  # the server's CPU time, not the wall clock
        open_document(client, uri, huge)
        found = by_code(client.diagnostics(uri)["diagnostics"])
    # as `nodecfg check` of that file reports it: the refusal alone, no NC143 following from it
    assert sorted(found) == ["NC141"]
    refused = found["NC141"]
    assert refused["severity"] == 1 and "1048576 byte input limit" in refused["message"]
    assert span(refused)[:2] == (0, 0)
    assert spent.seconds < 20
    change(client, uri, NODECONFIG, 2)
    assert sorted(by_code(client.diagnostics(uri)["diagnostics"])) == ["NC210", "NC416"]


def test_exit_without_shutdown_ends_the_process_with_status_1(client):
    client.notify("exit")
    assert client.process.wait(timeout=TIMEOUT) == 1


def test_characters_are_utf16_code_units_as_lsp_defaults(client, tmp_path):
    # "    flags: [" is 12 characters; the first string "--node-labels=a=😀" takes 19 code points
    # (20 UTF-16 units: the emoji is a surrogate pair), then ", " and the second string's quote and
    # 14 characters of "--node-labels=": its label starts at code point 48, UTF-16 unit 49.
    text = NODECONFIG.replace(
        '    flags:\n      - --node-labels=node-role.kubernetes.io/master=x\n',
        '    flags: ["--node-labels=a=😀", "--node-labels=node-role.kubernetes.io/master=x"]\n')
    uri = (tmp_path / "emoji.yaml").as_uri()
    open_document(client, uri, text)
    found = by_code(client.diagnostics(uri)["diagnostics"])
    assert span(found["NC416"])[:2] == (11, 49)  # line 12 of the file
    assert span(found["NC417"])[:2] == (11, 27)  # before the emoji: the same in both units


def test_broken_settings_are_shown_once_and_the_defaults_used(client, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["no-such-rule"]\n')
    uri = (tmp_path / "nodeconfig.yaml").as_uri()
    open_document(client, uri, NODECONFIG)
    shown = client.wait(lambda m: m.get("method") == "window/showMessage")["params"]
    assert shown["type"] == 1 and str(tmp_path / "pyproject.toml") in shown["message"]
    assert "no-such-rule" in shown["message"] and "default settings" in shown["message"]
    assert sorted(by_code(client.diagnostics(uri)["diagnostics"])) == ["NC210", "NC416"]
    change(client, uri, FIXED, 2)
    assert client.diagnostics(uri)["diagnostics"] == []
    assert not [m for m in client.pending if m.get("method") == "window/showMessage"]  # not again


def test_a_yaml_syntax_error_is_reported_on_open_as_check_reports_it(client, tmp_path):
    # the NodeConfig's kubelet.config is an unclosed flow sequence, on the last of 11 lines: the stream
    # ends inside it, at line 12 column 1 (LSP 11, 0), where `nodecfg check` of the file's directory reports NC120
    broken = "\n".join(NODECONFIG.splitlines()[:10]) + "\n    config: [maxPods, 20\n"
    path = tmp_path / "project" / "nodeconfig.yaml"
    path.parent.mkdir()
    path.write_text(broken)
    cli = subprocess.run([sys.executable, "-m", "nodecfg", "check", "--format", "json", str(path.parent)],
                         capture_output=True, text=True, cwd=tmp_path, timeout=TIMEOUT)
    expected = [(d["line"] - 1, d["col"] - 1) for d in json.loads(cli.stdout) if d["code"] == "NC120"]
    assert expected == [(11, 0)]
    uri = path.as_uri()
    open_document(client, uri, broken)
    published = client.diagnostics(uri)
    assert published["version"] == 1  # on open, not after a first change
    assert [span(d)[:2] for d in published["diagnostics"] if d["code"] == "NC120"] == expected
    json_uri = (tmp_path / "nodeconfig.json").as_uri()  # a JSON one on one line, missing its closing brace
    open_document(client, json_uri, '{"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": {}\n',
                  "json")
    assert "NC120" in by_code(client.diagnostics(json_uri)["diagnostics"])
