"""User data inside EC2NodeClass manifests, CloudFormation, launch template output and Terraform plans."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from nodecfg.cli.main import main
from nodecfg.context.instance import DEFAULT_INSTANCE, with_resources
from nodecfg.linter.engine import lint
from nodecfg.parse.containers.kinds.ec2nodeclass import karpenter_part_kind
from nodecfg.pipeline import analyse, render_tree
from nodecfg.context.simulate import ClusterFacts
from nodecfg.parse.source import LoadOptions

CA = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n").decode()
FACTS = ClusterFacts(name="demo", endpoint="https://abc.example.com", certificate_authority=CA,
                     service_cidr="10.100.0.0/16")

NODECLASS = """\
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: web
spec:
  kubelet:
    maxPods: 42
  userData: |
    apiVersion: node.eks.aws/v1alpha1
    kind: NodeConfig
    spec:
      kubelet:
        config:
          maxPods: 100
          shutdownGracePeriod: 30s
"""


def found(diagnostics):
    return sorted((d.code, d.span.line, d.span.col, str(d.severity)) for d in diagnostics)


def test_user_max_pods_loses_to_the_ec2nodeclass_and_explain_names_the_origin(tmp_path, capsys):
    path = tmp_path / "nc.yaml"
    path.write_text(NODECLASS)
    analysis = analyse([str(path)], options=LoadOptions(cluster=FACTS))
    assert analysis.mode == "karpenter"
    assert analysis.merged.data["spec"]["kubelet"]["config"]["maxPods"] == 42
    assert analysis.merged.locate("/spec/kubelet/config/maxPods").uri == "karpenter-generated"
    assert ("NC720", 14, 20, "warning") in found(analysis.diagnostics)
    rendered, _ = render_tree(analysis, with_resources(DEFAULT_INSTANCE))
    dropin = json.loads(rendered.files["etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf"].data)
    assert dropin["maxPods"] == 42
    cluster = tmp_path / "cluster.json"
    cluster.write_text(json.dumps({"cluster": {"name": "demo", "endpoint": "https://abc.example.com",
                                               "certificateAuthority": {"data": CA},
                                               "kubernetesNetworkConfig": {"serviceIpv4Cidr": "10.100.0.0/16"}}}))
    code = main(["explain", str(path), "--cluster", str(cluster), "--field", "maxPods"])
    out = capsys.readouterr().out
    assert code == 0
    assert "/maxPods = 42" in out and "<- karpenter-generated:" in out


def test_without_cluster_facts_nothing_is_simulated(tmp_path):
    path = tmp_path / "nc.yaml"
    path.write_text(NODECLASS)
    analysis = analyse([str(path)])
    assert analysis.merged.data["spec"]["kubelet"]["config"]["maxPods"] == 100
    assert not [d for d in analysis.diagnostics if d.code == "NC720"]


def test_the_parser_records_the_unit_and_the_pipeline_appends_the_part_right_after_it(tmp_path):
    from nodecfg.parse.source import load_sources

    path, later = tmp_path / "nc.yaml", tmp_path / "later.yaml"
    path.write_text(NODECLASS)
    later.write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n"
                     "    config:\n      maxPods: 7\n")
    # reading generates nothing, even with cluster facts: it records the unit and where its documents end
    loaded = load_sources([str(path), str(later)], options=LoadOptions(cluster=FACTS))
    assert "karpenter-generated" not in loaded.texts
    assert [(unit.mode, unit.nodeclass["name"], unit.documents) for unit in loaded.units] == [("karpenter", "web", 1)]
    analysis = analyse([str(path), str(later)], options=LoadOptions(cluster=FACTS))
    # Karpenter's part follows the EC2NodeClass's user data; a source given after both wins over it
    assert [d.uri.split("#")[0] for d in analysis.documents] == [str(path), "karpenter-generated", str(later)]
    assert list(dict.fromkeys(uri.split("#")[0] for uri in analysis.texts)) == [
        str(path), "karpenter-generated", str(later)]
    assert analysis.merged.data["spec"]["kubelet"]["config"]["maxPods"] == 7


def test_karpenter_part_content_order_and_quoting(tmp_path):
    path = tmp_path / "nc.yaml"
    path.write_text(NODECLASS + """---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: pool}
spec:
  template:
    metadata:
      labels: {team: a, kubernetes.io/role: dropped}
    spec:
      nodeClassRef: {name: web}
      taints: [{key: t, value: v, effect: NoSchedule}]
      startupTaints: [{key: s, effect: NoExecute}]
""")
    analysis = analyse([str(path)], options=LoadOptions(cluster=FACTS))
    generated = analysis.loaded.texts["karpenter-generated"]
    assert generated.startswith("# Karpenter Generated NodeConfig\napiVersion: node.eks.aws/v1alpha1\n")
    config = analysis.merged.data["spec"]["kubelet"]
    assert config["config"]["registerWithTaints"] == [
        {"effect": "NoSchedule", "key": "t", "value": "v"}, {"effect": "NoExecute", "key": "s"},
        {"effect": "NoExecute", "key": "karpenter.sh/unregistered"}]
    assert config["config"]["clusterDNS"] == ["10.100.0.10"]
    assert config["flags"] == ['--node-labels="karpenter.sh/capacity-type=on-demand,'
                               'karpenter.sh/do-not-sync-taints=true,karpenter.sh/nodepool=pool,team=a"']
    assert analysis.merged.data["spec"]["cluster"]["cidr"] == "10.100.0.0/16"


@pytest.mark.parametrize("text, kind", [
    ("#!/bin/bash\necho hi\n", "shell"),
    ("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n", "nodeconfig"),
    ("# only a comment\n", "nodeconfig"),  # null unmarshals into a map
    ("  MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=x\n", "mime"),
    ("just words\n", "shell"),
])
def test_karpenter_files_user_data_like_parse_user_data(text, kind):
    assert karpenter_part_kind(text) == kind


def test_plain_script_in_karpenter_mode_is_a_shell_part(tmp_path):
    script = tmp_path / "ud.sh.txt"
    script.write_text("#!/bin/bash\ncat > /etc/eks/nodeadm.d/10.yaml <<'EOF'\n"
                      "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n"
                      "    config: {maxPods: 7}\nEOF\n")
    result = lint([str(script)], mode="karpenter")
    assert "NC205" not in {d.code for d in result.diagnostics}
    assert result.analysis.merged.data["spec"]["kubelet"]["config"]["maxPods"] == 7
    self_managed = lint([str(script)], mode="self-managed")
    assert {"NC120", "NC205"} & {d.code for d in self_managed.diagnostics}  # read as YAML, it fails


def test_positions_through_json_string_escapes_and_fn_sub(tmp_path):
    user_data = ("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n"
                 "    name: ${Name}\n    bogus: 1\n")
    template = {"Resources": {"LT": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {
        "LaunchTemplateData": {"UserData": {"Fn::Base64": {"Fn::Sub": user_data}}}}}}}
    path = tmp_path / "t.json"
    text = json.dumps(template, indent=1)
    path.write_text(text)
    result = lint([str(path)], options=LoadOptions(params=(("Name", "demo"),)))
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "Fn::Sub" in l)
    raw = text.splitlines()[line - 1]
    assert ("NC201", line, raw.index("bogus") + 1, "error") in found(result.diagnostics)
    assert result.analysis.merged.data["spec"]["cluster"]["name"] == "demo"
    unresolved = lint([str(path)])
    assert ("NC173", line, raw.index("${Name}") + 1, "warning") in found(unresolved.diagnostics)


def test_yaml_cloudformation_short_tags(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("""\
Resources:
  Nodes:
    Type: AWS::EKS::Nodegroup
    Properties:
      LaunchTemplate: {Id: !Ref LT}
  LT:
    Type: AWS::EC2::LaunchTemplate
    Properties:
      LaunchTemplateData:
        UserData: !Base64
          Fn::Sub: |
            apiVersion: node.eks.aws/v1alpha1
            kind: NodeConfig
            spec:
              kubelet:
                config: {maxPods: 9}
                flagz: []
""")
    result = lint([str(path)])
    assert result.analysis.mode == "managed-nodegroup"
    assert ("NC201", 17, 17, "error") in found(result.diagnostics)


def test_unknown_kind_is_one_finding(tmp_path):
    path = tmp_path / "deploy.yaml"
    path.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n")
    result = lint([str(path)])
    assert [(d.code, d.span.line, d.span.col) for d in result.diagnostics if d.severity >= 2] == [("NC170", 1, 1)]


def test_unknown_kind_in_json_is_one_finding(tmp_path):
    path = tmp_path / "role.json"
    path.write_text(json.dumps({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                                "metadata": {"name": "r"}, "rules": []}, indent=2))
    result = lint([str(path)])
    assert [(d.code, d.span.line, d.span.col) for d in result.diagnostics if d.severity >= 2] == [("NC170", 1, 1)]


def test_a_nodeconfig_kind_typo_is_still_a_schema_finding(tmp_path):
    path = tmp_path / "n.yaml"
    path.write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfg\nspec: {}\n")
    assert "NC170" not in {d.code for d in lint([str(path)]).diagnostics}


def test_launch_template_versions_base64_user_data(tmp_path):
    user_data = base64.b64encode(b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  oops: 1\n")
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"LaunchTemplateVersions": [
        {"VersionNumber": 2, "LaunchTemplateData": {"UserData": user_data.decode()}}]}))
    (finding,) = [d for d in lint([str(path)]).diagnostics if d.code == "NC201"]
    assert (finding.span.uri, finding.span.line, finding.span.col) == (f"{path}#version=2#base64", 4, 3)


def test_two_nodeclasses_in_one_file_are_checked_each_on_its_own(tmp_path, capsys):
    second = NODECLASS.replace("name: web", "name: api").replace("shutdownGracePeriod: 30s", "typo: 1")
    path = tmp_path / "all.yaml"
    path.write_text(NODECLASS + "---\n" + second)
    code = main(["check", "--format", "json", str(path)])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert sorted((d["code"], d["line"], d["col"], d["uri"].split("#", 1)[1]) for d in out) == [
        ("NC210", 31, 11, "EC2NodeClass=api"),
        ("NC702", 14, 20, "EC2NodeClass=web"), ("NC702", 30, 20, "EC2NodeClass=api")]


def test_check_dir_lints_each_file_and_dropins_merge(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  x: 1\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: docs\nnav: []\n")  # not a NodeConfig: skipped
    sub = tmp_path / "nodes" / "nodeadm.d"
    sub.mkdir(parents=True)
    (sub / "10.yaml").write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n"
                                 "  cluster: {name: demo}\n")
    (sub / "20.yaml").write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n"
                                 "  cluster: {apiServerEndpoint: 'https://x.example.com', cidr: 10.0.0.0/16,"
                                 " certificateAuthority: " + CA + "}\n")
    code = main(["check", "--format", "json", str(tmp_path)])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert sorted({(d["uri"], d["code"]) for d in out}) == [(str(tmp_path / "a.yaml"), "NC201"), (str(tmp_path / "a.yaml"), "NC301")]
    assert main(["check", "--dropins", str(sub)]) == 0
    assert main(["check", str(sub / "10.yaml")]) == 1  # alone, it lacks the cluster fields


def test_check_help_names_the_recognised_kinds(capsys):
    assert main(["check", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for kind in ("EC2NodeClass", "AWS::EC2::LaunchTemplate", "describe-launch-template-versions",
                 "get-launch-template-data", "terraform show -json", "--dropins", "nodeadm.d"):
        assert kind in out, kind


def test_nodepools_are_noted_as_read_for_the_simulation(tmp_path):
    path = tmp_path / "nc.yaml"
    path.write_text(NODECLASS + "---\napiVersion: karpenter.sh/v1\nkind: NodePool\nmetadata: {name: p}\n"
                    "spec: {template: {spec: {nodeClassRef: {name: web}}}}\n")
    notes = [(d.code, d.span.line, d.span.col) for d in analyse([str(path)]).diagnostics if d.code == "NC171"]
    assert notes == [("NC171", 18, 7)]


def test_cloudformation_user_data_without_fn_base64_is_an_error(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  LT:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n"
                    "      LaunchTemplateData:\n        UserData: |\n          kind: NodeConfig\n")
    assert found(lint([str(path)]).diagnostics) == [("NC175", 6, 19, "error")]


def test_nodeclass_without_user_data_is_noted_once(tmp_path):
    path = tmp_path / "nc.yaml"
    path.write_text("apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nmetadata: {name: bare}\n"
                    "spec:\n  role: R\n")
    assert found(lint([str(path)]).diagnostics) == [("NC172", 5, 3, "warning")]


def test_terraform_user_data_known_only_after_apply(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({
        "format_version": "1.2",
        "planned_values": {"root_module": {"child_modules": [{"resources": [
            {"address": "module.n.aws_launch_template.x", "mode": "managed", "type": "aws_launch_template",
             "name": "x", "values": {}}]}]}},
        "resource_changes": [{"address": "module.n.aws_launch_template.x",
                              "change": {"after_unknown": {"user_data": True}}}]}, indent=1))
    (finding,) = lint([str(path)]).diagnostics
    assert (finding.code, str(finding.severity)) == ("NC174", "warning")
    assert "known only after apply" in finding.message


def test_a_malformed_param_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "n.yaml"
    path.write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n")
    assert main(["check", str(path), "--param", "novalue"]) == 2
    assert "NC721" in capsys.readouterr().err


def test_json_nodeclass_positions_through_escapes(tmp_path):
    user_data = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  tab\u00e9: 1\n"
    text = json.dumps({"apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass",
                       "metadata": {"name": "j"}, "spec": {"userData": user_data}}, indent=2)
    path = tmp_path / "nc.json"
    path.write_text(text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "userData" in l)
    column = text.splitlines()[line - 1].index("tab\\u00e9") + 1  # json.dumps escapes the e-acute
    assert ("NC201", line, column, "error") in found(lint([str(path)]).diagnostics)


def test_karpenter_script_without_shebang(tmp_path):
    path = tmp_path / "nc.yaml"
    path.write_text("apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nmetadata: {name: s}\nspec:\n"
                    "  userData: |\n    echo one two\n    echo three\n")
    assert found(lint([str(path)]).diagnostics) == [("NC110", 6, 5, "error")]


def test_check_each_reads_a_container_once_though_it_counts_them_all_first(tmp_path, monkeypatch, capsys):
    """discover counts every file's user data before the first is linted; the lint reuses that read."""
    from nodecfg.cli.main import main
    from nodecfg.parse.containers import reading

    source = (Path(__file__).resolve().parent.parent / "golden" / "karpenter-nodeclass-mime" / "ec2nodeclass.yaml")
    names = []
    for number in range(5):
        names.append(str(tmp_path / f"class{number}.yaml"))
        Path(names[-1]).write_text(source.read_text().replace("\n", f"\n# copy {number}\n", 1))
    reads = []
    real = reading._extract
    monkeypatch.setattr(reading, "_extract", lambda *key: reads.append(key[1]) or real(*key))
    monkeypatch.setattr(reading, "_EXTRACTED", {})
    monkeypatch.setenv("NODECFG_NO_CACHE", "1")
    main(["check", "--each", *names])
    capsys.readouterr()
    assert sorted(reads) == sorted(names)


def test_the_containers_held_are_bounded_by_number_and_size(monkeypatch):
    from nodecfg.parse.containers import reading

    monkeypatch.setattr(reading, "_EXTRACTED", {})
    monkeypatch.setattr(reading, "_HELD_FILES", 2)
    texts = [f"apiVersion: karpenter.k8s.aws/v1\nkind: EC2NodeClass\nmetadata:\n  name: c{n}\n".encode()
             for n in range(3)]
    for number, data in enumerate(texts):
        reading.extract(data, f"c{number}.yaml")
    reading.extract(texts[1], "c1.yaml")  # asked again: the newest
    assert [key[1] for key in reading._EXTRACTED] == ["c2.yaml", "c1.yaml"]
    monkeypatch.setattr(reading, "_HELD_BYTES", len(texts[0]))
    reading.extract(texts[0], "c0.yaml")
    assert [key[1] for key in reading._EXTRACTED] == ["c0.yaml"]  # the newest is always kept
