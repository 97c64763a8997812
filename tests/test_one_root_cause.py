"""One root cause, one finding (issue 25 item 5): findings that only follow from another are folded."""
from __future__ import annotations

import nodecfg

CA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="


def found(text: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.col) for d in nodecfg.lint([text.encode()])]


def test_a_yaml_syntax_error_is_the_only_finding():
    # no NC143 ("no NodeConfig document") at 1:1 before it: the syntax error is why there is none
    text = ("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: [demo\n"
            "    cidr: 10.100.0.0/16\n")
    assert found(text) == [("NC120", 6, 9)]


def test_an_unquoted_boundary_is_one_finding_with_what_follows_as_related():
    text = ("MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary==MYBOUNDARY==\n\n--==MYBOUNDARY==\n"
            "Content-Type: application/node.eks.aws\n\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"
            "\n--==MYBOUNDARY==--\n")
    [finding] = nodecfg.lint([text.encode()])
    assert (finding.code, finding.span.line) == ("NC105", 2)
    assert "nodeadm then reads the whole user data as one NodeConfig" in finding.message
    # the YAML error of reading the whole user data as one document (line 5: "Content-Type: ..." after
    # "--==MYBOUNDARY==") is kept as related information, not as a finding of its own
    assert [(span.line, span.col) for span in finding.related] == [(5, 1)]


def test_a_fragment_gets_one_missing_cluster_finding():
    text = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config: {maxPods: 20}\n"
    [finding] = nodecfg.lint([text.encode()])
    assert (finding.code, finding.span.line, finding.span.col) == ("NC301", 3, 1)
    assert finding.message.startswith("spec.cluster.name, apiServerEndpoint, certificateAuthority and cidr are "
                                      "missing after merging all sources")
    assert "--mode managed-nodegroup|karpenter" in finding.hint


def test_one_missing_field_keeps_the_singular_message():
    text = ("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: demo\n"
            f"    apiServerEndpoint: https://abc.example.com\n    certificateAuthority: {CA}\n")
    [finding] = nodecfg.lint([text.encode()])
    assert finding.message == ("spec.cluster.cidr is missing after merging all sources; nodeadm init stops "
                               "with an error")
    assert finding.hint == "set spec.cluster.cidr (see the EKS DescribeCluster API)"


REST = ("spec:\n  kubelett: {}\n  cluster:\n    name: demo\n    apiServerEndpoint: https://abc.example.com\n"
        f"    certificateAuthority: {CA}\n    cidr: 10.0.0.0/33\n")


def test_a_wrong_api_version_or_kind_does_not_hide_the_other_schema_findings():
    text = "apiVersion: node.eks.aws/v1alpha2\nkind: NodeConfig\n" + REST
    assert found(text) == [("NC204", 1, 13), ("NC201", 4, 3), ("NC305", 9, 11)]
    text = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfiguration\n" + REST
    assert found(text) == [("NC204", 2, 7), ("NC201", 4, 3), ("NC305", 9, 11)]
