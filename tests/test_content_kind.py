"""What a file holds, by content (nodecfg.cli.content): what the pre-commit hooks lint and what they skip."""
from __future__ import annotations

import base64
import gzip
import json

import pytest

from nodecfg.cli.content import content_kind, kinds_from

NODECONFIG = b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet: {}\n"
MIME = (b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n--B\n'
        b"Content-Type: application/node.eks.aws\n\n" + NODECONFIG + b"\n--B--\n")


@pytest.mark.parametrize("name, data, kind", [
    ("nodeconfig.yaml", NODECONFIG, "nodeconfig"),
    ("typo.yaml", NODECONFIG.replace(b"v1alpha1", b"v1alpah1"), "nodeconfig"),  # a finding, not a skip
    ("broken.yaml", NODECONFIG.replace(b"kubelet: {}", b"kubelet: {"), "nodeconfig"),  # NC120, not a skip
    ("broken.json", b'{\n  "apiVersion": "node.eks.aws/v1alpha1"\n  "kind": "NodeConfig"\n}\n', "nodeconfig"),
    ("node.json", json.dumps({"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig"}).encode(),
     "nodeconfig"),
    ("user-data.txt", MIME, "userdata"),
    ("user-data.gz", gzip.compress(MIME, mtime=0), "userdata"),
    ("user-data.b64", base64.b64encode(gzip.compress(NODECONFIG, mtime=0)), "userdata"),
    ("nodeclass.yaml", b"apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nmetadata: {name: a}\n"
                       b"spec:\n  role: R\n  userData: |\n    echo hi\n", "ec2nodeclass"),
    ("stack.json", json.dumps({"Resources": {"LT": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {
        "LaunchTemplateData": {"UserData": {"Fn::Base64": NODECONFIG.decode()}}}}}}).encode(), "cloudformation"),
])
def test_node_configuration_is_recognised(name, data, kind):
    assert content_kind(data, name) == kind


@pytest.mark.parametrize("name, data", [
    ("gen_userdata.py", b'import sys\nNODECONFIG = """apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig"""\n'),
    ("userdata.md", b"# User data\n\nA Content-Type header starts MIME user data.\n\n```yaml\n"
                    b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n```\n"),
    ("user-data.sh", b"#!/bin/bash\necho hi\n"),
    ("karpenter-values.yaml", b"settings:\n  clusterName: demo\nreplicas: 2\n"),
    ("deployment.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"),
    ("s3.yaml", b'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  B:\n    Type: AWS::S3::Bucket\n'),
    ("package.json", b'{"name": "infra"}\n'),
    ("notes.b64", base64.b64encode(b"just some notes\n")),
    ("empty.yaml", b""),
])
def test_look_alikes_are_not_node_configuration(name, data):
    assert content_kind(data, name) is None


def test_kinds():
    assert kinds_from("all") == kinds_from("nodeconfig,userdata,ec2nodeclass,launch-template")
    assert kinds_from("launch-template") == {"cloudformation", "launch-template-versions", "launch-template-data",
                                             "terraform"}
    with pytest.raises(ValueError, match="unknown kind nodeclass"):
        kinds_from("nodeclass")


@pytest.mark.parametrize("data", [
    b"\n" * (1 << 20) + b"x: [\n",                      # blank lines before a syntax error
    b"# c\n" * 200_000 + b"apiVersion: [\n",              # comment lines before one
    b"[" * 100_000,                                       # deep flow nesting
    b"a: " + b"{" * 50_000 + b"\n",
])
def test_judging_a_hostile_file_is_bounded(data):
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF)
    content_kind(data, "hostile.yaml")
    after = resource.getrusage(resource.RUSAGE_SELF)
    assert (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) < 2.0
