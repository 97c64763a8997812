"""[tool.nodecfg] settings under hostile input (issue 22, class 15, and the settings parts of classes 7 and 14).

Discovery stops at the repository root, `check --show-settings` names the file used, a deeply nested or
oversized pyproject.toml is a clear error, and per-file-ignores cost one match per pattern per file.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from nodecfg.core.diagnostics import Diagnostic, Severity, Span
from nodecfg.linter.config import (MAX_TOML_DEPTH, ConfigError, Settings, _toml_depth, find_settings_file,
                                   load_settings, settings_from_table)

ROOT = Path(__file__).resolve().parent.parent
IGNORING = '[tool.nodecfg]\nignore = ["NC306"]\n'


def nodecfg(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = dict(os.environ, PYTHONPATH=str(ROOT), NODECFG_NO_CACHE="1")
    return subprocess.run([sys.executable, "-m", "nodecfg", *args], capture_output=True, text=True, cwd=cwd,
                          env=environment, timeout=120)


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A repository two directories below a planted pyproject.toml."""
    (tmp_path / "pyproject.toml").write_text(IGNORING)
    repo = tmp_path / "ci" / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "configs").mkdir()
    return repo


def test_a_pyproject_above_the_repository_root_is_never_read(checkout):
    assert find_settings_file(checkout / "configs") is None
    assert load_settings(checkout / "configs") == Settings()


def test_git_as_a_file_marks_the_root_too(checkout):
    (checkout / ".git").rmdir()
    (checkout / ".git").write_text("gitdir: /elsewhere/worktrees/repo\n")  # a git worktree
    assert find_settings_file(checkout / "configs") is None


def test_a_pyproject_inside_the_repository_is_found_from_below(checkout):
    (checkout / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC303"]\n')
    assert find_settings_file(checkout / "configs") == checkout / "pyproject.toml"
    assert load_settings(checkout / "configs").ignore == ("NC303",)


def test_show_settings_names_the_file_used(checkout):
    done = nodecfg("check", "--show-settings", cwd=checkout / "configs")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:3] == ["settings file: none (nodecfg's defaults)", "select: everything",
                                            "ignore: nothing"]
    (checkout / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC303"]\n')
    done = nodecfg("check", "--show-settings", cwd=checkout / "configs")
    assert done.stdout.splitlines()[:3] == [f"settings file: {checkout / 'pyproject.toml'}", "select: everything",
                                            "ignore: NC303"]


def test_a_thousand_deep_pyproject_is_a_clear_error(checkout):
    (checkout / "pyproject.toml").write_text("[tool.nodecfg]\nx = " + "[" * 1000 + "]" * 1000 + "\n")
    with pytest.raises(ConfigError, match="nest 1000 levels deep"):
        load_settings(checkout)
    (checkout / "configs" / "node.yaml").write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n")
    done = nodecfg("check", "configs", cwd=checkout)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "pyproject.toml: arrays or inline tables nest 1000 levels deep" in done.stderr


def test_deep_inline_tables_count_too():
    assert _toml_depth("a = " + "{b = " * 500 + "1" + "}" * 500) == 500


@pytest.mark.parametrize("text", ['x = "' + "[" * 500 + '"', "x = '" + "{" * 500 + "'",
                                  'x = """\n' + "[" * 500 + '\n"""', "# " + "[" * 500, 'x = "\\"[[[["'])
def test_brackets_in_strings_and_comments_do_not_count(text):
    assert _toml_depth("[tool.nodecfg]\n" + text + "\n") <= 1 < MAX_TOML_DEPTH


def test_a_huge_integer_in_pyproject_is_a_clear_error(checkout):
    (checkout / "pyproject.toml").write_text("[tool.nodecfg]\nx = " + "9" * 5000 + "\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(checkout)


def test_a_fifo_named_pyproject_is_not_waited_for(checkout):
    os.mkfifo(checkout / "pyproject.toml")
    done = nodecfg("check", "--show-settings", cwd=checkout)
    assert done.returncode == 0 and "settings file: none" in done.stdout
    with pytest.raises(ConfigError, match="not a regular file"):
        load_settings(config=checkout / "pyproject.toml")


def test_five_thousand_per_file_ignores_are_matched_once_per_file_not_per_finding(tmp_path):
    # 90 s before (every pattern re-made the path relative for every finding); now one pass per file
    table = {"per-file-ignores": {f"generated/{number}/*.yaml": ["NC201"] for number in range(5000)}}
    table["per-file-ignores"]["configs/*.yaml"] = ["NC306"]
    settings = settings_from_table(table, str(tmp_path / "pyproject.toml"))
    uri = str(tmp_path / "configs" / "node.yaml")
    findings = [Diagnostic(code, Severity.ERROR, Span(uri, line, 1), "m", "")
                for line in range(1, 2001) for code in ("NC306", "NC303")]
    before = resource.getrusage(resource.RUSAGE_SELF)
    kept = settings.apply(findings)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert [d.code for d in kept] == ["NC303"] * 2000  # the last pattern applies, the others do not
    assert cpu < 2.0, f"{cpu:.2f} s of CPU"


def test_the_language_server_reports_a_deep_pyproject_and_lints_with_the_defaults(checkout):
    from nodecfg.lsp.document import lint_document

    (checkout / "pyproject.toml").write_text("[tool.nodecfg]\nx = " + "{a = " * 1000 + "1" + "}" * 1000 + "\n")
    linted = lint_document("apiVersion: node.eks.aws/v1alpha\nkind: NodeConfig\n", str(checkout / "n.yaml"))
    assert "nest 1000 levels deep" in linted.settings_problem
    assert "NC204" in {finding.code for finding in linted.findings}


def test_a_source_below_a_symbolic_link_loop_is_unreadable_not_an_internal_error(tmp_path):
    """The settings are searched from the source's directory; one inside a loop of links cannot be
    resolved, so the search starts where it is written and the loader reports the file (NC140)."""
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    done = nodecfg("check", "loop/x.yaml", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "loop/x.yaml:0:0: NC140 error cannot read loop/x.yaml: Too many levels of symbolic links" in done.stdout
    assert "internal error" not in done.stderr
    assert find_settings_file(tmp_path / "loop") is None
