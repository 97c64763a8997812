"""nodecfg schema prints the packaged schemas; they resolve offline; the SchemaStore entry points at them.

The schemas carry no ``$id``: the NodeConfig schema's reference to the kubelet
schema by its file name then resolves beside wherever the schema was read
from.  check-jsonschema, the validator the issue was found with, checks files
against them in a child process whose every name lookup and connection fails
(an audit hook): with the former ``https://`` ``$id`` it tried the network.
"""
from __future__ import annotations

import contextlib
import fnmatch
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nodecfg.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
RAW = "https://raw.githubusercontent.com/nodecfg/nodecfg/main/schemas/"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv, name", [
    ((), "nodeconfig.v1alpha1.json"),
    (("--kind", "nodeconfig"), "nodeconfig.v1alpha1.json"),
    (("--kind", "kubelet"), "kubelet-config.v1beta1.json"),
    (("--kind", "instance"), "instance.json"),
])
def test_schema_prints_the_published_file(argv, name):
    code, out, _ = run("schema", *argv)
    assert code == 0 and out == (ROOT / "schemas" / name).read_text()
    assert "$id" not in json.loads(out)


def test_unknown_kind_is_a_usage_error():
    code, _, err = run("schema", "--kind", "nodepool")
    assert code == 2 and "invalid choice: 'nodepool'" in err


def test_the_kubelet_reference_is_the_file_beside_the_schema():
    from urllib.parse import urljoin

    nodeconfig = json.loads((ROOT / "schemas" / "nodeconfig.v1alpha1.json").read_text())
    refs = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str) and not node["$ref"].startswith("#"):
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(nodeconfig)
    assert refs == ["kubelet-config.v1beta1.json"]
    assert (ROOT / "schemas" / refs[0]).is_file()
    # read from the published URL (the SchemaStore entry), it resolves to the kubelet schema published beside it
    assert urljoin(RAW + "nodeconfig.v1alpha1.json", refs[0]) == RAW + "kubelet-config.v1beta1.json"


OFFLINE = """\
import sys

def no_network(event, args):
    if event.startswith(("socket.getaddrinfo", "socket.gethostbyname", "socket.connect")):
        raise RuntimeError(f"network use: {event} {args!r}")

sys.addaudithook(no_network)
from check_jsonschema import main
sys.argv[0] = "check-jsonschema"
main()
"""
GOOD = (ROOT / "examples" / "nodeconfig.yaml").read_text()
# the type error is in spec.kubelet.config: only the kubelet schema, reached by the reference, can report it
BAD = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config:\n      maxPods: many\n"


def check_jsonschema_offline(schema: Path, *files: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", OFFLINE, "--schemafile", str(schema), *map(str, files)],
                          capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("layout", ["repository", "written-by-nodecfg-schema"])
def test_check_jsonschema_resolves_the_schemas_side_by_side_with_no_network(tmp_path, layout):
    elsewhere = tmp_path / "work"  # not the schemas' directory: the reference must not depend on it
    elsewhere.mkdir()
    if layout == "repository":
        directory = ROOT / "schemas"
    else:  # as docs/editors.md says: nodecfg schema --kind nodeconfig/kubelet > .nodecfg/...
        directory = tmp_path / ".nodecfg"
        directory.mkdir()
        for kind, name in (("nodeconfig", "nodeconfig.v1alpha1.json"), ("kubelet", "kubelet-config.v1beta1.json")):
            code, out, _ = run("schema", "--kind", kind)
            assert code == 0
            (directory / name).write_text(out)
    good, bad = elsewhere / "good.yaml", elsewhere / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text(BAD)
    passed = check_jsonschema_offline(directory / "nodeconfig.v1alpha1.json", good, cwd=elsewhere)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "network use" not in passed.stdout + passed.stderr
    failed = check_jsonschema_offline(directory / "nodeconfig.v1alpha1.json", good, bad, cwd=elsewhere)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "bad.yaml::$.spec.kubelet.config.maxPods: 'many' is not of type 'integer'" in failed.stdout
    assert "good.yaml" not in failed.stdout and "network use" not in failed.stdout + failed.stderr


def test_the_offline_check_would_catch_a_network_reference(tmp_path):
    # the guard itself: with the former https $id, the kubelet reference is fetched, and the hook stops it
    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    nodeconfig = json.loads((schemas / "nodeconfig.v1alpha1.json").read_text())
    nodeconfig = {"$id": RAW + "nodeconfig.v1alpha1.json", **nodeconfig}
    (schemas / "nodeconfig.v1alpha1.json").write_text(json.dumps(nodeconfig))
    (tmp_path / "good.yaml").write_text(GOOD)
    done = check_jsonschema_offline(schemas / "nodeconfig.v1alpha1.json", tmp_path / "good.yaml", cwd=tmp_path)
    assert done.returncode != 0
    assert "network use: socket.getaddrinfo ('raw.githubusercontent.com'" in done.stdout + done.stderr


def test_schemastore_catalog_entry():
    entry = json.loads((ROOT / "schemastore" / "catalog-entry.json").read_text())
    assert set(entry) == {"name", "description", "fileMatch", "url"}
    assert entry["url"] == RAW + "nodeconfig.v1alpha1.json"
    matches = lambda path: any(fnmatch.fnmatch(path, pattern) for pattern in entry["fileMatch"])  # noqa: E731
    assert matches("infra/nodeadm.d/10-kubelet.yaml") and matches("my-nodeconfig.yaml")
    assert not matches("deployment.yaml")
