"""Values from user input never escape the format of the file they are written to.

Each test feeds a value built to break out of its file (a line break that
would start a new directive, a quote that would end a string, a bracket
that would open a table, a path that would climb out of the rootfs) and
reads the rendered file back with a parser of its format.
"""
from __future__ import annotations

import json
import posixpath
import tomllib

import pytest
from ruamel.yaml import YAML

from nodecfg.api import compile
from nodecfg.parse.shell import DROPIN_DIR, extract_nodeadm_dropins

from .cases import CLUSTER_ONLY

BREAKOUTS = ['x"\nExecStart=/bin/evil', 'a\\"b%c', 'v"]\n[evil]\nk = "', '{"a": 1}}\n{', 'q: r\n  s: t', "\r\n\x00"]
SERVICE_DROPIN = "etc/systemd/system/kubelet.service.d/environment.conf"
KUBECONFIG = "var/lib/kubelet/kubeconfig"


def compiled(extra_spec: str):
    return compile([(CLUSTER_ONLY + extra_spec).encode()])


def _yaml_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a YAML double-quoted scalar


@pytest.mark.parametrize("value", BREAKOUTS)
def test_environment_values_stay_on_their_directive_line(value):
    result = compiled(f"  instance:\n    environment:\n      kubelet:\n        A: {_yaml_string(value)}\n"
                      "        B: plain\n")
    lines = result.files[SERVICE_DROPIN].decode().split("\n")
    assert lines[0] == "[Service]" and lines[-1] == ""
    assert len(lines) == 4 and lines[1].startswith('Environment="A=') and lines[2] == 'Environment="B=plain"'
    assert "\r" not in lines[1] and "\x00" not in lines[1]


def test_an_environment_name_with_a_line_break_writes_no_directive_and_is_an_error():
    result = compiled('  instance:\n    environment:\n      kubelet:\n        "A\\nExecStart=/bin/evil": v\n'
                      '        \'B" "C\': v\n        D: v\n')
    assert not result.ok and "NC308" in {d.code for d in result.diagnostics}
    assert result.files[SERVICE_DROPIN] == b'[Service]\nEnvironment="D=v"\n'


@pytest.mark.parametrize("value", BREAKOUTS)
def test_containerd_toml_values_round_trip(value):
    toml_value = json.dumps(value)  # a JSON string is a TOML basic string
    config = f"[plugins.x]\nvalue = {toml_value}\n"
    result = compiled(f"  containerd:\n    config: {_yaml_string(config)}\n")
    rendered = tomllib.loads(result.files["etc/containerd/config.toml"].decode())
    assert rendered["plugins"]["x"]["value"] == value
    assert "evil" not in rendered


@pytest.mark.parametrize("value", BREAKOUTS)
def test_kubelet_config_json_values_round_trip(value):
    result = compiled(f"  kubelet:\n    config:\n      providerID: {_yaml_string(value)}\n")
    drop_in = json.loads(result.files["etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf"])
    assert drop_in["providerID"] == value


@pytest.mark.parametrize("name", ["demo\n  injected: true", 'demo"\ninjected: true', "a: b", "x # y"])
def test_kubeconfig_cluster_name_stays_one_argument(name):
    result = compile([CLUSTER_ONLY.replace("name: demo", f"name: {_yaml_string(name)}").encode()])
    document = YAML(typ="safe", pure=True).load(result.files[KUBECONFIG].decode())
    assert set(document) == {"apiVersion", "kind", "clusters", "current-context", "contexts", "users"}
    args = document["users"][0]["user"]["exec"]["args"]
    assert args[:3] == ["eks", "get-token", "--cluster-name"] and args[3] == name and len(args) == 6


@pytest.mark.parametrize("service", ["../../x", "a/b", "..", "kubelet/../../../etc/passwd", "x\ny"])
def test_service_names_cannot_choose_a_path(service):
    result = compiled(f"  instance:\n    environment:\n      {_yaml_string(service)}:\n        A: v\n")
    assert "NC530" in {d.code for d in result.diagnostics}
    _assert_paths_are_fixed(result.files)


def test_every_path_stays_under_the_rootfs_whatever_the_input():
    result = compiled('  instance:\n    environment:\n      kubelet: {A: v}\n      "x.y@z": {B: w}\n'
                      "  kubelet:\n    config: {staticPodPath: ../../../../tmp}\n")
    _assert_paths_are_fixed(result.files)


def _assert_paths_are_fixed(files) -> None:
    for path in files:
        assert not path.startswith("/") and ".." not in path.split("/"), path
        assert posixpath.normpath(path) == path and path.split("/")[0] in {"etc", "run", "var"}, path


@pytest.mark.parametrize("target", [
    "/etc/eks/nodeadm.d/../../../tmp/x.yaml", "/etc/eks/nodeadm.d/sub/x.yaml", "/etc/eks/nodeadm.d/..",
    "/etc/eks/nodeadm.d//x.yaml", "/etc/eks/nodeadm.d/./x.yaml", "/etc/eks/nodeadm.d/$X/y.yaml",
])
def test_heredoc_drop_ins_never_leave_the_drop_in_directory(target):
    script = f"#!/bin/bash\ncat > {target} <<'EOF'\nkind: NodeConfig\nEOF\ncat > /etc/eks/nodeadm.d/ok.yaml <<'EOF'\nx: 1\nEOF\n"
    dropins, _ = extract_nodeadm_dropins(script, "ud")
    for dropin in dropins:
        assert "/" not in dropin.name and dropin.name not in ("", ".", "..")
        assert posixpath.normpath(dropin.path) == DROPIN_DIR + dropin.name
    assert "ok.yaml" in {dropin.name for dropin in dropins}
