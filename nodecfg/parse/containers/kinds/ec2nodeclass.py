"""Karpenter EC2NodeClass manifests: ``spec.userData``, read as Karpenter reads it.

Karpenter takes ``spec.userData`` as text, never base64-decoded
(aws/karpenter-provider-aws pkg/providers/amifamily/bootstrap/nodeadm.go,
``parseUserData``): MIME when it starts with ``MIME-Version:`` or
``Content-Type:``, else a NodeConfig part when it decodes as a YAML mapping,
else a ``text/x-shellscript`` part (see ``karpenter_part_kind``).  A file may
hold several documents (Helm output); NodePools that refer to a class feed the
simulation of the NodeConfig Karpenter appends, other documents get an NC171 note.
"""
from __future__ import annotations

from nodecfg.core import locations
from nodecfg.core.codes import NC171, NC172, NC174
from nodecfg.core.document import Document
from nodecfg.parse.containers import Kind
from nodecfg.parse.containers.positions import TextMap, value_offsets
from nodecfg.parse.containers.reading import Container, ContainerFile, Unit, get

KARPENTER_GROUP = "karpenter.k8s.aws"
KARPENTER_VERSIONS = ("v1", "v1beta1")
NODEPOOL_GROUP = "karpenter.sh"

KIND = Kind(
    names={"ec2nodeclass": "Karpenter EC2NodeClass manifest"},
    group="ec2nodeclass",
    noun="an EC2NodeClass",
    sniff=rb"EC2NodeClass",
    help="a Karpenter EC2NodeClass manifest (karpenter.k8s.aws/v1 or v1beta1, multi-document or Helm output; "
         "the mode becomes karpenter)",
    doc=("Karpenter `EC2NodeClass` (`karpenter.k8s.aws/v1`, `v1beta1`), multi-document, Helm output",
         "`spec.userData`; other documents get an NC171 note, NodePools feed the simulation", "karpenter"),
    order=10,
    manifest=(KARPENTER_GROUP, "EC2NodeClass"),
)


def detect(file: ContainerFile) -> bool:
    return any(isinstance(d.data, dict) and d.data.get("kind") == "EC2NodeClass" for d in file.documents)


def read(file: ContainerFile) -> Container:
    container = Container("ec2nodeclass")
    nodepools = [d.data for d in file.documents
                 if isinstance(d.data, dict) and d.data.get("kind") == "NodePool"
                 and str(d.data.get("apiVersion", "")).startswith(NODEPOOL_GROUP + "/")]
    for document in file.documents:
        data = document.data
        kind = data.get("kind") if isinstance(data, dict) else None
        name = get(data, "metadata", "name") or f"document {document.index + 1}"
        if kind == "EC2NodeClass" and str(data.get("apiVersion", "")).split("/")[0] == KARPENTER_GROUP:
            _nodeclass(file, document, str(name), nodepools, container)
            continue
        if kind == "NodePool":
            container.diagnostics.append(NC171.at(
                document.span_of("/kind"),
                f"NodePool '{name}' is not user data: its labels, taints and startup taints are read "
                "for the NodeConfig Karpenter appends (with --cluster)"))
            continue
        label = f"{kind} '{name}'" if kind else "a document without kind"
        container.diagnostics.append(NC171.at(
            document.span_of("/kind" if kind else ""),
            f"{label} is not user data; skipped"))
    return container


def _nodeclass(file: ContainerFile, document: Document, name: str, nodepools: list, container: Container) -> None:
    version = str(document.data.get("apiVersion", "")).split("/")[-1]
    spec = document.data.get("spec") if isinstance(document.data.get("spec"), dict) else {}
    user_data = spec.get("userData")
    if version not in KARPENTER_VERSIONS:
        container.diagnostics.append(NC174.at(
            document.span_of("/apiVersion"),
            f"EC2NodeClass apiVersion {document.data.get('apiVersion')} is not one nodecfg knows "
            f"({', '.join(KARPENTER_GROUP + '/' + v for v in KARPENTER_VERSIONS)}); read as v1"))
    if user_data in (None, ""):
        container.diagnostics.append(NC172.at(
            document.span_of("/spec"),
            f"EC2NodeClass '{name}' has no spec.userData: the node gets only Karpenter's NodeConfig"))
        user_data = ""
    if not isinstance(user_data, str):
        container.diagnostics.append(NC174.at(
            document.span_of("/spec/userData"),
            f"EC2NodeClass '{name}' spec.userData is not a string"))
        return
    pointer = "/spec/userData"
    span = document.span_of(pointer)
    offsets = value_offsets(file.text, span, user_data, file.lines) if user_data else []
    mine = [p for p in nodepools if get(p, "spec", "template", "spec", "nodeClassRef", "name") == name]
    container.units.append(Unit(
        locations.unit_uri(file.uri, f"EC2NodeClass={name}"), user_data.encode(),
        TextMap(user_data, offsets, file.lines),
        span, "karpenter", "ec2nodeclass",
        {"name": name, "apiVersion": document.data.get("apiVersion"), "spec": spec, "nodepools": mine,
         "document": document}))


def karpenter_part_kind(text: str) -> str:
    """How Karpenter files spec.userData: "mime", "nodeconfig" or "shell".

    nodeadm.go ``parseUserData``: MIME when the trimmed text starts with
    ``MIME-Version:`` or ``Content-Type:``; else a NodeConfig part when
    sigs.k8s.io/yaml can unmarshal it into a map (a mapping, or a document
    that reads as null); else a ``text/x-shellscript`` part.
    """
    from nodecfg.nodeadm.userdata import karpenter_reads_as_mime
    from nodecfg.parse.yaml_block import reads_as_plain_text

    if karpenter_reads_as_mime(text):
        return "mime"
    if reads_as_plain_text(text):  # a script's first command: no YAML read needed (nor ruamel's import)
        return "shell"
    from nodecfg.parse.yaml import parse_yaml_documents

    documents, diagnostics = parse_yaml_documents(text, "<userData>")
    if any(d.code == "NC120" for d in diagnostics):
        return "shell"
    if not documents or isinstance(documents[0].data, dict):
        return "nodeconfig"
    return "shell"
