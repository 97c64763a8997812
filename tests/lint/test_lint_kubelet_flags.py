"""kubelet.flags and registerWithTaints rules (NC410-NC418), asserted by (code, line, col)."""
from __future__ import annotations

import pytest

from lint_helpers import findings, nodeconfig
from nodecfg.instance import instance_from_mapping

FLAG_CODES = ("NC410", "NC411", "NC412", "NC413", "NC414", "NC415", "NC416", "NC417", "NC418")


def flags(*entries: str) -> str:
    """A NodeConfig whose kubelet.flags items are on lines 12, 13, ... at column 9."""
    items = "".join(f"    - {entry!r}\n" for entry in entries)
    return nodeconfig("kubelet:\n  flags:\n" + items)


def flag_findings(*entries: str, **options) -> set[tuple[str, int, int]]:
    return findings(flags(*entries), codes=FLAG_CODES, **options)


def test_a_plain_set_of_flags_is_clean():
    assert flag_findings("--node-labels=team=a,tier=web", "--v=2", "--logging-format=json") == set()


@pytest.mark.parametrize("entry", ["node-ip=10.0.0.1", "-node-ip=1", "--", "", "--=x", "---x"])
def test_malformed_flag(entry):
    assert flag_findings(entry) == {("NC410", 12, 9)}


def test_single_letter_shorthand_is_a_flag():
    assert flag_findings("-v=4") == set()


def test_whitespace_inside_a_flag():
    assert flag_findings("--v=2 --logging-format=json") == {("NC411", 12, 9)}


def test_removed_flag_is_an_error_on_a_kubelet_without_it():
    assert flag_findings("--container-runtime=remote", "--network-plugin=cni") == {
        ("NC412", 12, 9), ("NC412", 13, 9)}


def test_flag_removed_in_a_later_kubelet_is_a_warning_before_it():
    from lint_helpers import diagnostics

    old = diagnostics(flags("--pod-infra-container-image=pause:3.9"),
                      instance=instance_from_mapping({"kubeletVersion": "v1.34.2"}))
    new = diagnostics(flags("--pod-infra-container-image=pause:3.9"),
                      instance=instance_from_mapping({"kubeletVersion": "v1.35.0"}))
    assert [(d.code, str(d.severity)) for d in old if d.code == "NC412"] == [("NC412", "warning")]
    assert [(d.code, str(d.severity)) for d in new if d.code == "NC412"] == [("NC412", "error")]


@pytest.mark.parametrize("flag", ["--hostname-override=node-1", "--node-ip=10.0.0.9", "--cloud-provider=aws",
                                  "--config=/x.json", "--kubeconfig=/k"])
def test_flags_nodeadm_sets(flag):
    assert flag_findings(flag) == {("NC413", 12, 9)}


def test_duplicate_single_value_flag_points_at_the_later_one():
    assert flag_findings("--v=2", "--logging-format=json", "--v=4") == {("NC414", 14, 9)}


def test_repeated_map_flags_accumulate_and_are_fine():
    assert flag_findings("--node-labels=a=b", "--node-labels=c=d") == set()


def test_flag_with_a_config_field():
    assert flag_findings("--max-pods=30") == {("NC415", 12, 9)}


def test_register_with_taints_flag_is_also_a_config_field():
    assert flag_findings("--register-with-taints=dedicated=gpu:NoSchedule") == {("NC415", 12, 9)}


@pytest.mark.parametrize("label", ["node-role.kubernetes.io/worker=true", "k8s.io/x=y",
                                   "team.kubernetes.io/owner=a", "kubernetes.io/role=web"])
def test_restricted_node_labels(label):
    assert flag_findings(f"--node-labels=ok=1,{label}") == {("NC416", 12, 9)}


@pytest.mark.parametrize("label", ["node.kubernetes.io/lifecycle=spot", "kubelet.kubernetes.io/x=y",
                                   "topology.kubernetes.io/zone=us-west-2a", "kubernetes.io/arch=arm64",
                                   "example.com/kubernetes.io=yes", "eks.amazonaws.com/nodegroup=ng"])
def test_node_labels_the_kubelet_may_set(label):
    assert flag_findings(f"--node-labels={label}") == set()


@pytest.mark.parametrize("labels", ["team", "bad_key!=x", "team=-x-", "a/=b", "UPPER.Example/x=y"])
def test_malformed_node_labels(labels):
    assert flag_findings(f"--node-labels={labels}") == {("NC417", 12, 9)}


@pytest.mark.parametrize("taints", ["dedicated=gpu", "x:Bad", "a=b=c:NoSchedule", "a:b:NoSchedule",
                                    "k:NoSchedule-", "k:NoSchedule,k:NoSchedule", "bad key:NoExecute"])
def test_malformed_taints_in_the_flag(taints):
    assert findings(flags(f"--register-with-taints={taints}"), codes=("NC418",)) == {("NC418", 12, 9)}


@pytest.mark.parametrize("taints", ["dedicated=gpu:NoSchedule", "spot:PreferNoSchedule,k=v:NoExecute",
                                    "k:NoSchedule,k:NoExecute"])
def test_valid_taints_in_the_flag(taints):
    assert findings(flags(f"--register-with-taints={taints}"), codes=("NC418",)) == set()


def test_register_with_taints_config_items():
    text = nodeconfig("""\
        kubelet:
          config:
            registerWithTaints:
              - key: ok
                effect: NoSchedule
              - key: "bad key"
                effect: NoSchedule
              - key: no-effect
              - key: good
                value: "-bad-"
                effect: NoExecute
        """)
    # line 15: the bad key's value; 17: the item without an effect; 19: the bad value
    assert findings(text, codes=FLAG_CODES) == {("NC418", 15, 16), ("NC418", 17, 11), ("NC418", 19, 18)}
