"""etc/containerd/base-runtime-spec.json: nodeadm's default and the merged form."""
import json

import pytest

from nodecfg.context.instance import DEFAULT_INSTANCE
from nodecfg.render import RenderContext
from nodecfg.encode.gojson import as_go_interface, encode_go_json, go_float
from nodecfg.render.base_runtime_spec import PATH, render

CAPS = [
    "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_MKNOD",
    "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT",
]


def output(base_runtime_spec=None):
    spec = {} if base_runtime_spec is None else {"containerd": {"baseRuntimeSpec": base_runtime_spec}}
    result = render(RenderContext({"spec": spec}, DEFAULT_INSTANCE, None))
    return result.files[PATH].data.decode()


def test_default_spec_content():
    spec = json.loads(output())
    assert spec["ociVersion"] == "1.1.0"
    assert spec["root"] == {"path": "rootfs"}
    assert spec["process"]["rlimits"] == [{"type": "RLIMIT_NOFILE", "soft": 65536, "hard": 1048576}]
    assert spec["process"]["capabilities"] == {"bounding": CAPS, "effective": CAPS, "permitted": CAPS}
    assert spec["process"]["noNewPrivileges"] is True
    assert spec["process"]["user"] == {"gid": 0, "uid": 0}
    assert [n["type"] for n in spec["linux"]["namespaces"]] == ["ipc", "mount", "network", "pid", "uts"]
    assert spec["linux"]["resources"] == {"devices": [{"access": "rwm", "allow": False}]}
    assert len(spec["linux"]["maskedPaths"]) == 10 and spec["linux"]["maskedPaths"][-1] == "/sys/firmware"
    assert spec["linux"]["readonlyPaths"][-1] == "/proc/sysrq-trigger"
    assert [m["destination"] for m in spec["mounts"]] == ["/dev", "/dev/mqueue", "/dev/pts", "/proc", "/sys"]
    assert spec["mounts"][2]["options"] == ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]


def test_default_spec_layout_is_the_shipped_file():
    text = output()
    assert text.startswith('{\n  "linux": {\n    "maskedPaths": [\n      "/proc/acpi",\n')
    assert text.endswith('  "root": {\n    "path": "rootfs"\n  }\n}\n')
    # the shipped file lists soft before hard (not sorted)
    assert '"type": "RLIMIT_NOFILE",\n        "soft": 65536,\n        "hard": 1048576' in text


def test_empty_base_runtime_spec_keeps_default_file():
    assert output({}) == output()


def test_user_spec_is_merged_sorted_four_space_no_trailing_newline():
    text = output({"process": {"rlimits": [{"type": "RLIMIT_NOFILE", "hard": 4096, "soft": 1024}]}, "aaa": "x"})
    assert text.startswith('{\n    "aaa": "x",\n    "linux": {\n        "maskedPaths": [\n')
    assert text.endswith('    "root": {\n        "path": "rootfs"\n    }\n}')
    assert (
        '        "rlimits": [\n'
        '            {\n'
        '                "hard": 4096,\n'
        '                "soft": 1024,\n'
        '                "type": "RLIMIT_NOFILE"\n'
        '            }\n'
        '        ],\n'
    ) in text


def test_merge_replaces_lists_and_merges_maps():
    spec = json.loads(output({"linux": {"readonlyPaths": ["/proc/x"]}, "process": {"cwd": "/work"}}))
    assert spec["linux"]["readonlyPaths"] == ["/proc/x"]
    assert spec["linux"]["maskedPaths"][0] == "/proc/acpi"
    assert spec["process"]["cwd"] == "/work"
    assert spec["process"]["noNewPrivileges"] is True


def test_merge_lets_false_and_null_override():
    spec = json.loads(output({"process": {"noNewPrivileges": False, "user": None}}))
    assert spec["process"]["noNewPrivileges"] is False
    assert spec["process"]["user"] is None


def go_json_indent(value):
    return encode_go_json(as_go_interface(value), indent="    ")


def test_go_html_escaping_in_strings():
    assert go_json_indent({"k": "<a & b>\u2028"}) == '{\n    "k": "\\u003ca \\u0026 b\\u003e\\u2028"\n}'


def test_go_json_empty_containers():
    assert go_json_indent({"a": {}, "b": []}) == '{\n    "a": {},\n    "b": []\n}'


@pytest.mark.parametrize("value, text", [
    (65536, "65536"), (1.0, "1"), (2.5, "2.5"), (1e-7, "1e-7"), (1e21, "1e+21"),
    (0.000001, "0.000001"), (-0.0, "-0"),
    # checked against Go 1.2x encoding/json: shortest digits, then zeros (not the exact integer)
    (2**64, "18446744073709552000"), (123456789012345678, "123456789012345680"),
])
def test_numbers_print_like_go_float64(value, text):
    assert go_float(float(value)) == text


def test_lone_surrogates_and_bool_keys_as_go_writes_them():
    # Go's decoders turn a lone surrogate into U+FFFD; a YAML bool key reaches Go as "true"
    assert go_json_indent({"d": "x\ud800y<", True: 1}) == '{\n    "d": "x\ufffdy\\u003c",\n    "true": 1\n}'


def test_origins_point_at_user_keys():
    result = render(RenderContext({"spec": {"containerd": {"baseRuntimeSpec": {"process": {}}}}}, DEFAULT_INSTANCE, None))
    assert result.origins[f"{PATH}#/process"] == "config:/spec/containerd/baseRuntimeSpec/process"
