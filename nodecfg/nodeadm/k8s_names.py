"""Kubernetes label keys, label values and taints, checked as the kubelet checks them.

Facts (kubernetes/kubernetes):
* label keys are qualified names: an optional DNS-1123 subdomain prefix (at
  most 253 characters) and '/', then a name of at most 63 characters of
  [A-Za-z0-9_.-] that starts and ends with an alphanumeric
  (apimachinery validation.IsQualifiedName); values are empty or the same
  name shape (IsValidLabelValue);
* ``--node-labels`` in the kubernetes.io or k8s.io namespaces (or any
  subdomain of them) must be one of the labels a kubelet may set on itself:
  the well-known list below or a key under kubelet.kubernetes.io /
  node.kubernetes.io (k8s.io/kubelet/pkg/apis IsKubeletLabel); anything else
  makes the kubelet refuse to start (cmd/kubelet/app/options ValidateKubeletFlags);
* a taint is ``key[=value]:Effect`` with Effect NoSchedule, PreferNoSchedule
  or NoExecute (k8s.io/kubectl taints.ParseTaints); ``key:Effect-`` is a
  removal, which the kubelet's --register-with-taints accepts and ignores.
"""
from __future__ import annotations

from nodecfg.core.lazy_re import LazyPattern

_SUBDOMAIN = LazyPattern(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")

KUBELET_LABELS = frozenset({
    "kubernetes.io/hostname",
    "kubernetes.io/os",
    "kubernetes.io/arch",
    "beta.kubernetes.io/os",
    "beta.kubernetes.io/arch",
    "beta.kubernetes.io/instance-type",
    "node.kubernetes.io/instance-type",
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
})
KUBELET_LABEL_NAMESPACES = ("kubelet.kubernetes.io", "node.kubernetes.io")
RESTRICTED_NAMESPACES = ("kubernetes.io", "k8s.io")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def qualified_name_problem(key: str) -> str | None:
    prefix, slash, name = key.rpartition("/")
    if slash and not prefix:
        return "the prefix before '/' is empty"
    if slash and (len(prefix) > 253 or not _SUBDOMAIN.fullmatch(prefix)):
        return f"prefix {prefix!r} is not a DNS subdomain (lower case letters, digits, '-' and '.')"
    if not name:
        return "the name is empty"
    if len(name) > 63:
        return f"name {name!r} is longer than 63 characters"
    if not _is_name(name):
        return f"name {name!r} must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
    return None


def label_value_problem(value: str) -> str | None:
    if value == "":
        return None
    if len(value) > 63:
        return f"value {value!r} is longer than 63 characters"
    if not _is_name(value):
        return f"value {value!r} must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit"
    return None


def _is_name(text: str) -> bool:
    """apimachinery's qualified name / label value, ``([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]``, without
    compiling the pattern: ASCII letters and digits, with '-', '_' and '.' only between them."""
    if not text or not text.isascii() or not (text[0].isalnum() and text[-1].isalnum()):
        return False
    inner = text.replace("-", "").replace("_", "").replace(".", "")
    return inner.isalnum()


def _in_namespace(namespace: str, parent: str) -> bool:
    return namespace == parent or namespace.endswith("." + parent)


def is_restricted_label(key: str) -> bool:
    """True for a kubernetes.io / k8s.io label the kubelet may not set on itself."""
    namespace = key.split("/", 1)[0] if "/" in key else ""
    if not any(_in_namespace(namespace, parent) for parent in RESTRICTED_NAMESPACES):
        return False
    if key in KUBELET_LABELS:
        return False
    return not any(_in_namespace(namespace, allowed) for allowed in KUBELET_LABEL_NAMESPACES)


def taint_problem(spec: str) -> str | None:
    """Why one ``--register-with-taints`` item is refused, or None."""
    if spec.endswith("-"):
        return f"taint {spec!r} is a removal (trailing '-'); the kubelet ignores it"
    parts = spec.split(":")
    if len(parts) == 1:
        return f"taint {spec!r} has no effect; write key=value:Effect ({', '.join(TAINT_EFFECTS)})"
    if len(parts) > 2:
        return f"taint {spec!r} has more than one ':'"
    key_value, effect = parts
    if effect not in TAINT_EFFECTS:
        return f"taint {spec!r}: effect {effect!r} is not one of {', '.join(TAINT_EFFECTS)}"
    key, _, value = key_value.partition("=")
    if "=" in value:
        return f"taint {spec!r} has more than one '='"
    return taint_fields_problem(key, value, effect)


def taint_fields_problem(key: object, value: object, effect: object) -> str | None:
    """Why a taint is invalid (the first problem), or None."""
    problems = taint_field_problems(key, value, effect)
    return problems[0][1] if problems else None


def taint_field_problems(key: object, value: object, effect: object,
                         enum_checked_elsewhere: bool = False) -> list[tuple[str, str]]:
    """(field, problem) for each invalid field of a taint object (registerWithTaints item)."""
    problems = []
    if not isinstance(key, str) or not key:
        problems.append(("key", "taint key is missing"))
    else:
        problem = qualified_name_problem(key)
        if problem:
            problems.append(("key", f"taint key {key!r}: {problem}"))
    if isinstance(value, str):
        problem = label_value_problem(value)
        if problem:
            problems.append(("value", f"taint {key!r}: {problem}"))
    if effect in (None, ""):
        problems.append(("effect", f"taint {key!r} has no effect; use one of {', '.join(TAINT_EFFECTS)}"))
    elif effect not in TAINT_EFFECTS and not enum_checked_elsewhere:
        problems.append(("effect", f"taint {key!r}: effect {effect!r} is not one of {', '.join(TAINT_EFFECTS)}"))
    return problems
