"""The pre-commit hook definition: id, entry and the files it selects."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from nodecfg.parse.yaml import parse_yaml_documents

REPO = Path(__file__).resolve().parents[2]


def hook(hook_id: str = "nodecfg-check") -> dict:
    documents, problems = parse_yaml_documents((REPO / ".pre-commit-hooks.yaml").read_text(), "hooks")
    assert not problems
    (entry,) = [h for h in documents[0].data if h["id"] == hook_id]
    return entry


def selects(hook_id: str, name: str) -> bool:
    definition = hook(hook_id)
    return bool(re.search(definition["files"], name)) and not (
        "exclude" in definition and re.search(definition["exclude"], name))


def test_hook_runs_nodecfg_check_on_each_file():
    definition = hook()
    assert definition["id"] == "nodecfg-check"
    assert definition["language"] == "python"
    # each file on its own is check's default; the hook skips files that are not node configuration
    assert definition["entry"].split() == ["nodecfg", "check", "--only-node-config=nodeconfig,userdata"]


# the names docs/guide.md and docs/pre-commit.md use must be selected: a skipped file is a false pass
@pytest.mark.parametrize("hook_id, name", [
    ("nodecfg-check", "infra/nodeconfig.yaml"), ("nodecfg-check", "prod-nodeconfig.yml"),
    ("nodecfg-check", "templates/userdata.mime"), ("nodecfg-check", "lt/user-data.b64"),
    ("nodecfg-check", "launch-template.mime"), ("nodecfg-check", "node.mime"),
    ("nodecfg-dropins", "etc/eks/nodeadm.d/10-kubelet.yaml"), ("nodecfg-dropins", "nodeadm.d/20.json"),
    ("nodecfg-karpenter", "karpenter/ec2nodeclass.yaml"), ("nodecfg-karpenter", "default-nodeclass.yml"),
    ("nodecfg-launch-template", "cfn/launch-template.yaml"), ("nodecfg-launch-template", "tfplan.json"),
    # user data has any extension; EC2NodeClass manifests and templates any name (content decides)
    ("nodecfg-check", "lt/web-user-data.txt"), ("nodecfg-check", "UserData.sh"), ("nodecfg-check", "prod.MIME"),
    ("nodecfg-karpenter", "charts/rendered/manifests.yaml"), ("nodecfg-launch-template", "stacks/nodes.template"),
    ("nodecfg-launch-template", "terraform/plan.json"),
])
def test_files_selected(hook_id, name):
    assert selects(hook_id, name)


@pytest.mark.parametrize("hook_id, name", [
    ("nodecfg-check", "README.md"), ("nodecfg-check", "nodeconfig/notes.md"), ("nodecfg-check", "src/main.py"),
    ("nodecfg-check", "nodeadm.d/10.yaml"),  # drop-ins are linted merged, by nodecfg-dropins
    ("nodecfg-dropins", "nodeadm.d/README"), ("nodecfg-karpenter", "nodeclass.md"),
])
def test_files_not_selected(hook_id, name):
    assert not selects(hook_id, name)


def test_dropins_hook_lints_the_directory_merged():
    definition = hook("nodecfg-dropins")
    assert definition["entry"].split() == ["nodecfg", "check", "--dropins"]
    assert definition["pass_filenames"] is False
