"""Hypothesis strategies for NodeConfig documents within nodeadm's types."""
from __future__ import annotations

from hypothesis import strategies as st

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
strings = st.one_of(st.just(""), words, st.sampled_from(["yes", "0644", "1e3", "~", "a: b", "#x", "on"]))
flags = st.lists(words.map(lambda w: f"--{w}={w}"), max_size=3)

# kubelet.config keys with a fixed JSON type each, so no document changes a key's type
kubelet_config = st.fixed_dictionaries({}, optional={
    "maxPods": st.integers(0, 300),
    "address": strings,
    "serializeImagePulls": st.booleans(),
    "clusterDNS": st.lists(words, max_size=2),
    "evictionHard": st.dictionaries(st.sampled_from(["memory.available", "nodefs.available"]), strings, max_size=2),
    "systemReserved": st.dictionaries(st.sampled_from(["cpu", "memory"]), words, max_size=2),
})

cluster = st.fixed_dictionaries({}, optional={
    "name": strings, "apiServerEndpoint": strings, "certificateAuthority": strings, "cidr": strings,
    "enableOutpost": st.booleans(), "id": strings,
})

spec = st.fixed_dictionaries({}, optional={
    "cluster": cluster,
    "kubelet": st.fixed_dictionaries({}, optional={
        "config": kubelet_config, "flags": flags, "maxPodsExpression": strings}),
    "instance": st.fixed_dictionaries({}, optional={
        "network": st.fixed_dictionaries({}, optional={"nameservers": st.lists(words, max_size=2)}),
        "environment": st.dictionaries(st.sampled_from(["default", "kubelet"]),
                                       st.dictionaries(st.sampled_from(["A", "B"]), strings, max_size=2), max_size=2),
    }),
    "featureGates": st.dictionaries(st.sampled_from(["InstanceIdNodeName", "FastImagePull"]), st.booleans(), max_size=2),
})

nodeconfigs = spec.map(lambda s: {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": s})
