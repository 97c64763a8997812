"""The kubelet.config fields the NodeConfig Karpenter or EKS appends sets, and what to do instead.

A helper of the rule families (no ``check``): NC701 and NC702 (linter/rules/mode.py, whose
docstring gives the sources) report a user's value for these fields as replaced; NC415
(linter/rules/kubelet_flags.py) does not move a flag into one of them, where the appended
value would replace it.

* Karpenter (aws/karpenter-provider-aws pkg/providers/amifamily/bootstrap/nodeadm.go,
  ``generateInlineKubeletConfiguration``; resolver.go ``resolveLaunchTemplates`` and
  ``defaultClusterDNS``): maxPods always, registerWithTaints always, clusterDNS from the
  EC2NodeClass or the cluster's kube-dns address;
* EKS managed node groups (inferred, see mode.py): clusterDNS.
"""
from __future__ import annotations

NODEPOOL_TAINTS = ("set the taints on the NodePool: spec.template.spec.taints "
                   "(spec.template.spec.startupTaints for taints a controller removes)")
# kubelet.config field -> what the managed node group's NodeConfig sets.  EKS's code is not public: this is
# what eksctl writes in its place for a custom AMI (pkg/nodebootstrap/al2023.go, createMinimalNodeConfig),
# and the messages say so.
MNG_KUBELET_FIELDS = {
    "clusterDNS": "the NodeConfig EKS appends is merged after yours, and eksctl's stand-in for it "
                  "(pkg/nodebootstrap/al2023.go) sets clusterDNS from the cluster's service CIDR",
}
# kubelet.config field -> (what Karpenter's NodeConfig sets, where to set it instead)
KARPENTER_KUBELET_FIELDS = {
    "maxPods": ("Karpenter always sets maxPods, the value it schedules with",
                "set spec.kubelet.maxPods in the EC2NodeClass"),
    "clusterDNS": ("Karpenter sets clusterDNS from the EC2NodeClass or the cluster's kube-dns address",
                   "set spec.kubelet.clusterDNS in the EC2NodeClass"),
    "registerWithTaints": ("Karpenter always sets registerWithTaints: the NodePool's taints and startup taints "
                           "plus karpenter.sh/unregistered:NoExecute", NODEPOOL_TAINTS),
}
KARPENTER_APPENDED = "in the NodeConfig Karpenter appends after the EC2NodeClass user data, which wins the merge"
MNG_HINT = "to choose it, launch with a custom AMI (EKS then injects nothing) or pass the kubelet flag instead"


def appended_kubelet_field(mode: str, field_name: str) -> tuple[str, str] | None:
    """(what sets it instead of the user, what to do) when the NodeConfig appended in this mode sets a
    kubelet.config field; None when it does not (or no NodeConfig is appended)."""
    if mode == "karpenter" and field_name in KARPENTER_KUBELET_FIELDS:
        fact, hint = KARPENTER_KUBELET_FIELDS[field_name]
        return f"{fact}, {KARPENTER_APPENDED}", f"{hint}, and remove the flag"
    if mode == "managed-nodegroup" and field_name in MNG_KUBELET_FIELDS:
        return (MNG_KUBELET_FIELDS[field_name],
                "keep the flag (it overrides the config file), or launch with a custom AMI (EKS then injects nothing)")
    return None
