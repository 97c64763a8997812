"""The engine around the rules: disable comments, [tool.nodecfg], output formats, exit codes."""
from __future__ import annotations

import json

import pytest

from lint_helpers import diagnostics, findings, nodeconfig
from nodecfg.cli.main import main
from nodecfg.core.diagnostics import Diagnostic, Severity, Span
from nodecfg.output import formats
from nodecfg.linter.config import ConfigError, Settings, load_settings, settings_from_table

DUPLICATE_V = nodeconfig("kubelet:\n  flags:\n    - --v=2\n    - --v=4\n")  # NC414 at 13:9


# --- disable comments ----------------------------------------------------------

def test_disable_on_the_line_of_the_finding():
    text = DUPLICATE_V.replace("- --v=4", "- --v=4  # nodecfg: disable=NC414")
    assert findings(text, codes=("NC414",)) == set()


def test_disable_on_the_line_before():
    text = nodeconfig("kubelet:\n  flags:\n    - --v=2\n    # nodecfg: disable=NC410,NC414\n    - --v=4\n")
    assert findings(text, codes=("NC414",)) == set()


def test_disable_two_lines_above_does_not_reach():
    text = nodeconfig("kubelet:\n  flags:\n    # nodecfg: disable=NC414\n    - --v=2\n    - --v=4\n")
    assert findings(text, codes=("NC414",)) == {("NC414", 14, 9)}


def test_disable_of_another_code_keeps_the_finding():
    text = DUPLICATE_V.replace("- --v=4", "- --v=4  # nodecfg: disable=NC415")
    assert findings(text, codes=("NC414",)) == {("NC414", 13, 9)}


def test_disable_file_anywhere():
    text = "# nodecfg: disable-file=NC414\n" + DUPLICATE_V
    assert findings(text, codes=("NC414",)) == set()


# --- [tool.nodecfg] -----------------------------------------------------------------

def test_select_ignore_and_severity():
    settings = settings_from_table({"select": ["NC4"], "ignore": ["NC415"], "severity": {"NC414": "error"}}, "t")
    found = diagnostics(nodeconfig("kubelet:\n  flags:\n    - --v=2\n    - --v=4\n    - --max-pods=3\n"
                                   "  config: {foo: 1}\n"), settings=settings)
    assert [(d.code, str(d.severity)) for d in found] == [("NC414", "error")]


@pytest.mark.parametrize("table", [{"unknown": 1}, {"select": "NC1"}, {"ignore": ["X1"]},
                                   {"severity": {"NC101": "fatal"}}, {"strict": "yes"}, []])
def test_bad_configuration_is_refused(table):
    with pytest.raises(ConfigError):
        settings_from_table(table, "pyproject.toml")


def test_pyproject_is_found_walking_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC306"]\nstrict = true\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    settings = load_settings(nested)
    assert settings.ignore == ("NC306",) and settings.strict


def test_settings_travel_to_worker_processes(tmp_path):
    """A generator may hand its settings to a process pool: they pickle, default or loaded."""
    import pickle

    (tmp_path / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC306"]\nseverity = {NC416 = "warning"}\n')
    for settings in (Settings(), load_settings(tmp_path)):
        assert pickle.loads(pickle.dumps(settings)) == settings


def test_an_edited_pyproject_is_read_again_by_a_long_lived_process(tmp_path):
    """Discovered settings are kept while the file is unchanged (a generator compiles many trees)."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.nodecfg]\nignore = ["NC306"]\n')
    assert load_settings(tmp_path).ignore == ("NC306",)
    assert load_settings(tmp_path) is load_settings(tmp_path)  # read once
    pyproject.write_text('[tool.nodecfg]\nignore = ["NC306", "NC303"]\n')
    assert load_settings(tmp_path).ignore == ("NC306", "NC303")
    pyproject.write_text('[tool.nodecfg]\nignore = "NC306"\n')
    for _ in range(2):  # a broken table stays an error, every time it is asked for
        with pytest.raises(ConfigError, match="ignore must be a list"):
            load_settings(tmp_path)
    pyproject.unlink()
    assert load_settings(tmp_path).ignore == ()


def test_a_pyproject_without_the_table_is_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_settings(tmp_path) == Settings() or load_settings(tmp_path).ignore == ()


# --- formats -------------------------------------------------------------------------

PART = Diagnostic("NC110", Severity.WARNING, Span("ud/userdata.mime#part=2", 14, 1), "no shebang", "add #!")


def test_sarif_locations_rules_and_levels():
    log = json.loads(formats.format_sarif([PART], "0.1.0", root="."))
    run = log["runs"][0]
    assert log["version"] == "2.1.0"
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert "NC110" in rule_ids and "NC404" in rule_ids
    rule = run["tool"]["driver"]["rules"][rule_ids.index("NC110")]
    assert rule["helpUri"] == "https://github.com/nodecfg/nodecfg/blob/v0.1.0/docs/rules/NC110.md"
    assert rule["shortDescription"]["text"] and rule["name"] == "shell-part-without-shebang"
    result = run["results"][0]
    assert result["level"] == "warning" and result["ruleIndex"] == rule_ids.index("NC110")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "ud/userdata.mime"
    assert location["region"] == {"startLine": 14, "startColumn": 1}
    assert result["properties"] == {"part": "part=2"} and "part=2" in result["message"]["text"]


def test_sarif_regions_are_at_least_one():
    io_error = Diagnostic("NC140", Severity.ERROR, Span("missing.yaml", 0, 0), "cannot read")
    region = json.loads(formats.format_sarif([io_error], "0"))["runs"][0]["results"][0]["locations"][0][
        "physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 1}


def test_github_workflow_command_escapes():
    diagnostic = Diagnostic("NC414", Severity.ERROR, Span("a,b.yaml", 3, 5), "100% wrong\nreally")
    assert formats.format_github([diagnostic]) == \
        "::error file=a%2Cb.yaml,line=3,col=5,title=NC414::100%25 wrong%0Areally"


def test_json_names_file_and_part():
    entry = json.loads(formats.format_json([PART]))[0]
    assert (entry["file"], entry["part"], entry["code"], entry["line"]) == ("ud/userdata.mime", "part=2", "NC110", 14)


# --- the command ------------------------------------------------------------------------

def write(tmp_path, text, name="nodeconfig.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_exit_codes(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    clean = write(tmp_path, nodeconfig("kubelet:\n  flags: [--v=2]\n"), "clean.yaml")
    warning = write(tmp_path, DUPLICATE_V, "warning.yaml")
    error = write(tmp_path, nodeconfig("kubelet:\n  flags: [node-ip]\n"), "error.yaml")
    assert main(["check", clean]) == 0
    assert main(["check", warning]) == 0
    assert main(["check", "--strict", warning]) == 1
    assert main(["check", error]) == 1
    assert main(["check", str(tmp_path / "missing.yaml")]) == 2
    assert main(["check"]) == 2
    assert main(["check", "--format", "xml", clean]) == 2


def test_text_output_has_excerpt_caret_and_hint(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, DUPLICATE_V)
    main(["check", path])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}:13:9: NC414 warning ")
    assert out[1] == "  13 |       - --v=4" and out[2] == "     |         ^"
    assert out[3].startswith("  hint: ")


def test_strict_from_pyproject(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.nodecfg]\nstrict = true\n")
    assert main(["check", write(tmp_path, DUPLICATE_V)]) == 1


def test_broken_pyproject_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.nodecfg]\nselect = 'NC1'\n")
    assert main(["check", write(tmp_path, DUPLICATE_V)]) == 2
    assert "select" in capsys.readouterr().err


def test_list_rules_prints_the_catalogue(capsys):
    assert main(["check", "--list-rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("NC414  warning") for line in lines)
    assert len(lines) > 70


def test_sarif_and_github_from_the_command(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, DUPLICATE_V)
    assert main(["check", "--format", "sarif", path]) == 0
    log = json.loads(capsys.readouterr().out)
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] \
        == "nodeconfig.yaml"
    main(["check", "--format", "github", path])
    assert capsys.readouterr().out.startswith("::warning file=nodeconfig.yaml,line=13,col=9,title=NC414::")


def test_containerd_findings_of_the_render_stage(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = nodeconfig("containerd:\n  config: |\n    [plugins.\"io.containerd.cri.v1.images\"]\n"
                      "    discard_unpacked_layers = true\n")
    found = findings(text, codes=("NC502",), instance=_instance({"containerdVersion": "1.7.27"}))
    assert found == {("NC502", 12, 17)}  # the v3 plugin name in the table header


def _instance(values):
    from nodecfg.context.instance import instance_from_mapping

    return instance_from_mapping(values)


def test_each_lints_sources_apart(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    first = write(tmp_path, nodeconfig("kubelet:\n  flags: [--v=2]\n"), "a.yaml")
    second = write(tmp_path, nodeconfig("kubelet:\n  flags: [--v=4]\n"), "b.yaml")
    assert main(["check", "--strict", "--merge", first, second]) == 1  # merged: --v twice (NC414)
    capsys.readouterr()
    assert main(["check", "--strict", first, second]) == 0  # each file is its own node (the default)
    assert main(["check", "--strict", "--each", first, second]) == 0  # --each: the default, said out loud


def test_each_in_forked_workers_reports_what_one_process_does(tmp_path, monkeypatch, capsys):
    """Past the parallel threshold the files are shared with forked workers; the report must not change."""
    from nodecfg.cli.commands import check

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NODECFG_NO_CACHE", "1")
    sources = []
    for number in range(check.PARALLEL_THRESHOLD + 5):
        flags = "[--v=2, --v=3]" if number % 3 == 0 else "[--v=2]"  # every third file: NC414 at its own line
        labels = "\n    - --node-labels=kubernetes.io/role=x" if number % 4 == 1 else ""  # NC416
        body = nodeconfig(f"kubelet:\n  flags: {flags}\n") if not labels else \
            nodeconfig(f"kubelet:\n  flags:\n    - --v=2{labels}\n")
        sources.append(write(tmp_path, body, f"n{number:02d}.yaml"))
    code = main(["check", "--each", "--format", "json", *sources])
    pooled = capsys.readouterr().out
    monkeypatch.setattr(check, "PARALLEL_THRESHOLD", 10 ** 6)
    assert main(["check", "--each", "--format", "json", *sources]) == code == 1
    alone = capsys.readouterr().out
    assert pooled == alone
    found = json.loads(alone)
    expected = {f"n{n:02d}.yaml" for n in range(len(sources)) if n % 3 == 0 or n % 4 == 1}
    assert {d["uri"].rsplit("/", 1)[-1] for d in found} == expected
    assert {d["code"] for d in found} >= {"NC414", "NC416"}


# --- the rules' registry -------------------------------------------------------

def test_a_rule_family_is_run_because_its_module_exists(tmp_path, monkeypatch):
    """Adding a family is adding its module to nodecfg/linter/rules/: no list names it (issue 20)."""
    import sys

    from nodecfg.linter import rules
    from nodecfg.linter.engine import lint

    (tmp_path / "zz_probe.py").write_text(
        "from nodecfg.core.codes import NC701\nfrom nodecfg.core.diagnostics import Span\n\n\n"
        "def check(analysis, context):\n    return [NC701.at(Span(analysis.documents[0].uri, 2, 1), 'probe')]\n")
    (tmp_path / "zz_helper.py").write_text("def helper():\n    return 1\n")  # no check(): not a family
    monkeypatch.setattr(rules, "__path__", [*rules.__path__, str(tmp_path)])
    monkeypatch.setattr(rules, "_families", None)
    try:
        names = [family.__name__.rsplit(".", 1)[1] for family in rules.families()]
        assert names == sorted(names) and names[-1] == "zz_probe" and "zz_helper" not in names
        assert "common" not in names and {"kubelet_flags", "mode", "containerd"} <= set(names)
        found = [(d.code, d.span.line, d.message) for d in lint([DUPLICATE_V.encode()]).diagnostics]
        assert ("NC701", 2, "probe") in found
    finally:
        for name in ("zz_probe", "zz_helper"):
            sys.modules.pop(f"nodecfg.linter.rules.{name}", None)
