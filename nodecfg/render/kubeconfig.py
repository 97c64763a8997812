"""The kubelet's kubeconfig and the cluster CA certificate.

internal/kubelet/kubeconfig.go fills a YAML text template: the server is
inserted as written, the ``aws eks get-token`` arguments inside double quotes
without escaping.  With ``enableOutpost: true`` the same document names the
cluster by its ``id`` and is written as the *bootstrap* kubeconfig (the kubelet
then creates var/lib/kubelet/kubeconfig itself from its client certificate).
internal/kubelet/cert.go writes the base64-decoded certificateAuthority to
etc/kubernetes/pki/ca.crt; nodecfg skips that file when the value does not
decode (the validator reports it; nodeadm would fail to parse the config).
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from nodecfg.encode.yaml import double_quoted
from nodecfg.render import Rendered, RenderContext
from nodecfg.render.flags import BOOTSTRAP_KUBECONFIG_PATH, KUBECONFIG_PATH, outpost_enabled
from nodecfg.render.kubelet import CA_CERT_PATH, spec_string

CA_FILE = CA_CERT_PATH.lstrip("/")
CREDENTIAL_PLUGIN_API_VERSION = "client.authentication.k8s.io/v1beta1"


@dataclass(frozen=True)
class Quoted:
    """A scalar written inside double quotes, verbatim (nodeadm does not escape)."""
    text: str


def kubeconfig_document(cluster: str, region: str, server: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kubernetes",
                      "cluster": {"certificate-authority": CA_CERT_PATH, "server": server}}],
        "current-context": "kubelet",
        "contexts": [{"name": "kubelet",
                      "context": {"cluster": "kubernetes", "user": "kubelet"}}],
        "users": [{"name": "kubelet", "user": {"exec": {
            "apiVersion": CREDENTIAL_PLUGIN_API_VERSION,
            "command": "aws",
            "args": [Quoted(arg) for arg in
                     ("eks", "get-token", "--cluster-name", cluster, "--region", region)],
        }}}],
    }


def to_yaml(document: dict[str, Any]) -> str:
    """Block-style YAML with two-space indents and indented sequences."""
    return "---\n" + "".join(line + "\n" for line in _lines(document, 0))


# Scalars written as they are when made only of these (nodeadm pastes them into its template).
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9/][A-Za-z0-9._:/@%+=,~?&\[\]-]*")


def _scalar(value: Any) -> str:
    """nodeadm's template text for ordinary values; a JSON string (valid YAML) for anything else.

    nodeadm does not escape, so a value with a quote, a line break or ': '
    would end the scalar and add keys of its own; such values cannot be real
    cluster names or endpoints, and here they stay one scalar.
    """
    text = value.text if isinstance(value, Quoted) else str(value)
    if _PLAIN_SAFE.fullmatch(text) and ": " not in text:
        return f'"{text}"' if isinstance(value, Quoted) else text
    if isinstance(value, Quoted) and not any(ch in text for ch in '"\\') and text.isprintable():
        return f'"{text}"'
    return double_quoted(text)  # escapes DEL, C1 and NEL too, which a YAML reader would reject or fold


def _lines(node: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                lines.append(f"{pad}{key}:")
                lines.extend(_lines(value, indent + 2))
            else:
                lines.append(f"{pad}{key}: {_scalar(value)}")
        return lines
    for item in node:
        if isinstance(item, (dict, list)):
            nested = _lines(item, indent + 2)
            lines.append(f"{pad}- {nested[0][indent + 2:]}")
            lines.extend(nested[1:])
        else:
            lines.append(f"{pad}- {_scalar(item)}")
    return lines


def decode_certificate_authority(text: str) -> bytes | None:
    """Go's base64.StdEncoding: padding required, CR/LF ignored."""
    try:
        return base64.b64decode(text.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        return None


def render(ctx: RenderContext) -> Rendered:
    out = Rendered()
    outpost = outpost_enabled(ctx.config)
    cluster_key = "id" if outpost else "name"
    document = kubeconfig_document(
        cluster=spec_string(ctx.config, "cluster", cluster_key),
        region=ctx.instance.region,
        server=spec_string(ctx.config, "cluster", "apiServerEndpoint"),
    )
    path = (BOOTSTRAP_KUBECONFIG_PATH if outpost else KUBECONFIG_PATH).lstrip("/")
    out.add(path, to_yaml(document).encode())
    out.origins.update({
        f"{path}#/clusters/0/cluster/server": "config:/spec/cluster/apiServerEndpoint",
        f"{path}#/users/0/user/exec/args/3": f"config:/spec/cluster/{cluster_key}",
        f"{path}#/users/0/user/exec/args/5": "instance:region",
    })
    certificate = decode_certificate_authority(
        spec_string(ctx.config, "cluster", "certificateAuthority"))
    if certificate is not None:
        out.add(CA_FILE, certificate)
        out.origins[f"{CA_FILE}#"] = "config:/spec/cluster/certificateAuthority"
    return out
