"""--mode managed-nodegroup / karpenter: what EKS or Karpenter replace (NC701, NC702, NC703)."""
from __future__ import annotations

from lint_helpers import findings, nodeconfig

from nodecfg.core.diagnostics import Severity
from nodecfg.linter.engine import lint
from nodecfg.merge.nodeconfig import get_pointer

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
    found = findings(nodeconfig("kubelet:\n  config:\n    clusterDNS: [10.100.0.10]\n"), mode="managed-nodegroup",
                     codes=("NC701",))
    assert found == {("NC701", 5, 11), ("NC701", 6, 24), ("NC701", 7, 27), ("NC701", 8, 11), ("NC701", 12, 19)}


def test_max_pods_is_not_claimed_replaced_in_managed_node_groups():
    """No source shows EKS's appended NodeConfig overriding maxPods; eksctl's integration test shows an AL2023
    managed node group's nodes getting the maxPods of its user data.  So neither maxPods nor maxPodsExpression
    is NC701 (nor, in the simulated EKS part, NC720)."""
    from lint_helpers import diagnostics

    text = nodeconfig("kubelet:\n  config:\n    maxPods: 20\n  maxPodsExpression: max_pods - 2\n")
    found = [(d.code, d.span.line, d.span.col, str(d.severity)) for d in diagnostics(text, mode="managed-nodegroup")
             if d.code in ("NC701", "NC720")]
    assert found == [("NC701", 5, 11, "warning"), ("NC701", 6, 24, "warning"), ("NC701", 7, 27, "warning"),
                     ("NC701", 8, 11, "warning")]  # the four cluster fields only


def test_self_managed_mode_has_no_mode_findings():
    assert findings(nodeconfig("kubelet:\n  config:\n    maxPods: 20\n"), codes=("NC701", "NC702")) == set()


def test_karpenter_overrides():
    text = FRAGMENT + """\
      - --max-pods=20
      - --register-with-taints=a=b:NoSchedule
    maxPodsExpression: max_pods
"""
    text = text.replace("shutdownGracePeriod: 30s", "registerWithTaints: [{key: a, effect: NoSchedule}]")
    found = findings(text, mode="karpenter", codes=("NC702", "NC703"))
    # line 10, --register-with-taints without karpenter.sh/unregistered, is NC703 (tests/realworld/test_patterns.py)
    assert found == {("NC702", 6, 27), ("NC702", 9, 9), ("NC703", 10, 9), ("NC702", 11, 24)}


# Karpenter since v1.0: pkg/providers/amifamily/bootstrap/nodeadm.go, Nodeadm.Script(), line 49:
#     mimeArchive := mime.Archive(append(customEntries, mime.Entry{ContentType: mime.ContentTypeNodeConfig, ...}))
# The EC2NodeClass user data (customEntries) comes first and Karpenter's NodeConfig last.
KARPENTER_APPENDED = """\
--//
Content-Type: application/node.eks.aws

apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: from-karpenter
    apiServerEndpoint: https://karpenter.example.com
    certificateAuthority: {ca}
    cidr: 10.100.0.0/16
  kubelet:
    config:
      maxPods: 58
      registerWithTaints: [{{key: karpenter.sh/unregistered, effect: NoExecute}}]
"""


def test_karpenters_nodeconfig_comes_after_the_nodeclass_parts_and_wins():
    from lint_helpers import CA

    user = ("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"//\"\n\n--//\n"
            "Content-Type: application/node.eks.aws\n\n"
            "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config:\n"
            "      maxPods: 110\n")
    node = user + "\n" + KARPENTER_APPENDED.format(ca=CA) + "--//--\n"
    result = lint([node.encode()])
    assert get_pointer(result.analysis.merged.data, "/spec/kubelet/config/maxPods") == 58
    assert get_pointer(result.analysis.merged.data, "/spec/cluster/name") == "from-karpenter"


def test_nc702_says_config_values_are_discarded_and_flags_override():
    text = FRAGMENT.replace("shutdownGracePeriod: 30s", "maxPods: 110") + "      - --max-pods=20\n"
    result = lint([text.encode()], mode="karpenter")
    nc702 = sorted((d.span.line, d.span.col, d.severity, d.message) for d in result.diagnostics
                   if d.code == "NC702")
    assert [(line, col, severity) for line, col, severity, _ in nc702] == [
        (6, 16, Severity.WARNING), (9, 9, Severity.WARNING)]
    config_message, flag_message = nc702[0][3], nc702[1][3]
    assert "is discarded" in config_message and "appends after" in config_message
    assert "overrides" in flag_message and "discarded" not in flag_message


def test_the_simulated_eks_part_sets_clusterdns_and_no_max_pods():
    from nodecfg.context.simulate import ClusterFacts, eks_nodeconfig

    config = eks_nodeconfig(ClusterFacts(name="demo", endpoint="https://example.eks.amazonaws.com",
                                         service_cidr="10.100.0.0/16", node_group="general"))
    # the tenth address of the service CIDR; maxPods is left to the user data and nodeadm
    assert config["spec"]["kubelet"]["config"] == {"clusterDNS": ["10.100.0.10"]}
