"""The generated reference pages (rules index, CLI reference) are current and complete; the site has a nav."""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "gen_reference_docs.py"


def test_generated_pages_are_current():
    done = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_check_mode_reports_a_stale_page(tmp_path):
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import gen_reference_docs as generator
    finally:
        sys.path.remove(str(SCRIPT.parent))
    stale = tmp_path / "cli.md"
    stale.write_text("# old\n")
    original = dict(generator.PAGES)
    generator.PAGES = {stale: original[generator.CLI_PAGE]}
    try:
        assert generator.stale() == [stale]
        stale.write_text(original[generator.CLI_PAGE]())
        assert generator.stale() == []
    finally:
        generator.PAGES = original


def test_rules_index_lists_every_code_with_its_page_under_its_stage():
    from nodecfg.core.codes import CATALOGUE

    text = (ROOT / "docs" / "rules" / "index.md").read_text()
    rows = {}
    for section in text.split("\n## ")[1:]:
        title, body = section.split("\n", 1)
        stage = body.split("Stage `", 1)[1].split("`", 1)[0]
        for row in (line for line in body.splitlines() if line.startswith("| [NC")):
            code = row.split("]")[0][3:]
            assert code not in rows
            rows[code] = row
            assert CATALOGUE[code].stage == stage, (title, code)
    assert sorted(rows) == sorted(CATALOGUE)
    assert text.index("\n## Parsing\n") < text.index("\n## Schema\n") < text.index("\n## Migration from AL2\n")
    assert rows["NC201"].startswith("| [NC201](NC201.md) | `unknown-field` | error |  | safe | ")
    assert "| error | yes |" in rows["NC090"]
    fixable = {code: row.split(" | ")[4] for code, row in rows.items()}  # the fixable column
    assert fixable["NC201"] == "safe" and fixable["NC415"] == "unsafe" and fixable["NC090"] == ""
    assert {code for code, fix in fixable.items() if fix} == {code for code, entry in CATALOGUE.items() if entry.fix}
    for code in CATALOGUE:
        assert (ROOT / "docs" / "rules" / f"{code}.md").is_file(), code


def test_cli_reference_names_every_command_and_option():
    from nodecfg.cli.main import build_parser
    from nodecfg.cli.commands import COMMANDS

    text = (ROOT / "docs" / "cli.md").read_text()
    assert "| 3 | internal error" in text and "| 141 |" in text
    for name in COMMANDS:
        section = text.split(f"\n## nodecfg {name}\n", 1)[1].split("\n## nodecfg ", 1)[0]
        parser = build_parser(name)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
        for action in sub._actions:
            for option in action.option_strings:
                if action.help != argparse.SUPPRESS and option not in ("-h", "--help"):
                    assert f"`{option}`" in section, (name, option)


def test_site_nav_is_in_reading_order():
    config = YAML(typ="safe").load((ROOT / "mkdocs.yml").read_text())
    sections = [next(iter(entry)) for entry in config["nav"]]
    assert sections == ["Getting started", "Guide", "Configuration", "Rules", "Library", "Reference", "Internals"]
    assert config["nav"][0]["Getting started"][0] == {"Home": "index.md"}
    listed = set()

    def collect(node):
        if isinstance(node, str):
            listed.add(node)
        elif isinstance(node, list):
            for item in node:
                collect(item)
        elif isinstance(node, dict):
            for value in node.values():
                collect(value)

    collect(config["nav"])
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert pages - listed == set()  # every page, each rule page among them, is in the nav
    assert "not_in_nav" not in config


def test_rules_are_grouped_by_stage_in_the_nav():
    from nodecfg.core.codes import CATALOGUE

    config = YAML(typ="safe").load((ROOT / "mkdocs.yml").read_text())
    (rules,) = [entry["Rules"] for entry in config["nav"] if "Rules" in entry]
    assert rules[0] == {"All rules": "rules/index.md"}
    groups = [next(iter(group.items())) for group in rules[1:]]
    assert [title for title, _ in groups][:4] == ["Settings", "Instance context", "Parsing", "Schema"]
    assert groups[-1][0] == "Migration from AL2"
    seen = []
    for title, pages in groups:
        for page in pages:
            ((label, target),) = page.items()
            code = target.removeprefix("rules/").removesuffix(".md")
            assert label == f"{code} {CATALOGUE[code].name}"
            seen.append((title, CATALOGUE[code].stage))
    assert sorted(code for _, pages in groups for page in pages for code in
                  [next(iter(page.values()))[6:11]]) == sorted(CATALOGUE)
    assert ("Parsing", "parse") in seen and ("Cluster semantics", "semantics") in seen
    assert all(len({stage for t, stage in seen if t == title}) == 1 for title, _ in groups)


def test_landing_page_shows_a_real_finding():
    """The example on docs/index.md: a complete NodeConfig, and what nodecfg check prints for it."""
    text = (ROOT / "docs" / "index.md").read_text()
    ((match, example),) = _generator().examples(text)
    assert example.command == "nodecfg check nodeconfig.yaml"
    assert example.files["nodeconfig.yaml"].startswith(b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n")
    output, code = _generator().run_example(example)
    assert code == 1 and _generator().reported_codes(output) == ["NC201"]
    assert match.group("output") == output  # what the page shows is what nodecfg prints
    assert "nodeconfig.yaml:12:5: NC201 error unknown field 'flag' in spec.kubelet" in output
    ((_, in_readme),) = _generator().examples((ROOT / "README.md").read_text())
    assert in_readme == example  # the README shows the same input and command (and, being current, output)


def test_cli_reference_has_a_run_example_per_command():
    from nodecfg.cli.commands import COMMANDS

    generator = _generator()
    text = (ROOT / "docs" / "cli.md").read_text()
    assert set(generator.CLI_EXAMPLES) | set(generator.CLI_NOT_RUN) == set(COMMANDS)
    for name in COMMANDS:
        section = text.split(f"\n## nodecfg {name}\n", 1)[1].split("\n## nodecfg ", 1)[0]
        if name in generator.CLI_NOT_RUN:
            assert generator.CLI_NOT_RUN[name] in section
            continue
        assert f"$ nodecfg {name} " in section and "Exit code " in section, name
    check = text.split("\n## nodecfg check\n", 1)[1].split("\n## nodecfg ", 1)[0]
    assert "nodeconfig.yaml:12:5: NC201 error unknown field 'flag' in spec.kubelet" in check and "Exit code 1." in check
    assert "$ nodecfg max-pods --instance-type m5.large\n" in text


def test_a_pipe_in_a_code_span_is_not_escaped():
    """Python-Markdown does not split table cells inside code spans: a \\| there would show literally."""
    assert "\\|" not in (ROOT / "docs" / "cli.md").read_text()


def _generator():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import gen_reference_docs
    finally:
        sys.path.remove(str(SCRIPT.parent))
    return gen_reference_docs


def test_examples_run_alone_whatever_settings_are_above_the_temporary_directory(tmp_path, monkeypatch):
    """A [tool.nodecfg] above the temporary directory (say in a home directory holding /tmp) does not
    change what a page shows: each example runs in a repository of its own."""
    import tempfile

    (tmp_path / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC201"]\n')
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    generator = _generator()
    ((_, example),) = generator.examples((ROOT / "docs" / "index.md").read_text())
    output, code = generator.run_example(example)
    assert code == 1 and generator.reported_codes(output) == ["NC201"]


def test_fix_page_lists_the_fixable_codes_from_the_catalogue(monkeypatch):
    """A fixable rule is its catalogue entry and its page: docs/fix.md's table is generated (issue 20)."""
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import gen_reference_docs as generator
    finally:
        sys.path.remove(str(SCRIPT.parent))
    from nodecfg.core import codes

    text = (ROOT / "docs" / "fix.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| [NC")]
    fixable = {code: entry for code, entry in codes.CATALOGUE.items() if entry.fix}
    assert [row.split("]")[0][3:] for row in rows] == sorted(fixable)
    assert "| [NC415](rules/NC415.md) | unsafe | moves the flag into kubelet.config" in text
    new = codes.Code("NC999", "made-up", codes.WARNING, "lint", "a made-up rule", fix="safe",
                     fix_does="does | something")
    monkeypatch.setitem(codes.CATALOGUE, "NC999", new)
    assert "| [NC999](rules/NC999.md) | safe | does \\| something |\n" in generator.fix_page()
