"""EC2 API output: ``aws ec2 describe-launch-template-versions`` and ``get-launch-template-data``.

``UserData`` of a launch template is base64 (EC2 API RequestLaunchTemplateData
and ResponseLaunchTemplateData); its spans number the lines of the decoded
text.  ``{"LaunchTemplateData": {...}}`` is also the shape of the
``--cli-input-json`` of ``create-launch-template`` and
``create-launch-template-version``, which read the same way.  The node is
self-managed: nothing is appended to this user data.
"""
from __future__ import annotations

from nodecfg.core import locations
from nodecfg.parse.containers import Kind
from nodecfg.parse.containers.reading import Container, ContainerFile, base64_unit, get

KIND = Kind(
    names={"launch-template-versions": "aws ec2 describe-launch-template-versions output",
           "launch-template-data": "aws ec2 get-launch-template-data output"},
    group="launch-template",
    noun="a launch template",
    sniff=rb"\"?LaunchTemplate(Versions|Data)\"?\s*:",
    help="`aws ec2 describe-launch-template-versions` or `get-launch-template-data` output",
    doc=("`aws ec2 describe-launch-template-versions`, `get-launch-template-data` output",
         "base64 `UserData` of each version", "self-managed"),
    order=30,
)


def detect(file: ContainerFile) -> bool:
    return isinstance(file.first.get("LaunchTemplateVersions"), list) \
        or isinstance(file.first.get("LaunchTemplateData"), dict)


def read(file: ContainerFile) -> Container:
    if isinstance(file.first.get("LaunchTemplateVersions"), list):
        return _versions(file)
    container = Container("launch-template-data")
    base64_unit(file.documents[0], "/LaunchTemplateData/UserData", get(file.first, "LaunchTemplateData", "UserData"),
                locations.unit_uri(file.uri, "LaunchTemplateData"), "self-managed", container)
    return container


def _versions(file: ContainerFile) -> Container:
    container = Container("launch-template-versions")
    for index, version in enumerate(file.first["LaunchTemplateVersions"]):
        pointer = f"/LaunchTemplateVersions/{index}/LaunchTemplateData/UserData"
        label = f"version={get(version, 'VersionNumber') or index + 1}"
        name = get(version, "LaunchTemplateName")
        if name:
            label = f"{name}:{label}"
        base64_unit(file.documents[0], pointer, get(version, "LaunchTemplateData", "UserData"),
                    locations.unit_uri(file.uri, label), "self-managed", container)
    return container
