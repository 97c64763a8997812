"""etc/eks/image-credential-provider/config.json: the ECR credential provider.

internal/kubelet/image-credential-provider.go encodes a kubelet.config.k8s.io/v1
CredentialProviderConfig with the apimachinery JSON serializer in pretty mode
(two-space indent, struct field order with the inline TypeMeta first, no
trailing newline).  kubelet 1.32 and newer also match ``ecr-public.aws.com``,
which only ecr-credential-provider 1.32+ understands.  Releases before
v20251016 fill a text template instead (``template_text``); which patterns
each release matches is its profile's (nodecfg/nodeadm/release.py).
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


def match_images(kubelet_version: str, profile=None) -> list[str]:
    from nodecfg.nodeadm.release import CREDENTIAL_PROVIDER_STRUCT, ECR_EUSC, ECR_PUBLIC_ALIAS as ALIAS, profile as latest

    profile = profile or latest()
    images = list(ECR_MATCH_IMAGES)
    if not profile.has(CREDENTIAL_PROVIDER_STRUCT):
        images.remove("public.ecr.aws")
    if not profile.has(ECR_EUSC):
        images.remove("*.dkr.ecr.*.amazonaws.eu")
    if at_least(kubelet_version, "v1.32.0") and profile.has(ALIAS):
        images.append(ECR_PUBLIC_ALIAS)
    return images


def credential_provider_config(kubelet_version: str, profile=None) -> dict[str, Any]:
    return {
        "kind": "CredentialProviderConfig",
        "apiVersion": "kubelet.config.k8s.io/v1",
        "providers": [{
            "name": PROVIDER_NAME,
            "matchImages": match_images(kubelet_version, profile),
            "defaultCacheDuration": "12h0m0s",
            "apiVersion": "credentialprovider.kubelet.k8s.io/v1",
        }],
    }


def template_text(kubelet_version: str, profile) -> str:
    """The file before v20251016: image-credential-provider.template.json filled in, as text.

    apiVersion before kind, "12h" as written in the template, a final newline;
    the v1alpha1 API for kubelet older than 1.27 until v20250821.
    """
    from nodecfg.nodeadm.release import EOL_CLEANUP_127

    config, provider = "kubelet.config.k8s.io/v1", "credentialprovider.kubelet.k8s.io/v1"
    if not profile.has(EOL_CLEANUP_127) and not at_least(kubelet_version, "v1.27.0"):
        config, provider = config + "alpha1", provider + "alpha1"
    images = ",\n".join(f'        "{image}"' for image in match_images(kubelet_version, profile))
    return ("{\n"
            f'  "apiVersion": "{config}",\n'
            '  "kind": "CredentialProviderConfig",\n'
            '  "providers": [\n'
            "    {\n"
            f'      "name": "{PROVIDER_NAME}",\n'
            '      "matchImages": [\n'
            f"{images}\n"
            "      ],\n"
            '      "defaultCacheDuration": "12h",\n'
            f'      "apiVersion": "{provider}"\n'
            "    }\n"
            "  ]\n"
            "}\n")


def render(ctx: RenderContext) -> Rendered:
    from nodecfg.nodeadm.release import CREDENTIAL_PROVIDER_STRUCT

    out = Rendered()
    profile = ctx.instance.profile
    if profile.has(CREDENTIAL_PROVIDER_STRUCT):
        document = credential_provider_config(ctx.instance.kubelet_version, profile)
        out.add(CONFIG_PATH, encode_go_json(document, indent="  ").encode())
    else:
        out.add(CONFIG_PATH, template_text(ctx.instance.kubelet_version, profile).encode())
    out.origins[f"{CONFIG_PATH}#/providers/0/matchImages"] = "instance:kubeletVersion"
    return out
