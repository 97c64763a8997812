"""--mode managed-nodegroup / karpenter: what EKS or Karpenter replace (NC701, NC702)."""
from __future__ import annotations

from lint_helpers import findings, nodeconfig

FRAGMENT = """\
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  kubelet:
    config:
      shutdownGracePeriod: 30s
    flags:
      - --node-labels=team=a
"""


def test_a_fragment_is_clean_in_both_modes():
    for mode in ("managed-nodegroup", "karpenter"):
        assert findings(FRAGMENT, mode=mode) == set()


def test_cluster_fields_are_replaced_in_managed_node_groups():
    found = findings(nodeconfig("kubelet:\n  config:\n    maxPods: 20\n"), mode="managed-nodegroup",
                     codes=("NC701",))
    assert found == {("NC701", 5, 11), ("NC701", 6, 24), ("NC701", 7, 27), ("NC701", 8, 11), ("NC701", 12, 16)}


def test_self_managed_mode_has_no_mode_findings():
    assert findings(nodeconfig("kubelet:\n  config:\n    maxPods: 20\n"), codes=("NC701", "NC702")) == set()


def test_karpenter_overrides():
    text = FRAGMENT + """\
      - --max-pods=20
      - --register-with-taints=a=b:NoSchedule
    maxPodsExpression: max_pods
"""
    text = text.replace("shutdownGracePeriod: 30s", "registerWithTaints: [{key: a, effect: NoSchedule}]")
    found = findings(text, mode="karpenter", codes=("NC702",))
    assert found == {("NC702", 6, 27), ("NC702", 9, 9), ("NC702", 10, 9), ("NC702", 11, 24)}
