"""Settings that EKS managed node groups or Karpenter replace, or that replace theirs.

Facts this relies on (docs/rules/NC701.md and NC702.md explain them; the kubelet.config fields each
appended NodeConfig sets are tabled in linter/rules/appended.py):

* managed node groups on an EKS AL2023 AMI (no custom AMI): EKS appends its
  own NodeConfig part to the launch template's user data, as eksctl documents
  it (userdocs/src/usage/node-bootstrapping.md, "appended directly to the
  EC2's userdata"; EKS's code is not public).  Its content is inferred from
  the minimal NodeConfig eksctl writes in its place for a custom AMI
  (pkg/nodebootstrap/al2023.go, createMinimalNodeConfig): the cluster fields,
  kubelet.config clusterDNS, and --node-labels (and taints) flags.  nodeadm
  merges the parts in order, the later one winning
  (nodeadm/internal/configprovider/mime.go ParseMultipart,
  internal/api/merge.go), so the user's values for these are replaced.
  maxPods is *not* claimed: eksctl writes kubelet.config.maxPods into an
  AL2023 managed node group's user data (pkg/nodebootstrap/al2023.go,
  UserData, MaxPodsPerNode) and its integration test asserts the nodes get
  it (integration/tests/crud/creategetdelete_test.go, "maxPods is set
  correctly for AL2023 nodegroups"), so EKS's part does not override it;
* Karpenter since v1.0 (aws/karpenter-provider-aws,
  pkg/providers/amifamily/bootstrap/nodeadm.go, ``Script``:
  ``mime.Archive(append(customEntries, <generated NodeConfig>))``) also
  appends its generated NodeConfig *after* the EC2NodeClass user data.  It
  always sets the cluster fields, kubelet.config maxPods and
  registerWithTaints (the NodeClaim's taints and startup taints plus
  karpenter.sh/unregistered:NoExecute, pkg/providers/amifamily/resolver.go
  ``resolveLaunchTemplates``), clusterDNS from the EC2NodeClass or the
  discovered kube-dns address (``defaultClusterDNS``), and --node-labels.
  With nodeadm's later-wins merge the user's cluster fields and those
  kubelet.config values are therefore silently discarded.  Kubelet flags
  are appended, not replaced, and a flag wins over the config file, so a
  user's --max-pods or --cluster-dns still overrides what Karpenter writes,
  while Karpenter schedules with its own;
* a user's --register-with-taints likewise replaces Karpenter's
  registerWithTaints, so the node registers without
  karpenter.sh/unregistered:NoExecute (NC703).  kubernetes-sigs/karpenter
  pkg/controllers/nodeclaim/lifecycle/registration.go, ``Reconcile``: in
  v1.0.0-v1.0.5, v1.1.0-v1.1.1 and v1.2.0 the NodeClaim is then marked not
  registered ("UnregisteredTaintNotFound") and never registers; since the
  fix of #1991 (v1.3.0, and the patch releases v1.0.6, v1.1.2, v1.2.1) it
  publishes an UnregisteredTaintMissing warning event and registers the
  node, whose NodePool taints and startup taints are only synced onto it
  then: until that sync, pods can be scheduled onto the node without them.
"""
from __future__ import annotations

from nodecfg.core.codes import NC701, NC702, NC703, Code
from nodecfg.core.diagnostics import Diagnostic
from nodecfg.linter.rules.appended import (KARPENTER_APPENDED, KARPENTER_KUBELET_FIELDS, MNG_HINT,
                                           MNG_KUBELET_FIELDS, NODEPOOL_TAINTS)
from nodecfg.linter.rules.common import spec_get
from nodecfg.nodeadm.cluster import REQUIRED_CLUSTER_FIELDS as CLUSTER_FIELDS  # the ones EKS and Karpenter write

KARPENTER_FLAGS = {
    "max-pods": "overrides the maxPods Karpenter writes and schedules with; set spec.kubelet.maxPods "
                "in the EC2NodeClass",
    "cluster-dns": "overrides the clusterDNS Karpenter writes; set spec.kubelet.clusterDNS in the EC2NodeClass",
    "register-with-taints": "overrides Karpenter's registerWithTaints, dropping the NodePool taints; "
                            + NODEPOOL_TAINTS,
}
UNREGISTERED_TAINT = "karpenter.sh/unregistered"


def check(analysis, context) -> list[Diagnostic]:
    if context.mode == "managed-nodegroup":
        return _managed_nodegroup(analysis)
    if context.mode == "karpenter":
        return _karpenter(analysis)
    return []


def _set(analysis, pointer: str) -> bool:
    return spec_get(analysis, pointer) not in (None, "", [], {})


def _where_set(analysis, code: Code, pointer: str, message: str, hint: str = "") -> list[Diagnostic]:
    """One finding at pointer's span when the merged config sets it, else none."""
    if not _set(analysis, pointer):
        return []
    return [code.at(analysis.merged.locate(pointer), message, hint)]


def _managed_nodegroup(analysis) -> list[Diagnostic]:
    found = []
    for name in CLUSTER_FIELDS:
        found += _where_set(analysis, NC701, f"/spec/cluster/{name}",
                            f"spec.cluster.{name} is replaced by the NodeConfig EKS appends for the managed "
                            "node group", "leave the cluster fields out of a managed node group's user data")
    for name, fact in MNG_KUBELET_FIELDS.items():
        found += _where_set(analysis, NC701, f"/spec/kubelet/config/{name}",
                            f"kubelet.config.{name} is likely replaced: {fact}", MNG_HINT)
    return found


def _karpenter(analysis) -> list[Diagnostic]:
    found = []
    appended = KARPENTER_APPENDED
    for name in CLUSTER_FIELDS:
        found += _where_set(analysis, NC702, f"/spec/cluster/{name}",
                            f"spec.cluster.{name} is discarded: Karpenter sets the cluster fields {appended}",
                            "leave the cluster fields out of EC2NodeClass user data")
    for name, (fact, hint) in KARPENTER_KUBELET_FIELDS.items():
        found += _where_set(analysis, NC702, f"/spec/kubelet/config/{name}",
                            f"kubelet.config.{name} is discarded: {fact}, {appended}", hint)
    found += _karpenter_flags(analysis)
    found += _where_set(analysis, NC702, "/spec/kubelet/maxPodsExpression",
                        "maxPodsExpression does not decide maxPods: Karpenter always writes kubelet.config.maxPods, "
                        "so the expression only changes kubeReserved",
                        "set spec.kubelet.maxPods in the EC2NodeClass")
    return found


def _karpenter_flags(analysis) -> list[Diagnostic]:
    from nodecfg.linter.rules.kubelet_flags import parse_flag

    found = []
    flags = spec_get(analysis, "/spec/kubelet/flags")
    for index, entry in enumerate(flags if isinstance(flags, list) else []):
        parsed = parse_flag(entry.strip()) if isinstance(entry, str) else None
        if not parsed or parsed[0] not in KARPENTER_FLAGS:
            continue
        span = analysis.merged.locate(f"/spec/kubelet/flags/{index}")
        if parsed[0] == "register-with-taints" and not _keeps_unregistered_taint(parsed[1]):
            found.append(NC703.at(span, _UNREGISTERED_MESSAGE, f"{NODEPOOL_TAINTS}, and remove the flag"))
        else:
            found.append(NC702.at(span, f"--{parsed[0]} {KARPENTER_FLAGS[parsed[0]]}"))
    return found


_UNREGISTERED_MESSAGE = (
    "--register-with-taints replaces the registerWithTaints Karpenter writes (a flag wins over the config "
    "file), so the node registers without karpenter.sh/unregistered:NoExecute and without the NodePool's "
    "taints: Karpenter v1.0.0-1.0.5, 1.1.0-1.1.1 and 1.2.0 never mark its NodeClaim registered "
    "(UnregisteredTaintNotFound); later releases register it with an UnregisteredTaintMissing warning, "
    "and pods can land on it before the NodePool's taints are synced")


def _keeps_unregistered_taint(value: str | None) -> bool:
    """The flag's taints include karpenter.sh/unregistered with effect NoExecute (KEY[=VALUE]:EFFECT, comma-separated)."""
    for taint in (value or "").split(","):
        key_value, _, effect = taint.strip().rpartition(":")
        if key_value.split("=", 1)[0] == UNREGISTERED_TAINT and effect == "NoExecute":
            return True
    return False
