"""Kubelet and containerd versions: parsing and comparing.

nodeadm reads the kubelet version with the regex ``v[0-9]+\\.[0-9]+\\.[0-9]+``
over ``kubelet --version`` output and compares it with Go's
``golang.org/x/mod/semver``, in which an unparseable version (nodeadm then
holds the empty string) sorts below every valid one.  nodecfg accepts the
spellings people write in an instance file (``v1.31.2``, ``1.31``,
``v1.35.0-eks-5e0fdde``, ``Kubernetes v1.31.2``, containerd's ``2.1.4``) and
keeps that rule: a version it cannot parse is older than any minimum.
"""

from functools import lru_cache
from typing import NamedTuple

from nodecfg.core.lazy_re import LazyPattern

# asked only of a text that is not a plain version (_plain_groups): compiled on first use
_VERSION = LazyPattern(r"v?(\d+)\.(\d+)(?:\.(\d+))?")
MAX_VERSION_DIGITS = 9


class Version(NamedTuple):
    major: int
    minor: int
    patch: int = 0

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"


def parse_version(text: object) -> Version | None:
    """The first ``[v]MAJOR.MINOR[.PATCH]`` in ``text``; None when there is none."""
    if not isinstance(text, str):
        return None
    # every renderer asks for the same few versions: a short text is parsed once per process
    return _parse_short(text) if len(text) <= 64 else _parse(text)


def _plain_groups(text: str) -> tuple[str, str, str | None] | None:
    """``_VERSION.search(text).groups()`` when the whole text is ``[v]MAJOR.MINOR[.PATCH]`` in ASCII
    digits (what renderers and instance files almost always hold), else None.

    Such a text matches the pattern at its start with every quantifier at its greediest, so the
    search finds exactly these groups; tests/test_versions.py compares the two on any text.
    """
    parts = (text[1:] if text[:1] == "v" else text).split(".")
    if 2 <= len(parts) <= 3 and all(part.isascii() and part.isdigit() for part in parts):
        return parts[0], parts[1], parts[2] if len(parts) == 3 else None
    return None


def _parse(text: str) -> Version | None:
    groups = _plain_groups(text)
    if groups is None:
        match = _VERSION.search(text)
        if match is None:
            return None
        groups = match.groups()
    numbers = [(group or "0").lstrip("0") or "0" for group in groups]
    if any(len(number) > MAX_VERSION_DIGITS for number in numbers):
        return None  # no release has such a number: read as junk, which int() (4300 digits at most) would crash on
    return Version(*(int(number) for number in numbers))


_parse_short = lru_cache(maxsize=256)(_parse)


def at_least(text: object, minimum: str) -> bool:
    """``semver.Compare(text, minimum) >= 0`` with nodeadm's treatment of junk."""
    version = parse_version(text)
    floor = parse_version(minimum)
    if floor is None:
        raise ValueError(f"minimum version {minimum!r} is not a version")
    return version is not None and version >= floor


def canonical_kubelet_version(text: object) -> str:
    """The ``vX.Y.Z`` string nodeadm records in status.kubeletVersion ('' if none)."""
    version = parse_version(text)
    return str(version) if version is not None else ""
