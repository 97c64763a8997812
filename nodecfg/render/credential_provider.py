"""etc/eks/image-credential-provider/config.json: the ECR credential provider.

internal/kubelet/image-credential-provider.go encodes a kubelet.config.k8s.io/v1
CredentialProviderConfig with the apimachinery JSON serializer in pretty mode
(two-space indent, struct field order with the inline TypeMeta first, no
trailing newline).  kubelet 1.32 and newer also match ``ecr-public.aws.com``,
which only ecr-credential-provider 1.32+ understands.
"""
from __future__ import annotations

from typing import Any

from nodecfg.core.versions import at_least
from nodecfg.render import Rendered, RenderContext
from nodecfg.render.flags import CREDENTIAL_PROVIDER_CONFIG
from nodecfg.encode.gojson import encode_go_json

CONFIG_PATH = CREDENTIAL_PROVIDER_CONFIG.lstrip("/")
PROVIDER_NAME = "ecr-credential-provider"
ECR_PUBLIC_ALIAS = "ecr-public.aws.com"

# Registry host patterns of ECR in every partition, then ECR Public.
ECR_MATCH_IMAGES = (
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
    "public.ecr.aws",
)


def match_images(kubelet_version: str) -> list[str]:
    images = list(ECR_MATCH_IMAGES)
    if at_least(kubelet_version, "v1.32.0"):
        images.append(ECR_PUBLIC_ALIAS)
    return images


def credential_provider_config(kubelet_version: str) -> dict[str, Any]:
    return {
        "kind": "CredentialProviderConfig",
        "apiVersion": "kubelet.config.k8s.io/v1",
        "providers": [{
            "name": PROVIDER_NAME,
            "matchImages": match_images(kubelet_version),
            "defaultCacheDuration": "12h0m0s",
            "apiVersion": "credentialprovider.kubelet.k8s.io/v1",
        }],
    }


def render(ctx: RenderContext) -> Rendered:
    out = Rendered()
    document = credential_provider_config(ctx.instance.kubelet_version)
    out.add(CONFIG_PATH, encode_go_json(document, indent="  ").encode())
    out.origins[f"{CONFIG_PATH}#/providers/0/matchImages"] = "instance:kubeletVersion"
    return out
