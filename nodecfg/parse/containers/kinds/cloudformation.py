"""CloudFormation templates: ``LaunchTemplateData.UserData`` of each ``AWS::EC2::LaunchTemplate``.

EC2 launch template ``UserData`` is base64 (EC2 API
RequestLaunchTemplateData); CloudFormation requires ``Fn::Base64`` around the
text, written over a literal, ``Fn::Sub`` or ``Fn::Join`` (intrinsics.py
evaluates them).  Parameter defaults and ``--param NAME=VALUE`` give
``Fn::Sub`` its values.  A launch template an ``AWS::EKS::Nodegroup`` refers to
is completed by EKS (managed-nodegroup); others are self-managed.
"""
from __future__ import annotations

from typing import Any

from nodecfg.core import locations
from nodecfg.core.codes import NC172, NC175
from nodecfg.core.document import join_pointer
from nodecfg.parse.containers import Kind
from nodecfg.parse.containers.intrinsics import Intrinsics
from nodecfg.parse.containers.positions import TextMap
from nodecfg.parse.containers.reading import Container, ContainerFile, Unit, get, is_base64

KIND = Kind(
    names={"cloudformation": "CloudFormation template (AWS::EC2::LaunchTemplate)"},
    group="launch-template",
    noun="a launch template",
    sniff=rb"AWS::EC2::LaunchTemplate",
    help="a CloudFormation template with an AWS::EC2::LaunchTemplate (Fn::Base64, Fn::Sub, Fn::Join)",
    doc=("CloudFormation `AWS::EC2::LaunchTemplate` (JSON or YAML, short tags too)",
         "`LaunchTemplateData.UserData`: `Fn::Base64` over a literal, `Fn::Sub` or `Fn::Join`",
         "managed-nodegroup when an `AWS::EKS::Nodegroup` refers to it"),
    order=20,
)


def detect(file: ContainerFile) -> bool:
    resources = file.first.get("Resources")
    return isinstance(resources, dict) and (
        "AWSTemplateFormatVersion" in file.first or _has_launch_template(resources))


def read(file: ContainerFile) -> Container:
    container = Container("cloudformation")
    document = file.documents[0]
    resources = file.first["Resources"]
    managed = _referenced_by(resources, "AWS::EKS::Nodegroup")
    parameters = _parameter_defaults(file.first)
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or resource.get("Type") != "AWS::EC2::LaunchTemplate":
            continue
        pointer = join_pointer(join_pointer("/Resources", logical_id), "Properties")
        pointer = f"{pointer}/LaunchTemplateData/UserData"
        value = get(resource, "Properties", "LaunchTemplateData", "UserData")
        unit_uri = locations.unit_uri(file.uri, logical_id)
        if value is None:
            container.diagnostics.append(NC172.at(
                document.span_of(pointer),
                f"launch template {logical_id} has no LaunchTemplateData.UserData"))
            continue
        evaluator = Intrinsics(file.text, file.lines, document, {**parameters, **file.params})
        mode = "managed-nodegroup" if logical_id in managed else "self-managed"
        unit = _user_data(evaluator, value, pointer, unit_uri, mode)
        container.diagnostics.extend(evaluator.diagnostics)
        if unit is not None:
            container.units.append(unit)
    if not container.units and not container.diagnostics:
        container.diagnostics.append(NC172.at(
            document.span_of("/Resources"),
            "the template has no AWS::EC2::LaunchTemplate with UserData"))
    return container


def _user_data(evaluator: Intrinsics, value: Any, pointer: str, unit_uri: str, mode: str) -> Unit | None:
    """The unit of a UserData value: Fn::Base64 over text, or text that is base64 already."""
    name, argument, inner, tagged = evaluator.function(value, pointer)
    span = evaluator.document.span_of(pointer)
    if name != "Fn::Base64":
        if isinstance(value, str) and is_base64(value):
            return Unit(unit_uri, value.encode(), None, span, mode, "cloudformation")
        evaluator.diagnostics.append(NC175.at(
            span,
            "UserData must be base64: write it as Fn::Base64 (or !Base64) over the text"))
        return None
    result = evaluator.string(argument, inner, tagged)
    if result is None:
        return None
    text, offsets = result
    return Unit(unit_uri, text.encode(), TextMap(text, offsets, evaluator.lines), span, mode, "cloudformation")


def _has_launch_template(resources: dict) -> bool:
    return any(isinstance(r, dict) and r.get("Type") == "AWS::EC2::LaunchTemplate" for r in resources.values())


def _referenced_by(resources: dict, resource_type: str) -> set[str]:
    """Logical ids that a resource of resource_type refers to with Ref (LaunchTemplate Id or Name)."""
    found: set[str] = set()
    for resource in resources.values():
        if isinstance(resource, dict) and resource.get("Type") == resource_type:
            reference = get(resource, "Properties", "LaunchTemplate")
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
