"""The package's imports run one way: no module imports, even lazily, a module that imports it back.

The one exception is by design: a file that holds user data (an EC2NodeClass,
a CloudFormation template) is read by parse/containers/, whose user data
parse/embedded.py loads again through parse/source.py (and moves the spans back).
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "nodecfg"
ALLOWED_CYCLES = [{"nodecfg.parse.embedded", "nodecfg.parse.source"}]


def module_names() -> dict[str, Path]:
    names = {}
    for path in PACKAGE.rglob("*.py"):
        dotted = ".".join(("nodecfg", *path.relative_to(PACKAGE).with_suffix("").parts))
        names[dotted.removesuffix(".__init__")] = path
    return names


def import_graph(lazy: bool) -> dict[str, set[str]]:
    modules = module_names()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        for node in (ast.walk(tree) if lazy else tree.body):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nodecfg"):
                graph[name] |= {f"{node.module}.{alias.name}" for alias in node.names} & modules.keys()
                graph[name] |= {node.module} & modules.keys()
            elif isinstance(node, ast.Import):
                graph[name] |= {alias.name for alias in node.names} & modules.keys()
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(component)
    return found


def test_no_import_cycle_at_module_level():
    assert cycles(import_graph(lazy=False)) == []


def test_no_import_cycle_through_lazy_imports_but_the_container_recursion():
    assert cycles(import_graph(lazy=True)) == ALLOWED_CYCLES


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]


def test_the_cel_evaluator_imports_nothing_of_maxpods():
    assert "nodecfg.context.maxpods" not in import_graph(lazy=True)["nodecfg.context.cel"]
