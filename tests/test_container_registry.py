"""The registry of container kinds (nodecfg/parse/containers/) is the one list of them.

Adding a kind is its module in nodecfg/parse/containers/kinds/ and its test: the cheap
sniff, the reader, NC170's list, `check --help`, `--only-node-config` and the guide's table
read the registry.  Here a kind that exists only in this test is registered and a file of it
is linted end to end, then the kind is removed and the same file reads as a NodeConfig again.
A kind cannot be registered without a sniff: its files would silently read as NodeConfigs.
"""
from __future__ import annotations

import sys
import types

import pytest

from nodecfg.cli.main import main
from nodecfg.parse import containers
from nodecfg.parse.containers import Kind, KindError, maybe_container
from nodecfg.parse.containers.index import KINDS

# A file of the test-only kind: user data under a key no registered kind, and no `kind:` line, names.
HOLDER = """\
# a file of the test-only kind
nodecfgTestHolder:
  name: demo
  userData: |
    apiVersion: node.eks.aws/v1alpha1
    kind: NodeConfig
    spec:
      cluster:
        name: demo
        apiServerEndpoint: https://example.com
        certificateAuthority: Y2E=
        cidr: 10.100.0.0/16
      kubelet:
        confg:
          maxPods: 20
"""
CONFG_LINE, CONFG_COL = 14, 9  # where `confg:` sits in HOLDER (line 10 of the user data, column 5)

TEST_KIND = Kind(
    names={"test-holder": "nodecfg test holder file"},
    group="test-holders",
    noun="a test holder",
    sniff=rb"^nodecfgTestHolder:",
    help="a test holder file (nodecfgTestHolder.userData)",
    doc=("test holder", "`nodecfgTestHolder.userData`", "self-managed"),
    order=35,
)


def _kind_module(name: str = "nodecfg_test_kind", **declared) -> types.ModuleType:
    from nodecfg.parse.containers.positions import TextMap, value_offsets
    from nodecfg.parse.containers.reading import Container, Unit, get

    def detect(file) -> bool:
        return isinstance(file.first.get("nodecfgTestHolder"), dict)

    def read(file):
        container = Container("test-holder")
        document = file.documents[0]
        text = get(file.first, "nodecfgTestHolder", "userData")
        span = document.span_of("/nodecfgTestHolder/userData")
        offsets = value_offsets(file.text, span, text, file.lines)
        container.units.append(Unit(f"{file.uri}#holder", text.encode(), TextMap(text, offsets, file.lines),
                                    span, "self-managed", "test-holder"))
        return container

    module = types.ModuleType(name)
    module.__dict__.update({"KIND": TEST_KIND, "detect": detect, "read": read, **declared})
    return module


@pytest.fixture
def test_kind(monkeypatch):
    """The test-only kind, registered for one test (the reader imports a kind's module by name)."""
    module = _kind_module()
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setenv("NODECFG_NO_CACHE", "1")
    kind = containers.register(module)
    yield kind
    containers.unregister(kind)


def _check(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _option_help(option: str) -> str:
    import argparse

    from nodecfg.cli.main import build_parser

    parser = build_parser("check")
    check = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices["check"]
    return next(a.help for a in check._actions if option in a.option_strings)


def test_the_index_is_what_the_kind_modules_declare():
    """index.py is generated from kinds/ (scripts/gen_reference_docs.py); a stale one fails here."""
    assert [Kind(**fields) for fields in KINDS] == containers.discover()
    assert [kind.module.rsplit(".", 1)[1] for kind in containers.discover()] == [
        "ec2nodeclass", "cloudformation", "launch_template", "terraform"]


def test_a_registered_kind_is_recognised_end_to_end_then_removed(test_kind, tmp_path, capsys, monkeypatch):
    from nodecfg.cli.content import content_kind

    holder = tmp_path / "holder.yaml"
    holder.write_text(HOLDER)
    data = HOLDER.encode()
    assert maybe_container(data)
    assert content_kind(data, str(holder)) == "test-holder"
    # the user data is linted, and its finding points into the holder file
    code, out, _ = _check(capsys, str(holder))
    assert code == 1
    assert f"{holder}:{CONFG_LINE}:{CONFG_COL}: NC201 error unknown field 'confg'" in out
    assert "NC204" not in out  # the holder itself is not read as a NodeConfig
    # its group selects it; its phrase is in the help; NC170 names it among the kinds
    code, out, _ = _check(capsys, "--only-node-config=test-holders", "--show-skipped", str(holder))
    assert code == 1 and "NC201" in out
    code, out, _ = _check(capsys, "--help")
    help_text = " ".join(out.split())
    assert ("`get-launch-template-data` output, a test holder file (nodecfgTestHolder.userData), "
            "or `terraform show -json`") in help_text
    assert _option_help("--only-node-config").endswith("ec2nodeclass, launch-template, test-holders, comma-separated")
    other = tmp_path / "pod.yaml"
    other.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n")
    code, out, _ = _check(capsys, str(other))
    assert "aws ec2 get-launch-template-data output; nodecfg test holder file; terraform show" in out
    # removed: nothing else recognises the file, so it reads as a NodeConfig again (what a missing sniff does)
    containers.unregister(test_kind)
    assert not maybe_container(data)
    assert content_kind(data, str(holder)) is None
    holder = tmp_path / "again.yaml"  # a new file: the pipeline keeps what it read of a file it has seen
    holder.write_text(HOLDER)
    code, out, _ = _check(capsys, str(holder))
    assert code == 1 and "2:1: NC204 error apiVersion is missing" in out and "NC201 error unknown field 'confg'" not in out
    code, _, err = _check(capsys, "--only-node-config=test-holders", str(holder))
    assert code == 2 and "unknown kind test-holders" in err
    containers.register(_kind_module())  # for the fixture to remove


def test_the_registry_orders_kinds_and_groups_their_ids(test_kind):
    order = [kind.module.rsplit(".", 1)[-1] for kind in containers.registered()]
    assert order == ["ec2nodeclass", "cloudformation", "launch_template", "nodecfg_test_kind", "terraform"]
    assert containers.groups()["test-holders"] == ("test-holder",)
    assert containers.nouns() == ["an EC2NodeClass", "a launch template", "a test holder"]


def test_a_kind_without_a_sniff_cannot_be_declared_nor_registered():
    with pytest.raises(TypeError, match="'sniff'"):
        Kind(names={"x": "x"}, group="x", noun="an x", help="x", doc=("x", "x", "x"))  # type: ignore[call-arg]
    for sniff, reason in [(b"", "has no sniff; its files would read as a NodeConfig"),
                          ("text", "has no sniff"),
                          (rb"(", "is not a regular expression"),
                          (rb"(?i)holder", "is not a regular expression"),  # a flag for every kind's sniff
                          (rb"x*", "matches every file")]:
        module = _kind_module(KIND=TEST_KIND.replace(sniff=sniff))
        with pytest.raises(KindError, match=reason):
            containers.register(module)
    assert "nodecfg_test_kind" not in [kind.module for kind in containers.registered()]


def test_a_kind_module_must_declare_kind_detect_and_read():
    with pytest.raises(KindError, match="declares no KIND"):
        containers.register(_kind_module(KIND=None))
    with pytest.raises(KindError, match="has no detect function"):
        containers.register(_kind_module(detect=None))
    with pytest.raises(KindError, match="nodecfg test holder|registered already"):
        containers.register(_kind_module(name="again", KIND=TEST_KIND.replace(names={"terraform": "again"})))


def test_every_registered_kind_is_in_the_sniff():
    """The one sniff is built from every kind's own: each kind's marker alone makes a file worth reading."""
    samples = {"ec2nodeclass": b"kind: EC2NodeClass\n",
               "cloudformation": b"Resources:\n  LT:\n    Type: AWS::EC2::LaunchTemplate\n",
               "launch_template": b'{"LaunchTemplateVersions": []}',
               "terraform": b'{"format_version": "1.2"}'}
    for kind in containers.registered():
        assert maybe_container(samples[kind.module.rsplit(".", 1)[1]]), kind.module
    assert not maybe_container(b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n")
