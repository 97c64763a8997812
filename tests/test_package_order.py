"""The packages are layered: a module imports, even lazily, only from its own package or one below it.

LAYERS lists nodecfg's packages from the bottom up, in pipeline order (docs/architecture.md, "The tree").
The rule families (linter/rules) are a stage below the pipeline; the lint front (settings, fixes, the
registry) sits above it with the other presenters.  No import runs upward: an exception would be named in
EXCEPTIONS, and named and justified in docs/architecture.md too.
"""
from __future__ import annotations

from test_import_graph import import_graph

LAYERS = [
    "core",          # records every stage shares; the one catalogue; positions
    "nodeadm",       # facts about nodeadm and the kubelet: releases, feature gates, Kubernetes names
    "parse",
    "encode",        # Go's writers; encode/yaml reuses parse/yaml's scalar rules
    "validate",
    "merge",
    "context",
    "render",
    "linter.rules",  # the rule families: findings on what the stages above made
    "pipeline",
    "userdata",      # compose and migrate run the pipeline
    "linter",        # the lint front: settings, fixes, registry, engine
    "output",
    "api",
    "nodecfg",       # the library's lazy names (nodecfg/__init__.py)
    "lsp",
    "cli",
    "__main__",
]

# (importing module, imported module): why it may run upward; docs/architecture.md names each one
EXCEPTIONS: dict[tuple[str, str], str] = {}

def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "nodecfg"
    if parts[1] == "_version":
        return "core"
    if parts[1] == "linter" and len(parts) > 2 and parts[2] == "rules":
        return "linter.rules"
    return parts[1]


def upward_imports() -> set[tuple[str, str]]:
    graph = import_graph(lazy=True)
    found = set()
    for importer, imported in ((a, b) for a, targets in graph.items() for b in targets):
        low, high = layer_of(importer), layer_of(imported)
        if low != high and LAYERS.index(high) > LAYERS.index(low):
            found.add((importer, imported))
    return found


def test_every_package_has_a_layer():
    assert {layer_of(module) for module in import_graph(lazy=False)} <= set(LAYERS)


def test_imports_run_down_the_layers_lazy_imports_included():
    assert upward_imports() - EXCEPTIONS.keys() == set()


def test_every_exception_is_still_needed_and_documented():
    from pathlib import Path

    architecture = (Path(__file__).resolve().parent.parent / "docs" / "architecture.md").read_text()
    assert set(EXCEPTIONS) <= upward_imports()
    for importer, imported in EXCEPTIONS:
        assert imported.replace("nodecfg.", "").replace(".", "/") + ".py" in architecture
