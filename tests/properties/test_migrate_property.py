"""Property: for bootstrap.sh options with a direct nodeadm equivalent, the migrated node's kubelet
config and flags carry the settings the AL2 command line asked for."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nodecfg.api import compile as compile_sources
from nodecfg.output.explain import KUBELET_ENVIRONMENT, _flag_values, effective_kubelet_config
from nodecfg.userdata.migrate import migrate

CA = ("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJmekNDQVNXZ0F3SUJBZ0lVVStmemI0YXkyaGRPcmtWVTZYWThLRmwveUlr"
      "d0NnWUlLb1pJemowRUF3SXcKRlRFVE1CRUdBMVVFQXd3S2EzVmlaWEp1WlhSbGN6QWVGdzB5TmpFeE1qQXlNekUyTXpaYUZ3MHpO"
      "akV4TVRjeQpNekUyTXpaYU1CVXhFekFSQmdOVkJBTU1DbXQxWW1WeWJtVjBaWE13V1RBVEJnY3Foa2pPUFFJQkJnZ3Foa2pPClBR"
      "TUJCd05DQUFTNnB4UVZzVy9MOEZPdC9aVXczVWZYSGNiVXhCTldVVlQ1Mm5kTzJFU2dwVzgxU0RxQ2g2b1cKMTJJWlFFeCtGYmFZ"
      "SG5MVlFrak5WcXN5OExyVllPOGVvMU13VVRBZEJnTlZIUTRFRmdRVWNXQnhUV1Z6NCtVTgpOVC8vakU2dWZaN3dmbnd3SHdZRFZS"
      "MGpCQmd3Rm9BVWNXQnhUV1Z6NCtVTk5ULy9qRTZ1Zlo3d2Zud3dEd1lEClZSMFRBUUgvQkFVd0F3RUIvekFLQmdncWhrak9QUVFE"
      "QWdOSUFEQkZBaUJVanozTzd6VXFwTVN5TGdsc1J0bjEKQXI3Y1Z1RzY1c3EyOGJBb1RPZE80UUloQU0yTFdsQ2ZrV1FINGNDMTlZ"
      "SGQ4cklkMmVDb0JabU9IZ1JyVEtkSwpyOXRJCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K")
INSTANCE = {"instanceType": "m5.large", "kubeletVersion": "v1.34.1", "containerdVersion": "2.1.4"}
label = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
quantity = st.builds(lambda n, unit: f"{n}{unit}", st.integers(1, 4096), st.sampled_from(["Mi", "Gi"]))

kubelet_args = st.fixed_dictionaries({}, optional={
    "max-pods": st.integers(1, 737),
    "node-labels": st.dictionaries(label, label, min_size=1, max_size=3),
    "register-with-taints": st.lists(st.tuples(label, label, st.sampled_from(["NoSchedule", "NoExecute"])),
                                     min_size=1, max_size=2, unique_by=lambda t: t[0]),
    "eviction-hard": st.dictionaries(st.sampled_from(["memory.available", "nodefs.available"]), quantity,
                                     min_size=1),
    "kube-reserved": st.dictionaries(st.sampled_from(["cpu", "memory"]), quantity, min_size=1),
    "image-gc-high-threshold": st.integers(50, 100),
    "v": st.integers(0, 9),
})
options = st.fixed_dictionaries({"args": kubelet_args}, optional={
    "dns": st.builds(lambda a, b: f"169.254.{a}.{b}", st.integers(0, 255), st.integers(1, 254)),
    "use_max_pods_false": st.just(True),
})


def _command_line(args: dict) -> str:
    parts = []
    for name, value in args.items():
        if name in ("node-labels", "kube-reserved"):
            value = ",".join(f"{k}={v}" for k, v in value.items())
        elif name == "eviction-hard":
            value = ",".join(f"{k}<{v}" for k, v in value.items())
        elif name == "register-with-taints":
            value = ",".join(f"{k}={v}:{e}" for k, v, e in value)
        parts.append(f"--{name}={value}")
    return " ".join(parts)


@settings(max_examples=40, deadline=None)
@given(options)
def test_direct_equivalents_reach_the_kubelet(chosen):
    args = chosen["args"]
    line = (f"/etc/eks/bootstrap.sh demo --b64-cluster-ca {CA} --apiserver-endpoint https://example.eks.amazonaws.com"
            " --service-ipv4-cidr 10.100.0.0/16")
    if args:
        line += f" --kubelet-extra-args '{_command_line(args)}'"
    if "dns" in chosen:
        line += f" --dns-cluster-ip {chosen['dns']}"
    if chosen.get("use_max_pods_false"):
        line += " --use-max-pods false"
    migration = migrate(f"#!/bin/bash\n{line}\n".encode())
    assert migration.ok, migration.diagnostics
    compiled = compile_sources([migration.userdata], INSTANCE)
    assert compiled.ok, compiled.diagnostics
    config = effective_kubelet_config(compiled.files)
    flags = _flag_values(compiled.files[KUBELET_ENVIRONMENT])
    if "max-pods" in args:
        assert config["maxPods"] == args["max-pods"]
    elif chosen.get("use_max_pods_false"):
        assert config["maxPods"] == 110  # AL2 left the kubelet's default
    if "node-labels" in args:
        labels = dict(pair.split("=") for value in flags["--node-labels"] for pair in value.split(","))
        assert all(labels[k] == v for k, v in args["node-labels"].items())
    if "register-with-taints" in args:
        assert [(t["key"], t.get("value"), t["effect"]) for t in config["registerWithTaints"]] == args[
            "register-with-taints"]
    for name, field in (("eviction-hard", "evictionHard"), ("kube-reserved", "kubeReserved")):
        for key, value in args.get(name, {}).items():
            assert config[field][key] == value
    if "image-gc-high-threshold" in args:
        assert config["imageGCHighThresholdPercent"] == args["image-gc-high-threshold"]
    if "v" in args:
        assert flags["--v"] == [str(args["v"])]
    if "dns" in chosen:
        assert config["clusterDNS"] == [chosen["dns"]]
    else:
        assert config["clusterDNS"] == ["10.100.0.10"]
