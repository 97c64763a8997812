"""The packaged instance table, its generator, user tables and the vCPU/memory rule."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from nodecfg.context import instance_table
from nodecfg.context.instance_table import (
    InstanceTypeInfo,
    estimate_resources,
    format_table,
    load_user_table,
    lookup,
    parse_table_text,
)

REPO = Path(__file__).resolve().parent.parent
SHARED_JSONL = REPO.parent / "shared" / "data" / "instance-info.jsonl"

JSONL_FIXTURE = (
    '{"instanceType":"m5.large","defaultMaxENIs":3,"ipv4AddressesPerInterface":10}\n'
    '{"instanceType":"a1.medium","defaultMaxENIs":2,"ipv4AddressesPerInterface":4}\n'
)

# DescribeInstanceTypes shape: the default card is index 1 here, so the
# figure to pick is 4, not the instance-wide MaximumNetworkInterfaces of 8.
DESCRIBE_FIXTURE = {
    "InstanceTypes": [
        {
            "InstanceType": "p9.big",
            "VCpuInfo": {"DefaultVCpus": 192},
            "MemoryInfo": {"SizeInMiB": 2097152},
            "NetworkInfo": {
                "MaximumNetworkInterfaces": 8,
                "Ipv4AddressesPerInterface": 50,
                "DefaultNetworkCardIndex": 1,
                "NetworkCards": [
                    {"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 2},
                    {"NetworkCardIndex": 1, "MaximumNetworkInterfaces": 4},
                ],
            },
        },
        {
            "InstanceType": "m5.large",
            "VCpuInfo": {"DefaultVCpus": 2},
            "MemoryInfo": {"SizeInMiB": 8192},
            "NetworkInfo": {
                "MaximumNetworkInterfaces": 3,
                "Ipv4AddressesPerInterface": 10,
                "NetworkCards": [{"MaximumNetworkInterfaces": 3}],
            },
        },
    ]
}

EXPECTED_GENERATED = (
    "#instanceType\tdefaultMaxENIs\tipv4AddressesPerInterface\tvcpus\tmemoryMiB\n"
    "a1.medium\t2\t4\n"
    "m5.large\t3\t10\t2\t8192\n"
    "p9.big\t4\t50\t192\t2097152\n"
)


def _generator():
    spec = importlib.util.spec_from_file_location("gen_instance_table", REPO / "scripts" / "gen_instance_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_merges_jsonl_and_describe_output_sorted(tmp_path):
    jsonl = tmp_path / "info.jsonl"
    jsonl.write_text(JSONL_FIXTURE)
    describe = tmp_path / "describe.json"
    describe.write_text(json.dumps(DESCRIBE_FIXTURE))
    text, problems = _generator().build_table_text([str(jsonl), str(describe)])
    assert problems == []
    assert text == EXPECTED_GENERATED


def test_generator_check_mode_detects_stale_output(tmp_path):
    jsonl = tmp_path / "info.jsonl"
    jsonl.write_text(JSONL_FIXTURE)
    output = tmp_path / "table.tsv"
    generator = _generator()
    assert generator.main([str(jsonl), "-o", str(output)]) == 0
    assert generator.main([str(jsonl), "-o", str(output), "--check"]) == 0
    output.write_text(output.read_text() + "z1.x\t1\t2\n")
    assert generator.main([str(jsonl), "-o", str(output), "--check"]) == 1


def test_packaged_table_is_the_generators_output():
    packaged = instance_table.PACKAGED_TABLE.read_text()
    rows = packaged.splitlines()
    assert rows[0] == instance_table.TABLE_HEADER
    assert rows[1:] == sorted(rows[1:])
    assert len(rows) - 1 == 1384
    if SHARED_JSONL.exists():  # the source data; CI checks it out next to the repo
        text, problems = _generator().build_table_text([str(SHARED_JSONL)])
        assert problems == []
        assert text == packaged


def test_every_nodeadm_entry_is_in_the_table():
    source = SHARED_JSONL.read_text() if SHARED_JSONL.exists() else JSONL_FIXTURE
    for line in source.splitlines():
        entry = json.loads(line)
        info = lookup(entry["instanceType"])
        assert info is not None, entry
        assert (info.default_enis, info.ips_per_eni) == (entry["defaultMaxENIs"], entry["ipv4AddressesPerInterface"])


@pytest.mark.parametrize("name, enis, ips", [
    ("m5.large", 3, 10), ("t3.micro", 2, 2), ("t3.medium", 3, 6), ("c5.18xlarge", 15, 50),
    ("r6g.medium", 2, 4), ("cr1.8xlarge", 8, 30),
])
def test_lookup_known_types(name, enis, ips):
    assert lookup(name) == InstanceTypeInfo(name, enis, ips)


def test_lookup_unknown_type_is_none_and_user_table_wins():
    assert lookup("m5.lrage") is None
    extra = {"m5.large": InstanceTypeInfo("m5.large", 1, 5), "zz1.tiny": InstanceTypeInfo("zz1.tiny", 2, 3)}
    assert lookup("m5.large", extra).default_enis == 1
    assert lookup("zz1.tiny", extra).ips_per_eni == 3
    assert "zz1.tiny" in instance_table.all_types(extra)


def test_describe_entry_without_default_card_figure_is_reported():
    document = {"InstanceTypes": [
        {"InstanceType": "x9.big", "NetworkInfo": {"DefaultNetworkCardIndex": 2, "NetworkCards": [
            {"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 4}]}},
        {"InstanceType": "x9.zero", "NetworkInfo": {"NetworkCards": [{"MaximumNetworkInterfaces": 0}]}},
    ]}
    table, diagnostics = parse_table_text(json.dumps(document), "d.json")
    assert table == {}
    assert [d.code for d in diagnostics] == ["NC094", "NC094"]
    assert "network card 2" in diagnostics[0].message
    assert "non-positive" in diagnostics[1].message


def test_user_table_bad_lines_become_diagnostics_with_line_numbers(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"instanceType":"ok1.large","defaultMaxENIs":3,"ipv4AddressesPerInterface":10}\n'
        "not json\n"
        '{"instanceType":"bad1.large","defaultMaxENIs":"3","ipv4AddressesPerInterface":10}\n'
        '{"instanceType":"tab\\tname","defaultMaxENIs":3,"ipv4AddressesPerInterface":10}\n'
    )
    table, diagnostics = load_user_table(str(path))
    assert list(table) == ["ok1.large"]
    assert [(d.code, d.span.line) for d in diagnostics] == [("NC094", 2), ("NC094", 3), ("NC094", 4)]


@pytest.mark.parametrize("content, expected", [
    (None, "cannot read"),
    (b"\xff\xfe", "not UTF-8"),
    (b'{"InstanceTypes": [', "cannot read DescribeInstanceTypes"),
])
def test_unreadable_user_tables(tmp_path, content, expected):
    path = tmp_path / "table.json"
    if content is not None:
        path.write_bytes(content)
    table, diagnostics = load_user_table(str(path))
    assert table == {}
    assert [d.code for d in diagnostics] == ["NC093"]
    assert expected in diagnostics[0].message


def test_format_table_leaves_out_trailing_empty_cells():
    text = format_table({"b.x": InstanceTypeInfo("b.x", 1, 2, 4), "a.x": InstanceTypeInfo("a.x", 1, 2)})
    assert text.splitlines()[1:] == ["a.x\t1\t2", "b.x\t1\t2\t4"]


# --- the vCPU/memory rule (docs/max-pods.md) -------------------------------------

@pytest.mark.parametrize("name, vcpus, memory_mib", [
    ("m5.large", 2, 8 * 1024),         # real: 2 vCPU, 8 GiB
    ("c5.xlarge", 4, 8 * 1024),        # real: 4 vCPU, 8 GiB
    ("r5.2xlarge", 8, 64 * 1024),      # real: 8 vCPU, 64 GiB
    ("t3.micro", 2, 1024),             # real: 2 vCPU, 1 GiB
    ("t2.micro", 1, 1024),             # real: 1 vCPU, 1 GiB
    ("c6g.medium", 1, 2 * 1024),       # real: 1 vCPU, 2 GiB
    ("m5.metal", 96, 384 * 1024),      # largest sibling m5.24xlarge: 96 vCPU
    ("m7i.metal-24xl", 96, 384 * 1024),
    ("u-6tb1.metal", 448, 6 * 1024 * 1024),
])
def test_resource_estimate_from_name(name, vcpus, memory_mib):
    assert estimate_resources(name) == instance_table.ResourceEstimate(vcpus, memory_mib, "name-rule")


def test_resource_estimate_prefers_table_figures_and_defaults_unparseable_names():
    extra = {"m5.large": InstanceTypeInfo("m5.large", 3, 10, 2, 7800)}
    assert estimate_resources("m5.large", extra) == instance_table.ResourceEstimate(2, 7800, "table")
    assert estimate_resources("mystery") == instance_table.ResourceEstimate(2, 8192, "default")
