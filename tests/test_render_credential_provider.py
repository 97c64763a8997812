"""etc/eks/image-credential-provider/config.json by kubelet version.

Expected text written by hand from nodeadm
internal/kubelet/image-credential-provider.go: the k8s JSON serializer in
pretty mode (two spaces, kind before apiVersion, no trailing newline).
"""
from __future__ import annotations

import json
import types

import pytest

from nodecfg.context.instance import instance_from_mapping
from nodecfg.render import RenderContext
from nodecfg.render import credential_provider

PATH = "etc/eks/image-credential-provider/config.json"


def rendered_text(kubelet_version):
    ctx = RenderContext({"spec": {}}, instance_from_mapping({"kubeletVersion": kubelet_version}),
                        types.SimpleNamespace(value=110))
    return credential_provider.render(ctx).files[PATH].data.decode()


def test_pre_132_text_is_exact():
    assert rendered_text("v1.31.7") == """{
  "kind": "CredentialProviderConfig",
  "apiVersion": "kubelet.config.k8s.io/v1",
  "providers": [
    {
      "name": "ecr-credential-provider",
      "matchImages": [
        "*.dkr.ecr.*.amazonaws.com",
        "*.dkr-ecr.*.on.aws",
        "*.dkr.ecr.*.amazonaws.com.cn",
        "*.dkr-ecr.*.on.amazonwebservices.com.cn",
        "*.dkr.ecr-fips.*.amazonaws.com",
        "*.dkr-ecr-fips.*.on.aws",
        "*.dkr.ecr.*.c2s.ic.gov",
        "*.dkr.ecr.*.sc2s.sgov.gov",
        "*.dkr.ecr.*.cloud.adc-e.uk",
        "*.dkr.ecr.*.csp.hci.ic.gov",
        "*.dkr.ecr.*.amazonaws.eu",
        "public.ecr.aws"
      ],
      "defaultCacheDuration": "12h0m0s",
      "apiVersion": "credentialprovider.kubelet.k8s.io/v1"
    }
  ]
}"""


@pytest.mark.parametrize("version, has_alias", [
    ("v1.28.0", False), ("v1.31.99", False), ("v1.32.0", True), ("1.33", True),
    ("v1.36.1-eks-abcdef0", True), ("", False),
])
def test_ecr_public_alias_from_132(version, has_alias):
    images = json.loads(rendered_text(version))["providers"][0]["matchImages"]
    assert ("ecr-public.aws.com" in images) is has_alias
    assert images[11] == "public.ecr.aws"
    if has_alias:
        assert images[-1] == "ecr-public.aws.com" and len(images) == 13


def test_api_versions_do_not_change_with_the_kubelet():
    for version in ("v1.28.0", "v1.35.0"):
        document = json.loads(rendered_text(version))
        assert document["apiVersion"] == "kubelet.config.k8s.io/v1"
        assert document["providers"][0]["apiVersion"] == "credentialprovider.kubelet.k8s.io/v1"
