"""The instance context: what nodeadm learns from IMDS and the machine at boot.

nodecfg takes it as input (``--instance FILE`` plus single-key flags).  Every
key is optional; missing keys come from ``DEFAULT_INSTANCE`` and are recorded
in ``Instance.defaulted`` so outputs that depend on them can say so.
"""

import re
from typing import Any, NamedTuple

from nodecfg.core.codes import NC090, NC091, NC092
from nodecfg.core.diagnostics import Diagnostic, Severity, Span
from nodecfg.core.lines import describe, line_breaker
from nodecfg.core.versions import parse_version
from nodecfg.core.document import join_pointer

# key in the instance file -> attribute name
CONTEXT_KEYS: dict[str, str] = {
    "instanceType": "instance_type",
    "instanceId": "instance_id",
    "region": "region",
    "availabilityZone": "availability_zone",
    "privateDnsName": "private_dns_name",
    "localIpv4": "local_ipv4",
    "localIpv6": "local_ipv6",
    "mac": "mac",
    "kubeletVersion": "kubelet_version",
    "containerdVersion": "containerd_version",
    "vcpus": "vcpus",
    "memoryMiB": "memory_mib",
    "sandboxImage": "sandbox_image",
    "accelerator": "accelerator",
}


class Instance(NamedTuple):
    instance_type: str = "m5.large"
    instance_id: str = "i-0123456789abcdef0"
    region: str = "us-west-2"
    availability_zone: str = "us-west-2a"
    private_dns_name: str = "ip-10-0-0-10.us-west-2.compute.internal"
    local_ipv4: str = "10.0.0.10"
    local_ipv6: str = ""
    mac: str = "02:00:00:00:00:01"
    kubelet_version: str = "v1.34.0"
    containerd_version: str = "2.1.4"
    vcpus: int | None = None  # None: derived from the instance table rule
    memory_mib: int | None = None
    sandbox_image: str = "localhost/kubernetes/pause:latest"
    accelerator: str = "none"  # nvidia | neuron | none
    defaulted: frozenset[str] = frozenset()  # the context keys nobody gave
    # where with_resources() took missing vcpus/memoryMiB from: "table", "name-rule", "default" or ""
    resources_source: str = ""
    # the AMI release whose nodeadm runs (nodecfg/nodeadm/release.py); "": not chosen, the newest
    release: str = ""
    # how it was chosen: "given" (--release, release=), the file that pins it, "settings" ([tool.nodecfg]),
    # "default" (only --kubernetes was given); a pin overrides the last two
    release_source: str = ""
    kubernetes: str = ""  # the Kubernetes minor asked for (--kubernetes), "" for none
    from_release: frozenset[str] = frozenset()  # context keys filled in from the release's table
    # the behaviour changes its nodeadm has when they are not its release's own: a probe of one change
    # across a release boundary (with_nodeadm_of); None: the release's
    release_changes: frozenset[str] | None = None

    @property
    def profile(self):
        """The release's Profile (nodecfg/nodeadm/release.py): what renderers and rules ask."""
        from nodecfg.nodeadm.release import Profile, profile

        if self.release_changes is not None:
            return Profile(self.release_changes, (self.release,))
        return profile(self.release)

    def with_values(self, values: dict[str, Any]) -> "Instance":
        """Return a copy with context keys (camelCase) applied."""
        changes = {CONTEXT_KEYS[k]: v for k, v in values.items() if v is not None}
        defaulted = self.defaulted - set(values)
        return self._replace(**changes, defaulted=defaulted)


DEFAULT_INSTANCE = Instance(defaulted=frozenset(CONTEXT_KEYS))


def instance_from_mapping(values: dict[str, Any] | None) -> Instance:
    """Build an Instance from a context mapping (keys as in the spec table)."""
    return DEFAULT_INSTANCE.with_values(dict(values or {}))


# --- reading an instance file ---------------------------------------------------
# schemas/instance.json publishes the same rules for editors; a test keeps the
# two in step.  The check is by hand so start-up does not import jsonschema.

MAX_INSTANCE_FILE_BYTES = 1024 * 1024
INTEGER_KEYS = frozenset({"vcpus", "memoryMiB"})
ACCELERATORS = ("nvidia", "neuron", "none")
VALUE_PATTERNS = {
    "instanceType": (r"[a-z0-9][a-z0-9.-]{0,63}", "an EC2 instance type such as m5.large"),
    "kubeletVersion": (r"v?[0-9]+\.[0-9]+(\.[0-9]+)?([-+][0-9A-Za-z.+-]*)?", "a version such as v1.34.0"),
    "containerdVersion": (r"v?[0-9]+\.[0-9]+(\.[0-9]+)?([-+~][0-9A-Za-z.+~-]*)?", "a version such as 2.1.4"),
}


VERSION_KEYS = frozenset({"kubeletVersion", "containerdVersion"})


def validate_context(values: Any, uri: str, positions: dict[str, tuple[Span, Span]] | None = None,
                     ) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Keep the valid context keys of values; report the rest.

    positions maps a key to (key span, value span) when the caller knows them.
    """
    positions = positions or {}
    if not isinstance(values, dict):
        return {}, [NC092.at(Span(uri), "the instance context must be a mapping of keys to values")]
    accepted: dict[str, Any] = {}
    diagnostics: list[Diagnostic] = []
    for key, value in values.items():
        key_span, value_span = positions.get(str(key), (Span(uri), Span(uri)))
        if key not in CONTEXT_KEYS:
            diagnostics.append(_unknown_key(str(key), key_span))
            continue
        problem = _value_problem(key, value)
        if problem:
            diagnostics.append(NC092.at(value_span, f"instance context {key}: {problem}"))
        elif value is not None:
            accepted[key] = value
    return accepted, diagnostics


def _unknown_key(key: str, span: Span) -> Diagnostic:
    import difflib

    close = difflib.get_close_matches(key, list(CONTEXT_KEYS), n=1)
    hint = f"did you mean {close[0]}?" if close else "known keys: " + ", ".join(sorted(CONTEXT_KEYS))
    return NC091.at(span, f"unknown instance context key {key!r}", hint)


def _value_problem(key: str, value: Any) -> str | None:
    if value is None:
        return None
    if key in INTEGER_KEYS:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            return f"must be a positive integer, not {value!r}"
        return None
    if not isinstance(value, str):
        return f"must be a string, not {type(value).__name__} {value!r}"
    char = line_breaker(value)
    if char:
        return f"holds {describe(char)}: the value goes into kubelet flags and other line-based files"
    if key == "accelerator" and value not in ACCELERATORS:
        return f"must be one of {', '.join(ACCELERATORS)}, not {value!r}"
    if key in VALUE_PATTERNS:
        pattern, example = VALUE_PATTERNS[key]
        if not re.fullmatch(pattern, value) or (key in VERSION_KEYS and parse_version(value) is None):
            return f"{value!r} is not {example}"
    return None


def load_instance_file(path: str) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Read ``--instance FILE`` (YAML or JSON) into valid context keys plus diagnostics."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_INSTANCE_FILE_BYTES + 1)
    except OSError as error:
        return {}, [_unreadable(path, f"cannot read instance file: {error.strerror or error}")]
    if len(raw) > MAX_INSTANCE_FILE_BYTES:
        return {}, [_unreadable(path, "instance file is larger than 1 MiB")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return {}, [_unreadable(path, f"instance file is not UTF-8 (byte {error.start})")]
    from nodecfg.core.diagnostics import has_errors
    from nodecfg.parse.yaml import parse_yaml_documents  # the one bounded YAML reader

    documents, problems = parse_yaml_documents(text, path)
    if has_errors(problems):
        return {}, [_unreadable(path, "instance file is not valid YAML: " + d.message.removeprefix("YAML syntax error: "),
                                d.span.line, d.span.col) for d in problems if d.severity >= Severity.ERROR][:1]
    if not documents:
        return {}, problems
    document = documents[0]
    positions = {}
    if isinstance(document.data, dict):
        for key in document.data:
            pointer = join_pointer("", key)
            positions[key] = (document.key_positions.get(pointer, Span(path)), document.span_of(pointer))
    accepted, diagnostics = validate_context(document.data, path, positions)
    return accepted, problems + diagnostics


def _unreadable(path: str, message: str, line: int = 1, col: int = 1) -> Diagnostic:
    return NC090.at(Span(path, line, col), message)


def with_resources(instance: Instance, extra_table=None) -> Instance:
    """instance with vcpus/memory_mib filled in when the context left them out.

    The figures come from the instance table, or from the type's name when
    the table has none (nodecfg.nodeadm.instance_table.estimate_resources);
    the keys stay in ``defaulted`` and ``resources_source`` says which, so
    outputs can say the figures were not given and whether they are estimates.
    """
    if instance.vcpus is not None and instance.memory_mib is not None:
        return instance
    from nodecfg.nodeadm.instance_table import estimate_resources

    estimate = estimate_resources(instance.instance_type, extra_table)
    return instance._replace(
        vcpus=instance.vcpus if instance.vcpus is not None else estimate.vcpus,
        memory_mib=instance.memory_mib if instance.memory_mib is not None else estimate.memory_mib,
        resources_source=estimate.source,
    )


def with_release(instance: Instance, release: str | None, kubernetes: str | None = None,
                 source: str = "given") -> Instance:
    """instance on AMI release ``release``; raises nodecfg.nodeadm.release.ReleaseError.

    The kubelet and containerd versions nobody gave become those the release
    ships (its CHANGELOG): for the Kubernetes minor ``kubernetes`` when given,
    else for the minor of the kubelet version (the newest minor the release
    ships when that one is not among them).  On the newest release without
    ``kubernetes`` the documented defaults stay, so nodecfg's output without
    ``--release`` does not move with each release's patch versions.  The
    sandbox image nobody gave is the release's default.
    """
    from nodecfg.nodeadm.release import LATEST, minors, profile, resolve, shipped_versions
    from nodecfg.core.versions import parse_version

    tag = resolve(release)
    kubernetes = kubernetes or instance.kubernetes
    if instance.from_release:  # what an earlier release filled in is this release's to fill in
        restored = {CONTEXT_KEYS[key]: getattr(DEFAULT_INSTANCE, CONTEXT_KEYS[key]) for key in instance.from_release}
        instance = instance._replace(**restored, defaulted=instance.defaulted | instance.from_release)
    changes: dict[str, Any] = {"release": tag, "release_source": source, "kubernetes": kubernetes or "",
                               "release_changes": None,
                               "sandbox_image": _release_sandbox_image(instance, profile(tag))}
    defaulted = set(instance.defaulted)
    filled: set[str] = set()
    if kubernetes or (tag != LATEST and defaulted & {"kubeletVersion", "containerdVersion"}):
        if kubernetes:
            minor = kubernetes
        else:
            version = parse_version(instance.kubelet_version)
            minor = f"{version.major}.{version.minor}" if version else ""
            shipped = minors(tag)
            if minor not in shipped:
                if "kubeletVersion" not in defaulted:  # a kubelet the release does not ship: versions as given
                    return instance._replace(**changes)
                minor = shipped[-1]
        kubelet, containerd = shipped_versions(tag, minor)
        for key, value in (("kubeletVersion", kubelet), ("containerdVersion", containerd)):
            if key in defaulted:
                changes[CONTEXT_KEYS[key]] = value
                filled.add(key)
                if kubernetes:  # asked for: not a default any more
                    defaulted.discard(key)
    return instance._replace(**changes, defaulted=frozenset(defaulted), from_release=frozenset(filled))


def _release_sandbox_image(instance: Instance, profile) -> str:
    """The sandbox image: the one given, else the release's default (nodeadm cmd/nodeadm/init/init.go)."""
    return profile.sandbox_image if "sandboxImage" in instance.defaulted else instance.sandbox_image


def with_nodeadm_of(instance: Instance, tag: str, changes: frozenset[str] | None = None) -> Instance:
    """The same node, kubelet and containerd as ``instance``, running the nodeadm of release ``tag``.

    ``changes``: that nodeadm with these behaviour changes instead of its own
    (the release's with one change added or taken away).  What ``nodecfg diff
    --to-release`` renders on each side of a release boundary to learn which
    files that boundary, or one change of it, alters for the input
    (nodecfg/output/diff.py ``release_effects``).
    """
    probe = instance._replace(release=tag, release_source="given", release_changes=changes)
    return probe._replace(sandbox_image=_release_sandbox_image(instance, probe.profile))


def on_release(instance: Instance, release: str | None, kubernetes: str | None = None, settings_release: str = ""
               ) -> tuple[Instance, list[Diagnostic]]:
    """(instance on the release, findings): an unknown release or minor is a usage error (NC095).

    ``release`` is the one given (``--release``, ``release=``); without it, ``settings_release``
    (``[tool.nodecfg] release``), else the newest.  Only a given release beats the one the input pins.
    """
    from nodecfg.nodeadm.release import ReleaseError

    source = "given" if release else "settings" if settings_release else "default"
    try:
        return with_release(instance, release or settings_release or None, kubernetes, source), []
    except ReleaseError as error:
        from nodecfg.core.codes import NC095

        return instance, [NC095.at(Span("<command line>"), str(error))]


__all__ = ["CONTEXT_KEYS", "DEFAULT_INSTANCE", "Instance", "instance_from_mapping",
           "load_instance_file", "validate_context", "on_release", "with_nodeadm_of", "with_release",
           "with_resources"]
