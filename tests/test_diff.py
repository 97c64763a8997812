"""nodecfg diff: exit codes, argument forms, text files, and the markdown shown in docs/diff.md."""
from __future__ import annotations

import json
from pathlib import Path

from nodecfg.cli.main import main
from nodecfg.output.diff import Side, diff_sides, format_markdown, format_text

ROOT = Path(__file__).parent.parent
NODECONFIG = ROOT / "golden-diff" / "kubelet-1-33-to-1-34" / "nodeconfig.yaml"


def test_equal_trees_exit_zero(capsys):
    assert main(["diff", str(NODECONFIG), "--", str(NODECONFIG), "--instance-type", "m5.large"]) == 0
    assert capsys.readouterr().out == "nodecfg diff: the two trees are identical\n"


def test_options_may_follow_the_new_sources(capsys):
    code = main(["diff", str(NODECONFIG), "--", str(NODECONFIG), "--format", "json",
                 "--against", "instanceType=m5.4xlarge"])
    assert code == 1
    result = json.loads(capsys.readouterr().out)
    changed = {(f["path"], c["key"]) for f in result["files"] for c in f["changes"]}
    assert ("etc/kubernetes/kubelet/config.json", "/maxPods") in changed


def test_no_sources_is_a_usage_error(capsys):
    assert main(["diff", "--format", "json"]) == 2


def test_a_side_that_cannot_render_is_a_usage_error(tmp_path, capsys):
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n")
    assert main(["diff", str(NODECONFIG), "--", str(broken)]) == 2
    assert "the new side cannot be rendered" in capsys.readouterr().err


def test_bad_against_value_is_a_usage_error(capsys):
    assert main(["diff", str(NODECONFIG), "--against", "noSuchKey=1"]) == 2


def test_text_files_get_a_unified_diff():
    old = Side({"etc/kubernetes/pki/ca.crt": b"one\ntwo\n"}, {"etc/kubernetes/pki/ca.crt": 0o644}, {})
    new = Side({"etc/kubernetes/pki/ca.crt": b"one\nthree\n"}, {"etc/kubernetes/pki/ca.crt": 0o600}, {})
    diff = diff_sides(old, new)
    assert format_text(diff) == (
        "changed etc/kubernetes/pki/ca.crt (mode 0644 -> 0600)\n"
        "  --- a/etc/kubernetes/pki/ca.crt\n  +++ b/etc/kubernetes/pki/ca.crt\n  @@ -1,2 +1,2 @@\n"
        "   one\n  -two\n  +three\n")
    assert "```diff\n--- a/etc/kubernetes/pki/ca.crt" in format_markdown(diff)


def test_docs_show_the_golden_markdown():
    page = (ROOT / "docs" / "diff.md").read_text()
    golden = (ROOT / "golden-diff" / "kubelet-1-33-to-1-34" / "expected" / "diff.md").read_text()
    assert f"````markdown\n{golden}````" in page
