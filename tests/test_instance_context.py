"""Reading the instance context file (--instance FILE) and filling vCPU/memory."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from nodecfg.context.instance import (
    CONTEXT_KEYS,
    DEFAULT_INSTANCE,
    instance_from_mapping,
    load_instance_file,
    validate_context,
    with_resources,
)

REPO = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((REPO / "schemas" / "instance.json").read_text())


def test_package_copy_of_the_schema_is_identical():
    assert (REPO / "nodecfg" / "validate" / "schemas" / "instance.json").read_bytes() == (REPO / "schemas" / "instance.json").read_bytes()
    assert set(SCHEMA["properties"]) == set(CONTEXT_KEYS)


def test_valid_file_with_positions(tmp_path):
    path = tmp_path / "instance.yaml"
    path.write_text("instanceType: c5.xlarge\nvcpus: 4\naccelerator: nvidia\n")
    values, diagnostics = load_instance_file(str(path))
    assert diagnostics == []
    assert values == {"instanceType": "c5.xlarge", "vcpus": 4, "accelerator": "nvidia"}
    jsonschema.validate(values, SCHEMA)


def test_typo_and_bad_values_point_at_the_file(tmp_path):
    path = tmp_path / "instance.yaml"
    path.write_text("instanceTyp: c5.xlarge\nvcpus: four\naccelerator: gpu\n")
    values, diagnostics = load_instance_file(str(path))
    assert values == {}
    assert [(d.code, d.span.line, d.span.col) for d in diagnostics] == [
        ("NC091", 1, 1), ("NC092", 2, 8), ("NC092", 3, 14)]
    assert diagnostics[0].hint == "did you mean instanceType?"


@pytest.mark.parametrize("values", [
    {"vcpus": 0}, {"vcpus": True}, {"memoryMiB": "8Gi"}, {"instanceType": "M5 Large"},
    {"kubeletVersion": "latest"}, {"accelerator": "tpu"}, {"region": 5},
    # these values reach kubelet flags and other line-based files
    {"privateDnsName": "ip-10-0-0-1\nEVIL=1"}, {"instanceId": "i-0abc\u2028"}, {"localIpv4": "10.0.0.1\x85"},
])
def test_hand_validation_agrees_with_the_published_schema(values):
    accepted, diagnostics = validate_context(values, "ctx.yaml")
    assert accepted == {} and [d.code for d in diagnostics] == ["NC092"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(values, SCHEMA)


@pytest.mark.parametrize("content, fragment", [
    (b"instanceType: [\n", "not valid YAML"),
    (b"\xff", "not UTF-8"),
    (b"- a\n- b\n", "must be a mapping"),
])
def test_unreadable_files(tmp_path, content, fragment):
    path = tmp_path / "instance.yaml"
    path.write_bytes(content)
    values, diagnostics = load_instance_file(str(path))
    assert values == {} and fragment in diagnostics[0].message


def test_missing_file_and_empty_file(tmp_path):
    assert load_instance_file(str(tmp_path / "none.yaml"))[1][0].code == "NC090"
    (tmp_path / "empty.yaml").write_text("")
    assert load_instance_file(str(tmp_path / "empty.yaml")) == ({}, [])


def test_with_resources_estimates_only_what_is_missing_and_keeps_it_marked():
    instance = with_resources(instance_from_mapping({"instanceType": "c5.xlarge", "memoryMiB": 8000}))
    assert (instance.vcpus, instance.memory_mib) == (4, 8000)
    assert "vcpus" in instance.defaulted and "memoryMiB" not in instance.defaulted
    default = with_resources(DEFAULT_INSTANCE)
    assert (default.vcpus, default.memory_mib) == (2, 8192)  # m5.large
