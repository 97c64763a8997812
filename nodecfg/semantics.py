"""Checks on the merged NodeConfig: what nodeadm validates, and what it does not.

nodeadm's ``ValidateNodeConfig`` (internal/api/validation.go) runs after all
sources are merged and stops at the first missing cluster field.  Here every
problem is reported, and values nodeadm passes through unchecked (the CA
bundle, the endpoint URL, the service CIDR, environment names, nameservers)
are checked for the failures they cause later on the node.
"""
from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from .diagnostics import Diagnostic, Severity, Span
from .document import join_pointer

Locate = Callable[[str], Span]

SELF_MANAGED = "self-managed"
CLUSTER = "/spec/cluster"

CODES: dict[str, tuple[Severity, str]] = {
    "NC301": (Severity.ERROR, "required cluster field is missing after merging"),
    "NC302": (Severity.ERROR, "certificateAuthority is not valid base64"),
    "NC303": (Severity.ERROR, "certificateAuthority does not decode to PEM certificates"),
    "NC304": (Severity.ERROR, "apiServerEndpoint is not an https URL with a host"),
    "NC305": (Severity.ERROR, "cidr is not a valid CIDR block"),
    "NC306": (Severity.WARNING, "cidr has host bits set"),
    "NC307": (Severity.ERROR, "enableOutpost is true but cluster id is missing"),
    "NC308": (Severity.ERROR, "environment variable name is invalid"),
    "NC309": (Severity.ERROR, "nameserver is not an IP address"),
}

# nodeadm's order of checks; the field names as users write them.
REQUIRED_CLUSTER_FIELDS = ("name", "apiServerEndpoint", "certificateAuthority", "cidr")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Go's base64.StdEncoding: padded, standard alphabet; it skips CR and LF.
_STD_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_PEM_BEGIN = b"-----BEGIN CERTIFICATE-----"
_PEM_END = b"-----END CERTIFICATE-----"


def check_merged(config: dict, locate: Locate, mode: str = SELF_MANAGED) -> list[Diagnostic]:
    """Problems of the merged ``config`` ({"apiVersion", "kind", "spec"} plain data).

    ``locate(pointer)`` gives the span of the value that won the merge, or the
    best place to report a missing one.  Outside ``self-managed`` mode the
    cluster fields are filled in later (by EKS or Karpenter), so their absence
    is not reported.
    """
    spec = _mapping(config.get("spec") if isinstance(config, dict) else None)
    cluster = _mapping(spec.get("cluster"))
    found: list[Diagnostic] = []
    if mode == SELF_MANAGED:
        found += _missing_cluster_fields(cluster, locate)
    found += _certificate_authority(cluster.get("certificateAuthority"), locate)
    found += _api_server_endpoint(cluster.get("apiServerEndpoint"), locate)
    found += _service_cidr(cluster.get("cidr"), locate)
    found += _outpost(cluster, locate)
    instance = _mapping(spec.get("instance"))
    found += _environment(_mapping(instance.get("environment")), locate)
    found += _nameservers(_mapping(instance.get("network")).get("nameservers"), locate)
    return found


def _missing_cluster_fields(cluster: dict, locate: Locate) -> Iterator[Diagnostic]:
    for name in REQUIRED_CLUSTER_FIELDS:
        value = cluster.get(name)
        # nodeadm tests the CA for nil: an explicit empty string decodes to a
        # non-nil empty byte slice and passes (NC303 reports it instead).
        missing = value is None if name == "certificateAuthority" else value in (None, "")
        if missing:
            yield _diagnostic(
                "NC301", locate(f"{CLUSTER}/{name}"),
                f"spec.cluster.{name} is missing after merging all sources; "
                "nodeadm init stops with an error",
                f"set spec.cluster.{name} (see the EKS DescribeCluster API)",
            )


def _certificate_authority(value: Any, locate: Locate) -> Iterator[Diagnostic]:
    if not isinstance(value, str):
        return
    span = locate(f"{CLUSTER}/certificateAuthority")
    compact = value.replace("\r", "").replace("\n", "")
    if not _STD_BASE64.fullmatch(compact):
        yield _diagnostic(
            "NC302", span,
            "spec.cluster.certificateAuthority is not valid base64 (standard alphabet, "
            "with = padding); nodeadm cannot decode the document",
            _base64_hint(value),
        )
        return
    decoded = base64.b64decode(compact)
    if not _has_pem_certificate(decoded):
        yield _diagnostic(
            "NC303", span,
            "spec.cluster.certificateAuthority does not decode to a PEM certificate; "
            "the kubelet cannot verify the API server",
            _pem_hint(decoded),
        )


def _base64_hint(value: str) -> str:
    if "-----BEGIN" in value:
        return "this looks like a PEM file itself: base64-encode it (base64 -w0 ca.crt)"
    if re.search(r"[-_]", value):
        return "this looks like URL-safe base64; use the standard alphabet (+ and /)"
    if re.fullmatch(r"[A-Za-z0-9+/\s]*", value) and value.strip():
        return "check the = padding at the end and remove spaces"
    return ""


def _has_pem_certificate(data: bytes) -> bool:
    """At least one CERTIFICATE block whose body is DER (what the kubelet's TLS loader needs)."""
    start = data.find(_PEM_BEGIN)
    while start != -1:
        body_start = start + len(_PEM_BEGIN)
        end = data.find(_PEM_END, body_start)
        if end == -1:
            return False
        if _is_der_sequence(data[body_start:end]):
            return True
        start = data.find(_PEM_BEGIN, end)
    return False


def _is_der_sequence(body: bytes) -> bool:
    try:
        der = base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    return der[:1] == b"\x30"


def _pem_hint(decoded: bytes) -> str:
    if not decoded:
        return "the value is empty"
    if _is_base64_of_pem(decoded.strip()):
        return "it is base64-encoded twice: decode it once"
    return "the decoded bytes must contain -----BEGIN CERTIFICATE----- blocks"


def _is_base64_of_pem(data: bytes) -> bool:
    compact = data.replace(b"\r", b"").replace(b"\n", b"")
    if not _STD_BASE64.fullmatch(compact.decode("ascii", "replace")):
        return False
    return _PEM_BEGIN in base64.b64decode(compact)


def _api_server_endpoint(value: Any, locate: Locate) -> Iterator[Diagnostic]:
    if not isinstance(value, str) or not value:
        return
    problem = _endpoint_problem(value)
    if problem:
        message, hint = problem
        yield _diagnostic("NC304", locate(f"{CLUSTER}/apiServerEndpoint"),
                          f"spec.cluster.apiServerEndpoint {message}", hint)


def _endpoint_problem(value: str) -> tuple[str, str] | None:
    if value != value.strip() or any(c.isspace() for c in value):
        return "contains white space", "remove the spaces"
    if "://" not in value:
        return "has no scheme", f"write https://{value}"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return "is not a valid URL", "write https://HOST"
    if parts.scheme != "https":
        return f"uses {parts.scheme}://, not https://", "EKS API servers are served over https"
    if not host:
        return "has no host", "write https://HOST"
    return None


def _service_cidr(value: Any, locate: Locate) -> Iterator[Diagnostic]:
    if not isinstance(value, str) or not value:
        return
    span = locate(f"{CLUSTER}/cidr")
    network = _parse_go_cidr(value)
    if network is None:
        yield _diagnostic(
            "NC305", span,
            f"spec.cluster.cidr '{value}' is not a CIDR block; nodeadm cannot derive "
            "the cluster DNS address from it",
            "write ADDRESS/PREFIX, e.g. 10.100.0.0/16",
        )
        return
    if network.network_address != ipaddress.ip_address(value.split("/")[0]):
        yield _diagnostic(
            "NC306", span,
            f"spec.cluster.cidr '{value}' has host bits set; nodeadm derives the cluster "
            f"DNS address {_nodeadm_cluster_dns(value, network)} from the text as written",
            f"did you mean '{network}'?",
        )


def _parse_go_cidr(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """net.ParseCIDR's acceptance: ADDRESS/DIGITS, no zone, no netmask form."""
    address, slash, prefix = value.partition("/")
    if not slash or not prefix.isascii() or not prefix.isdigit() or "%" in address:
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def _nodeadm_cluster_dns(value: str, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
    """nodeadm's GetClusterDns: text surgery on the CIDR string (internal/api/net.go)."""
    if network.version == 4:
        return value[: value.rindex(".")] + ".10"
    return value.split("/")[0] + "a"


def _outpost(cluster: dict, locate: Locate) -> Iterator[Diagnostic]:
    if cluster.get("enableOutpost") is True and not cluster.get("id"):
        yield _diagnostic(
            "NC307", locate(f"{CLUSTER}/enableOutpost"),
            "spec.cluster.enableOutpost is true but spec.cluster.id is missing; "
            "nodeadm init stops with an error",
            "set spec.cluster.id to the local cluster's ID",
        )


def _environment(environment: dict, locate: Locate) -> Iterator[Diagnostic]:
    base = "/spec/instance/environment"
    for service in sorted(environment, key=str):
        variables = _mapping(environment[service])
        for name in variables:
            if isinstance(name, str) and _ENV_NAME.fullmatch(name):
                continue
            yield _diagnostic(
                "NC308", locate(join_pointer(join_pointer(base, service), name)),
                f"environment variable name '{name}' (service '{service}') is invalid; "
                "systemd ignores the assignment",
                "names use letters, digits and _, and do not start with a digit",
            )


def _nameservers(nameservers: Any, locate: Locate) -> Iterator[Diagnostic]:
    if not isinstance(nameservers, list):
        return
    base = "/spec/instance/network/nameservers"
    for index, server in enumerate(nameservers):
        if isinstance(server, str) and _resolved_dns_address(server) is not None:
            continue
        yield _diagnostic(
            "NC309", locate(join_pointer(base, index)),
            f"nameserver '{server}' is not an IP address; systemd-resolved ignores it",
            "use an IPv4 or IPv6 address, optionally with :port, %interface or #server-name",
        )


def _resolved_dns_address(entry: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address in a resolved.conf DNS= entry: ADDR[:PORT][%IFACE][#NAME]."""
    text = entry.partition("#")[0]
    if text.startswith("["):
        inner, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not re.fullmatch(r":[0-9]+(%\S+)?|%\S+", rest)):
            return None
        text = inner
    else:
        text = text.partition("%")[0]
        if text.count(":") == 1:
            text, _, port = text.partition(":")
            if not port.isdigit():
                return None
    try:
        return ipaddress.ip_address(text.partition("%")[0])
    except ValueError:
        return None


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _diagnostic(code: str, span: Span, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(code, CODES[code][0], span, message, hint)
