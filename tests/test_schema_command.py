"""nodecfg schema prints the packaged schemas; each carries an $id; the SchemaStore entry points at it."""
from __future__ import annotations

import contextlib
import fnmatch
import io
import json
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
    assert json.loads(out)["$id"] == RAW + name


def test_unknown_kind_is_a_usage_error():
    code, _, err = run("schema", "--kind", "nodepool")
    assert code == 2 and "invalid choice: 'nodepool'" in err


def test_the_kubelet_reference_resolves_against_the_id():
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
    assert refs and {urljoin(nodeconfig["$id"], ref) for ref in refs} == {RAW + "kubelet-config.v1beta1.json"}


def test_schemastore_catalog_entry():
    entry = json.loads((ROOT / "schemastore" / "catalog-entry.json").read_text())
    assert set(entry) == {"name", "description", "fileMatch", "url"}
    assert entry["url"] == RAW + "nodeconfig.v1alpha1.json"
    matches = lambda path: any(fnmatch.fnmatch(path, pattern) for pattern in entry["fileMatch"])  # noqa: E731
    assert matches("infra/nodeadm.d/10-kubelet.yaml") and matches("my-nodeconfig.yaml")
    assert not matches("deployment.yaml")
