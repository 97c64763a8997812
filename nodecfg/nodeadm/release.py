"""AMI releases as data: which nodeadm behaviour each release has.

An AMI release ``vYYYYMMDD`` is a tag of awslabs/amazon-eks-ami; its AMIs
ship the nodeadm built from that tag, the containerd and kubelet its
CHANGELOG.md lists per Kubernetes minor, and the ``nodeadm-config.service``
of ``templates/al2023/runtime/rootfs/etc/systemd/system`` at that tag.

Each behaviour change nodecfg models is a ``Change`` keyed by the first tag
that has it, with the upstream commit and subject (``git log
<tag>..<tag> -- nodeadm/``); a change reverted later names the tag that no
longer has it (``until``).  A ``Profile`` is the set of changes one release
has; releases with the same set share one Profile object.  Renderers,
validators and rules ask the profile (``profile.has(MAX_PODS_EXPRESSION)``,
``profile.sandbox_image``); nothing else compares release tags.

The behaviour of the newest release is what nodecfg renders without
``--release``; ``reference.NODEADM_COMMIT`` names its commit.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache

from nodecfg.core.lazy_re import LazyPattern
from nodecfg.core.locations import Location

# Every AMI release tag nodecfg knows, oldest first (git tag, v2025* and v2026*).
TAGS: tuple[str, ...] = (
    "v20250103", "v20250116", "v20250123", "v20250203", "v20250212", "v20250224", "v20250228", "v20250304",
    "v20250317", "v20250403", "v20250410", "v20250419", "v20250501", "v20250505", "v20250514", "v20250519",
    "v20250610", "v20250620", "v20250627", "v20250704", "v20250715", "v20250801", "v20250804", "v20250807",
    "v20250813", "v20250819", "v20250821", "v20250829", "v20250904", "v20250915", "v20250920", "v20251002",
    "v20251007", "v20251016", "v20251023", "v20251029", "v20251103", "v20251108", "v20251112", "v20251120",
    "v20251209", "v20251217", "v20260107", "v20260114", "v20260116", "v20260120", "v20260128", "v20260129",
    "v20260209", "v20260224", "v20260304", "v20260310", "v20260311", "v20260318", "v20260403", "v20260409",
    "v20260415", "v20260423", "v20260505", "v20260512", "v20260520", "v20260523", "v20260527", "v20260529",
    "v20260610", "v20260618", "v20260625", "v20260707", "v20260709", "v20260714", "v20260724",
)
LATEST = TAGS[-1]
_INDEX = {tag: index for index, tag in enumerate(TAGS)}

# --- the behaviour changes ---------------------------------------------------------------------------

NVIDIA_G5G = "nvidia-g5g"
CDI = "enable-cdi"
NVIDIA_RUNTIME_BY_BINARY = "nvidia-runtime-by-binary"
SOCI_SNAPSHOTTER = "soci-snapshotter"
SOCI_DOWNLOADS_20 = "soci-downloads-20"
EOL_CLEANUP_127 = "eol-cleanup-1.27"
OUTPOST_KUBECONFIG = "outpost-kubeconfig"
KUBELET_DROPIN_ALL_VERSIONS = "kubelet-dropin-all-versions"
CONTAINERD2_TEMPLATE = "containerd-2-template"
CONTAINERD_SCHEMA_CHECK = "containerd-schema-check"
KUBELET_DROPIN_40 = "kubelet-dropin-40"
DRA_GATE = "dra-gate"
FAST_IMAGE_PULL = "fast-image-pull"
MUTABLE_CSI_GATE = "mutable-csi-gate"
GRACEFUL_SHUTDOWN = "graceful-shutdown"
MAX_PODS_EXPRESSION = "max-pods-expression"
EC2_DEFAULT_CARD_ENIS = "ec2-default-card-enis"
INSTANCE_ENVIRONMENT = "instance-environment"
ECR_EUSC = "ecr-eusc"
SOCI_XLARGE = "soci-xlarge"
CREDENTIAL_PROVIDER_STRUCT = "credential-provider-struct"
CONFIG_CHAIN = "config-chain"
INSTANCE_NETWORK = "instance-network"
RUNTIME_CGROUPS = "runtime-cgroups"
DROPIN_ALPHA_BEFORE_130 = "dropin-alpha-before-1.30"
NVIDIA_GPU_LABEL = "nvidia-gpu-label"
ECR_PUBLIC_ALIAS = "ecr-public-alias"
SOCI_DEPENDENCY_DROPIN = "soci-dependency-dropin"
SANDBOX_LATEST_TAG = "sandbox-latest-tag"


class Change:
    """One behaviour change: a plain class, as defining a NamedTuple costs ``check`` start-up time."""

    __slots__ = ("key", "since", "commit", "subject", "summary", "until")

    def __init__(self, key: str, since: str, commit: str, subject: str, summary: str, until: str = "") -> None:
        self.key = key
        self.since = since      # the first release tag that has it
        self.commit = commit    # upstream commit (abbreviated) and its subject
        self.subject = subject
        self.summary = summary  # what it changes on the node, in nodecfg's words
        self.until = until      # the first release tag that no longer has it (a revert), or ""

    def __repr__(self) -> str:
        return f"Change({self.key!r}, {self.since!r}, {self.commit!r})"


_CHANGES: tuple[Change, ...] = (
    Change(NVIDIA_G5G, "v20250224", "2ffb0d54", "build(nvidia): support arm64 builds (#2137)",
           "the NVIDIA container runtime is chosen for g5g instances too"),
    Change(CDI, "v20250317", "2e8fa251", "feat(nodeadm): enable CDI for 1.32+ (#2173)",
           "containerd's template writes enable_cdi, true for kubelet 1.32 and newer (no such line before)"),
    Change(NVIDIA_RUNTIME_BY_BINARY, "v20250501", "55246f3e",
           "feat(nodeadm): configure container runtime based on binaries (#2227)",
           "the NVIDIA container runtime is chosen when /usr/bin/nvidia-container-runtime exists (by instance "
           "family before)"),
    Change(CONTAINERD2_TEMPLATE, "v20250501", "3477d8f1", "Upgrade to Containerd2.0 for 1.33+ (#2235)",
           "containerd 2.x gets the schema v3 template", until="v20250519"),
    Change(CONTAINERD2_TEMPLATE, "v20250807", "bacd4c1c", "feat(nodeadm): add containerd 2.x support (#2252)",
           "containerd 2.x gets the schema v3 template"),
    Change(CONTAINERD_SCHEMA_CHECK, "v20250807", "bacd4c1c", "feat(nodeadm): add containerd 2.x support (#2252)",
           "a schema v3 containerd config is refused on containerd 1.x; a v2 one is migrated on 2.x"),
    Change(KUBELET_DROPIN_40, "v20250620", "70c91e3c",
           "fix(nodeadm): write user kubelet config with priority 40 on 1.29+ (#2297)",
           "the user's kubelet.config drop-in is 40-nodeadm.conf (00-nodeadm.conf before)"),
    Change(DRA_GATE, "v20250620", "217a21cb", "feat(nodeadm): enable DRA for 1.33+ (#2285)",
           "kubelet feature gate DynamicResourceAllocation on for kubelet 1.33 and newer"),
    Change(SOCI_SNAPSHOTTER, "v20250813", "69b11404", "feat(nodeadm) add SOCI snapshotter support (#2352)",
           "a feature gate (AggressiveImagePull, FastImagePull from v20250821) turns on the SOCI snapshotter"),
    Change(SOCI_DOWNLOADS_20, "v20250819", "4103be78", "tweak image pull flag config and docs (#2378)",
           "the SOCI snapshotter's max_concurrent_downloads_per_image is 20 (32 before)"),
    Change(FAST_IMAGE_PULL, "v20250821", "28454ab9", "chore(nodeadm): rename feature flag (#2381)",
           "feature gate FastImagePull turns on the SOCI snapshotter (AggressiveImagePull before)"),
    Change(EOL_CLEANUP_127, "v20250821", "41298160", "chore: cleanup unneeded logic for EOL versions (#2382)",
           "the toggles for kubelets older than 1.28 go: KubeletCredentialProviders gate (< 1.28), "
           "--container-runtime, kubeAPIQPS/Burst and the v1alpha1 credential provider (< 1.27), "
           "--cloud-provider=aws (< 1.26)"),
    Change(MUTABLE_CSI_GATE, "v20250829", "30172c04", "Enable MutableCSINodeAllocatableCount in v1.34.0+ (#2389)",
           "kubelet feature gate MutableCSINodeAllocatableCount on for kubelet 1.34 and newer"),
    Change(GRACEFUL_SHUTDOWN, "v20250920", "b8c7af92", "feat(al2023): enable graceful shutdown in 1.34+ (#2390)",
           "shutdownGracePeriod 2m30s (30s for critical pods) for kubelet 1.34 and newer"),
    Change(OUTPOST_KUBECONFIG, "v20251002", "e0cd5bb1", "fix(al2023): pass kubeconfig flag for Outpost (#2440)",
           "an Outpost node gets --kubeconfig next to --bootstrap-kubeconfig"),
    Change(MAX_PODS_EXPRESSION, "v20251007", "6826d213", "feat(nodeadm): support custom max pods expressions (#2446)",
           "kubelet.maxPodsExpression decides maxPods"),
    Change(EC2_DEFAULT_CARD_ENIS, "v20251007", "6826d213", "feat(nodeadm): support custom max pods expressions (#2446)",
           "a type missing from the packaged table gets maxPods from EC2's ENIs on its default network card "
           "(before, NetworkInfo.MaximumNetworkInterfaces: the ENIs of every network card)"),
    Change(INSTANCE_ENVIRONMENT, "v20251007", "6b33121c",
           "feat(nodeadm): add support to configure http-proxy for al2023/nodeadm (#2384)",
           "instance.environment writes systemd environment drop-ins"),
    Change(ECR_EUSC, "v20251007", "08d43b7a", "Add ECR credential provider support for eusc (#2456)",
           "the credential provider matches *.dkr.ecr.*.amazonaws.eu"),
    Change(SOCI_XLARGE, "v20251016", "f4a39293", "feat: allow parallel image pull on more instance types (#2461)",
           "SOCI from 4 vCPUs and 7 GiB of memory (8 vCPUs and 8 GiB before)"),
    Change(CREDENTIAL_PROVIDER_STRUCT, "v20251016", "7c3efa72", "feat(nodeadm): support public ECR authentication (#2153)",
           "the credential provider config is encoded from Go structs (defaultCacheDuration 12h0m0s) and matches "
           "public.ecr.aws"),
    Change(CONFIG_CHAIN, "v20251023", "0d558ec3", "feat(nodeadm): add config provider chain and support drop-ins (#2427)",
           "nodeadm reads user data and the drop-in directory /etc/eks/nodeadm.d, and caches the merged config "
           "in /run/eks/nodeadm/config.json"),
    Change(INSTANCE_NETWORK, "v20251217", "c31f7a23", "feat(nodeadm): add network name resolution aspect (#2556)",
           "instance.network writes a systemd-resolved drop-in"),
    Change(RUNTIME_CGROUPS, "v20260209", "e9ce09d6", "fix: set the runtime-cgroup flag (#2617)",
           "the kubelet gets --runtime-cgroups=/runtime.slice/containerd.service"),
    Change(DROPIN_ALPHA_BEFORE_130, "v20260209", "b1e7d354", "chore: clean up kubelet config file logic  (#2613)",
           "KUBELET_CONFIG_DROPIN_DIR_ALPHA=on only for kubelet older than 1.30 (every kubelet before)"),
    Change(KUBELET_DROPIN_ALL_VERSIONS, "v20260209", "b1e7d354", "chore: clean up kubelet config file logic  (#2613)",
           "kubelet older than 1.29 gets the user's kubelet.config as a drop-in too (merged into config.json, "
           "with --pod-infra-container-image, before)"),
    Change(NVIDIA_GPU_LABEL, "v20260209", "dc46be13", "feat(nodeadm): pass nvidia gpu startup labels to kubelet  (#2607)",
           "NVIDIA nodes on kubelet 1.35 and newer get --node-labels=nvidia.com/gpu.present=true"),
    Change(ECR_PUBLIC_ALIAS, "v20260318", "76ba007d", "feat(nodeadm): support public ecr authenticated ipv6 pulls",
           "the credential provider matches ecr-public.aws.com for kubelet 1.32 and newer"),
    Change(SOCI_DEPENDENCY_DROPIN, "v20260512", "f2bdcc06",
           "fix(nodeadm): import sandbox image into SOCI snapshotter before kubelet starts (#2717)",
           "with SOCI, containerd.service.d/10-soci-snapshotter.conf makes containerd wait for the snapshotter"),
    Change(SANDBOX_LATEST_TAG, "v20260625", "a02fc275", "fix(nodeadm): refer to default sandbox image as :latest (#2730)",
           "the sandbox image is localhost/kubernetes/pause:latest (localhost/kubernetes/pause before)"),
)

CHANGES: tuple[Change, ...] = tuple(sorted(_CHANGES, key=lambda change: _INDEX[change.since]))

# The files (fnmatch patterns, with "#KEY" naming a key prefix of a structured file) each change can alter:
# the reasons `nodecfg diff --release A --to-release B` can name for a difference; renders of the input on
# each side of each boundary crossed keep those that alter its files (reasons_for, output/diff.py).
_CONTAINERD = "etc/containerd/config.toml"
_KUBELET = "etc/kubernetes/kubelet/config.json"
_ENVIRONMENT = "etc/eks/kubelet/environment"
_CREDENTIALS = "etc/eks/image-credential-provider/config.json"
_CACHE = "run/eks/nodeadm/config.json"
TOUCHES: dict[str, tuple[str, ...]] = {
    NVIDIA_G5G: (_CONTAINERD,),
    CDI: (_CONTAINERD,),
    NVIDIA_RUNTIME_BY_BINARY: (_CONTAINERD,),
    CONTAINERD2_TEMPLATE: (_CONTAINERD,),
    CONTAINERD_SCHEMA_CHECK: (_CONTAINERD,),
    KUBELET_DROPIN_40: ("etc/kubernetes/kubelet/config.json.d/*",),
    DRA_GATE: (f"{_KUBELET}#/featureGates",),
    SOCI_SNAPSHOTTER: (_CONTAINERD, "etc/soci-snapshotter-grpc/*", f"{_KUBELET}#/imageServiceEndpoint"),
    SOCI_DOWNLOADS_20: ("etc/soci-snapshotter-grpc/*",),
    FAST_IMAGE_PULL: (_CONTAINERD, "etc/soci-snapshotter-grpc/*", f"{_KUBELET}#/imageServiceEndpoint"),
    EOL_CLEANUP_127: (_CREDENTIALS, f"{_KUBELET}#/featureGates", f"{_KUBELET}#/kubeAPI", f"{_KUBELET}#/providerID",
                      f"{_ENVIRONMENT}#--cloud-provider", f"{_ENVIRONMENT}#--container-runtime",
                      f"{_ENVIRONMENT}#--hostname-override"),
    MUTABLE_CSI_GATE: (f"{_KUBELET}#/featureGates",),
    GRACEFUL_SHUTDOWN: (f"{_KUBELET}#/shutdownGracePeriod",),
    OUTPOST_KUBECONFIG: (f"{_ENVIRONMENT}#--kubeconfig",),
    MAX_PODS_EXPRESSION: (f"{_KUBELET}#/maxPods", f"{_KUBELET}#/kubeReserved", f"{_CACHE}#/spec/kubelet"),
    EC2_DEFAULT_CARD_ENIS: (f"{_KUBELET}#/maxPods", f"{_KUBELET}#/kubeReserved"),
    INSTANCE_ENVIRONMENT: ("etc/systemd/system.conf.d/environment.conf", "etc/systemd/system/*/environment.conf",
                           f"{_CACHE}#/spec/instance/environment"),
    ECR_EUSC: (_CREDENTIALS,),
    SOCI_XLARGE: (_CONTAINERD, "etc/soci-snapshotter-grpc/*", f"{_KUBELET}#/imageServiceEndpoint"),
    CREDENTIAL_PROVIDER_STRUCT: (_CREDENTIALS,),
    CONFIG_CHAIN: (_CACHE,),
    INSTANCE_NETWORK: ("run/systemd/resolved.conf.d/*", f"{_CACHE}#/spec/instance/network"),
    RUNTIME_CGROUPS: (f"{_ENVIRONMENT}#--runtime-cgroups",),
    DROPIN_ALPHA_BEFORE_130: (f"{_ENVIRONMENT}#KUBELET_CONFIG_DROPIN_DIR_ALPHA",),
    KUBELET_DROPIN_ALL_VERSIONS: (_KUBELET, "etc/kubernetes/kubelet/config.json.d/*",
                                  f"{_ENVIRONMENT}#--pod-infra-container-image", f"{_ENVIRONMENT}#--config-dir"),
    NVIDIA_GPU_LABEL: (f"{_ENVIRONMENT}#--node-labels",),
    ECR_PUBLIC_ALIAS: (_CREDENTIALS,),
    SOCI_DEPENDENCY_DROPIN: ("etc/systemd/system/containerd.service.d/10-soci-snapshotter.conf",),
    SANDBOX_LATEST_TAG: (_CONTAINERD, f"{_CACHE}#/status/default/sandboxImage", f"{_ENVIRONMENT}#--pod-infra"),
}

# The user-facing name of what a change makes available, for findings ("... is ignored by nodeadm before ...").
FEATURE_NAMES = {
    MAX_PODS_EXPRESSION: "`kubelet.maxPodsExpression`",
    INSTANCE_ENVIRONMENT: "`instance.environment`",
    INSTANCE_NETWORK: "`instance.network`",
    FAST_IMAGE_PULL: "feature gate `FastImagePull`",
    CONFIG_CHAIN: "a drop-in directory (/etc/eks/nodeadm.d)",
}


class ReleaseError(ValueError):
    """An unknown or unsupported release: a usage error naming the known range."""


class Profile:
    """What one set of releases' nodeadm does; ask it, never compare tags."""

    __slots__ = ("changes", "tags")

    def __init__(self, changes: frozenset[str], tags: tuple[str, ...]) -> None:
        self.changes = changes
        self.tags = tags  # the releases sharing this profile, oldest first

    def has(self, key: str) -> bool:
        return key in self.changes

    @property
    def name(self) -> str:
        """The profile's first release, or ``first..last`` when several share it."""
        return self.tags[0] if len(self.tags) == 1 else f"{self.tags[0]}..{self.tags[-1]}"

    @property
    def sandbox_image(self) -> str:
        """``Status.Defaults.SandboxImage`` (nodeadm cmd/nodeadm/init/init.go)."""
        return "localhost/kubernetes/pause:latest" if self.has(SANDBOX_LATEST_TAG) else "localhost/kubernetes/pause"

    @property
    def kubelet_dropin_name(self) -> str:
        """The user's kubelet.config drop-in (internal/kubelet/config.go writeKubeletConfigToDir)."""
        return "40-nodeadm.conf" if self.has(KUBELET_DROPIN_40) else "00-nodeadm.conf"

    @property
    def soci_thresholds(self) -> tuple[int, int]:
        """(millicores, GiB of memory) from which FastImagePull turns SOCI on (internal/containerd/config.go)."""
        return (4000, 7) if self.has(SOCI_XLARGE) else (8000, 8)

    def containerd_template_v3(self, containerd_2: bool) -> bool:
        return containerd_2 and self.has(CONTAINERD2_TEMPLATE)

    @property
    def image_pull_gate(self) -> str:
        """The feature gate that turns SOCI on ("" before SOCI: internal/api/featuregates.go)."""
        if self.has(FAST_IMAGE_PULL):
            return "FastImagePull"
        return "AggressiveImagePull" if self.has(SOCI_SNAPSHOTTER) else ""

    @property
    def soci_downloads_per_image(self) -> int:
        """max_concurrent_downloads_per_image of snapshotter/soci-snapshotter.config.toml."""
        return 20 if self.has(SOCI_DOWNLOADS_20) else 32

    @property
    def nvidia_families(self) -> tuple[str, ...]:
        """Instance families that got the NVIDIA runtime while it was chosen by family (runtime_config.go)."""
        families = ("p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "g4", "g4dn", "g5", "g6", "g6e")
        return families + ("g5g",) if self.has(NVIDIA_G5G) else families

    def __repr__(self) -> str:
        return f"Profile({self.name})"


def _in(change: Change, index: int) -> bool:
    """Whether the release at ``index`` of TAGS has ``change``."""
    return _INDEX[change.since] <= index and (not change.until or index < _INDEX[change.until])


def _active(tag: str) -> frozenset[str]:
    """The changes release tag has, computed over every change (_changes is its profile's, computed once)."""
    index = _INDEX[tag]
    return frozenset(change.key for change in CHANGES if _in(change, index))


def _changes(tag: str) -> frozenset[str]:
    return _profiles()[tag].changes


@lru_cache(maxsize=1)
def _profiles() -> dict[str, Profile]:
    """Tag -> its Profile; releases with the same changes share the object."""
    edges = {change.since for change in CHANGES} | {change.until for change in CHANGES if change.until}
    active: dict[str, frozenset[str]] = {}
    for index, tag in enumerate(TAGS):  # a release has its predecessor's changes unless one comes or goes at it
        active[tag] = _active(tag) if index == 0 or tag in edges else active[TAGS[index - 1]]
    groups: dict[frozenset[str], list[str]] = {}
    for tag in TAGS:
        groups.setdefault(active[tag], []).append(tag)
    shared = {changes: Profile(changes, tuple(tags)) for changes, tags in groups.items()}
    return {tag: shared[active[tag]] for tag in TAGS}


def resolve(release: str | None) -> str:
    """The release tag for ``release`` (None, "" or "latest": the newest); raises ReleaseError."""
    if release in (None, "", "latest"):
        return LATEST
    text = str(release).strip()
    if len(text) == 8 and text.isdecimal():  # regex \d{8}, without compiling it
        text = "v" + text
    if text in _INDEX:
        return text
    raise ReleaseError(f"unknown AMI release {release!r}: nodecfg knows {TAGS[0]} to {LATEST} "
                       f"({len(TAGS)} releases) and latest")


def profile(release: str | None = None) -> Profile:
    """The Profile of a release tag (see resolve)."""
    return _profiles()[resolve(release)]


def first_with(key: str) -> str:
    """The first release tag that has change ``key`` (for good: after any revert)."""
    first = LATEST
    for tag in reversed(TAGS):  # the run of releases with it that ends at the newest
        if key not in _changes(tag):
            break
        first = tag
    return first


def changes_between(old: str, new: str) -> list[Change]:
    """The changes a move from release old to new adds or removes, in release order.

    A change counts when one side has it and the other does not, and the two
    sides differ in its behaviour: the containerd 2 template of v20250501,
    reverted at v20250519, is no change from v20250419 to v20250610, nor one
    from v20250505 to v20250807 (where a later commit brings it back).
    """
    old_index, new_index = _INDEX[resolve(old)], _INDEX[resolve(new)]
    keys = _changes(TAGS[old_index]) ^ _changes(TAGS[new_index])
    return [change for change in CHANGES if change.key in keys and _in(change, old_index) != _in(change, new_index)]


def boundary_of(change: Change, old: str, new: str) -> str:
    """The tag between releases old and new where ``change`` comes (its ``since``) or goes (its ``until``)."""
    low, high = sorted((_INDEX[resolve(old)], _INDEX[resolve(new)]))
    return change.since if low < _INDEX[change.since] <= high else change.until


def changes_at(tag: str) -> list[Change]:
    """The changes that come or go at release ``tag``."""
    return [change for change in CHANGES if tag in (change.since, change.until)]


def boundaries(old: str, new: str) -> list[tuple[str, str]]:
    """(the release before, the release) of each profile boundary crossed between old and new, oldest first."""
    low, high = sorted((_INDEX[resolve(old)], _INDEX[resolve(new)]))
    return [(TAGS[index - 1], TAGS[index]) for index in range(low + 1, high + 1)
            if _changes(TAGS[index - 1]) != _changes(TAGS[index])]


# What a boundary crossed, or one change of it, alters for one input: (boundary tag, change key or "" for
# the whole boundary) -> {path: changed keys}, or None where the renders cannot say (nodecfg/output/diff.py).
Effects = dict[tuple[str, str], "dict[str, list[str]] | None"]


def reasons_for(path: str, keys: list[str], old: str, new: str, effects: Effects | None = None) -> list[str]:
    """The changes between releases old and new that explain a difference in file ``path``.

    ``keys`` are the changed keys of a structured file (JSON pointers, flag
    names), empty for a whole file; each reason is "TAG COMMIT SUBJECT", in
    the order of the boundaries crossed.  A change is a reason when one of
    its TOUCHES patterns names the file and, with a key prefix, one of the
    changed keys.

    ``effects`` makes the reasons exact for one input (nodecfg/output/diff.py
    ``release_effects``): the files each boundary crossed (``boundaries``)
    changes when that input is rendered on the release before it and on it,
    and, for a boundary of several commits, the files each change of it
    alters alone.  A change is then a reason only when its boundary changed
    this file (a value of it, for a structured file: not only its layout),
    with its key prefix matched against the keys the boundary changed; and,
    of several commits at one boundary, only when it alters the file alone,
    unless none of them does (changes that act together: all whose pattern
    matches).
    """
    by_boundary: dict[str, list[Change]] = {}
    for change in changes_between(old, new):
        by_boundary.setdefault(boundary_of(change, old, new), []).append(change)
    reasons: list[str] = []
    for boundary in sorted(by_boundary, key=_INDEX.__getitem__):
        for change in _explaining(path, keys, boundary, by_boundary[boundary], effects):
            reason = (f"{change.until} revert of {change.commit} {change.subject}" if boundary == change.until
                      else f"{change.since} {change.commit} {change.subject}")
            if reason not in reasons:
                reasons.append(reason)
    return reasons


def _explaining(path: str, keys: list[str], boundary: str, changes: list[Change],
                effects: Effects | None) -> list[Change]:
    """The changes of one boundary that explain the difference in ``path`` (see reasons_for)."""
    whole = effects.get((boundary, "")) if effects is not None else None
    if whole is None:
        return [change for change in changes if _touches(change, path, keys)]
    if path not in whole:
        return []  # this input's file is the same on both sides of the boundary
    if keys and not whole[path]:
        return []  # a structured file whose keys the boundary left alone: its layout changed, no value
    relevant = whole[path] or keys
    candidates = [change for change in changes if _touches(change, path, relevant)]
    if len({change.commit for change in changes_at(boundary)}) < 2:
        return candidates  # the boundary's one commit
    alone = set()
    for change in changes_at(boundary):
        found = effects.get((boundary, change.key))
        if found is not None and path in found and (found[path] or not keys):
            alone.add(change.key)
    # none alone: changes that act together; else those among them (not one reverted before the other end)
    return [change for change in candidates if change.key in alone] if alone else candidates


def _touches(change: Change, path: str, keys: list[str]) -> bool:
    """Whether a TOUCHES pattern of the change names the file and, with a key prefix, one of ``keys``."""
    import fnmatch

    for touch in TOUCHES.get(change.key, ()):
        pattern, _, prefix = touch.partition("#")
        if fnmatch.fnmatchcase(path, pattern) and (not prefix or not keys
                                                   or any(key.startswith(prefix) for key in keys)):
            return True
    return False


def is_dropin(uri: str, directories: tuple[str, ...]) -> bool:
    """A document nodeadm reads only through its config chain: a file of a drop-in directory given as a
    source, or a drop-in a user-data script writes (``#heredoc=``, nodecfg/parse/shell.py)."""
    location = Location.parse(uri)
    if location.heredoc is not None:
        return True
    path = location.file
    return any(path.startswith(directory.rstrip("/") + "/") for directory in directories)


# --- what each release ships ---------------------------------------------------------------------------

VERSIONS_TABLE = os.path.join(os.path.dirname(__file__), "data", "release_versions.tsv")


@lru_cache(maxsize=1)
def _versions() -> dict[tuple[str, str], tuple[str, str]]:
    table: dict[tuple[str, str], tuple[str, str]] = {}
    with open(VERSIONS_TABLE, "rb") as stream:  # text mode would import the ascii codec
        rows = stream.read().decode("ascii").splitlines()
    for row in rows:
        if row and not row.startswith(("#", "tag\t")):
            tag, minor, kubelet, containerd = row.split("\t")[:4]
            table[(tag, minor)] = (kubelet, containerd)
    return table


def minors(release: str | None) -> list[str]:
    """The Kubernetes minors the release's AMIs are built for (per its CHANGELOG)."""
    tag = _listed_tag(resolve(release))
    return sorted((minor for t, minor in _versions() if t == tag), key=lambda m: tuple(int(p) for p in m.split(".")))


def shipped_versions(release: str | None, kubernetes: str) -> tuple[str, str]:
    """(kubelet version, containerd version) the release ships for a Kubernetes minor such as "1.32".

    Raises ReleaseError when the release has no AMI for that minor.
    """
    tag = resolve(release)
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?", kubernetes.strip())
    if match is None:
        raise ReleaseError(f"--kubernetes {kubernetes!r} is not a Kubernetes minor such as 1.32")
    minor = f"{match.group(1)}.{match.group(2)}"
    found = _versions().get((_listed_tag(tag), minor))
    if found is None:
        raise ReleaseError(f"release {tag} has no AMI for Kubernetes {minor}: it ships "
                           + ", ".join(minors(tag)))
    kubelet, containerd = found
    return "v" + kubelet.lstrip("v"), containerd


def _listed_tag(tag: str) -> str:
    """tag, or the newest earlier release the versions table lists (a release without its own notes)."""
    listed = {t for t, _ in _versions()}
    for candidate in reversed(TAGS[:_INDEX[tag] + 1]):
        if candidate in listed:
            return candidate
    return tag


MEMBERSHIP_TABLE = os.path.join(os.path.dirname(__file__), "data", "max_pods_membership.tsv")


@lru_cache(maxsize=1)
def _membership() -> dict[str, tuple[int | None, str, str]]:
    """type -> (maxPods of a type the newest table lacks, or None; first release with it; first without it)."""
    with open(MEMBERSHIP_TABLE, "rb") as stream:  # text mode would import the ascii codec
        rows = stream.read().decode("ascii").splitlines()
    table = {}
    for row in rows:
        if row and not row.startswith("#"):
            name, value, first, removed = (row.split("\t") + ["", "", ""])[:4]
            table[name] = (int(value) if value else None, first, removed)
    return table


def in_release_table(release: str | None, instance_type: str) -> bool:
    """Whether the release's maxPods table holds the type (types nodecfg's table holds, added later, do not).

    No type changes its maxPods between v20250103 and the newest release:
    tables differ only in which types they hold.  A type the release's table
    lacks is one that release's nodeadm asks EC2 about, as it does for any
    type missing from nodecfg's table (nodecfg/context/maxpods.py).
    """
    found = _membership().get(instance_type)
    if found is None:
        return True
    _, first, removed = found
    index = _INDEX[resolve(release)]
    return _INDEX[first] <= index and (not removed or index < _INDEX[removed])


def retired_max_pods(release: str | None, instance_type: str) -> int | None:
    """maxPods of a type the release's table has and the newest release's table no longer has, else None."""
    found = _membership().get(instance_type)
    if found is None or found[0] is None or not in_release_table(release, instance_type):
        return None
    return found[0]


# --- releases pinned by the input ---------------------------------------------------------------------

# Karpenter's EC2NodeClass alias, an EKS release version (1.33.0-20250715, or its date alone in
# releaseVersion), an AMI name (amazon-eks-node-al2023-x86_64-standard-1.33-v20250715); each with the text
# any match holds ("" for the case-insensitive one), so a text without it is not searched.  Only container files
# are searched (nodecfg/pipeline.py pinned_instance): the patterns are compiled on first use.
_PINS = (
    ("al2023@", LazyPattern(r"\bal2023@(v\d{8}|latest)\b")),
    ("", LazyPattern(r"""["']?release_?version["']?\s*[:=]\s*["']?\d+\.\d+\.\d+-(\d{8})\b""", re.IGNORECASE)),
    ("amazon-eks-", LazyPattern(r"\bamazon-eks-(?:node|gpu-node|arm64-node)?-?al2023-[A-Za-z0-9_.-]*?-(v\d{8})\b")),
)


def pinned_releases(text: str) -> list[str]:
    """The release tags a container file pins (alias, release version, AMI name), in order, each once."""
    found: list[str] = []
    for needed, pattern in _PINS:
        if needed not in text:
            continue
        for match in pattern.finditer(text):
            tag = match.group(1)
            tag = tag if tag.startswith(("v", "latest")) else "v" + tag
            if tag not in found:
                found.append(tag)
    return found


__all__ = ["CHANGES", "Change", "Effects", "LATEST", "Profile", "ReleaseError", "TAGS", "boundaries", "boundary_of",
           "changes_at", "changes_between", "first_with", "in_release_table", "is_dropin", "minors",
           "pinned_releases", "profile", "reasons_for", "resolve", "retired_max_pods", "shipped_versions"]
