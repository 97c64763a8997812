"""maxPods from EC2's figures before v20251007: the ENIs of every network card (6826d213).

nodeadm asks EC2 (DescribeInstanceTypes) for a type its packaged table lacks. Before v20251007 it multiplied
``NetworkInfo.MaximumNetworkInterfaces``, the ENIs of every network card (internal/util/ec2.go
GetEniInfoForInstanceType at v20250715); from v20251007 the default card's (getInstanceInfoFromDescribeResponse).

The figures below are a two-card type's: 12 ENIs on the default card, 24 in all, 50 IPv4 addresses per ENI.
By ENIs * (addresses - 1) + 2: 24 * 49 + 2 = 1178 on every card, 12 * 49 + 2 = 590 on the default one;
kubeReserved memory is 11 * maxPods + 255 (13213Mi, 6745Mi). The nodeadm built at v20250715, v20251002 and
v20251007, its EC2 mock answering with these figures, wrote 1178, 1178 and 590.
"""
from __future__ import annotations

import json
from pathlib import Path

import nodecfg
from nodecfg.cli.main import main
from nodecfg.nodeadm.instance_table import parse_table_text
from nodecfg.nodeadm import release as r

ROOT = Path(__file__).parent.parent
CLUSTER = (ROOT / "examples" / "nodeconfig.yaml").read_text().split("  kubelet:")[0]
KUBELET = "etc/kubernetes/kubelet/config.json"


def two_cards(name: str) -> dict:
    return {"InstanceType": name, "VCpuInfo": {"DefaultVCpus": 192}, "MemoryInfo": {"SizeInMiB": 1572864},
            "NetworkInfo": {"MaximumNetworkInterfaces": 24, "MaximumNetworkCards": 2, "DefaultNetworkCardIndex": 0,
                            "NetworkCards": [{"NetworkCardIndex": 0, "MaximumNetworkInterfaces": 12},
                                             {"NetworkCardIndex": 1, "MaximumNetworkInterfaces": 12}],
                            "Ipv4AddressesPerInterface": 50}}


# r8gn.48xlarge entered nodeadm's table at v20250920, c8gb.48xlarge at v20260128 (max_pods_membership.tsv)
EC2_ANSWER = json.dumps({"InstanceTypes": [two_cards("r8gn.48xlarge"), two_cards("c8gb.48xlarge")]})


def kubelet_config(instance_type: str, release: str, table_text: str = EC2_ANSWER) -> dict:
    table, problems = parse_table_text(table_text, "ec2.json")
    assert not problems
    result = nodecfg.compile([CLUSTER.encode()], {"instanceType": instance_type}, release=release,
                             instance_table=table, settings=str(ROOT / "pyproject.toml"))
    return json.loads(result.files[KUBELET])


def test_the_change_is_keyed_by_v20251007():
    assert r.first_with(r.EC2_DEFAULT_CARD_ENIS) == "v20251007"
    assert not r.profile("v20251002").has(r.EC2_DEFAULT_CARD_ENIS) and r.profile("v20251007").has(
        r.EC2_DEFAULT_CARD_ENIS)
    change = next(c for c in r.CHANGES if c.key == r.EC2_DEFAULT_CARD_ENIS)
    assert change.commit == "6826d213"


def test_the_instance_wide_count_is_read_from_both_input_forms():
    table, _ = parse_table_text(EC2_ANSWER, "ec2.json")
    assert (table["r8gn.48xlarge"].default_enis, table["r8gn.48xlarge"].max_enis) == (12, 24)
    line = '{"instanceType":"zz9.big","defaultMaxENIs":12,"ipv4AddressesPerInterface":50,"maximumNetworkInterfaces":24}'
    assert parse_table_text(line, "t.jsonl")[0]["zz9.big"].max_enis == 24
    assert parse_table_text(line.replace(',"maximumNetworkInterfaces":24', ""), "t.jsonl")[0]["zz9.big"].max_enis is None
    table, problems = parse_table_text(line.replace(":24}", ":0}"), "t.jsonl")
    assert table == {} and [p.code for p in problems] == ["NC094"]
    assert "maximumNetworkInterfaces 0 is outside 1..1024" in problems[0].message


def test_a_type_the_release_lacks_gets_every_cards_enis_before_v20251007():
    old = kubelet_config("r8gn.48xlarge", "v20250715")
    assert (old["maxPods"], old["kubeReserved"]["memory"]) == (1178, "13213Mi")
    assert kubelet_config("c8gb.48xlarge", "v20251002")["maxPods"] == 1178
    assert kubelet_config("c8gb.48xlarge", "v20251007")["maxPods"] == 590
    assert kubelet_config("c8gb.48xlarge", "latest")["maxPods"] == 590


def test_a_type_in_the_release_table_and_figures_without_the_count_keep_the_default_card():
    # in v20251002's table, so its nodeadm asks no EC2
    assert kubelet_config("r8gn.48xlarge", "v20251002")["maxPods"] == 590
    # nodeadm's own form has no instance-wide count: the default card's is all nodecfg knows
    line = '{"instanceType":"c8gb.48xlarge","defaultMaxENIs":12,"ipv4AddressesPerInterface":50}'
    assert kubelet_config("c8gb.48xlarge", "v20250715", line)["maxPods"] == 590


def test_max_pods_command_counts_as_the_release_does(tmp_path, capsys):
    table = tmp_path / "ec2.json"
    table.write_text(EC2_ANSWER)

    def rows(*release: str) -> dict:
        assert main(["max-pods", "--format", "json", "--instance-table", str(table), "-t", "c8gb.48xlarge",
                     *release]) == 0
        return {row["instanceType"]: row for row in json.loads(capsys.readouterr().out)}

    assert rows("--release", "v20251002")["c8gb.48xlarge"]["maxPods"] == 1178
    assert rows("--release", "v20251007")["c8gb.48xlarge"]["maxPods"] == 590
    assert rows()["c8gb.48xlarge"]["maxPods"] == 590


def test_the_upgrade_diff_names_the_commit(tmp_path, capsys):
    table, source = tmp_path / "ec2.json", tmp_path / "nodeconfig.yaml"
    table.write_text(EC2_ANSWER)
    source.write_text(CLUSTER)
    assert main(["diff", "--format", "json", "--release", "v20251002", "--to-release", "v20251007",
                 "--instance-type", "c8gb.48xlarge", "--instance-table", str(table), str(source)]) == 1
    files = {f["path"]: f for f in json.loads(capsys.readouterr().out)["files"]}
    kubelet = files[KUBELET]
    assert {c["key"]: (c["old"], c["new"]) for c in kubelet["changes"]} == {
        "/maxPods": (1178, 590), "/kubeReserved/memory": ("13213Mi", "6745Mi")}
    assert kubelet["reasons"] == ["v20251007 6826d213 feat(nodeadm): support custom max pods expressions (#2446)"]
    # back down: the new side's origin says how its maxPods was reached
    assert main(["diff", "--format", "json", "--release", "v20251007", "--to-release", "v20251002",
                 "--instance-type", "c8gb.48xlarge", "--instance-table", str(table), str(source)]) == 1
    files = {f["path"]: f for f in json.loads(capsys.readouterr().out)["files"]}
    origins = {c["key"]: c["origin"] for c in files[KUBELET]["changes"]}
    assert origins["/maxPods"] == ("computed: maxPods from c8gb.48xlarge: 24 ENIs of every network card "
                                   "* (50 IPv4 addresses per ENI - 1) + 2")
