"""The pre-commit hook definition: id, entry and the files it selects."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from nodecfg.parse.yaml import parse_yaml_documents

REPO = Path(__file__).resolve().parents[2]


def hook() -> dict:
    documents, problems = parse_yaml_documents((REPO / ".pre-commit-hooks.yaml").read_text(), "hooks")
    assert not problems
    (entry,) = documents[0].data
    return entry


def test_hook_runs_nodecfg_check_on_each_file():
    definition = hook()
    assert definition["id"] == "nodecfg-check"
    assert definition["language"] == "python"
    assert definition["entry"].split() == ["nodecfg", "check", "--each"]


@pytest.mark.parametrize("name", ["etc/eks/nodeadm.d/10-kubelet.yaml", "nodeadm.d/20.json", "infra/nodeconfig.yaml",
                                  "prod-nodeconfig.yml", "templates/userdata.mime", "lt/user-data.b64"])
def test_files_selected(name):
    assert re.search(hook()["files"], name)


@pytest.mark.parametrize("name", ["README.md", "nodeconfig/notes.md", "src/main.py", "nodeadm.d/README"])
def test_files_not_selected(name):
    assert not re.search(hook()["files"], name)
