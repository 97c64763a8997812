"""What the chosen AMI release's nodeadm ignores (NC180), reported where the configuration sets it.

nodeadm decodes the NodeConfig with apimachinery's non-strict decoder at every
release, so a field its API types do not have is dropped without a word, and
feature gates are a map, so a gate it does not read has no effect
(internal/api/featuregates.go).  Before v20251023 nodeadm-config.service names
one config source, ``imds://user-data``: drop-in directories are never read.
The first release that has each is in nodecfg/nodeadm/release.py.
"""
from __future__ import annotations

import os

from nodecfg.core.codes import NC180
from nodecfg.core.diagnostics import Diagnostic
from nodecfg.linter.rules.common import spec_get
from nodecfg.nodeadm.release import (CONFIG_CHAIN, INSTANCE_ENVIRONMENT, INSTANCE_NETWORK, MAX_PODS_EXPRESSION,
                                     first_with, is_dropin)


def check(analysis, context) -> list[Diagnostic]:
    instance = context.resolved_instance()
    profile = instance.profile
    if profile.has(CONFIG_CHAIN) and profile.has(INSTANCE_NETWORK):
        return []  # every release from v20251217 on has all of it
    tag = instance.release
    found: list[Diagnostic] = []
    if not profile.has(MAX_PODS_EXPRESSION) and _set(spec_get(analysis, "/spec/kubelet/maxPodsExpression")):
        found.append(_ignored(analysis, "/spec/kubelet/maxPodsExpression", "`maxPodsExpression`",
                              MAX_PODS_EXPRESSION, tag, f": this node gets maxPods {_standard(instance, context)}",
                              "set kubelet.config.maxPods for a fixed value"))
    gates = spec_get(analysis, "/spec/featureGates")
    gate = profile.image_pull_gate
    if isinstance(gates, dict) and gates.get("FastImagePull") is True and gate != "FastImagePull":
        also = (" (this release's name for it is AggressiveImagePull)" if gate else "")
        found.append(_ignored(analysis, "/spec/featureGates/FastImagePull", "feature gate `FastImagePull`",
                              "fast-image-pull", tag, f": no SOCI snapshotter, images pull as usual{also}"))
    for key, pointer, name in ((INSTANCE_ENVIRONMENT, "/spec/instance/environment", "`instance.environment`"),
                               (INSTANCE_NETWORK, "/spec/instance/network", "`instance.network`")):
        if not profile.has(key) and _set(spec_get(analysis, pointer)):
            found.append(_ignored(analysis, pointer, name, key, tag, ": nodeadm writes no file for it"))
    if not profile.has(CONFIG_CHAIN):
        found += _dropins(analysis, context, tag)
    return found


def _set(value) -> bool:
    return value not in (None, "", {}, [])


def _ignored(analysis, pointer: str, what: str, key: str, tag: str, consequence: str, hint: str = "") -> Diagnostic:
    first = first_with(key)
    message = f"{what} is ignored by nodeadm before {first} (this node runs {tag}){consequence}"
    return NC180.at(analysis.merged.locate(pointer), message,
                    hint or f"upgrade the AMI to {first} or later, or leave it out")


def _standard(instance, context) -> int:
    from nodecfg.context.maxpods import compute_max_pods

    return compute_max_pods(instance, None, context.extra_table).value


def dropin_directories(sources) -> tuple[str, ...]:
    return tuple(os.fspath(source).removeprefix("file://") for source in sources
                 if not isinstance(source, bytes) and os.path.isdir(os.fspath(source).removeprefix("file://")))


def _dropins(analysis, context, tag: str) -> list[Diagnostic]:
    directories = dropin_directories(context.sources)
    first = first_with(CONFIG_CHAIN)
    found = []
    for document in analysis.loaded.documents:
        if is_dropin(document.uri, directories):
            found.append(NC180.at(
                document.span_of("/kind"),
                f"a drop-in directory (/etc/eks/nodeadm.d) is not read by nodeadm before {first} (this node "
                f"runs {tag}): its nodeadm reads the user data alone, so this document is not applied",
                f"put the settings into the user data's NodeConfig, or upgrade the AMI to {first} or later"))
    return found
