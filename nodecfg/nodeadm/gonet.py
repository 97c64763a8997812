"""The cluster service CIDR as nodeadm reads it: Go's ``net.ParseCIDR`` and nodeadm's text rules.

Mirrors nodeadm internal/api/net.go: ``GetCIDRIpFamily`` parses the CIDR with
``net.ParseCIDR`` and calls it IPv4 when ``ip.To4()`` succeeds (so an
IPv4-mapped IPv6 address such as ``::ffff:10.100.0.0/104`` is IPv4), and
``GetClusterDns`` derives the kube-dns address by text surgery on the CIDR as
written: everything before the last ``.`` plus ``.10`` for IPv4, the address
before ``/`` plus ``a`` for IPv6.  Validation (semantics) and rendering
(render/kubelet.py, render/flags.py) both ask this module, so a message can
never name another address than the one the node gets.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Literal

IPFamily = Literal["ipv4", "ipv6"]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_cidr(text: object) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int] | None:
    """(address, prefix length) where net.ParseCIDR accepts ``text``, else None.

    net.ParseCIDR wants ADDRESS/DIGITS with no zone and a prefix no longer
    than the address; Python's ipaddress rejects what Go's parser rejects in
    the address itself (leading zeros in IPv4 octets included).
    """
    return _parse_cidr(text) if isinstance(text, str) else None


@lru_cache(maxsize=64)
def _parse_cidr(text: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int] | None:
    """parse_cidr of a string, once: validation and two renderers all ask about the one CIDR."""
    if text.count("/") != 1 or "%" in text:
        return None
    address_text, prefix_text = text.split("/")
    if not (prefix_text.isascii() and prefix_text.isdigit()):
        return None
    try:
        address = ipaddress.ip_address(address_text)
    except ValueError:
        return None
    digits = prefix_text.lstrip("0") or "0"  # Go's dtoi stops at 0xFFFFFF; Python's int() at 4300 digits
    if len(digits) > 3:
        return None
    prefix = int(digits)
    return (address, prefix) if prefix <= address.max_prefixlen else None


def ip_family(text: object) -> IPFamily | None:
    """GetCIDRIpFamily: "ipv4" when the parsed address has a 4-byte form, else "ipv6"; None if unparseable."""
    parsed = parse_cidr(text)
    if parsed is None:
        return None
    address, _ = parsed
    return "ipv4" if address.version == 4 or address.ipv4_mapped is not None else "ipv6"


def cluster_dns(text: object) -> str | None:
    """GetClusterDns: the kube-dns ClusterIP nodeadm writes into clusterDNS, derived from the text.

    None when the CIDR does not parse, and when an IPv4-mapped address is
    written without a ``.`` (``::ffff:a64:0/104``): nodeadm slices the text at
    ``strings.LastIndex(cidr, ".")``, which is -1 there, and panics.
    """
    family = ip_family(text)
    if family is None or not isinstance(text, str):
        return None
    if family == "ipv6":
        return text.split("/")[0] + "a"
    return text[: text.rindex(".")] + ".10" if "." in text else None


def service_network(text: object) -> Network | None:
    """The network the CIDR names, as Go's IPNet.Contains sees it (IPv4-mapped ranges as IPv4)."""
    return _service_network(text) if isinstance(text, str) else None


@lru_cache(maxsize=64)
def _service_network(text: str) -> Network | None:
    parsed = parse_cidr(text)
    if parsed is None:
        return None
    address, prefix = parsed
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        if prefix < 96:
            return ipaddress.ip_network(f"{address}/{prefix}", strict=False)
        return ipaddress.ip_network(f"{address.ipv4_mapped}/{prefix - 96}", strict=False)
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False)


def has_host_bits(text: object) -> bool:
    """The address as written is not the network address of its prefix."""
    parsed = parse_cidr(text)
    if parsed is None:
        return False
    address, prefix = parsed
    host_bits = address.max_prefixlen - prefix
    return int(address) >> host_bits << host_bits != int(address)
