"""nodecfg/lsp/document.py without pygls: what the language server publishes for one open document.

Positions are 0-based (line, code point) with an exclusive end; expected values are counted by hand.
"""
from __future__ import annotations

import base64

from nodecfg.core.diagnostics import Diagnostic, Severity, Span
from nodecfg.lsp.document import Range, finding_range, fixes, hover, lint_document, wanted, whole_document
from nodecfg.parse.source import NamedBytes

from test_lsp import FIXED, MIME, NODECONFIG


def codes(linted) -> list[str]:
    return [finding.code for finding in linted.findings]


def test_findings_are_named_by_the_document_path_and_positioned_0_based(tmp_path):
    path = str(tmp_path / "nodeconfig.yaml")
    linted = lint_document(NODECONFIG, path)
    assert codes(linted) == ["NC210", "NC416"]
    typo, label = linted.findings
    assert typo.diagnostic.span.uri == path
    assert typo.range == Range(10, 6, 10, 13)
    assert typo.severity is Severity.WARNING and label.severity is Severity.ERROR
    assert label.range.line == 12 and label.range.character == 22
    assert typo.url.endswith("/docs/rules/NC210.md")
    assert lint_document(FIXED, path).findings == []


def test_the_same_text_under_two_names_is_not_shared_by_the_analysis_memo(tmp_path):
    first = lint_document(NODECONFIG, str(tmp_path / "a.yaml"))
    second = lint_document(NODECONFIG, str(tmp_path / "b.yaml"))
    assert {f.diagnostic.span.path for f in first.findings} == {str(tmp_path / "a.yaml")}
    assert {f.diagnostic.span.path for f in second.findings} == {str(tmp_path / "b.yaml")}


def test_per_file_ignores_match_the_document_path(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nodecfg.per-file-ignores]\n"nodeadm.d/*.yaml" = ["NC210"]\n')
    (tmp_path / "nodeadm.d").mkdir()
    assert codes(lint_document(NODECONFIG, str(tmp_path / "nodeadm.d" / "10.yaml"))) == ["NC416"]
    assert codes(lint_document(NODECONFIG, str(tmp_path / "other.yaml"))) == ["NC210", "NC416"]


def test_broken_settings_are_reported_and_the_defaults_used(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nodecfg]\nselect = ["NC999999"]\n')
    linted = lint_document(NODECONFIG, str(tmp_path / "n.yaml"))
    assert "NC999999" in linted.settings_problem
    assert codes(linted) == ["NC210", "NC416"]


def test_a_buffer_that_is_no_file_is_linted_under_a_name_of_its_own():
    linted = lint_document(NODECONFIG, None)
    assert codes(linted) == ["NC210", "NC416"]
    assert {f.diagnostic.span.path for f in linted.findings} == {"<untitled>"}


def test_mime_part_findings_keep_the_file_line(tmp_path):
    (typo,) = lint_document(MIME, str(tmp_path / "ud.mime")).findings
    assert typo.range == Range(16, 6, 16, 13)
    assert typo.message.startswith("[part=1] ")


def test_decoded_findings_cover_the_first_encoded_line(tmp_path):
    encoded = base64.b64encode(NODECONFIG.encode()).decode()
    linted = lint_document("\n\n" + encoded + "\n", str(tmp_path / "ud.b64"))
    assert {f.range for f in linted.findings} == {Range(2, 0, 2, len(encoded))}


def test_ranges_without_an_end_run_to_the_end_of_the_line_and_are_clamped():
    lines = ["abc  ", "de"]
    assert finding_range(Diagnostic("NC201", Severity.ERROR, Span("f", 1, 2), "m"), b"", lines) == Range(0, 1, 0, 3)
    assert finding_range(Diagnostic("NC201", Severity.ERROR, Span("f", 9, 9), "m"), b"", lines) == Range(1, 2, 1, 2)
    assert finding_range(Diagnostic("NC141", Severity.ERROR, Span("f", 0, 0), "m"), b"", lines) == Range(0, 0, 0, 3)
    spanning = Diagnostic("NC201", Severity.ERROR, Span("f", 1, 1, 2, 2), "m")
    assert finding_range(spanning, b"", lines) == Range(0, 0, 1, 1)


def test_whole_document_edit_ends_at_the_last_character():
    assert whole_document("a\nbc", "x").range == Range(0, 0, 1, 2)
    assert whole_document("a\n", "x").range == Range(0, 0, 1, 0)


def test_fixes_in_crlf_text_edit_the_span_only(tmp_path):
    text = NODECONFIG.replace("\n", "\r\n")
    linted = lint_document(text, str(tmp_path / "crlf.yaml"))
    typo = next(f for f in linted.findings if f.code == "NC210")
    (fix,) = [fix for fix in fixes(linted, typo.range) if fix.finding is not None]
    (edit,) = fix.edits
    assert edit.range == Range(10, 6, 10, 13) and edit.new_text == "maxPods"
    fix_all = [fix for fix in fixes(linted) if fix.finding is None]
    assert fix_all[0].edits[0].new_text == text.replace("maxPodz", "maxPods")


def test_hover_shows_the_message_and_the_rule_page(tmp_path):
    linted = lint_document(NODECONFIG, str(tmp_path / "n.yaml"))
    text = hover(linted, 10, 6)
    # the message quotes the document, so it is a code span (tests/test_output_escaping.py)
    assert text.startswith("**NC210** unknown-kubelet-config-field (warning): `unknown KubeletConfiguration field "
                           "'maxPodz' in spec.kubelet.config")
    assert "# NC210: unknown-kubelet-config-field" in text
    assert hover(linted, 10, 14) is None  # past the key


def test_wanted_by_content(tmp_path):
    assert wanted(NODECONFIG, "x.yaml") and wanted(MIME, "x.txt")
    assert not wanted("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n", "d.yaml")
    assert not wanted("", "empty.yaml")
    huge_nodeconfig = NODECONFIG + "#" * (2 << 20)
    assert wanted(huge_nodeconfig, "big.yaml")
    assert not wanted("a: 1\n" + "#" * (2 << 20), "big.yaml")
    # a NodeConfig or EC2NodeClass that does not parse is wanted (its NC120 is shown on open) when it
    # is a YAML or JSON file or an untitled buffer; other broken YAML and a script quoting one are not
    broken = NODECONFIG.split("  kubelet:")[0] + "  kubelet: {config: [\n"
    assert wanted(broken, "n.yaml") and wanted(broken, None) and wanted(broken, "n.JSON")
    assert wanted("apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nspec: [\n", "c.yml")
    assert not wanted(broken, "gen_userdata.py")
    assert not wanted("apiVersion: apps/v1\nkind: Deployment\nspec: [\n", "d.yaml")


def test_named_bytes_are_bytes_with_a_name():
    named = NamedBytes(b"abc", "/p/f.yaml")
    assert named == b"abc" and isinstance(named, bytes) and named.name == "/p/f.yaml"


def test_fixes_and_ranges_in_text_with_a_byte_order_mark_count_the_mark(tmp_path):
    # issue 22 class 2: spans count without the mark, the editor's text holds it as character 0 of line 0
    text = "\ufeff" + NODECONFIG.replace("v1alpha1", "v1alpha", 1)
    linted = lint_document(text, str(tmp_path / "bom.yaml"))
    version = next(f for f in linted.findings if f.code == "NC204")
    # "\ufeffapiVersion: node.eks.aws/v1alpha": the value starts after the mark and "apiVersion: "
    assert (version.range.line, version.range.character) == (0, 13)
    (fix,) = [fix for fix in fixes(linted, version.range) if fix.finding is not None]
    (edit,) = fix.edits
    assert edit.range == Range(0, 13, 0, 33) and edit.new_text == "node.eks.aws/v1alpha1"
    typo = next(f for f in linted.findings if f.code == "NC210")
    assert typo.range == Range(10, 6, 10, 13)  # other lines are not moved
    fix_all = [fix for fix in fixes(linted) if fix.finding is None]
    assert fix_all[0].edits[0].new_text == "\ufeff" + NODECONFIG.replace("maxPodz", "maxPods")
