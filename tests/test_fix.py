"""check --fix: each fix byte for byte, idempotent, and changing the built tree only as its finding says."""
from __future__ import annotations

import base64
import gzip
from pathlib import Path

import pytest

from nodecfg.cli.main import main
from nodecfg.output.diff import compile_side, diff_sides
from nodecfg.linter.fix import FIXABLE, fix_bytes
from nodecfg.context.instance import instance_from_mapping
from nodecfg.pipeline import Request

CA = (Path(__file__).parent.parent / "golden" / "outpost" / "nodeconfig.yaml").read_text().split(
    "certificateAuthority: ")[1].split("\n")[0]
HEAD = f"""apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: demo
    apiServerEndpoint: https://example.eks.amazonaws.com
    certificateAuthority: {CA}
    cidr: 10.100.0.0/16
"""
CONTEXT = {"instanceType": "m5.large", "kubeletVersion": "v1.34.1", "containerdVersion": "2.1.4"}
INSTANCE = instance_from_mapping(CONTEXT)


def mime(*parts: str, boundary: str = '"//"', delimiter: str = "//") -> str:
    body = "".join(f"--{delimiter}\n{part}\n" for part in parts)
    return f"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary={boundary}\n\n{body}--{delimiter}--\n"


NODECONFIG_PART = "Content-Type: application/node.eks.aws\n\n" + HEAD
SCRIPT_PART = "Content-Type: text/x-shellscript\n\n#!/bin/bash\necho hi\n"

# name: (input, expected output, unsafe, the (file, key) changes the fix may make to the built tree,
#        or None when the input cannot be rendered at all and the output must render as the expected text)
# nodeadm runs `containerd config migrate` on a schema v2 config only, and that writes out every
# default of containerd 2.0.5; a v3 config is written as merged.  So the v2 -> v3 fix may drop
# those defaults from config.toml, and nothing else there may change.
MIGRATE_DEFAULTS = ("etc/containerd/config.toml", "<only defaults containerd config migrate writes>")


def _flat(data, prefix=""):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flat(value, f"{prefix}/{key}")
    else:
        yield prefix, repr(data)


CASES = {
    "NC201-typo": (HEAD + "  instance:\n    localStorage:\n      strategyy: RAID0  # fast disks\n",
                   HEAD + "  instance:\n    localStorage:\n      strategy: RAID0  # fast disks\n", False,
                   {("run/eks/nodeadm/config.json", "/spec/instance/localStorage/strategy")}),
    "NC210-mis-cased": (HEAD + "  kubelet:\n    config:\n      MaxPods: 58\n",
                        HEAD + "  kubelet:\n    config:\n      maxPods: 58\n", False,
                        {("etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf", "/maxPods"),
                         ("etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf", "/MaxPods"),
                         ("run/eks/nodeadm/config.json", "/spec/kubelet/config/maxPods"),
                         ("run/eks/nodeadm/config.json", "/spec/kubelet/config/MaxPods")}),
    "NC204-v1alpha": (HEAD.replace("v1alpha1", "v1alpha"), HEAD, False, None),
    "NC122-boolean": (HEAD + "  kubelet:\n    config:\n      serializeImagePulls: yes\n",
                      HEAD + "  kubelet:\n    config:\n      serializeImagePulls: true\n", False, set()),
    "NC122-octal": (HEAD + "  kubelet:\n    config:\n      podPidsLimit: 0700\n",
                    HEAD + "  kubelet:\n    config:\n      podPidsLimit: 448\n", False, set()),
    "NC122-string-expected": (HEAD + "  kubelet:\n    config:\n      containerLogMaxSize: no\n",
                              HEAD + '  kubelet:\n    config:\n      containerLogMaxSize: "no"\n', False,
                              {("etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf", "/containerLogMaxSize"),
                               ("run/eks/nodeadm/config.json", "/spec/kubelet/config/containerLogMaxSize")}),
    "NC104-blank-line": (mime(SCRIPT_PART.replace("\n\n#!", "\n#!"), NODECONFIG_PART),
                         mime(SCRIPT_PART, NODECONFIG_PART), False, None),
    "NC105-unquoted-boundary": (mime(NODECONFIG_PART, boundary="==B==", delimiter="==B=="),
                                mime(NODECONFIG_PART, boundary='"==B=="', delimiter="==B=="), False, None),
    "NC415-flag-to-config": (
        HEAD + "  kubelet:\n    flags:\n    - --node-labels=a=b\n    - --image-gc-high-threshold=80 # keep images\n",
        HEAD + "  kubelet:\n    config:\n      imageGCHighThresholdPercent: 80 # keep images\n"
               "    flags:\n    - --node-labels=a=b\n", True,
        {("etc/eks/kubelet/environment", "--image-gc-high-threshold"),
         ("etc/eks/kubelet/environment", "--config-dir"),
         ("etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf", "/apiVersion"),
         ("etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf", "/kind"),
         ("etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf", "/imageGCHighThresholdPercent"),
         ("run/eks/nodeadm/config.json", "/spec/kubelet/config/imageGCHighThresholdPercent"),
         ("run/eks/nodeadm/config.json", "/spec/kubelet/flags")}),
    "NC503-v2-to-v3": (
        HEAD + '  containerd:\n    config: |\n      [plugins."io.containerd.grpc.v1.cri".registry]\n'
               '      config_path = "/etc/containerd/certs.d"\n',
        HEAD + '  containerd:\n    config: |\n      [plugins."io.containerd.cri.v1.images".registry]\n'
               '      config_path = "/etc/containerd/certs.d"\n', True,
        {("run/eks/nodeadm/config.json", "/spec/containerd/config"), MIGRATE_DEFAULTS}),
}


def fixed(text: str, unsafe: bool) -> bytes:
    return fix_bytes(text.encode(), unsafe=unsafe, request=Request((), instance=INSTANCE)).fixed


def tree_changes(before: bytes, after: bytes):
    old, new = (compile_side(Request([data], instance=INSTANCE)) for data in (before, after))
    if not old.rendered:
        return None, new
    return {(f.path, c.key) for f in diff_sides(old, new).files for c in f.changes}, new


@pytest.mark.parametrize("name", sorted(CASES))
def test_fix(name):
    source, expected, unsafe, allowed = CASES[name]
    output = fixed(source, unsafe)
    assert output.decode() == expected
    assert fixed(output.decode(), unsafe) == output  # idempotent
    if unsafe:
        assert fixed(source, False) == source.encode()  # not applied without --unsafe-fixes
    changes, new = tree_changes(source.encode(), output)
    assert new.rendered, new.diagnostics
    if allowed is None:
        reference = compile_side(Request([HEAD.encode()], instance=INSTANCE))
        assert new.files == reference.files
    elif MIGRATE_DEFAULTS in allowed:
        import tomllib

        old = compile_side(Request([source.encode()], instance=INSTANCE))
        before, after = (set(_flat(tomllib.loads(side.files["etc/containerd/config.toml"].decode())))
                         for side in (old, new))
        assert after <= before and ("/plugins/io.containerd.cri.v1.images/registry/config_path",
                                    repr("/etc/containerd/certs.d")) in after
        assert {change for change in changes if change[0] != MIGRATE_DEFAULTS[0]} == allowed - {MIGRATE_DEFAULTS}
    else:
        assert changes == allowed


def test_every_fixable_code_has_a_case():
    assert {name.split("-")[0] for name in CASES} == set(FIXABLE)


def test_fixes_inside_base64_gzip_userdata_keep_the_wrapping():
    source = mime(NODECONFIG_PART + "  kubelet:\n    config:\n      serializeImagePulls: on\n")
    wrapped = base64.encodebytes(gzip.compress(source.encode(), mtime=0))  # 76-column lines
    result = fix_bytes(wrapped, request=Request((), instance=INSTANCE))
    assert result.applied == ["NC122"]
    lines = result.fixed.split(b"\n")
    assert {len(line) for line in lines[:-2]} == {76} and result.fixed.endswith(b"\n")
    decoded = gzip.decompress(base64.b64decode(result.fixed)).decode()
    assert decoded == source.replace("serializeImagePulls: on", "serializeImagePulls: true")


def test_a_fix_without_a_unique_suggestion_is_not_made():
    from nodecfg.linter.engine import lint

    source = HEAD + "  kubelet:\n    config:\n      evictionSof: {}\n"  # evictionSoft or evictionHard?
    found = [(d.code, d.span.line, d.span.col) for d in lint([source.encode()]).diagnostics]
    assert ("NC210", 11, 7) in found
    assert fixed(source, True) == source.encode()


def test_check_fix_writes_the_file_and_lints_again(tmp_path, capsys):
    path = tmp_path / "nc.yaml"
    path.write_text(CASES["NC210-mis-cased"][0])
    assert main(["check", "--fix", str(path), "--kubelet-version", "v1.34.1"]) == 0
    assert path.read_text() == CASES["NC210-mis-cased"][1]
    assert "fixed 1 finding in 1 file" in capsys.readouterr().err


def test_check_diff_prints_and_does_not_write(tmp_path, capsys):
    path = tmp_path / "nc.yaml"
    path.write_text(CASES["NC204-v1alpha"][0])
    assert main(["check", "--diff", str(path)]) == 1
    out = capsys.readouterr().out
    assert "-apiVersion: node.eks.aws/v1alpha\n+apiVersion: node.eks.aws/v1alpha1\n" in out
    assert path.read_text() == CASES["NC204-v1alpha"][0]
    assert main(["check", "--diff", str(path)]) == 1
    path.write_text(HEAD)
    assert main(["check", "--diff", str(path)]) == 0


def test_list_rules_marks_fixable_codes(capsys):
    assert main(["check", "--list-rules"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "[fix]" in lines["NC201"] and "[unsafe fix]" in lines["NC415"]
    assert "fix]" not in lines["NC301"]


def test_rule_pages_say_which_findings_are_fixable():
    from nodecfg.linter.registry import catalogue

    docs = Path(__file__).parent.parent / "nodecfg" / "linter" / "docs"
    for code in catalogue():
        text = (docs / f"{code}.md").read_text()
        if code in FIXABLE:
            kind, what = FIXABLE[code]
            assert f"Fixable: **{kind}**" in text and what in text, code
        else:
            assert "Fixable:" not in text, code


def test_the_example_in_docs_is_what_diff_prints(tmp_path, capsys):
    import re

    page = (Path(__file__).parent.parent / "docs" / "fix.md").read_text()
    example = page[page.index("## Example"):]
    source = re.search(r"```yaml\n(.*?)```", example, re.S).group(1)
    shown = re.search(r"```diff\n(.*?)```", example, re.S).group(1)
    path = tmp_path / "nc.yaml"
    path.write_text(source)
    assert main(["check", "--diff", str(path)]) == 1
    assert shown in capsys.readouterr().out


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_fix_keeps_a_byte_order_mark_and_edits_the_bytes_the_span_names(newline):
    # issue 22 class 2: spans count without the mark; the edit used to land one byte early
    # ("apiVersion:node.eks.aws/v1alpha1a")
    broken, expected = (text.replace("\n", newline).encode() for text in CASES["NC204-v1alpha"][:2])
    result = fix_bytes(b"\xef\xbb\xbf" + broken)
    assert result.fixed == b"\xef\xbb\xbf" + expected and result.applied == ["NC204"]


def test_fix_keeps_a_byte_order_mark_inside_base64():
    broken, expected = (text.encode() for text in CASES["NC204-v1alpha"][:2])
    result = fix_bytes(base64.b64encode(b"\xef\xbb\xbf" + broken))
    assert base64.b64decode(result.fixed) == b"\xef\xbb\xbf" + expected


def test_check_fix_of_a_file_with_a_byte_order_mark(tmp_path, capsys):
    path = tmp_path / "nc.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + CASES["NC204-v1alpha"][0].encode())
    assert main(["check", "--fix", "--no-cache", str(path)]) == 0
    assert path.read_bytes() == b"\xef\xbb\xbf" + CASES["NC204-v1alpha"][1].encode()


def test_rewording_every_message_and_hint_leaves_every_fix_working(monkeypatch):
    """Fixes are carried by findings (Diagnostic.fix), not read back out of their wording."""
    from collections import OrderedDict

    from nodecfg import pipeline
    from nodecfg.core.codes import Code
    from nodecfg.linter.engine import lint

    made = Code.at

    def reworded(self, span, message, hint="", **keywords):
        return made(self, span, f"reworded {self.id}", f"reworded hint {self.id}" if hint else "", **keywords)

    monkeypatch.setattr(Code, "at", reworded)
    monkeypatch.setattr(pipeline, "_ANALYSES", OrderedDict())  # no analysis made with the old wording
    for name, (source, expected, unsafe, _) in sorted(CASES.items()):
        code = name.split("-")[0]
        found = [d for d in lint([source.encode()], instance=INSTANCE).diagnostics if d.code == code]
        assert found and all(d.message == f"reworded {code}" for d in found), name
        assert fixed(source, unsafe).decode() == expected, name


def test_a_fix_is_not_made_when_its_text_changed_since_the_finding():
    """An edit names the text it replaces: a key spelt otherwise (quoted) keeps its finding, unfixed."""
    source = HEAD + '  "kubelt":\n    config:\n      maxPods: 20\n'
    assert fixed(source, False) == source.encode()
    from nodecfg.linter.engine import lint

    finding = next(d for d in lint([source.encode()], instance=INSTANCE).diagnostics if d.code == "NC201")
    (edit,) = finding.fix.edits
    assert finding.fix.applicability == "safe" and edit.text == "kubelet" and edit.expect == "kubelt"


def test_nc503_removes_an_empty_v2_table_as_a_whole_file_line():
    """The renderer's edits count in the config's own lines; an edit of whole lines stays one in the file."""
    config = ('    config: |\n      [plugins."io.containerd.grpc.v1.cri"]\n'
              '      [plugins."io.containerd.grpc.v1.cri".registry]\n      config_path = "/etc/containerd/certs.d"\n')
    source = HEAD + "  containerd:\n" + config + "  kubelet:\n    config: {maxPods: 20}\n"
    expected = (HEAD + '  containerd:\n    config: |\n      [plugins."io.containerd.cri.v1.images".registry]\n'
                '      config_path = "/etc/containerd/certs.d"\n  kubelet:\n    config: {maxPods: 20}\n')
    assert fixed(source, True).decode() == expected


def test_nc503_leaves_a_folded_config_alone():
    """In a folded scalar (>) the config's lines are not the file's: no edit is mapped there."""
    source = (HEAD + '  containerd:\n    config: >\n      [plugins."io.containerd.grpc.v1.cri".registry]\n\n'
              '      config_path = "/etc/containerd/certs.d"\n')
    from nodecfg.linter.engine import lint

    found = [d for d in lint([source.encode()], instance=INSTANCE).diagnostics if d.code == "NC503"]
    assert found and found[0].fix is None
    assert fixed(source, True) == source.encode()
