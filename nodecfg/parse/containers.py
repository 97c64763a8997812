"""User data where it lives: EC2NodeClass manifests, launch templates, Terraform plans.

A *container* is a YAML or JSON file that holds user data as one string
value: ``spec.userData`` of a Karpenter ``EC2NodeClass``,
``LaunchTemplateData.UserData`` of a CloudFormation ``AWS::EC2::LaunchTemplate``
or of ``aws ec2 describe-launch-template-versions`` / ``get-launch-template-data``
output, ``user_data`` of an ``aws_launch_template`` in ``terraform show -json``
output.  ``extract`` recognises the kind by content and returns one ``Unit``
per user data it holds, with a ``TextMap`` that maps a line and column of the
user data text back to the line and column of the containing file (through
the YAML block scalar, the JSON string escapes and Fn::Sub substitution).
User data that is base64 in the file (launch template API output, Terraform)
keeps the existing convention: its spans number lines of the decoded text and
their uri names the layer (``lt.json#version=1#base64``).

Facts relied on:

* Karpenter takes ``spec.userData`` as text, never base64-decoded
  (aws/karpenter-provider-aws pkg/providers/amifamily/bootstrap/nodeadm.go,
  ``parseUserData``): MIME when it starts with ``MIME-Version:`` or
  ``Content-Type:``, else a NodeConfig part when it decodes as a YAML mapping,
  else a ``text/x-shellscript`` part (see ``karpenter_part_kind``).
* EC2 launch template ``UserData`` is base64 (EC2 API
  RequestLaunchTemplateData); CloudFormation requires ``Fn::Base64`` around
  the text, and ``Fn::Sub`` substitutes ``${Name}`` from parameters, pseudo
  parameters (``AWS::Region``...) and resource attributes, ``${!x}`` is a
  literal ``${x}`` (CloudFormation User Guide, Fn::Sub).
* ``aws_launch_template.user_data`` holds base64 text (Terraform AWS
  provider, resource docs); ``terraform show -json`` writes the plan's
  ``planned_values`` or the state's ``values`` with resources per module.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from nodecfg.core.codes import NC170, NC171, NC172, NC173, NC174, NC175
from nodecfg.core import locations
from nodecfg.core.diagnostics import Diagnostic, Severity, Span
from nodecfg.core.document import Document, join_pointer

KINDS = {
    "ec2nodeclass": "Karpenter EC2NodeClass manifest",
    "cloudformation": "CloudFormation template (AWS::EC2::LaunchTemplate)",
    "launch-template-versions": "aws ec2 describe-launch-template-versions output",
    "launch-template-data": "aws ec2 get-launch-template-data output",
    "terraform": "terraform show -json plan or state",
}

KARPENTER_GROUP = "karpenter.k8s.aws"
KARPENTER_VERSIONS = ("v1", "v1beta1")
NODEPOOL_GROUP = "karpenter.sh"

def maybe_container(data: bytes) -> bool:
    from nodecfg.parse.source import maybe_container as cheap_look

    return cheap_look(data)


# --- positions ---------------------------------------------------------------


class LineIndex:
    """The one offset <-> (line, column) mapper of a text, its line starts found once.

    Every position in a container file goes through the file's one index, so
    a template with thousands of Fn::Join items or Fn::Sub references costs
    one scan of the file, not one per item.
    """

    __slots__ = ("starts", "length")

    def __init__(self, text: str) -> None:
        starts = [0]
        index = text.find("\n")
        while index >= 0:
            starts.append(index + 1)
            index = text.find("\n", index + 1)
        self.starts = starts
        self.length = len(text)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def offset(self, line: int, col: int) -> int:
        """Character offset of a 1-based line and column (clamped to the text's lines)."""
        starts = self.starts
        return starts[max(1, min(line, len(starts))) - 1] + max(col, 1) - 1


class TextMap:
    """Maps a (line, col) of an embedded text to the (line, col) of its file.

    ``offsets[i]`` is the file offset of character ``i`` of the text; the
    file's ``LineIndex`` turns an offset into a line and column.
    """

    def __init__(self, text: str, offsets: list[int], file_lines: LineIndex) -> None:
        self.offsets = offsets or [0]
        self.text_lines = LineIndex(text)
        self.file_lines = file_lines
        self.text_length = len(text)

    def map(self, line: int, col: int) -> tuple[int, int]:
        if line <= 0:
            return self.file_lines.position(self.offsets[0])
        starts = self.text_lines.starts
        start = starts[min(line, len(starts)) - 1]
        index = min(start + max(col, 1) - 1, len(self.offsets) - 1)
        return self.file_lines.position(self.offsets[index])

    def map_span(self, span: Span, uri: str) -> Span:
        line, col = self.map(span.line, span.col)
        end_line, end_col = self.map(span.end_line, span.end_col) if span.end_line else (0, 0)
        return Span(uri, line, col, end_line, end_col)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f",
            "0": "\0", "a": "\a", "v": "\v", "e": "\x1b", " ": " ", "N": "\x85", "_": "\xa0"}


def value_offsets(file_text: str, span: Span, value: str, lines: LineIndex) -> list[int]:
    """The file offset of every character of a string scalar that starts at ``span``.

    The raw characters from the span are aligned with the value: a double
    quoted scalar is decoded escape by escape first; indentation and the
    line folding of block and plain scalars are skipped over.
    """
    start = lines.offset(span.line, span.col)
    end = lines.offset(span.end_line, span.end_col) if span.end_line else len(file_text)
    end = max(end, start + 1)
    start = _skip_tag(file_text, start, end)
    if file_text[start:start + 1] == '"':
        chars, offsets = _decode_double_quoted(file_text, start + 1, end)
    else:
        chars, offsets = file_text[start:end], list(range(start, end))
    return _align(value, chars, offsets, start)


def _skip_tag(text: str, start: int, end: int) -> int:
    if text[start:start + 1] != "!":
        return start
    match = re.compile(r"![^\s]*\s+").match(text, start, end)
    return match.end() if match else start


def _decode_double_quoted(text: str, start: int, end: int) -> tuple[str, list[int]]:
    chars: list[str] = []
    offsets: list[int] = []
    index = start
    while index < end:
        char = text[index]
        if char == '"':
            break
        if char == "\\" and index + 1 < end:
            code = text[index + 1]
            width = {"x": 2, "u": 4, "U": 8}.get(code)
            if width:
                digits = text[index + 2:index + 2 + width]
                try:
                    chars.append(chr(int(digits, 16)))
                except ValueError:
                    chars.append("\ufffd")
                offsets.append(index)
                index += 2 + width
                continue
            chars.append(_ESCAPES.get(code, code))
            offsets.append(index)
            index += 2
            continue
        chars.append(char)
        offsets.append(index)
        index += 1
    return "".join(chars), offsets


def _align(value: str, chars: str, offsets: list[int], fallback: int) -> list[int]:
    """The offset of each character of value, matched left to right against the raw characters.

    Linear in the text: the cursor only moves forward, so a character once
    missing after it stays missing, and the next line break is looked up again
    only when the cursor has passed it.
    """
    result: list[int] = []
    cursor = 0
    missing: set[str] = set()
    newline = chars.find("\n")
    for char in value:
        found = -1 if char in missing else chars.find(char, cursor)
        if found < 0:
            missing.add(char)
        if char == " ":  # a folded line break reads as one space
            if 0 <= newline < cursor:
                newline = chars.find("\n", cursor)
            if newline >= 0 and (found < 0 or newline < found):
                found = newline
        if found < 0:
            result.append(offsets[cursor] if cursor < len(offsets) else (offsets[-1] if offsets else fallback))
            continue
        result.append(offsets[found])
        cursor = found + 1
    return result


# --- what extract returns ----------------------------------------------------------


@dataclass
class Unit:
    """One user data found in a container."""

    uri: str                  # e.g. "nodeclass.yaml#EC2NodeClass=default"
    data: bytes               # the user data as the instance gets it, or its base64 text
    text_map: TextMap | None  # None: base64 in the file; spans stay lines of the decoded text
    anchor: Span              # where the value starts in the file
    mode: str                 # who completes the configuration
    kind: str
    karpenter: dict | None = None  # {"name", "spec", "nodepools": [...]} of an EC2NodeClass


@dataclass
class Container:
    kind: str
    units: list[Unit] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def extract(data: bytes, uri: str, params: dict[str, str] | None = None) -> Container | None:
    """The container in ``data``, or None when it is not one (plain NodeConfig, user data).

    ``check`` lints each user data of a file in a run of its own (and counts
    them first), so the same file is asked for once per user data: it is read
    once, and the runs share the result, which nothing changes.
    """
    return _extract(bytes(data), uri, tuple(sorted((params or {}).items())))


@functools.lru_cache(maxsize=2)  # the file being linted; a second for unit_count's look at the next one
def _extract(data: bytes, uri: str, params: tuple[tuple[str, str], ...]) -> Container | None:
    from nodecfg.parse.yaml import decode_text, parse_yaml_documents

    text, problems = decode_text(data, uri)
    if text is None:
        return None
    documents, diagnostics = parse_yaml_documents(text, uri)
    if not documents or any(d.code == "NC120" for d in diagnostics):
        return None
    reader = _Reader(text, uri, documents, dict(params))
    container = reader.read()
    if container is not None:
        container.diagnostics[:0] = [d for d in diagnostics if d.severity >= Severity.ERROR]
    return container


def _get(data: Any, *path: str) -> Any:
    for token in path:
        if not isinstance(data, dict):
            return None
        data = data.get(token)
    return data


def _is_nodeconfig_like(document: Document) -> bool:
    data = document.data
    if not isinstance(data, dict):
        return True
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if isinstance(api_version, str) and "node.eks.aws" in api_version:
        return True
    if isinstance(kind, str) and _similar(kind.lower(), "nodeconfig"):
        return True
    return kind is None and api_version is None and "spec" in data


def _similar(a: str, b: str) -> bool:
    """Within two edits: a typo of the kind is reported by the schema, not as another kind."""
    if abs(len(a) - len(b)) > 2:
        return False
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1] <= 2


class _Reader:
    def __init__(self, text: str, uri: str, documents: list[Document], params: dict[str, str]) -> None:
        self.text = text
        self.lines = LineIndex(text)
        self.uri = uri
        self.documents = documents
        self.params = params
        self.diagnostics: list[Diagnostic] = []

    def read(self) -> Container | None:
        first = self.documents[0].data
        if not isinstance(first, dict):
            return None
        kinds = [d.data.get("kind") if isinstance(d.data, dict) else None for d in self.documents]
        if "EC2NodeClass" in kinds:
            return self._manifests()
        if isinstance(first.get("Resources"), dict) and (
                "AWSTemplateFormatVersion" in first or _has_launch_template(first["Resources"])):
            return self._cloudformation(first)
        if isinstance(first.get("LaunchTemplateVersions"), list):
            return self._launch_template_versions(first)
        if isinstance(first.get("LaunchTemplateData"), dict):
            return self._launch_template_data(first)
        if "format_version" in first and ("planned_values" in first or "values" in first
                                         or "terraform_version" in first):
            return self._terraform(first)
        if all(_is_nodeconfig_like(d) for d in self.documents):
            return None
        return self._unknown()

    # --- unknown -----------------------------------------------------------------

    def _unknown(self) -> Container:
        document = next(d for d in self.documents if not _is_nodeconfig_like(d))
        data = document.data
        what = f"kind '{data.get('kind')}' ({data.get('apiVersion')})" if data.get("kind") else \
            "a YAML/JSON document that is not a NodeConfig"
        message = (f"{self.uri} holds {what}; nodecfg reads NodeConfig documents, MIME user data, "
                   f"and user data inside: {'; '.join(KINDS.values())}")
        return Container("unknown", [], [NC170.at(document.span_of(""), message,
                                                  "see `nodecfg check --help` for the recognised kinds")])

    # --- Kubernetes manifests ---------------------------------------------------------

    def _manifests(self) -> Container:
        container = Container("ec2nodeclass")
        nodepools = [d.data for d in self.documents
                     if isinstance(d.data, dict) and d.data.get("kind") == "NodePool"
                     and str(d.data.get("apiVersion", "")).startswith(NODEPOOL_GROUP + "/")]
        for document in self.documents:
            data = document.data
            kind = data.get("kind") if isinstance(data, dict) else None
            name = _get(data, "metadata", "name") or f"document {document.index + 1}"
            if kind == "EC2NodeClass" and str(data.get("apiVersion", "")).split("/")[0] == KARPENTER_GROUP:
                self._nodeclass(document, str(name), nodepools, container)
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
        container.diagnostics[:0] = self.diagnostics
        return container

    def _nodeclass(self, document: Document, name: str, nodepools: list, container: Container) -> None:
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
        offsets = value_offsets(self.text, span, user_data, self.lines) if user_data else []
        mine = [p for p in nodepools if _get(p, "spec", "template", "spec", "nodeClassRef", "name") == name]
        container.units.append(Unit(
            locations.unit_uri(self.uri, f"EC2NodeClass={name}"), user_data.encode(), TextMap(user_data, offsets, self.lines),
            span, "karpenter", "ec2nodeclass",
            {"name": name, "apiVersion": document.data.get("apiVersion"), "spec": spec, "nodepools": mine,
             "document": document}))

    # --- CloudFormation -----------------------------------------------------------------

    def _cloudformation(self, template: dict) -> Container:
        container = Container("cloudformation")
        document = self.documents[0]
        resources = template["Resources"]
        managed = _referenced_by(resources, "AWS::EKS::Nodegroup")
        parameters = _parameter_defaults(template)
        for logical_id, resource in resources.items():
            if not isinstance(resource, dict) or resource.get("Type") != "AWS::EC2::LaunchTemplate":
                continue
            pointer = join_pointer(join_pointer("/Resources", logical_id), "Properties")
            pointer = f"{pointer}/LaunchTemplateData/UserData"
            value = _get(resource, "Properties", "LaunchTemplateData", "UserData")
            unit_uri = locations.unit_uri(self.uri, logical_id)
            if value is None:
                container.diagnostics.append(NC172.at(
                    document.span_of(pointer),
                    f"launch template {logical_id} has no LaunchTemplateData.UserData"))
                continue
            evaluator = _Intrinsics(self.text, self.lines, document, {**parameters, **self.params})
            mode = "managed-nodegroup" if logical_id in managed else "self-managed"
            unit = evaluator.user_data(value, pointer, unit_uri, mode)
            container.diagnostics.extend(evaluator.diagnostics)
            if unit is not None:
                container.units.append(unit)
        if not container.units and not container.diagnostics:
            container.diagnostics.append(NC172.at(
                document.span_of("/Resources"),
                "the template has no AWS::EC2::LaunchTemplate with UserData"))
        return container

    # --- EC2 API output --------------------------------------------------------------------

    def _launch_template_versions(self, output: dict) -> Container:
        container = Container("launch-template-versions")
        document = self.documents[0]
        for index, version in enumerate(output["LaunchTemplateVersions"]):
            pointer = f"/LaunchTemplateVersions/{index}/LaunchTemplateData/UserData"
            label = f"version={_get(version, 'VersionNumber') or index + 1}"
            name = _get(version, "LaunchTemplateName")
            if name:
                label = f"{name}:{label}"
            self._base64_unit(document, pointer, _get(version, "LaunchTemplateData", "UserData"),
                              locations.unit_uri(self.uri, label), "self-managed", container)
        return container

    def _launch_template_data(self, output: dict) -> Container:
        container = Container("launch-template-data")
        self._base64_unit(self.documents[0], "/LaunchTemplateData/UserData",
                          _get(output, "LaunchTemplateData", "UserData"), locations.unit_uri(self.uri, "LaunchTemplateData"),
                          "self-managed", container)
        return container

    def _base64_unit(self, document: Document, pointer: str, value: Any, unit_uri: str, mode: str,
                     container: Container, kind: str = "") -> None:
        span = document.span_of(pointer)
        if value in (None, ""):
            container.diagnostics.append(NC172.at(span,
                                                    f"{locations.fragment_of(unit_uri)} has no user data"))
            return
        if not isinstance(value, str) or not _is_base64(value):
            container.diagnostics.append(NC175.at(
                span,
                "launch template user data must be base64; EC2 refuses this value"))
            return
        container.units.append(Unit(unit_uri, value.encode(), None, span, mode, kind or container.kind))

    # --- Terraform -----------------------------------------------------------------------------

    def _terraform(self, output: dict) -> Container:
        container = Container("terraform")
        document = self.documents[0]
        root = "/planned_values" if isinstance(output.get("planned_values"), dict) else "/values"
        module = _get(output, root[1:], "root_module")
        managed = _terraform_node_group_templates(output)
        for pointer, resource in _terraform_resources(module, f"{root}/root_module"):
            if resource.get("type") != "aws_launch_template" or resource.get("mode", "managed") != "managed":
                continue
            address = str(resource.get("address") or resource.get("name"))
            values = resource.get("values") if isinstance(resource.get("values"), dict) else {}
            mode = "managed-nodegroup" if address in managed else "self-managed"
            user_data = values.get("user_data")
            if user_data is None and _unknown_after_apply(output, address, "user_data"):
                container.diagnostics.append(NC174.at(
                    document.span_of(pointer),
                    f"{address}: user_data is known only after apply; nothing to check in this plan"))
                continue
            self._base64_unit(document, f"{pointer}/values/user_data", user_data, locations.unit_uri(self.uri, address),
                              mode, container)
        if not container.units and not container.diagnostics:
            container.diagnostics.append(NC172.at(
                document.span_of(root),
                "the Terraform output has no aws_launch_template with user_data"))
        return container


def _is_base64(value: str) -> bool:
    from nodecfg.parse.wrapping import decode_if_base64

    return decode_if_base64(value.encode(), len(value)) is not None  # decoded data is never longer


def _has_launch_template(resources: dict) -> bool:
    return any(isinstance(r, dict) and r.get("Type") == "AWS::EC2::LaunchTemplate" for r in resources.values())


def _referenced_by(resources: dict, resource_type: str) -> set[str]:
    """Logical ids that a resource of resource_type refers to with Ref (LaunchTemplate Id or Name)."""
    found: set[str] = set()
    for resource in resources.values():
        if isinstance(resource, dict) and resource.get("Type") == resource_type:
            reference = _get(resource, "Properties", "LaunchTemplate")
            _collect_refs(reference, found)
            # a short-form `!Ref LT` reads as the plain string "LT" (the tag is not kept)
            if isinstance(reference, dict):
                found.update(v for v in reference.values() if isinstance(v, str) and v in resources)
    return found


def _collect_refs(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and isinstance(item, str):
                found.add(item)
            elif key == "Fn::GetAtt":
                target = item[0] if isinstance(item, list) and item else str(item).split(".")[0]
                found.add(str(target))
            else:
                _collect_refs(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect_refs(item, found)


def _parameter_defaults(template: dict) -> dict[str, str]:
    parameters = template.get("Parameters")
    if not isinstance(parameters, dict):
        return {}
    return {name: str(p["Default"]) for name, p in parameters.items()
            if isinstance(p, dict) and "Default" in p and not isinstance(p["Default"], (dict, list))}


def _terraform_resources(module: Any, pointer: str):
    if not isinstance(module, dict):
        return
    for index, resource in enumerate(module.get("resources") or []):
        if isinstance(resource, dict):
            yield f"{pointer}/resources/{index}", resource
    for index, child in enumerate(module.get("child_modules") or []):
        yield from _terraform_resources(child, f"{pointer}/child_modules/{index}")


def _terraform_node_group_templates(output: dict) -> set[str]:
    """Addresses of aws_launch_template resources that an aws_eks_node_group refers to."""
    found: set[str] = set()

    def walk(module: Any, prefix: str) -> None:
        if not isinstance(module, dict):
            return
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and resource.get("type") == "aws_eks_node_group":
                for reference in _references(resource.get("expressions")):
                    parts = reference.split(".")
                    if len(parts) >= 2 and parts[0] == "aws_launch_template":
                        found.add(prefix + ".".join(parts[:2]))
        for name, call in (module.get("module_calls") or {}).items():
            walk(_get(call, "module"), f"{prefix}module.{name}.")

    walk(_get(output, "configuration", "root_module"), "")
    return found


def _references(value: Any):
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "references" and isinstance(item, list):
                yield from (r for r in item if isinstance(r, str))
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def _unknown_after_apply(output: dict, address: str, attribute: str) -> bool:
    for change in output.get("resource_changes") or []:
        if isinstance(change, dict) and change.get("address") == address:
            return bool(_get(change, "change", "after_unknown", attribute))
    return False


# --- CloudFormation intrinsic functions ------------------------------------------------


_SUB_REFERENCE = re.compile(r"\$\{(!?)([^}]*)\}")
_TAG = re.compile(r"!\w+")
_SHORT_TAGS = {"!Base64": "Fn::Base64", "!Sub": "Fn::Sub", "!Join": "Fn::Join", "!Ref": "Ref",
               "!GetAtt": "Fn::GetAtt", "!ImportValue": "Fn::ImportValue", "!Select": "Fn::Select",
               "!If": "Fn::If", "!FindInMap": "Fn::FindInMap"}


class _Intrinsics:
    """Evaluates the intrinsic functions a UserData value is written with, keeping positions."""

    def __init__(self, text: str, lines: LineIndex, document: Document, values: dict[str, str]) -> None:
        self.text = text
        self.lines = lines
        self.document = document
        self.values = values
        self.diagnostics: list[Diagnostic] = []

    def _tag(self, pointer: str) -> str | None:
        span = self.document.positions.get(pointer)
        if span is None:
            return None
        start = self.lines.offset(span.line, span.col)
        match = _TAG.match(self.text, start)
        return _SHORT_TAGS.get(match.group(0)) if match else None

    def _function(self, value: Any, pointer: str, tagged: bool = True) -> tuple[str | None, Any, str, bool]:
        """(function, its argument, the argument's pointer, whether that may carry a tag) of an intrinsic.

        A short form (``!Sub text``) tags the node itself, so its argument is
        the same node: its tag must not be read a second time.
        """
        tag = self._tag(pointer) if tagged else None
        if tag is not None:
            return tag, value, pointer, False
        if isinstance(value, dict) and len(value) == 1:
            (name, argument), = value.items()
            if name == "Ref" or name.startswith("Fn::"):
                return name, argument, join_pointer(pointer, name), True
        return None, value, pointer, True

    def user_data(self, value: Any, pointer: str, unit_uri: str, mode: str) -> Unit | None:
        name, argument, inner, tagged = self._function(value, pointer)
        span = self.document.span_of(pointer)
        if name != "Fn::Base64":
            if isinstance(value, str) and _is_base64(value):
                return Unit(unit_uri, value.encode(), None, span, mode, "cloudformation")
            self.diagnostics.append(NC175.at(
                span,
                "UserData must be base64: write it as Fn::Base64 (or !Base64) over the text"))
            return None
        result = self.string(argument, inner, tagged)
        if result is None:
            return None
        text, offsets = result
        return Unit(unit_uri, text.encode(), TextMap(text, offsets, self.lines), span, mode, "cloudformation")

    def string(self, value: Any, pointer: str, tagged: bool = True) -> tuple[str, list[int]] | None:
        name, argument, inner, _ = self._function(value, pointer, tagged)
        if name is None and isinstance(value, str):
            return value, value_offsets(self.text, self.document.span_of(pointer), value, self.lines)
        if name == "Fn::Sub":
            return self._sub(argument, inner)
        if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2 \
                and isinstance(argument[0], str) and isinstance(argument[1], list):
            return self._join(argument[0], argument[1], inner)
        if name == "Ref" and isinstance(argument, str) and argument in self.values:
            return self.values[argument], [self._offset(pointer)] * len(self.values[argument])
        self.diagnostics.append(NC174.at(
            self.document.span_of(pointer),
            f"{name or type(value).__name__} in UserData is not evaluated by nodecfg; "
            "its user data is not checked", "give the value with --param NAME=VALUE, or use Fn::Sub"))
        return None

    def _offset(self, pointer: str) -> int:
        span = self.document.span_of(pointer)
        return self.lines.offset(span.line, span.col)

    def _join(self, separator: str, items: list, pointer: str) -> tuple[str, list[int]] | None:
        texts: list[str] = []
        offsets: list[int] = []
        separator_offsets = [self._offset(join_pointer(pointer, 0))] * len(separator)
        for index, item in enumerate(items):
            part = self.string(item, join_pointer(join_pointer(pointer, 1), index))
            if part is None:
                return None
            if index:
                offsets += separator_offsets
            texts.append(part[0])
            offsets += part[1]
        return separator.join(texts), offsets

    def _sub(self, argument: Any, pointer: str) -> tuple[str, list[int]] | None:
        variables: dict[str, Any] = {}
        template_pointer = pointer
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], dict):
            variables = argument[1]
            argument = argument[0]
            template_pointer = join_pointer(pointer, 0)
        if not isinstance(argument, str):
            self.diagnostics.append(NC174.at(self.document.span_of(pointer),
                                               "Fn::Sub needs a string template"))
            return None
        raw_offsets = value_offsets(self.text, self.document.span_of(template_pointer), argument, self.lines)
        text, offsets, unresolved = [], [], []
        position = 0
        for match in _SUB_REFERENCE.finditer(argument):
            text.append(argument[position:match.start()])
            offsets += raw_offsets[position:match.start()]
            literal, name = match.group(1), match.group(2)
            if literal:
                replacement = "${" + name + "}"
            else:
                replacement = self._variable(name, variables)
                if replacement is None:
                    unresolved.append((name, raw_offsets[match.start()] if raw_offsets else 0))
                    replacement = match.group(0)
            text.append(replacement)
            offsets += [raw_offsets[match.start()] if raw_offsets else 0] * len(replacement)
            position = match.end()
        text.append(argument[position:])
        offsets += raw_offsets[position:]
        for name, offset in unresolved:
            line, col = self.lines.position(offset)
            self.diagnostics.append(NC173.at(
                Span(self.document.uri, line, col),
                f"${{{name}}} is not resolved: it is a parameter, pseudo parameter or attribute "
                "nodecfg does not know, so it stays as written", f"pass --param {name}=VALUE"))
        return "".join(text), offsets

    def _variable(self, name: str, variables: dict[str, Any]) -> str | None:
        if name in self.values:
            return self.values[name]
        value = variables.get(name)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        return None


def unit_count(data: bytes, uri: str) -> int:
    """How many user data a file holds (1 for anything that is not a container)."""
    if not maybe_container(data):
        return 1
    container = extract(data, uri)
    return max(1, len(container.units)) if container is not None else 1


def recognised(data: bytes, uri: str) -> bool:
    """Whether a file found below a directory is something nodecfg lints (by content, not name)."""
    from nodecfg.parse.wrapping import decode_if_base64, is_gzip
    from nodecfg.parse.yaml import decode_text, parse_yaml_documents

    if is_gzip(data) or b"content-type" in data[:65536].lower():
        return True
    if decode_if_base64(data, len(data)) is not None:
        return True
    if maybe_container(data):
        container = extract(data, uri)
        if container is not None:
            return container.kind != "unknown"
    text, _ = decode_text(data, uri)
    if text is None:
        return False
    documents, diagnostics = parse_yaml_documents(text, uri)
    if not documents:
        return _broken_node_configuration(text, uri, diagnostics)
    first = documents[0]
    return isinstance(first.data, dict) and _is_nodeconfig_like(first) and bool(first.data)


# the apiVersion or kind of a NodeConfig or an EC2NodeClass, as a YAML key or a JSON member
_NAMES_NODE_CONFIGURATION = re.compile(
    r"""(?:^|[{,])\s*["']?(?:apiVersion["']?\s*:\s*["']?(?:node\.eks\.aws|karpenter\.k8s\.aws)/"""
    r"""|kind["']?\s*:\s*["']?(?:NodeConfig|EC2NodeClass)\b)""", re.MULTILINE)


def _broken_node_configuration(text: str, uri: str, diagnostics: list[Diagnostic]) -> bool:
    """A YAML or JSON file that does not parse (NC120) or passes a parser limit (NC123) but names a
    NodeConfig or EC2NodeClass: that finding is worth reporting (the language server on open,
    ``check DIR``).  Other files (a script quoting a NodeConfig in a string) are left alone."""
    named_yaml = uri.lower().endswith((".yaml", ".yml", ".json")) or uri.startswith("<")
    return named_yaml and any(d.code in ("NC120", "NC123") for d in diagnostics) \
        and _NAMES_NODE_CONFIGURATION.search(text[:65536]) is not None


# --- Karpenter's reading of spec.userData -------------------------------------------------


def karpenter_part_kind(text: str) -> str:
    """How Karpenter files spec.userData: "mime", "nodeconfig" or "shell".

    nodeadm.go ``parseUserData``: MIME when the trimmed text starts with
    ``MIME-Version:`` or ``Content-Type:``; else a NodeConfig part when
    sigs.k8s.io/yaml can unmarshal it into a map (a mapping, or a document
    that reads as null); else a ``text/x-shellscript`` part.
    """
    from nodecfg.parse.yaml import parse_yaml_documents

    stripped = text.strip()
    if stripped.startswith(("MIME-Version:", "Content-Type:")):
        return "mime"
    documents, diagnostics = parse_yaml_documents(text, "<userData>")
    if any(d.code == "NC120" for d in diagnostics):
        return "shell"
    if not documents or isinstance(documents[0].data, dict):
        return "nodeconfig"
    return "shell"
