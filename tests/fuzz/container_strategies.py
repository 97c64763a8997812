"""Structured container files: EC2NodeClass manifests, CloudFormation templates (Fn::Base64,
Fn::Sub, Fn::Join, short tags), launch template API output and Terraform plans, each holding user
data that is a NodeConfig, a MIME document or a script, gzip and/or base64 encoded.

Built the way the readers in nodecfg/parse/containers/kinds/ look at them, so that most examples get
past recognition into the position mapping and the embedded user data; a share is then cut or
has a byte changed, to walk the error paths too.
"""
from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = (ROOT / "examples" / "nodeconfig.yaml").read_text().split("  kubelet:")[0]

_words = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
_odd = st.sampled_from(["", " ", "\t", "\\", '"', "'", "${", "}", "${!x}", "\n", "\u2028", "\x85", "#", ": ", "- ",
                        "|", ">", "&a", "*a", "!Sub", "\ufeff", "é", "\x00", "%", "{{", "]]"])
_fragments = st.one_of(_words, _odd, st.text(max_size=6))

_KUBELET = ["  kubelet:\n    config:\n      maxPods: 20\n", "  kubelet:\n    flags:\n      - --node-labels=a=b\n",
            "  kubelet:\n    flags: ['--v=2', \"--node-labels='x=y\"]\n", ""]


@st.composite
def nodeconfig_texts(draw) -> str:
    text = CLUSTER if draw(st.booleans()) else "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n"
    return text + draw(st.sampled_from(_KUBELET)) + "".join(draw(st.lists(_fragments, max_size=3)))


@st.composite
def scripts(draw) -> str:
    lines = ["#!/bin/bash" if draw(st.booleans()) else "echo no shebang",
             *draw(st.lists(st.sampled_from([
                 "echo ${AWS::Region} ${Name}", "cat > /etc/eks/nodeadm.d/10.yaml <<'EOF'\nspec: {}\nEOF",
                 "/etc/eks/bootstrap.sh demo --kubelet-extra-args '--node-labels=a=b'", "A=\"$A$A\"", "exit 0",
             ]), max_size=3))]
    return "\n".join(lines) + "\n"


@st.composite
def mime_texts(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["application/node.eks.aws", "text/x-shellscript", "text/cloud-config"]))
        body = draw(nodeconfig_texts()) if kind == "application/node.eks.aws" else draw(scripts())
        encoding = ""
        if draw(st.integers(0, 3)) == 0:
            body = base64.b64encode(gzip.compress(body.encode(), mtime=0)).decode()
            encoding = "Content-Transfer-Encoding: base64\n"
        parts.append(f"--B\nContent-Type: {kind}\n{encoding}\n{body}\n")
    closing = "--B--\n" if draw(st.booleans()) else ""
    return 'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n' + "".join(parts) + closing


user_data_texts = st.one_of(nodeconfig_texts(), mime_texts(), scripts(), st.text(max_size=40))


@st.composite
def encoded_user_data(draw, text: str | None = None) -> str:
    """User data as a launch template holds it: base64, of the text or of its gzip."""
    raw = (text if text is not None else draw(user_data_texts)).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        raw = gzip.compress(raw, mtime=0)
    encoded = base64.b64encode(raw).decode()
    if draw(st.integers(0, 5)) == 0:  # wrapped lines, or not base64 at all
        encoded = draw(st.sampled_from(["\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76)),
                                        encoded[:-1], encoded + "!", ""]))
    return encoded


def _block(text: str, indent: int) -> str:
    pad = " " * indent
    return "|\n" + "".join(pad + line + "\n" if line else "\n" for line in text.split("\n"))


@st.composite
def ec2nodeclass_files(draw) -> str:
    documents = []
    for index in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["EC2NodeClass", "EC2NodeClass", "NodePool", "ConfigMap"]))
        if kind == "NodePool":
            documents.append(f"apiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata:\n  name: pool{index}\n"
                             f"spec:\n  template:\n    spec:\n      nodeClassRef:\n        name: class0\n"
                             f"      taints: [{{key: a, effect: NoSchedule}}]\n")
            continue
        text = draw(user_data_texts)
        style = draw(st.sampled_from(["block", "json", "missing", "number"]))
        value = {"block": _block(text, 4), "json": json.dumps(text), "missing": "", "number": "42"}[style]
        user_data = f"  userData: {value}\n" if style != "missing" else ""
        version = draw(st.sampled_from(["v1", "v1", "v1beta1", "v2"]))
        documents.append(f"apiVersion: karpenter.k8s.aws/{version}\nkind: {kind}\nmetadata:\n  name: class{index}\n"
                         f"spec:\n  amiFamily: AL2023\n{user_data}")
    return "---\n".join(documents)


@st.composite
def _intrinsic(draw, depth: int = 0):
    """An Fn::Sub / Fn::Join / Ref / plain string (as data), for the JSON form of a template."""
    kind = draw(st.sampled_from(["text", "sub", "sub-vars", "join", "ref"] if depth < 2 else ["text", "sub", "ref"]))
    if kind == "text":
        return draw(user_data_texts)
    if kind == "ref":
        return {"Ref": draw(st.sampled_from(["Name", "AWS::Region", "Unknown"]))}
    if kind == "join":
        items = [draw(_intrinsic(depth + 1)) for _ in range(draw(st.integers(0, 4)))]
        return {"Fn::Join": [draw(st.sampled_from(["", "\n", ","])), items]}
    template = draw(user_data_texts) + "".join(draw(st.lists(st.sampled_from(
        ["${Name}", "${AWS::Region}", "${!Literal}", "${Missing}", "${", "${}"]), max_size=4)))
    if kind == "sub-vars":
        return {"Fn::Sub": [template, {"Name": draw(_words), "Other": {"Ref": "X"}}]}
    return {"Fn::Sub": template}


@st.composite
def cloudformation_files(draw) -> str:
    user_data = draw(st.one_of(_intrinsic().map(lambda inner: {"Fn::Base64": inner}), encoded_user_data(),
                               st.just({"Fn::GetAtt": ["X", "Y"]})))
    template = {"AWSTemplateFormatVersion": "2010-09-09",
                "Parameters": {"Name": {"Type": "String", "Default": draw(_words)}},
                "Resources": {"Template": {"Type": "AWS::EC2::LaunchTemplate",
                                           "Properties": {"LaunchTemplateData": {"UserData": user_data}}},
                              "Group": {"Type": "AWS::EKS::Nodegroup",
                                        "Properties": {"LaunchTemplate": {"Id": {"Ref": "Template"}}}}}}
    if draw(st.booleans()):
        return json.dumps(template, indent=draw(st.sampled_from([None, 1, 2])))
    return _short_form_yaml(draw, template)


def _short_form_yaml(draw, template: dict) -> str:
    """The YAML form, with !Base64 / !Sub / !Join short tags where the data allows them."""
    user_data = template["Resources"]["Template"]["Properties"]["LaunchTemplateData"]["UserData"]
    head = ("AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Name:\n    Type: String\n"
            f"    Default: {json.dumps(template['Parameters']['Name']['Default'])}\nResources:\n"
            "  Template:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateData:\n"
            "        UserData:")
    inner = user_data.get("Fn::Base64") if isinstance(user_data, dict) else None
    if isinstance(inner, dict) and "Fn::Sub" in inner and isinstance(inner["Fn::Sub"], str):
        tag = draw(st.sampled_from(["short", "long"]))
        body = _block(inner["Fn::Sub"], 12)
        if tag == "short":
            return head + " !Base64\n          !Sub " + body
        return head + "\n          Fn::Base64:\n            Fn::Sub: " + _block(inner["Fn::Sub"], 14)
    if isinstance(inner, dict) and "Fn::Join" in inner:
        separator, items = inner["Fn::Join"]
        listed = "".join(f"              - {json.dumps(item)}\n" for item in items)
        return (head + " !Base64\n          !Join\n            - " + json.dumps(separator) + "\n            -"
                + ("\n" + listed if items else " []\n"))
    return head + " " + json.dumps(user_data) + "\n"


@st.composite
def launch_template_outputs(draw) -> str:
    if draw(st.booleans()):
        versions = [{"LaunchTemplateName": draw(_words), "VersionNumber": index + 1,
                     "LaunchTemplateData": {"UserData": draw(encoded_user_data())}}
                    for index in range(draw(st.integers(0, 3)))]
        return json.dumps({"LaunchTemplateVersions": versions}, indent=2)
    return json.dumps({"LaunchTemplateData": {"UserData": draw(encoded_user_data()), "ImageId": "ami-1"}}, indent=4)


@st.composite
def terraform_plans(draw) -> str:
    resources = [{"address": f"aws_launch_template.t{index}", "mode": "managed", "type": "aws_launch_template",
                  "name": f"t{index}", "values": {"user_data": draw(st.one_of(encoded_user_data(), st.none()))}}
                 for index in range(draw(st.integers(0, 2)))]
    plan = {"format_version": "1.2", "terraform_version": "1.9.0",
            "planned_values": {"root_module": {"resources": resources,
                                               "child_modules": [{"resources": resources[:1]}]}},
            "resource_changes": [{"address": "aws_launch_template.t0",
                                  "change": {"after_unknown": {"user_data": draw(st.booleans())}}}],
            "configuration": {"root_module": {"resources": [
                {"type": "aws_eks_node_group", "expressions": {"launch_template": [
                    {"id": {"references": ["aws_launch_template.t0.id", "aws_launch_template.t0"]}}]}}]}}}
    return json.dumps(plan, indent=2)


@st.composite
def damaged(draw, text: str) -> bytes:
    """The file as written, or cut short, or with one character replaced (a share of the examples)."""
    data = text.encode("utf-8", "surrogatepass")
    change = draw(st.integers(0, 5))
    if change == 0 and data:
        return data[:draw(st.integers(0, len(data) - 1))]
    if change == 1 and data:
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + draw(st.sampled_from([b"\n", b"\"", b"'", b"\\", b"{", b"\xff", b"\t", b" "])) + data[at + 1:]
    return data


container_files = st.one_of(ec2nodeclass_files(), cloudformation_files(), launch_template_outputs(),
                            terraform_plans()).flatmap(damaged)
