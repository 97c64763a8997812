"""Algebraic properties of nodeadm's merge and of the reader/writer pair."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nodecfg.core.document import Document
from nodecfg.merge.nodeconfig import merge_documents
from nodecfg.parse.yaml import parse_yaml_documents
from nodecfg.encode.yaml import dump_yaml

from strategies import nodeconfigs

EMPTY = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": {}}


def merge(*configs: dict) -> dict:
    return merge_documents([Document(f"d{i}", c) for i, c in enumerate(configs)]).data


def normalised(config: dict) -> dict:
    """A single document as nodeadm holds it after decoding: merged into nothing."""
    return merge(config)


@given(nodeconfigs)
def test_merging_with_an_empty_document_is_the_identity(config):
    assert merge(config, EMPTY) == normalised(config)
    assert merge(EMPTY, config) == normalised(config)


@given(st.lists(nodeconfigs, min_size=1, max_size=4))
def test_flags_concatenate_in_order(configs):
    expected = [f for c in configs for f in c["spec"].get("kubelet", {}).get("flags", [])]
    assert merge(*configs)["spec"].get("kubelet", {}).get("flags", []) == expected


@given(nodeconfigs, nodeconfigs, nodeconfigs)
def test_merge_is_associative_when_no_key_changes_type(a, b, c):
    assert merge(merge(a, b), c) == merge(a, merge(b, c))


def test_merge_is_not_associative_across_type_changes():
    # nodeadm folds left to right; a scalar between two maps drops the first map.
    a = {"spec": {"kubelet": {"config": {"x": {"p": 1}}}}}
    b = {"spec": {"kubelet": {"config": {"x": 5}}}}
    c = {"spec": {"kubelet": {"config": {"x": {"q": 2}}}}}
    assert merge(merge(a, b), c)["spec"]["kubelet"]["config"] == {"x": {"q": 2}}
    assert merge(a, merge(b, c))["spec"]["kubelet"]["config"] == {"x": {"p": 1, "q": 2}}


@settings(max_examples=60)
@given(nodeconfigs)
def test_parse_render_parse_round_trips(config):
    text = dump_yaml(config)
    documents, diagnostics = parse_yaml_documents(text, "r.yaml")
    assert [d for d in diagnostics if d.code == "NC120"] == []
    assert documents[0].data == config
    assert parse_yaml_documents(dump_yaml(documents[0].data), "r2.yaml")[0][0].data == config


@settings(max_examples=60)
@given(nodeconfigs)
def test_every_key_span_points_at_a_line_containing_the_key(config):
    text = dump_yaml(config)
    lines = text.splitlines()
    document = parse_yaml_documents(text, "r.yaml")[0][0]
    for pointer, span in document.key_positions.items():
        key = pointer.rsplit("/", 1)[1]
        line = lines[span.line - 1]
        assert key in line[span.col - 1:], (pointer, span, line)
