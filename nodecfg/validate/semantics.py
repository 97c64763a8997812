"""Checks on the merged NodeConfig: what nodeadm validates, and what it does not.

nodeadm's ``ValidateNodeConfig`` (internal/api/validation.go) runs after all
sources are merged and stops at the first missing cluster field.  Here every
problem is reported, and values nodeadm passes through unchecked (the CA
bundle, the endpoint URL, the service CIDR, environment names, nameservers)
are checked for the failures they cause later on the node.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

from nodecfg.nodeadm import gonet
from nodecfg.core.codes import (NC301, NC302, NC303, NC304, NC305, NC306, NC307, NC308, NC309, NC311, NC320,
    NC406)
from nodecfg.core.diagnostics import Diagnostic, Span
from nodecfg.core.document import join_pointer
from nodecfg.core.lines import describe, line_breaker
from nodecfg.nodeadm.cluster import REQUIRED_CLUSTER_FIELDS
from nodecfg.core.lazy_re import LazyPattern

Locate = Callable[[str], Span]

SELF_MANAGED = "self-managed"
CLUSTER = "/spec/cluster"

# No cluster field at all: most likely user data that EKS or Karpenter complete at launch.
FRAGMENT_HINT = ("for a managed node group's or Karpenter's user data, where the cluster fields are added at "
                 "launch, lint with --mode managed-nodegroup|karpenter; otherwise set the spec.cluster fields "
                 "(see the EKS DescribeCluster API)")
_ENV_NAME = LazyPattern(r"[A-Za-z_][A-Za-z0-9_]*")  # only with instance.environment
# Go's base64.StdEncoding: padded, standard alphabet; it skips CR and LF.
_STD_BASE64 = LazyPattern(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")  # compiled when a CA is first checked
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
    kubelet = _mapping(spec.get("kubelet"))
    found += _cluster_dns_outside_cidr(_mapping(kubelet.get("config")).get("clusterDNS"), cluster.get("cidr"), locate)
    found += _flags_breaking_the_environment_file(kubelet.get("flags"), locate)
    instance = _mapping(spec.get("instance"))
    found += _environment(_mapping(instance.get("environment")), locate)
    found += _nameservers(_mapping(instance.get("network")).get("nameservers"), locate)
    found += _domains(_mapping(instance.get("network")).get("domains"), locate)
    return found


def missing_after_discard(config: dict, locate: Locate, mode: str, discarded: str) -> list[Diagnostic]:
    """NC301 for the cluster fields the sources left after nodeadm discards the user data ``discarded``.

    A NodeConfig part nodeadm cannot decode drops its whole user data
    (nodeadm/userdata.py, discarded_user_data), and the provider chain goes on with
    the other sources: a field only that user data set is then missing.
    """
    if mode != SELF_MANAGED:
        return []
    cluster = _mapping(_mapping(config.get("spec")).get("cluster"))
    return list(_missing_cluster_fields(cluster, locate, f"after nodeadm discards the user data {discarded} "
                                                        "(a part it cannot decode)"))


def _missing_cluster_fields(cluster: dict, locate: Locate,
                            when: str = "after merging all sources") -> Iterator[Diagnostic]:
    """NC301: one finding per place, naming every required field missing there, in nodeadm's order.

    Fields missing from the same mapping share its span: one root cause (a
    fragment, a cluster section left out), one finding.  nodeadm stops at the
    first (internal/api/validation.go checks them in this order).
    """
    fragment = all(cluster.get(name) in (None, "") for name in REQUIRED_CLUSTER_FIELDS)
    by_span: dict[Span, list[str]] = {}
    for name in REQUIRED_CLUSTER_FIELDS:
        value = cluster.get(name)
        # nodeadm tests the CA for nil: an explicit empty string decodes to a
        # non-nil empty byte slice and passes (NC303 reports it instead).
        missing = value is None if name == "certificateAuthority" else value in (None, "")
        if missing:
            by_span.setdefault(locate(f"{CLUSTER}/{name}"), []).append(name)
    for span, names in by_span.items():
        if len(names) == 1:
            what = f"spec.cluster.{names[0]} is missing"
        else:
            listed = ", ".join(names[:-1]) + f" and {names[-1]}"
            what = f"spec.cluster.{listed} are missing"
        yield NC301.at(span, f"{what} {when}; nodeadm init stops with an error",
                       FRAGMENT_HINT if fragment else
                       f"set {', '.join('spec.cluster.' + name for name in names)} (see the EKS DescribeCluster API)")


def _certificate_authority(value: Any, locate: Locate) -> Iterator[Diagnostic]:
    if not isinstance(value, str):
        return
    span = locate(f"{CLUSTER}/certificateAuthority")
    compact = value.replace("\r", "").replace("\n", "")
    if not _STD_BASE64.fullmatch(compact):
        from nodecfg.nodeadm.userdata import discarded_user_data

        yield NC302.at(
            span,
            "spec.cluster.certificateAuthority is not valid base64 (standard alphabet, "
            "with = padding); nodeadm cannot decode the document" + discarded_user_data(span.uri),
            _base64_hint(value),
        )
        return
    import base64  # only a configuration with a CA needs it (0.7 ms cold, with binascii and struct)

    decoded = base64.b64decode(compact)
    if not _has_pem_certificate(decoded):
        yield NC303.at(
            span,
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
    import base64
    import binascii

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
    import base64

    return _PEM_BEGIN in base64.b64decode(compact)


def _api_server_endpoint(value: Any, locate: Locate) -> Iterator[Diagnostic]:
    if not isinstance(value, str) or not value:
        return
    problem = _endpoint_problem(value)
    if problem:
        message, hint = problem
        yield NC304.at(locate(f"{CLUSTER}/apiServerEndpoint"),
                          f"spec.cluster.apiServerEndpoint {message}", hint)


def _endpoint_problem(value: str) -> tuple[str, str] | None:
    if value.split() != [value]:  # white space anywhere (str.split splits at what str.isspace calls space)
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
    """spec.cluster.cidr as nodeadm's GetClusterDns reads it (nodecfg/nodeadm/gonet.py)."""
    if not isinstance(value, str) or not value:
        return
    span = locate(f"{CLUSTER}/cidr")
    if gonet.parse_cidr(value) is None:
        yield NC305.at(
            span,
            f"spec.cluster.cidr '{value}' is not a CIDR block; nodeadm cannot derive "
            "the cluster DNS address from it and stops",
            "write ADDRESS/PREFIX, e.g. 10.100.0.0/16",
        )
        return
    dns = gonet.cluster_dns(value)
    if dns is None:
        yield NC305.at(
            span,
            f"spec.cluster.cidr '{value}' is an IPv4-mapped address written without a '.': nodeadm "
            "cuts the text at its last '.' to derive the cluster DNS address and panics",
            f"write the IPv4 form, e.g. '{gonet.service_network(value)}'",
        )
        return
    if gonet.has_host_bits(value):
        network = ipaddress.ip_network(value, strict=False)
        yield NC306.at(
            span,
            f"spec.cluster.cidr '{value}' has host bits set; nodeadm derives the cluster "
            f"DNS address {dns} from the text as written",
            f"did you mean '{network}'?",
        )


def _cluster_dns_outside_cidr(servers: Any, cidr: Any, locate: Locate) -> Iterator[Diagnostic]:
    """kubelet.config.clusterDNS entries that no Service address can be.

    kube-dns (CoreDNS) is a ClusterIP Service, so its address lies in the
    service CIDR; the kubelet writes clusterDNS into every pod's
    resolv.conf.  Link-local addresses are exempt: NodeLocal DNSCache
    listens on one (169.254.20.10 by default, or an fe80::/10 address).
    """
    network = gonet.service_network(cidr)
    if network is None or not isinstance(servers, list):
        return
    for index, server in enumerate(servers):
        try:
            address = ipaddress.ip_address(server) if isinstance(server, str) else None
        except ValueError:
            continue
        if address is None or address.is_link_local or address in network:
            continue
        yield NC311.at(
            locate(join_pointer("/spec/kubelet/config/clusterDNS", index)),
            f"clusterDNS '{server}' is outside the service CIDR {cidr}: kube-dns has a Service address "
            "inside it, so pods are given a DNS server that is not the cluster's",
            f"use the kube-dns Service address ({gonet.cluster_dns(cidr)} by EKS convention), "
            "or a link-local NodeLocal DNSCache address such as 169.254.20.10",
        )


def _flags_breaking_the_environment_file(flags: Any, locate: Locate) -> Iterator[Diagnostic]:
    """kubelet.flags items that would end NODEADM_KUBELET_ARGS early.

    nodeadm joins the flags with blanks into one ``NODEADM_KUBELET_ARGS=...``
    line of etc/eks/kubelet/environment (internal/kubelet/environment.go)
    without escaping; a line break in an item ends the variable and what
    follows becomes lines of the kubelet unit's EnvironmentFile.
    """
    if not isinstance(flags, list):
        return
    for index, flag in enumerate(flags):
        char = line_breaker(flag) if isinstance(flag, str) else None
        if char:
            yield NC406.at(
                locate(join_pointer("/spec/kubelet/flags", index)),
                f"kubelet flag {flag[:40]!r} contains {describe(char)}: it would end NODEADM_KUBELET_ARGS in "
                "etc/eks/kubelet/environment and inject what follows as new lines",
                "remove the control characters; pass several values with commas, not new lines")


def _outpost(cluster: dict, locate: Locate) -> Iterator[Diagnostic]:
    if cluster.get("enableOutpost") is True and not cluster.get("id"):
        yield NC307.at(
            locate(f"{CLUSTER}/enableOutpost"),
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
            yield NC308.at(
                locate(join_pointer(join_pointer(base, service), name)),
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
        yield NC309.at(
            locate(join_pointer(base, index)),
            f"nameserver {_shown(server)} is not an address systemd-resolved's DNS= accepts; it ignores it",
            "use an IPv4 or IPv6 address, optionally with :port ([ADDR]:port for IPv6), %interface "
            "or #server-name",
        )


def _domains(domains: Any, locate: Locate) -> Iterator[Diagnostic]:
    if not isinstance(domains, list):
        return
    base = "/spec/instance/network/domains"
    for index, domain in enumerate(domains):
        if isinstance(domain, str) and _is_search_domain(domain):
            continue
        yield NC320.at(
            locate(join_pointer(base, index)),
            f"domain {_shown(domain)} is not a DNS name; systemd-resolved's Domains= ignores it",
            "use a domain name such as corp.example, or ~corp.example for a routing-only domain",
        )


def _shown(value: Any) -> str:
    """A value for a message: repr escapes line breaks and control characters; long values are cut."""
    text = repr(value)
    return text if len(text) <= 80 else text[:60] + "..." + text[-12:]


# systemd-resolved's DNS= entry (in_addr_port_ifindex_name_from_string_auto in
# src/shared/socket-netlink.c): ADDRESS[:PORT][%IFACE][#SERVER-NAME], IPv6 in
# brackets when a port follows.
_DNS_ENTRY = LazyPattern(  # only with nameservers: 0.4 ms to compile
    r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\](?::(?P<v6port>[0-9]+))?|(?P<v6bare>[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)"
    r"|(?P<v4>[0-9.]+)(?::(?P<v4port>[0-9]+))?)"
    r"(?:%(?P<iface>[^%#]+))?(?:#(?P<name>.+))?")
# ifname_valid_full with IFNAME_VALID_ALTERNATIVE (src/basic/network-util.c): visible
# ASCII without ':', '/' and '%', at most 127 bytes; or a numeric interface index.
_IFNAME = LazyPattern(r"[!-$&-.0-9;-~]{1,127}")
_LABEL = LazyPattern(r"(?:[^\W]|-)+")


def _resolved_dns_address(entry: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address in a whole resolved.conf DNS= entry, or None when the entry is not one."""
    match = _DNS_ENTRY.fullmatch(entry)
    if match is None:
        return None
    port = match.group("v6port") or match.group("v4port")
    if port is not None and (len(port.lstrip("0")) > 5 or not 1 <= int(port) <= 65535):
        return None  # the length check first: int() refuses more than 4300 digits
    iface = match.group("iface")
    if iface is not None and not (_IFNAME.fullmatch(iface) and iface not in (".", "..")):
        return None
    name = match.group("name")
    if name is not None and not _is_dns_name(name):
        return None
    text = match.group("v6") or match.group("v6bare") or match.group("v4")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if (match.group("v4") and address.version != 4) or (match.group("v6") and address.version != 6):
        return None
    return address


def _is_dns_name(name: str) -> bool:
    """Labels of letters, digits, '-' and '_', 1-63 characters each, 253 in all, optional final dot."""
    body = name[:-1] if name.endswith(".") else name
    if not body or len(body) > 253:
        return False
    return all(0 < len(label) <= 63 and _LABEL.fullmatch(label) for label in body.split("."))


def _is_search_domain(domain: str) -> bool:
    """A Domains= entry: a DNS name, '~' before it for a routing-only domain, or '~.'."""
    if domain == "~.":
        return True
    return _is_dns_name(domain.removeprefix("~"))


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}
