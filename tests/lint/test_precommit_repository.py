"""The hooks of .pre-commit-hooks.yaml in a real repository, with real `pre-commit`, offline.

A fixture repository holds node configuration in the layouts users have (user
data with any extension, a drop-in folder with its base, Helm output holding an
EC2NodeClass, a CloudFormation template, a terraform plan) beside look-alikes
(a generator script, a docs page, a plain shell script, Karpenter's Helm values,
unrelated YAML and JSON).  The hooks are installed as `repo: local` hooks with
the manifest's own patterns and entries (language `system`, this interpreter's
nodecfg), so nothing is fetched.  Then: the look-alikes pass untouched, each
real problem fails its commit with the right finding, and every example of
docs/pre-commit.md behaves as documented.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nodecfg.parse.yaml import parse_yaml_documents
from helpers import COMPLETE_NODECONFIG, PLACEHOLDER_CA

REPO = Path(__file__).resolve().parents[2]
NODECONFIG = COMPLETE_NODECONFIG + """\
  kubelet:
    config:
      shutdownGracePeriod: 30s
"""
MIME = f"""\
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: application/node.eks.aws

{NODECONFIG}
--B--
"""
BASE = NODECONFIG
DROPIN = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config: {maxPods: 20}\n"
HELM_OUTPUT = """\
---
# Source: nodes/templates/nodepool.yaml
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: web}
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: web}
---
# Source: nodes/templates/ec2nodeclass.yaml
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {name: web}
spec:
  role: KarpenterNodeRole
  userData: |
    apiVersion: node.eks.aws/v1alpha1
    kind: NodeConfig
    spec:
      kubelet:
        config: {shutdownGracePeriod: 30s}
"""
CFN = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"LT": {
    "Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
        "UserData": {"Fn::Base64": NODECONFIG}}}}}}, indent=1) + "\n"


def _plan(user_data: str) -> str:
    return json.dumps({"format_version": "1.2", "terraform_version": "1.9.0", "planned_values": {"root_module": {
        "resources": [{"address": "aws_launch_template.nodes", "mode": "managed", "type": "aws_launch_template",
                       "name": "nodes", "values": {"user_data": base64.b64encode(user_data.encode()).decode()}}]}}},
                      indent=1) + "\n"


LOOK_ALIKES = {
    "tools/gen_userdata.py": 'import sys\n\nNODECONFIG = """apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"""\n'
                             'print("user data:", NODECONFIG, file=sys.stdout)\n',
    "docs/userdata.md": "# User data\n\nMIME user data starts with a Content-Type header:\n\n```yaml\n"
                        "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n```\n",
    "tools/user-data.sh": "#!/bin/bash\nset -euo pipefail\necho 'generating user data'\n",
    "karpenter-values.yaml": "settings:\n  clusterName: demo\n  interruptionQueue: demo\nreplicas: 2\n"
                             "serviceAccount:\n  annotations: {}\n",
    "config/app.yaml": "server:\n  port: 8080\nfeatures: [a, b]\n",
    "package.json": '{"name": "infra", "version": "1.0.0"}\n',
    "cluster.yaml": "name: demo\nendpoint: https://abc.example.com\n"
                    f"certificateAuthority: {PLACEHOLDER_CA}\nserviceCidr: 10.100.0.0/16\n",
}
NODE_FILES = {
    "node.mime": MIME,
    "launch-templates/web.mime": MIME,
    "launch-templates/web-user-data.txt": MIME,  # user data with another extension
    "prod-nodeconfig.yaml": NODECONFIG,
    "nodes/base.yaml": BASE,
    "nodes/nodeadm.d/10-pods.yaml": DROPIN,  # partial: complete only merged after the base
    "karpenter/rendered.yaml": HELM_OUTPUT,
    "cfn/node-stack.json": CFN,
    "tf/plan.json": _plan(NODECONFIG),
}
# (file, its broken content, the finding the commit must fail with: path:line:col: CODE)
PROBLEMS = [
    ("node.mime", MIME.replace("10.100.0.0/16", "10.100.0.0/33"), "node.mime:14:11: NC305"),
    ("launch-templates/web-user-data.txt", MIME.replace("kubelet:", "kubelett:"),
     "launch-templates/web-user-data.txt:15:3: NC201"),
    ("prod-nodeconfig.yaml", NODECONFIG.replace("name: demo", "name: [demo"), "prod-nodeconfig.yaml:6:22: NC120"),
    ("nodes/base.yaml", BASE.replace("cluster:", "clusterr:"), "nodes/base.yaml:4:3: NC201"),
    ("nodes/nodeadm.d/20-bad.yaml", DROPIN.replace("kubelet:", "kubelett:"), "nodes/nodeadm.d/20-bad.yaml:4:3: NC201"),
    ("karpenter/rendered.yaml", HELM_OUTPUT.replace("        config:", "        confg:"),
     "karpenter/rendered.yaml:22:9: NC201"),
    ("cfn/node-stack.json", CFN.replace("kubelet:", "kubelett:"), "cfn/node-stack.json:9:293: NC201"),
    # base64 in the plan: the position is in the decoded user data, named after the resource
    ("tf/plan.json", _plan(NODECONFIG.replace("kubelet:", "kubelett:")),
     "tf/plan.json#aws_launch_template.nodes#base64:9:3: NC201"),
]


def _git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True, env=_env(cwd),
                          timeout=600)


def _env(cwd: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # `nodecfg` of this installation, for the docs' local hook
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "PRE_COMMIT_HOME": str(cwd.parent / "pre-commit-home"), "NODECFG_NO_CACHE": "1",
            "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd.parent)}


def _manifest() -> dict[str, dict]:
    documents, problems = parse_yaml_documents((REPO / ".pre-commit-hooks.yaml").read_text(), "hooks")
    assert not problems
    return {hook["id"]: hook for hook in documents[0].data}


def _local(hook: dict) -> dict:
    """A manifest hook as a `repo: local` hook: its patterns and entry, run by this interpreter."""
    local = {key: value for key, value in hook.items() if key != "description"}
    local["language"] = "system"
    command = local["entry"].split()
    assert command[0] == "nodecfg"
    local["entry"] = " ".join([sys.executable, "-m", "nodecfg", *command[1:]])
    return local


def _localise(config: dict) -> dict:
    """The docs' remote `repos:` entries as local hooks from the manifest, overlaid with their keys."""
    manifest = _manifest()
    repos = []
    for repo in config["repos"]:
        if repo["repo"] == "local":
            repos.append(repo)
            continue
        hooks = [{**_local(manifest[hook["id"]]), **hook} for hook in repo["hooks"]]
        repos.append({"repo": "local", "hooks": hooks})
    return {"repos": repos}


def _write_config(fixture: Path, config: dict, name: str = ".pre-commit-config.yaml") -> Path:
    path = fixture / name
    path.write_text(json.dumps(config, indent=1))  # JSON is YAML
    return path


def _pre_commit(fixture: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args, "--color", "never"], cwd=fixture,
                          capture_output=True, text=True, timeout=600, env=_env(fixture))


def _docs_yaml_blocks() -> list[str]:
    text = (REPO / "docs" / "pre-commit.md").read_text()
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def _block(marker: str) -> str:
    (block,) = [b for b in _docs_yaml_blocks() if marker in b]
    return block


def _snippet(block: str) -> list[dict]:
    """A docs snippet of hook entries (indented `- id:` items) as a list of hooks."""
    documents, problems = parse_yaml_documents(textwrap_dedent(block), "docs")
    assert not problems, problems
    return documents[0].data


def textwrap_dedent(block: str) -> str:
    import textwrap

    return textwrap.dedent(block)


def _requirements():
    if shutil.which("git") is None:
        pytest.skip("git is not installed: the hooks run in a git repository")
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (it is in the test extra)")


@pytest.fixture
def fixture(tmp_path):
    _requirements()
    repo = tmp_path / "infra"
    for relative, text in {**NODE_FILES, **LOOK_ALIKES}.items():
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_text(text)
    _git(repo, "init", "-q", "-b", "main")
    return repo


def _dropins_hook() -> dict:
    """The nodecfg-dropins entry of the docs, as the docs tell to configure it."""
    [hook] = _snippet(_block("id: nodecfg-dropins\n        args"))
    return hook


def _installed_config() -> dict:
    """The docs' first example (all hooks by id), plus the drop-in hook as its section configures it."""
    [block] = [b for b in _docs_yaml_blocks() if "repo: https://github.com/nodecfg/nodecfg" in b]
    documents, problems = parse_yaml_documents(block, "docs")
    assert not problems
    config = documents[0].data
    config["repos"][0]["hooks"].append(_dropins_hook())
    return _localise(config)


def test_look_alikes_pass_and_each_real_problem_fails_its_commit(fixture):
    _write_config(fixture, _installed_config())
    installed = _pre_commit(fixture, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    _git(fixture, "add", "-A")
    first = _git(fixture, "commit", "-q", "-m", "node configuration and look-alikes", check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    for hook in ("nodecfg check", "nodecfg check (nodeadm.d drop-ins merged)",
                 "nodecfg check (Karpenter EC2NodeClass manifests)", "nodecfg check (launch templates)"):
        assert re.search(rf"^{re.escape(hook)}\.+Passed$", first.stdout + first.stderr, re.M), first.stdout
    assert _git(fixture, "status", "--porcelain").stdout == ""  # nothing rewritten

    # a look-alike changed alone: every hook that matched it skips it, none fails
    (fixture / "tools/gen_userdata.py").write_text(LOOK_ALIKES["tools/gen_userdata.py"] + "print('more')\n")
    (fixture / "karpenter-values.yaml").write_text(LOOK_ALIKES["karpenter-values.yaml"] + "replicas: 3\n")
    (fixture / "docs/userdata.md").write_text(LOOK_ALIKES["docs/userdata.md"] + "\nMore text.\n")
    _git(fixture, "add", "-A")
    again = _git(fixture, "commit", "-q", "-m", "look-alikes only", check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "NC" not in again.stdout + again.stderr

    for relative, broken, finding in PROBLEMS:
        path = fixture / relative
        original = path.read_text() if path.exists() else None
        path.write_text(broken)
        _git(fixture, "add", "-A")
        failed = _git(fixture, "commit", "-q", "-m", f"break {relative}", check=False)
        output = failed.stdout + failed.stderr
        assert failed.returncode != 0, (relative, output)
        assert finding in output, (relative, finding, output)
        assert _git(fixture, "log", "-1", "--format=%s").stdout.strip() == "look-alikes only"
        if original is None:
            path.unlink()
        else:
            path.write_text(original)
        _git(fixture, "add", "-A")
    # the YAML syntax error is the one finding of its file (no NC143 or other follower)
    path = fixture / "prod-nodeconfig.yaml"
    path.write_text(PROBLEMS[2][1])
    done = subprocess.run([sys.executable, "-m", "nodecfg", "check", str(path)], capture_output=True, text=True,
                          env=_env(fixture), timeout=120)
    assert re.findall(r"NC\d{3}", done.stdout) == ["NC120"], done.stdout


def test_the_docs_local_hook_runs_as_written(fixture):
    config = parse_yaml_documents(_block("repo: local"), "docs")[0][0].data
    _write_config(fixture, config)
    _git(fixture, "add", "-A")
    passed = _pre_commit(fixture, "run", "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"^nodecfg check\.+Passed$", passed.stdout, re.M), passed.stdout
    (fixture / "launch-templates/web.mime").write_text(MIME.replace("kubelet:", "kubelett:"))
    _git(fixture, "add", "-A")
    failed = _pre_commit(fixture, "run", "--all-files")
    assert failed.returncode == 1 and "launch-templates/web.mime:15:3: NC201" in failed.stdout, failed.stdout
    assert "nodeadm.d" not in failed.stdout  # the partial drop-in is not linted on its own


def test_the_docs_files_and_args_example(fixture):
    [hook] = _snippet(_block("--kubelet-version, v1.34.0, --strict"))
    _write_config(fixture, _localise({"repos": [{"repo": "x", "hooks": [hook]}]}))
    # karpenter mode: the cluster fields are Karpenter's to add, so the user data leaves them out
    # (with them, NC702 warnings, which --strict makes fail)
    karpenter_mime = MIME.replace(NODECONFIG, DROPIN.replace("maxPods: 20", "shutdownGracePeriod: 30s"))
    (fixture / "launch-templates/web.mime").write_text(karpenter_mime)
    _git(fixture, "add", "-A")
    passed = _pre_commit(fixture, "run", "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    (fixture / "launch-templates/web.mime").write_text(karpenter_mime.replace("shutdownGracePeriod", "shutdownGracePeriodd"))
    _git(fixture, "add", "-A")
    failed = _pre_commit(fixture, "run", "--all-files")
    assert failed.returncode == 1 and "launch-templates/web.mime:11:14: NC210" in failed.stdout, failed.stdout
    assert "web-user-data.txt" not in failed.stdout  # outside the example's files:


def test_the_docs_dropins_example_checks_the_base_too(fixture):
    _write_config(fixture, _localise({"repos": [{"repo": "x", "hooks": [_dropins_hook()]}]}))
    (fixture / "nodes/base.yaml").write_text(BASE.replace("cluster:", "clusterr:"))
    _git(fixture, "add", "-A")
    failed = _pre_commit(fixture, "run", "--files", "nodes/base.yaml")  # only the base changed
    assert failed.returncode == 1 and "nodes/base.yaml:4:3: NC201" in failed.stdout, failed.stdout
    (fixture / "nodes/base.yaml").write_text(BASE)
    _git(fixture, "add", "-A")
    passed = _pre_commit(fixture, "run", "--files", "nodes/nodeadm.d/10-pods.yaml")
    assert passed.returncode == 0, passed.stdout  # the partial drop-in passes merged after its base


def test_the_docs_karpenter_and_launch_template_args(fixture):
    hooks = _snippet(_block("args: [--cluster, cluster.yaml]"))
    _write_config(fixture, _localise({"repos": [{"repo": "x", "hooks": hooks}]}))
    _git(fixture, "add", "-A")
    passed = _pre_commit(fixture, "run", "--all-files")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    (fixture / "karpenter/rendered.yaml").write_text(HELM_OUTPUT.replace("        config:", "        confg:"))
    _git(fixture, "add", "-A")
    failed = _pre_commit(fixture, "run", "--all-files")
    assert failed.returncode == 1 and "karpenter/rendered.yaml:22:9: NC201" in failed.stdout, failed.stdout


def test_the_docs_ci_commands(fixture):
    text = (REPO / "docs" / "pre-commit.md").read_text()
    commands = re.findall(r"run: (nodecfg check [^>\n]*?)(?: > \S+)?\n", text)
    assert len(commands) == 2, commands
    for command in commands:
        done = subprocess.run(command, shell=True, cwd=fixture, capture_output=True, text=True, env=_env(fixture),
                              timeout=120)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    (fixture / "launch-templates/web.mime").write_text(MIME.replace("kubelet:", "kubelett:"))
    sarif = subprocess.run(commands[0], shell=True, cwd=fixture, capture_output=True, text=True,
                           env=_env(fixture), timeout=120)
    assert sarif.returncode == 1 and json.loads(sarif.stdout)["runs"][0]["results"][0]["ruleId"] == "NC201"


def test_every_yaml_example_of_the_docs_is_run_above():
    """The markers the tests above pick the docs' blocks by cover every YAML block of docs/pre-commit.md."""
    markers = ("repo: https://github.com/nodecfg/nodecfg", "repo: local", "--kubelet-version, v1.34.0, --strict",
               "id: nodecfg-dropins\n        args", "args: [--cluster, cluster.yaml]")
    for block in _docs_yaml_blocks():
        # GitHub Actions workflows: their `run: nodecfg check` lines are test_the_docs_ci_commands'
        covered = sum(marker in block for marker in markers) + ("run: nodecfg check" in block)
        assert covered == 1, block
