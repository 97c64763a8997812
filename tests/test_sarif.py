"""SARIF for code scanning, JUnit, GitLab code quality, and the check output options (ruff's meanings).

The SARIF 2.1.0 schema is not vendored: the schema test reads the official file from a checkout
of oasis-tcs/sarif-spec named by NODECFG_SARIF_SPEC (its git directory or work tree) or from
NODECFG_SARIF_SCHEMA (the JSON file), and is skipped without either (CI clones the spec).
"""
from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nodecfg.core.diagnostics import Diagnostic, Severity, Span
from nodecfg.output import formats

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = "sarif-2.1/schema/sarif-schema-2.1.0.json"
NODECONFIG = """apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  kubelet:
    confg: {}
"""


def official_schema() -> dict:
    named = os.environ.get("NODECFG_SARIF_SCHEMA")
    if named:
        return json.loads(Path(named).read_text())
    spec = os.environ.get("NODECFG_SARIF_SPEC")
    if not spec:
        pytest.skip("set NODECFG_SARIF_SPEC to a checkout of oasis-tcs/sarif-spec (or NODECFG_SARIF_SCHEMA)")
    if (Path(spec) / SCHEMA_PATH).is_file():
        return json.loads((Path(spec) / SCHEMA_PATH).read_text())
    shown = subprocess.run(["git", f"--git-dir={spec}", "show", f"HEAD:{SCHEMA_PATH}"], capture_output=True,
                           text=True, check=True)
    return json.loads(shown.stdout)


def nodecfg(*argv: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = str(ROOT)
    if argv and argv[0] == "check":  # a fragment: Karpenter supplies the cluster fields
        argv = ("check", "--mode", "karpenter", *argv[1:])
    return subprocess.run([sys.executable, "-m", "nodecfg", *argv], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git work tree with a NodeConfig that has one NC201 (line 5, col 5) in a subdirectory."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "nodes").mkdir()
    (tmp_path / "nodes" / "nodeconfig.yaml").write_text(NODECONFIG)
    return tmp_path


def sarif_of(repo: Path, *argv: str, cwd: Path | None = None) -> dict:
    done = nodecfg("check", "--format", "sarif", *argv, cwd=cwd or repo)
    assert done.returncode == 1, done.stderr
    return json.loads(done.stdout)


def only_result(log: dict) -> dict:
    results = log["runs"][0]["results"]
    assert len(results) == 1, results
    return results[0]


def test_sarif_uris_are_relative_to_the_git_root_from_a_subdirectory(repo):
    log = sarif_of(repo, "nodeconfig.yaml", cwd=repo / "nodes")
    run = log["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
    location = only_result(log)["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "nodes/nodeconfig.yaml", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 5, "startColumn": 5, "endLine": 5, "endColumn": 10}


def test_sarif_root_option_and_paths_outside_it(repo, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "node config.yaml"
    outside.write_text(NODECONFIG)
    log = sarif_of(repo, str(outside), "--sarif-root", str(repo / "nodes"))
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (repo / "nodes").resolve().as_uri() + "/"
    artifact = only_result(log)["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": outside.resolve().as_uri()} and artifact["uri"].endswith("/node%20config.yaml")


def test_sarif_rules_carry_the_rule_pages_and_versioned_help(repo):
    from nodecfg import __version__

    driver = sarif_of(repo, "nodes/nodeconfig.yaml")["runs"][0]["tool"]["driver"]
    rule = next(rule for rule in driver["rules"] if rule["id"] == "NC201")
    page = (ROOT / "nodecfg" / "linter" / "docs" / "NC201.md").read_text()
    assert rule["help"]["markdown"] == page
    assert rule["fullDescription"]["text"].startswith("A NodeConfig field is not part of the")
    assert rule["helpUri"] == f"https://github.com/nodecfg/nodecfg/blob/v{__version__}/docs/rules/NC201.md"
    assert driver["version"] == __version__
    assert all("help" in rule and "fullDescription" in rule for rule in driver["rules"])


def test_fingerprints_survive_unrelated_edits(repo):
    target = repo / "nodes" / "nodeconfig.yaml"
    before = only_result(sarif_of(repo, "nodes/nodeconfig.yaml"))
    target.write_text("# a comment added above\n" + NODECONFIG + "    flags: [--v=2]\n")
    after = only_result(sarif_of(repo, "nodes/nodeconfig.yaml"))
    assert after["locations"][0]["physicalLocation"]["region"]["startLine"] == 6
    assert before["partialFingerprints"] == after["partialFingerprints"]
    target.write_text(NODECONFIG.replace("confg: {}", "confgg: {}"))
    changed = only_result(sarif_of(repo, "nodes/nodeconfig.yaml"))
    assert changed["partialFingerprints"] != before["partialFingerprints"]


def test_equal_findings_on_equal_lines_get_distinct_fingerprints():
    twice = [Diagnostic("NC201", Severity.ERROR, Span("a.yaml", line, 5), "unknown") for line in (3, 9)]
    texts = {"a.yaml": "\n\nx: 1\n\n\n\n\n\nx: 1\n"}
    log = json.loads(formats.format_sarif(twice, "0.1.0", root=".", texts=texts))
    prints = [r["partialFingerprints"]["nodecfgFinding/v1"] for r in log["runs"][0]["results"]]
    assert len(set(prints)) == 2


def test_base64_file_points_at_the_encoded_line_and_names_the_layers(repo):
    encoded = base64.b64encode(gzip.compress(NODECONFIG.encode(), mtime=0)).decode()
    (repo / "user-data.b64").write_text(encoded + "\n")
    result = only_result(sarif_of(repo, "user-data.b64"))
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 1}
    assert result["message"]["text"].startswith(
        "[base64+gzip: line 5, column 5 of the text decoded from base64, then gzip] unknown field 'confg'")
    assert result["properties"] == {"part": "base64+gzip", "decodedRegion": {"startLine": 5, "startColumn": 5}}
    github = nodecfg("check", "--format", "github", "user-data.b64", cwd=repo)
    assert github.stdout.startswith("::error file=user-data.b64,line=1,col=1,title=NC201::[base64+gzip: line 5")


def test_sarif_validates_against_the_official_schema(repo):
    import jsonschema

    schema = official_schema()
    (repo / "user-data.b64").write_text(base64.b64encode(NODECONFIG.encode()).decode())
    log = sarif_of(repo, "nodes/nodeconfig.yaml", "user-data.b64", "--each")
    jsonschema.Draft4Validator(schema).validate(log)
    empty = json.loads(formats.format_sarif([], "0.1.0", root=repo))
    jsonschema.Draft4Validator(schema).validate(empty)


def test_junit_has_a_suite_per_file_and_a_failure_per_finding(repo):
    (repo / "clean.yaml").write_text(NODECONFIG.replace("    confg: {}\n", "    config: {}\n"))
    done = nodecfg("check", "--format", "junit", "--each", "nodes/nodeconfig.yaml", "clean.yaml", cwd=repo)
    assert done.returncode == 1
    suites = ET.fromstring(done.stdout)
    assert (suites.tag, suites.get("failures")) == ("testsuites", "1")
    by_name = {suite.get("name"): suite for suite in suites}
    assert set(by_name) == {"nodes/nodeconfig.yaml", "clean.yaml"}
    failure = by_name["nodes/nodeconfig.yaml"].find("testcase/failure")
    assert failure.get("type") == "NC201" and "unknown field 'confg'" in failure.get("message")
    assert by_name["nodes/nodeconfig.yaml"].find("testcase").get("line") == "5"
    assert by_name["clean.yaml"].find("testcase/failure") is None


def test_gitlab_code_quality(repo):
    done = nodecfg("check", "--format", "gitlab", "nodeconfig.yaml", cwd=repo / "nodes")
    [issue] = json.loads(done.stdout)
    assert issue["check_name"] == "NC201" and issue["severity"] == "major"
    assert issue["location"] == {"path": "nodes/nodeconfig.yaml", "lines": {"begin": 5}}
    assert len(issue["fingerprint"]) == 32 and issue["description"].startswith("NC201 unknown field 'confg'")


# --- output options -------------------------------------------------------------------------

def test_exit_zero_quiet_and_output_file(repo):
    done = nodecfg("check", "--exit-zero", "-q", "--output-file", "out.txt", "nodes/nodeconfig.yaml", cwd=repo)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (repo / "out.txt").read_text().startswith("nodes/nodeconfig.yaml:5:5: NC201 error unknown field")
    missing = nodecfg("check", "--exit-zero", "nope.yaml", cwd=repo)
    assert missing.returncode == 2  # --exit-zero covers findings, not usage errors
    unwritable = nodecfg("check", "-o", str(repo / "no" / "such" / "dir" / "x"), "nodes/nodeconfig.yaml", cwd=repo)
    assert unwritable.returncode == 2 and "cannot write" in unwritable.stderr


def test_concise_statistics_and_list_rules_json(repo):
    concise = nodecfg("check", "--format", "concise", "nodes/nodeconfig.yaml", cwd=repo)
    assert concise.stdout == "nodes/nodeconfig.yaml:5:5: NC201 [error] unknown field 'confg' in spec.kubelet; " \
                             "nodeadm silently drops it\n"
    stats = nodecfg("check", "--statistics", "nodes/nodeconfig.yaml", cwd=repo)
    assert (stats.returncode, stats.stdout) == (1, "1\tNC201\tunknown-field\n")
    rules = json.loads(nodecfg("check", "--list-rules", "--format", "json", cwd=repo).stdout)
    nc201 = next(rule for rule in rules if rule["code"] == "NC201")
    assert nc201 == {"code": "NC201", "name": "unknown-field", "severity": "error", "stage": "schema",
                     "blocking": False, "summary": nc201["summary"], "retired": False} and nc201["summary"]
    assert next(rule for rule in rules if rule["code"] == "NC402")["retired"] is True


def test_colour_follows_the_flag_and_no_color(repo):
    always = nodecfg("check", "--color", "always", "--format", "concise", "nodes/nodeconfig.yaml", cwd=repo)
    assert always.stdout.startswith("\x1b[1mnodes/nodeconfig.yaml:5:5\x1b[0m: \x1b[31;1mNC201\x1b[0m ")
    forced = nodecfg("check", "nodes/nodeconfig.yaml", cwd=repo, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in forced.stdout  # NO_COLOR wins over FORCE_COLOR
    piped = nodecfg("check", "nodes/nodeconfig.yaml", cwd=repo, env={"NO_COLOR": ""})
    assert "\x1b[" not in piped.stdout  # a pipe is not a TTY
    from nodecfg.output.terminal import wants_colour

    class Tty:
        def isatty(self):
            return True

    os.environ.pop("NO_COLOR", None)
    assert wants_colour("auto", Tty()) is (not os.environ.get("NO_COLOR"))
    assert wants_colour("never", Tty()) is False
