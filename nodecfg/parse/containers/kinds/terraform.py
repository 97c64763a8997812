"""``terraform show -json`` output: ``user_data`` of each ``aws_launch_template``.

``aws_launch_template.user_data`` holds base64 text (Terraform AWS provider,
resource docs); ``terraform show -json`` writes the plan's ``planned_values``
or the state's ``values``, with resources per module (Terraform's JSON output
format).  A launch template an ``aws_eks_node_group`` refers to is completed by
EKS (managed-nodegroup); a value known only after apply is reported (NC174).
"""
from __future__ import annotations

from typing import Any

from nodecfg.core import locations
from nodecfg.core.codes import NC172, NC174
from nodecfg.parse.containers import Kind
from nodecfg.parse.containers.reading import Container, ContainerFile, base64_unit, get

KIND = Kind(
    names={"terraform": "terraform show -json plan or state"},
    group="launch-template",
    noun="a launch template",
    sniff=rb"\"(format|terraform)_version\"",
    help="`terraform show -json` plan or state output (aws_launch_template.user_data)",
    doc=("`terraform show -json` plan or state", "`aws_launch_template.user_data` (in modules too)",
         "managed-nodegroup when an `aws_eks_node_group` refers to it"),
    order=40,
)


def detect(file: ContainerFile) -> bool:
    first = file.first
    return "format_version" in first and ("planned_values" in first or "values" in first
                                          or "terraform_version" in first)


def read(file: ContainerFile) -> Container:
    container = Container("terraform")
    output = file.first
    document = file.documents[0]
    root = "/planned_values" if isinstance(output.get("planned_values"), dict) else "/values"
    module = get(output, root[1:], "root_module")
    managed = _node_group_templates(output)
    for pointer, resource in _resources(module, f"{root}/root_module"):
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
        base64_unit(document, f"{pointer}/values/user_data", user_data, locations.unit_uri(file.uri, address), mode,
                    container)
    if not container.units and not container.diagnostics:
        container.diagnostics.append(NC172.at(
            document.span_of(root),
            "the Terraform output has no aws_launch_template with user_data"))
    return container


def _resources(module: Any, pointer: str):
    if not isinstance(module, dict):
        return
    for index, resource in enumerate(module.get("resources") or []):
        if isinstance(resource, dict):
            yield f"{pointer}/resources/{index}", resource
    for index, child in enumerate(module.get("child_modules") or []):
        yield from _resources(child, f"{pointer}/child_modules/{index}")


def _node_group_templates(output: dict) -> set[str]:
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
            walk(get(call, "module"), f"{prefix}module.{name}.")

    walk(get(output, "configuration", "root_module"), "")
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
            return bool(get(change, "change", "after_unknown", attribute))
    return False
