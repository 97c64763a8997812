"""Every renderer reports findings only about the values it declares in render.RENDERERS.

`nodecfg check` runs only the renderers whose declared values are set, so a
finding about any other value would be seen by `build` and missed by `check`.
Also: every module named in a string registry (renderers, commands) imports, and every
rule module that makes findings is a family the rules package finds, so a move cannot silently drop one.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from nodecfg import render
from nodecfg.cli.commands import COMMANDS
from nodecfg.context.instance import instance_from_mapping
from nodecfg.context.maxpods import compute_max_pods
from nodecfg.merge.nodeconfig import get_pointer
from nodecfg.pipeline import analyse

ROOT = Path(__file__).resolve().parent.parent
INPUTS = sorted(p for p in (ROOT / "golden").rglob("*") if p.suffix in (".yaml", ".mime", ".b64")
                and "expected" not in p.parts and p.name != "case.yaml")

HOSTILE_VALUES = """apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: demo
    apiServerEndpoint: https://example.com
    certificateAuthority: Zm9v
    cidr: 10.100.0.0/16
  kubelet:
    maxPodsExpression: "max_pods / 0"
    config: {maxPods: 20}
    flags: ["--v=2"]  # a line break here is NC406, found before rendering (validate/semantics.py)
  containerd:
    config: |
      version = 3
      [plugins."io.containerd.grpc.v1.cri"]
      bad = [
  instance:
    environment:
      "bad/service": {A: "x\\""}
      default: {B: 'ends with quote"'}
"""


def declared(name: str) -> tuple[str, ...]:
    return render.RENDERERS[name]


def configs():
    for path in INPUTS:
        analysis = analyse([str(path)])
        if analysis.documents:
            yield analysis.merged.data
    yield analyse([HOSTILE_VALUES.encode()]).merged.data


@pytest.mark.parametrize("name", list(render.RENDERERS))
@pytest.mark.parametrize("version", ["1.7.27", "2.1.4"])
def test_renderers_report_only_what_they_declare(name, version):
    module = importlib.import_module(f"nodecfg.render.{name}")
    instance = instance_from_mapping({"containerdVersion": version, "kubeletVersion": "v1.29.0"})
    reported = 0
    for config in configs():
        expression = get_pointer(config, "/spec/kubelet/maxPodsExpression")
        context = render.RenderContext(config, instance, compute_max_pods(instance, expression))
        for diagnostic in module.render(context).diagnostics:
            reported += 1
            pointer = diagnostic.span.uri.removeprefix("pointer:")
            assert diagnostic.span.uri.startswith("pointer:"), diagnostic
            assert any(pointer == p or pointer.startswith(p + "/") for p in declared(name)), (name, diagnostic)
    if declared(name):
        assert reported, f"{name} declares {declared(name)} but no test input makes it report anything"


def test_the_hostile_values_reach_every_declaring_renderer():
    config = analyse([HOSTILE_VALUES.encode()]).merged.data
    assert set(render.renderers_checking(config)) == {n for n, pointers in render.RENDERERS.items() if pointers}


def test_every_module_named_in_a_registry_imports():
    for name in render.RENDERERS:
        assert hasattr(importlib.import_module(f"nodecfg.render.{name}"), "render"), name
    from nodecfg.linter import rules

    helpers = set(rules.family_names()) - {family.__name__.rsplit(".", 1)[1] for family in rules.families()}
    for name in helpers:  # a module that makes findings but lost its check() would never run
        source = Path(importlib.import_module(f"nodecfg.linter.rules.{name}").__file__).read_text()
        assert "nodecfg.core.codes" not in source, name
    for command, (module_name, _) in COMMANDS.items():
        module = importlib.import_module(f"nodecfg.cli.commands.{module_name}")
        assert hasattr(module, "add_arguments") and hasattr(module, "run"), command


def test_a_code_nobody_registered_cannot_exist_and_none_is_dead():
    """Every NCnnn the package names is in nodecfg/core/codes.py, and every catalogued code is emitted somewhere."""
    import re

    from nodecfg.core.codes import CATALOGUE

    package = ROOT / "nodecfg"
    named: set[str] = set()
    for path in package.rglob("*.py"):
        if path.name != "codes.py":
            named |= set(re.findall(r"\bNC\d{3}\b", path.read_text()))
    assert named - set(CATALOGUE) == set()
    assert set(CATALOGUE) - named == set()


def test_a_typical_config_is_checked_without_rendering():
    """Cluster fields, kubelet settings and flags: every check on them runs before any renderer."""
    config = {"spec": {"cluster": {"name": "c", "cidr": "10.100.0.0/16"},
                       "kubelet": {"config": {"shutdownGracePeriod": "30s"}, "flags": ["--v=2"]},
                       "featureGates": {"InstanceIdNodeName": True}}}
    assert render.renderers_checking(config) == ()
