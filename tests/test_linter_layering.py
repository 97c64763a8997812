"""The linter is below the command line: nothing in nodecfg.linter imports nodecfg.cli, lazily or not.

``check --fix``'s option handling and printing live in cli/commands/_fix.py; the
linter's fix.py only applies the fixes findings carry and returns the result.
"""
from __future__ import annotations

from test_import_graph import import_graph


def test_the_linter_imports_nothing_of_the_cli():
    graph = import_graph(lazy=True)
    offending = {module: sorted(target for target in targets if target.startswith("nodecfg.cli"))
                 for module, targets in graph.items() if module.startswith("nodecfg.linter")}
    assert {module: targets for module, targets in offending.items() if targets} == {}
    assert "nodecfg.linter.fix" in graph  # the walk saw the linter


def test_the_walk_counts_a_lazy_import():
    graph = import_graph(lazy=True)
    assert "nodecfg.cli.commands._fix" in graph["nodecfg.cli.commands.check"]  # imported inside run()
