"""The library refuses arguments of the wrong type with a clear error, never a wrong answer or a traceback deep inside.

Issue 25 item 6 and issue 22 class 14: a bare ``str`` iterated as characters, an
instance table of ints, a list of params, an unknown migrate mode and a
NodeConfig mapping that holds itself.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import nodecfg
from nodecfg.nodeadm.instance_table import InstanceTypeInfo

ROOT = Path(__file__).resolve().parent.parent
NODECONFIG = ROOT / "examples" / "nodeconfig.yaml"


@pytest.mark.parametrize("call, name", [
    (lambda: nodecfg.compile(str(NODECONFIG)), "sources"),
    (lambda: nodecfg.compile(NODECONFIG), "sources"),
    (lambda: nodecfg.compile(NODECONFIG.read_bytes()), "sources"),
    (lambda: nodecfg.lint("x.yaml"), "sources"),
    (lambda: nodecfg.compose_userdata([b"kind: NodeConfig\n"], scripts="#!/bin/bash\necho hi\n"), "scripts"),
    (lambda: nodecfg.compose_userdata([b"kind: NodeConfig\n"], cloud_configs=b"#cloud-config\n"), "cloud_configs"),
    (lambda: nodecfg.compose_userdata({"kind": "NodeConfig"}), "nodeconfigs"),
])
def test_a_bare_value_where_a_sequence_is_meant_is_a_type_error(call, name):
    with pytest.raises(TypeError, match=rf"^{name} must be a sequence of .*not a single .*wrap it in a list"):
        call()


@pytest.mark.parametrize("call, message", [
    (lambda: nodecfg.lint([1]), r"sources\[0\] must be one of str, bytes or os.PathLike.*not int"),
    (lambda: nodecfg.compile([NODECONFIG], instance_table={"m5.large": 5}),
     r"instance_table\['m5.large'\] must be a nodecfg.nodeadm.instance_table.InstanceTypeInfo.*not int"),
    (lambda: nodecfg.lint([NODECONFIG], instance_table=[("m5.large", 5)]),
     r"instance_table must be a mapping .* not list"),
    (lambda: nodecfg.compile([NODECONFIG], params=[1]), r"params must be a mapping of str to str, not list"),
    (lambda: nodecfg.compile([NODECONFIG], params={"ClusterName": 1}), r"params must map str to str; 'ClusterName': 1"),
    (lambda: nodecfg.compose_userdata([b"kind: NodeConfig\n"], scripts=[1]), r"scripts\[0\] must be one of"),
    (lambda: nodecfg.max_pods("m5.large", 5), r"expression must be a str or None, not int"),  # type: ignore[arg-type]
    (lambda: nodecfg.migrate(5), r"source must be bytes.* not int"),  # type: ignore[arg-type]
])
def test_wrong_element_types_are_type_errors(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_a_proper_instance_table_is_still_taken():
    # 4 ENIs of 10 addresses: 4 * (10 - 1) + 2 = 38 pods, the ENI formula
    table = {"zz9.large": InstanceTypeInfo("zz9.large", 4, 10, 2, 8192)}
    result = nodecfg.compile([NODECONFIG], instance={"instanceType": "zz9.large"}, instance_table=table)
    assert b'"maxPods": 38' in result.files["etc/kubernetes/kubelet/config.json"]


@pytest.mark.parametrize("call", [
    lambda: nodecfg.compile([NODECONFIG], mode="bogus"),  # type: ignore[arg-type]
    lambda: nodecfg.lint([NODECONFIG], mode="bogus"),  # type: ignore[arg-type]
    lambda: nodecfg.migrate(b"#!/bin/bash\n/etc/eks/bootstrap.sh demo\n", mode="bogus"),
])
def test_an_unknown_mode_is_a_value_error(call):
    with pytest.raises(ValueError, match="mode must be one of self-managed, managed-nodegroup, karpenter, not 'bogus'"):
        call()


def test_migrate_of_a_missing_file_reports_it_instead_of_raising(tmp_path):
    missing = tmp_path / "nonexistent"
    migration = nodecfg.migrate(str(missing))
    assert not migration.ok and migration.userdata == b""
    [finding] = migration.diagnostics
    assert finding.code == "NC140" and finding.span.uri == str(missing)
    assert finding.message == f"cannot read {missing}: No such file or directory"


def test_a_nodeconfig_mapping_that_holds_itself_is_a_value_error():
    document: dict = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": {"kubelet": {}}}
    document["spec"]["kubelet"]["config"] = document
    with pytest.raises(ValueError, match=r"^nodeconfigs\[0\] refers to itself at spec.kubelet.config"):
        nodecfg.compose_userdata([document])
    shared = {"maxPods": 10}  # the same mapping twice is a tree once dumped, not a cycle
    ok = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig",
          "spec": {"kubelet": {"config": shared, "flags": []}, "x": shared}}
    with pytest.raises(nodecfg.UserDataError):  # refused for its findings (unknown field, no cluster), not a crash
        nodecfg.compose_userdata([ok])


def test_a_nodeconfig_mapping_nested_deeper_than_a_source_may_is_a_value_error():
    deep: dict = {}
    node = deep
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(ValueError, match=r"nests deeper than 100 levels"):
        nodecfg.compose_userdata([deep])


def test_max_pods_raises_on_an_expression_that_fails():
    with pytest.raises(ValueError, match=r"maxPodsExpression 'default_enis \*' fails for m5.large: syntax error"
                                         r".*standard 29\)"):
        nodecfg.max_pods("m5.large", "default_enis *")
    with pytest.raises(ValueError, match="division by zero"):
        nodecfg.max_pods("m5.large", "default_enis / 0")
    # m5.large: 3 ENIs * (10 - 1) + 2 = 29; the expression adds one
    assert nodecfg.max_pods("m5.large") == 29 and nodecfg.max_pods("m5.large", "max_pods + 1") == 30


USER_SCRIPT = """\
import nodecfg
from nodecfg import Compilation

result: Compilation = nodecfg.compile(["nodeconfig.yaml"])
pods: int = nodecfg.max_pods("m5.large")
data: bytes = nodecfg.compose_userdata([{"kind": "NodeConfig"}])
print(result.ok, pods, len(data))
"""


def test_mypy_strict_finds_the_installed_package_from_a_users_directory(tmp_path):
    """Run where the checkout is not on the path: mypy must find nodecfg through the install.

    An editable install in setuptools' default mode is an import hook mypy cannot
    follow ("Cannot find implementation or library stub for module named
    'nodecfg'"); the README installs in compat mode, a plain path entry.
    """
    pytest.importorskip("mypy", reason="mypy is in the test extra; not installed here")
    (tmp_path / "generate.py").write_text(USER_SCRIPT)
    (tmp_path / "wrong.py").write_text("import nodecfg\nnodecfg.compile(['x.yaml'], mode='bogus')\n")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MYPYPATH")}
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull]
    done = subprocess.run([*command, "generate.py"], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr
                                  + "\n(install nodecfg as the README does: editable_mode=compat)")
    wrong = subprocess.run([*command, "wrong.py"], capture_output=True, text=True, cwd=tmp_path, env=env,
                           timeout=600)
    assert wrong.returncode == 1
    assert 'Argument "mode" to "compile" has incompatible type' in wrong.stdout, wrong.stdout
