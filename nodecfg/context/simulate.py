"""The NodeConfig Karpenter or EKS adds to the user data, simulated.

Karpenter (aws/karpenter-provider-aws, read at the commit mirrored for this
project):

* ``pkg/providers/amifamily/bootstrap/nodeadm.go`` ``Script()`` builds the MIME
  archive as *the user's entries first, then its own NodeConfig part*
  (``append(customEntries, mime.Entry{ContentTypeNodeConfig, ...})``), so in
  nodeadm's merge its values win.
* ``getNodeConfigYAML``: ``spec.cluster`` name, apiServerEndpoint, cidr (the
  cluster's service CIDR) and certificateAuthority (the CA bundle decoded and
  marshalled again as base64); ``instance.localStorage.strategy: RAID0`` when
  ``instanceStorePolicy: RAID0``; ``kubelet.config`` is the EC2NodeClass's
  ``spec.kubelet`` passed through as is, plus ``registerWithTaints``;
  ``kubelet.flags`` is ``--node-labels="k=v,..."`` (keys sorted, Go ``%q``
  quoting; ``bootstrap.go`` ``nodeLabelArg``) when there are labels.  The YAML
  comes from sigs.k8s.io/yaml (keys sorted) after a ``# Karpenter Generated
  NodeConfig`` line; the empty ObjectMeta is written as ``metadata: {}``
  (kubernetes/apimachinery ``ObjectMeta.CreationTimestamp`` is ``omitzero``),
  and ``containerd: {}`` and ``instance: {localStorage: {}}`` are the empty
  structs of the nodeadm API version Karpenter's go.mod pins.
* ``pkg/providers/amifamily/resolver.go``: ``maxPods`` is written into the
  kubelet config when the EC2NodeClass sets no integer (the instance type's
  pod capacity; nodecfg uses the ENI-limited count of its instance table,
  *inferred*: Karpenter's own count also depends on its reservedENIs option);
  ``clusterDNS`` is defaulted from the kube-dns service address when the
  EC2NodeClass sets none; the taints are the NodeClaim's taints and startup
  taints plus ``karpenter.sh/unregistered:NoExecute`` if absent.
* ``pkg/providers/launchtemplate/launchtemplate.go``: the labels are the
  NodeClaim's plus ``karpenter.sh/capacity-type`` and (not for the Custom AMI
  family) ``karpenter.sh/do-not-sync-taints=true``; ``RejectForbiddenLabels``
  drops labels in the kubernetes.io and k8s.io domains.  The NodeClaim's
  labels are simulated as the NodePool's ``spec.template.metadata.labels``
  plus ``karpenter.sh/nodepool`` (*inferred*: labels Karpenter derives from
  requirements are not known offline).

EKS managed node groups (no custom AMI) -- *inferred* from public sources, not
from EKS's code, which is not public: the Amazon EKS User Guide ("Customizing
managed nodes with launch templates", AL2023 section) and eksctl
(userdocs/src/usage/node-bootstrapping.md) say EKS adds its own NodeConfig,
with the cluster details, after the launch template's user data; clusterDNS
(the tenth address of the service CIDR) follows the minimal NodeConfig eksctl
writes in its place for a custom AMI (pkg/nodebootstrap/al2023.go); the
labels follow what eksctl and terraform-aws-eks document for managed node
groups (``eks.amazonaws.com/nodegroup``, ``eks.amazonaws.com/capacityType``).
No maxPods: eksctl's integration test asserts that an AL2023 managed node
group's nodes get the maxPods of its user data
(integration/tests/crud/creategetdelete_test.go), so the part does not set one
that wins.
"""

import base64
import binascii
import ipaddress
import json
from typing import Any, NamedTuple

from nodecfg.core.codes import NC720, NC721, NC722
from nodecfg.core.diagnostics import Diagnostic, Severity, Span
from nodecfg.core.document import Document

KARPENTER_ORIGIN = "karpenter-generated"
EKS_ORIGIN = "eks-generated"
GENERATED_ORIGINS = (KARPENTER_ORIGIN, EKS_ORIGIN)
UNREGISTERED_TAINT = {"key": "karpenter.sh/unregistered", "effect": "NoExecute"}
RESTRICTED_LABEL_DOMAINS = ("node-restriction.kubernetes.io", "kubernetes.io", "k8s.io")


class ClusterFacts(NamedTuple):
    name: str = ""
    endpoint: str = ""
    certificate_authority: str = ""  # base64, as describe-cluster gives it
    service_cidr: str = ""
    dns_ip: str = ""
    capacity_type: str = "on-demand"
    node_group: str = ""
    instance_type: str = ""


CLUSTER_KEYS = {"name": "name", "endpoint": "endpoint", "apiServerEndpoint": "endpoint",
                "certificateAuthority": "certificate_authority", "serviceCidr": "service_cidr",
                "cidr": "service_cidr", "clusterDNS": "dns_ip", "capacityType": "capacity_type",
                "nodeGroup": "node_group", "instanceType": "instance_type"}


def load_cluster_facts(path: str, overrides: dict[str, str] | None = None
                       ) -> tuple[ClusterFacts | None, list[Diagnostic]]:
    """Facts from a YAML/JSON file: nodecfg's own keys, or saved ``aws eks describe-cluster`` output."""
    from nodecfg.parse.yaml import decode_text, parse_yaml_documents

    values: dict[str, str] = {}
    if path:
        try:
            with open(path, "rb") as stream:
                data = stream.read(1 << 20)
        except OSError as error:
            return None, [_unreadable(path, error.strerror or str(error))]
        text, problems = decode_text(data, path)
        if text is None:
            return None, problems
        documents, problems = parse_yaml_documents(text, path)
        errors = [p for p in problems if p.severity >= Severity.ERROR]
        if errors or not documents or not isinstance(documents[0].data, dict):
            return None, errors or [_unreadable(path, "it is not a YAML or JSON mapping")]
        values = facts_from_mapping(documents[0].data)
    values.update({k: v for k, v in (overrides or {}).items() if v})
    return ClusterFacts(**values), []


def facts_from_mapping(data: dict) -> dict[str, str]:
    cluster = data.get("cluster") if isinstance(data.get("cluster"), dict) else None
    if cluster is not None and ("kubernetesNetworkConfig" in cluster or "certificateAuthority" in cluster):
        network = cluster.get("kubernetesNetworkConfig") or {}
        ipv6 = network.get("ipFamily") == "ipv6"
        ca = cluster.get("certificateAuthority")
        return {"name": str(cluster.get("name") or ""), "endpoint": str(cluster.get("endpoint") or ""),
                "certificate_authority": str(ca.get("data") if isinstance(ca, dict) else ca or ""),
                "service_cidr": str(network.get("serviceIpv6Cidr" if ipv6 else "serviceIpv4Cidr") or "")}
    return {field: str(data[key]) for key, field in CLUSTER_KEYS.items()
            if key in data and data[key] is not None}


def _unreadable(path: str, reason: str) -> Diagnostic:
    return NC721.at(Span(path, 0, 0), f"cannot read cluster facts {path}: {reason}")


def dns_ip(facts: ClusterFacts) -> str:
    """The kube-dns address: given, or the tenth address of the service CIDR (the EKS convention)."""
    if facts.dns_ip:
        return facts.dns_ip
    try:
        network = ipaddress.ip_network(facts.service_cidr, strict=False)
    except ValueError:
        return ""
    return str(network.network_address + 10)


# --- Karpenter -------------------------------------------------------------------------


def karpenter_nodeconfig(nodeclass: dict, facts: ClusterFacts, pod_capacity: int
                         ) -> tuple[dict, list[Diagnostic]]:
    """The NodeConfig Karpenter appends for an EC2NodeClass (and its NodePools), as data."""
    diagnostics: list[Diagnostic] = []
    spec = nodeclass.get("spec") or {}
    nodepool = (nodeclass.get("nodepools") or [None])[0] or {}
    template = _mapping(_mapping(nodepool.get("spec")).get("template"))
    kubelet = dict(_mapping(spec.get("kubelet")) or _mapping(_mapping(template.get("spec")).get("kubelet")))
    cluster: dict[str, Any] = {"name": facts.name, "apiServerEndpoint": facts.endpoint, "cidr": facts.service_cidr}
    if facts.certificate_authority:
        try:
            ca = base64.b64decode(facts.certificate_authority, validate=True)
            cluster["certificateAuthority"] = base64.b64encode(ca).decode()
        except (binascii.Error, ValueError):
            diagnostics.append(_not_ready(nodeclass, "the CA bundle is not base64 ('decoding CABundle')"))
    if not facts.service_cidr:
        diagnostics.append(_not_ready(nodeclass, "the cluster CIDR is not known ('resolving cluster CIDR'); "
                                                 "give serviceCidr in --cluster"))
    if not isinstance(kubelet.get("maxPods"), int) or isinstance(kubelet.get("maxPods"), bool):
        kubelet["maxPods"] = pod_capacity
    if not kubelet.get("clusterDNS") and dns_ip(facts):
        kubelet["clusterDNS"] = [dns_ip(facts)]
    kubelet["registerWithTaints"] = _taints(template)
    config: dict[str, Any] = {
        "apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "metadata": {},
        "spec": {"cluster": {k: v for k, v in cluster.items() if v}, "containerd": {},
                 "instance": {"localStorage": {"strategy": "RAID0"}
                              if spec.get("instanceStorePolicy") == "RAID0" else {}},
                 "kubelet": {"config": kubelet}}}
    labels = _labels(nodeclass, nodepool, template, facts)
    if labels:
        joined = ",".join(f"{key}={labels[key]}" for key in sorted(labels))
        config["spec"]["kubelet"]["flags"] = [f"--node-labels={json.dumps(joined)}"]
    return config, diagnostics


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _not_ready(nodeclass: dict, reason: str) -> Diagnostic:
    document = nodeclass.get("document")
    span = document.span_of("") if isinstance(document, Document) else Span("<cluster>")
    return NC722.at(span,
                      f"Karpenter would not launch nodes for EC2NodeClass '{nodeclass.get('name')}': {reason}")


def _taints(template: dict) -> list[dict]:
    spec = _mapping(template.get("spec"))
    taints = [t for t in list(spec.get("taints") or []) + list(spec.get("startupTaints") or [])
              if isinstance(t, dict)]
    taints = [{k: t[k] for k in ("key", "value", "effect", "timeAdded") if t.get(k) not in (None, "")}
              for t in taints]
    if not any(t.get("key") == UNREGISTERED_TAINT["key"] and t.get("effect") == UNREGISTERED_TAINT["effect"]
               for t in taints):
        taints.append(dict(UNREGISTERED_TAINT))
    return taints


def _labels(nodeclass: dict, nodepool: dict, template: dict, facts: ClusterFacts) -> dict[str, str]:
    labels = {str(k): str(v) for k, v in _mapping(_mapping(template.get("metadata")).get("labels")).items()}
    name = _mapping(nodepool.get("metadata")).get("name")
    if name:
        labels["karpenter.sh/nodepool"] = str(name)
    labels["karpenter.sh/capacity-type"] = facts.capacity_type or "on-demand"
    alias = " ".join(str(t.get("alias", "")) for t in (nodeclass.get("spec") or {}).get("amiSelectorTerms") or []
                     if isinstance(t, dict))
    if (nodeclass.get("spec") or {}).get("amiFamily") != "Custom" or alias:
        labels["karpenter.sh/do-not-sync-taints"] = "true"
    return {k: v for k, v in labels.items() if not _restricted(k)}


def _restricted(label: str) -> bool:
    domain = label.split("/", 1)[0] if "/" in label else ""
    return any(domain == d or domain.endswith("." + d) for d in RESTRICTED_LABEL_DOMAINS)


# --- EKS managed node groups (inferred) ------------------------------------------------------


def eks_nodeconfig(facts: ClusterFacts) -> dict:
    kubelet: dict[str, Any] = {}
    if dns_ip(facts):
        kubelet["clusterDNS"] = [dns_ip(facts)]
    labels = {"eks.amazonaws.com/capacityType": "SPOT" if facts.capacity_type == "spot" else "ON_DEMAND"}
    if facts.node_group:
        labels["eks.amazonaws.com/nodegroup"] = facts.node_group
    joined = ",".join(f"{key}={labels[key]}" for key in sorted(labels))
    cluster = {"name": facts.name, "apiServerEndpoint": facts.endpoint,
               "certificateAuthority": facts.certificate_authority, "cidr": facts.service_cidr}
    return {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig",
            "spec": {"cluster": {k: v for k, v in cluster.items() if v},
                     "kubelet": {"config": kubelet, "flags": [f"--node-labels={joined}"]}}}


# --- as a source ---------------------------------------------------------------------------------


def append_generated(loaded, facts: ClusterFacts, instance_type: str = "") -> None:
    """Add the NodeConfig Karpenter or EKS appends to each user data read from a container file.

    The pipeline calls this after loading (pipeline.analyse), before validation
    and the merge.  Each part goes right after its unit's own documents, where
    the parser recorded them (parse/source.py ``UnitRead``): in nodeadm's merge
    its values win over the unit's and lose to any source given after it.  Its
    text is kept under its origin ("karpenter-generated", "eks-generated"),
    which is the uri of its spans.
    """
    if not loaded.units:
        return
    from nodecfg.parse.yaml import parse_yaml_documents

    capacity = pod_capacity(facts.instance_type or instance_type or "m5.large")
    texts = list(loaded.texts.items())
    added_documents = added_texts = 0
    for unit in loaded.units:
        if unit.mode == "karpenter" and unit.nodeclass is not None:
            config, problems = karpenter_nodeconfig(unit.nodeclass, facts, capacity)
            origin = KARPENTER_ORIGIN
            loaded.diagnostics.extend(problems)
        elif unit.mode == "managed-nodegroup":
            config, origin = eks_nodeconfig(facts), EKS_ORIGIN
        else:
            continue
        text = generated_text(config, origin)
        documents = parse_yaml_documents(text, origin)[0][:1]
        at = unit.documents + added_documents
        loaded.documents[at:at] = documents
        added_documents += len(documents)
        known = next((index for index, (uri, _) in enumerate(texts) if uri == origin), None)
        if known is None:
            texts.insert(unit.texts + added_texts, (origin, text))
            added_texts += 1
        else:  # a second part of the same origin: its text replaces the first's
            texts[known] = (origin, text)
    loaded.texts.clear()
    loaded.texts.update(texts)


def generated_text(config: dict, origin: str) -> str:
    """The part's YAML: keys sorted as sigs.k8s.io/yaml writes them."""
    from nodecfg.encode.yaml import dump_yaml

    heading = "# Karpenter Generated NodeConfig\n" if origin == KARPENTER_ORIGIN else \
        "# NodeConfig EKS appends for a managed node group (simulated by nodecfg)\n"
    return heading + dump_yaml(_sorted(config))


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def pod_capacity(instance_type: str) -> int:
    from nodecfg.nodeadm.instance_table import lookup
    from nodecfg.context.maxpods import standard_max_pods

    info = lookup(instance_type)
    if info is None or info.default_enis is None or info.ips_per_eni is None:
        return 110
    return standard_max_pods(info.default_enis, info.ips_per_eni)


def discarded_values(merged) -> list[Diagnostic]:
    """NC720 at every user value that a generated part replaces in the merge."""
    found = []
    for pointer, setters in sorted(merged.provenance.items()):
        if len(setters) < 2 or setters[-1].uri not in GENERATED_ORIGINS:
            continue
        winner = setters[-1].uri
        who = "Karpenter" if winner == KARPENTER_ORIGIN else "EKS"
        from nodecfg.merge.nodeconfig import get_pointer

        value = json.dumps(get_pointer(merged.data, pointer))
        for span in setters[:-1]:
            if span.uri in GENERATED_ORIGINS:
                continue
            found.append(NC720.at(
                span,
                f"{pointer[1:].replace('/', '.')} set here is discarded: the NodeConfig {who} appends "
                f"after your user data sets {value} ({winner}:{setters[-1].line})",
                "set it where Karpenter reads it (EC2NodeClass spec.kubelet, NodePool)"
                if who == "Karpenter" else "to choose it, use a custom AMI (EKS then appends nothing)"))
    return found


def without_generated_mode_findings(found: list[Diagnostic]) -> list[Diagnostic]:
    """Findings located in the simulated part are not the user's to fix (NC720 names what they lose).

    NC701/NC702 there would say the simulated part overrides itself; the
    kubelet-flag rules read Karpenter's ``--node-labels="..."`` (Go ``%q``
    quoting, which the systemd EnvironmentFile parser unquotes) without
    unquoting it.
    """
    return [d for d in found if d.span.uri not in GENERATED_ORIGINS]
