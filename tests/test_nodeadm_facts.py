"""Facts about nodeadm, the kubelet and EC2 are written once, in nodecfg/nodeadm/ (issue 20, step 2).

Each table used to sit where it was first needed and be copied where it was needed next (the
kubelet-flag tables in a lint rule read by `migrate` and the fixes, the EC2 user data limit in a rule
and in `userdata`, the required cluster fields in semantics and the mode rules, Karpenter's MIME sniff
in two readers).  Only nodecfg/nodeadm/ may define them; every other module imports them.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "nodecfg"
FACTS = {"REMOVED_FLAGS", "NODEADM_FLAGS", "RELEASE_DEPENDENT_FLAGS", "ACCUMULATING_FLAGS", "CONFIG_FIELDS",
         "EC2_USER_DATA_LIMIT", "REQUIRED_CLUSTER_FIELDS", "CLUSTER_FIELDS"}
MIME_PREFIXES = ("MIME-Version:", "Content-Type:")


def definitions() -> dict[str, list[str]]:
    """Fact name -> the modules that assign it at module level; and the modules that sniff MIME themselves."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE.parent).with_suffix("").as_posix()
        tree = ast.parse(path.read_text(), str(path))
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name) and target.id in FACTS:
                    found.setdefault(target.id, []).append(module)
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple) and tuple(getattr(e, "value", None) for e in node.elts) == MIME_PREFIXES:
                found.setdefault("MIME sniff", []).append(module)
    return found


def test_each_fact_is_defined_once_in_the_nodeadm_package():
    found = definitions()
    assert {name: modules for name, modules in found.items() if len(modules) != 1} == {}
    assert {name: modules[0] for name, modules in found.items() if not modules[0].startswith("nodecfg/nodeadm/")} \
        == {}
    assert found["CONFIG_FIELDS"] == ["nodecfg/nodeadm/kubelet_flags"]
    assert found["MIME sniff"] == ["nodecfg/nodeadm/userdata"]


def test_the_readers_use_the_facts():
    from nodecfg.linter.rules import kubelet_flags, mode, userdata
    from nodecfg.nodeadm import cluster, kubelet_flags as flags, userdata as ec2
    from nodecfg.parse.containers.kinds.ec2nodeclass import karpenter_part_kind
    from nodecfg.validate import semantics

    assert kubelet_flags.CONFIG_FIELDS is flags.CONFIG_FIELDS and kubelet_flags.REMOVED_FLAGS is flags.REMOVED_FLAGS
    assert mode.CLUSTER_FIELDS is cluster.REQUIRED_CLUSTER_FIELDS is semantics.REQUIRED_CLUSTER_FIELDS
    assert userdata.EC2_USER_DATA_LIMIT == ec2.EC2_USER_DATA_LIMIT == 16 * 1024
    assert karpenter_part_kind("  \nMIME-Version: 1.0\n") == "mime" and ec2.karpenter_reads_as_mime("\tContent-Type: x")
    assert not ec2.karpenter_reads_as_mime("# MIME-Version: 1.0")


def test_a_flag_value_reads_as_its_config_field():
    """nodeadm/kubelet_flags.convert, typed by the KubeletConfiguration schema (the kubelet's flag parsing)."""
    from nodecfg.nodeadm.kubelet_flags import convert, nest
    from nodecfg.validate.schemas import KUBELET_CONFIG, load_schema

    schema = load_schema(KUBELET_CONFIG)
    assert convert("eviction-hard", "memory.available<100Mi,nodefs.available<10%", schema) == \
        {"memory.available": "100Mi", "nodefs.available": "10%"}
    assert convert("register-with-taints", "a=b:NoSchedule,c:NoExecute", schema) == \
        [{"key": "a", "value": "b", "effect": "NoSchedule"}, {"key": "c", "effect": "NoExecute"}]
    assert convert("serialize-image-pulls", None, schema) is True
    assert convert("max-pods", "$MAX", schema) is None and convert("v", "2", schema) is None
    assert nest("authentication.anonymous.enabled", False) == {"authentication": {"anonymous": {"enabled": False}}}
