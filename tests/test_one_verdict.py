"""One verdict: every entry point says the same about the same input.

For every golden input, every regression-corpus and hostile input, and
generated NodeConfigs: ``check`` fails <=> ``build`` refuses (except where the
tree cannot be built from the sources alone: then build reports NC150 and
check passes) <=> ``compile().ok`` is False <=> ``compose_userdata`` raises,
with the same codes, also under settings that ignore or re-level codes.
"""
from __future__ import annotations

import contextlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

import nodecfg
from nodecfg.cli.main import main
from nodecfg.linter.config import Settings, settings_from_table
from nodecfg.parse.yaml import parse_yaml_documents
from nodecfg.pipeline import Request, Verdict, run
from nodecfg.userdata.compose import UserDataError

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "golden"
CORPUS = ROOT / "tests" / "corpus"

IGNORING = settings_from_table({"ignore": ["NC2", "NC303", "NC414"], "severity": {"NC142": "error"}}, "<test>")
STRICT = settings_from_table({"strict": True}, "<test>")


def _golden_inputs() -> list[tuple[str, list[str], str]]:
    found = []
    for case_dir in sorted(p for p in GOLDEN.iterdir() if (p / "case.yaml").exists()):
        documents, _ = parse_yaml_documents((case_dir / "case.yaml").read_text(), "case.yaml")
        case = documents[0].data
        found.append((case_dir.name, [str(case_dir / s) for s in case["sources"]], case.get("mode", "self-managed")))
    return found


def _corpus_inputs() -> list[tuple[str, list[str], str]]:
    return [(p.name, [str(p)], "self-managed") for p in sorted(CORPUS.iterdir()) if p.is_file()]


INPUTS = _golden_inputs() + _corpus_inputs()


def cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


def codes_in(text: str) -> set[str]:
    import re

    return set(re.findall(r": (NC\d{3}) (?:error|warning|info) ", text))


def assert_one_verdict(sources: list[str], mode: str, tmp_path: Path, settings: Settings | None = None,
                       options: tuple[str, ...] = ()) -> Verdict:
    result = run(Request(sources, mode, settings=settings))
    library = nodecfg.compile(sources, mode=mode, settings=settings or Settings())
    linted = nodecfg.lint(sources, mode=mode, settings=settings or Settings())
    # several sources are one node to build/render/explain; check merges them only when told (--merge)
    check_code, check_out = cli("check", "--merge", "--mode", mode, *options, *sources)
    out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}.tar"
    build_code, build_out = cli("build", "--mode", mode, *options, *sources, "-o", str(out))
    render_code, _ = cli("render", "--mode", mode, *options, *sources)
    explain_code, _ = cli("explain", "--mode", mode, *options, *sources)

    if result.usage_error:
        assert check_code == build_code == render_code == explain_code == 2
        return result.verdict
    failing = result.verdict is Verdict.HAS_ERRORS
    assert (check_code == 1) == failing == (not library.ok) == (render_code == 1)
    assert library.verdict is result.verdict
    assert {d.code for d in linted} == {d.code for d in result.diagnostics} - {"NC150"}
    assert {d.code for d in library.diagnostics} - {"NC150"} == {d.code for d in linted} - {"NC150"}
    assert codes_in(check_out) == {d.code for d in linted}
    if result.verdict is Verdict.OK:
        assert build_code == 0 and out.exists() and explain_code == 0 and library.files
    else:
        assert build_code == 1 and not out.exists() and explain_code == 1
        if result.verdict is Verdict.CANNOT_RENDER:
            assert "NC150" in codes_in(build_out) and check_code == 0 and not library.files
    assert codes_in(build_out) - {"NC150"} == codes_in(check_out) - {"NC150"}
    return result.verdict


def assert_userdata_agrees(source: str, mode: str, settings: Settings | None = None,
                           options: tuple[str, ...] = ()) -> None:
    """compose_userdata raises exactly when `nodecfg userdata` refuses, and when `check` of its result fails."""
    data = Path(source).read_bytes() if os.path.isfile(source) else None
    if data is None:
        return
    out = Path(tempfile.mkdtemp()) / "userdata.mime"
    command_code, command_out = cli("userdata", "--mode", mode, *options, "--merge-into", source, "-o", str(out))
    try:
        composed = nodecfg.compose_userdata([], merge_into=data, mode=mode, settings=settings or Settings())
    except UserDataError as error:
        composed_codes = {d.code for d in error.diagnostics}
        assert composed_codes, "refused without a finding"
        assert command_code in (1, 2) and not out.exists(), (source, command_out)
        assert composed_codes <= codes_in(command_out) | {"NC150"}, (composed_codes, command_out)
        return
    assert command_code == 0 and out.read_bytes() == composed, (source, command_out)
    verdict = run(Request([composed], mode, settings=settings)).verdict
    assert verdict is not Verdict.HAS_ERRORS, source


@pytest.mark.parametrize("name,sources,mode", INPUTS, ids=[i[0] for i in INPUTS])
def test_every_entry_point_agrees(name, sources, mode, tmp_path):
    assert_one_verdict(sources, mode, tmp_path)


@pytest.mark.parametrize("name,sources,mode", INPUTS, ids=[i[0] for i in INPUTS])
def test_every_entry_point_agrees_under_settings(name, sources, mode, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.nodecfg]\nignore = ["NC2", "NC303", "NC414"]\n[tool.nodecfg.severity]\nNC142 = "error"\n')
    assert_one_verdict(sources, mode, tmp_path, IGNORING)
    assert_one_verdict(sources, mode, tmp_path, STRICT, options=("--config", str(_strict_file(tmp_path))))


def _strict_file(tmp_path: Path) -> Path:
    path = tmp_path / "strict.toml"
    path.write_text("strict = true\n")
    return path


@pytest.mark.parametrize("name,sources,mode", [i for i in INPUTS if len(i[1]) == 1], ids=lambda v: str(v)[:40])
def test_compose_userdata_agrees_with_check(name, sources, mode, tmp_path):
    assert_userdata_agrees(sources[0], mode)
    ignoring = tmp_path / "ignoring.toml"
    ignoring.write_text('ignore = ["NC2", "NC303", "NC414"]\n[severity]\nNC142 = "error"\n')
    assert_userdata_agrees(sources[0], mode, IGNORING, options=("--config", str(ignoring)))


def test_the_corpus_of_inputs_is_not_empty():
    assert len(_golden_inputs()) >= 20 and len(_corpus_inputs()) >= 8


CLUSTER = """apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
spec:
  cluster:
    name: demo
    apiServerEndpoint: https://example.eks.amazonaws.com
    certificateAuthority: {ca}
    cidr: 10.100.0.0/16
"""

FLAGS = st.lists(st.sampled_from([
    "--v=2", "--node-labels=team=a", "--node-labels=node-role.kubernetes.io/worker=true",
    "--v=2\nEVIL=1", "--register-with-taints=a=b:NoSchedule", "--max-pods=20", "bad flag",
]), max_size=3)


@hypothesis_settings(max_examples=40, deadline=None)
@given(flags=FLAGS, ca=st.sampled_from(["Zm9v", "@@notbase64", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="]),
       extra=st.sampled_from(["", "  kubelet:\n    maxPodsExpression: 'max_pods / 0'\n",
                              "  kubelet:\n    config:\n      maxPods: 20\n", "  unknownField: 1\n"]))
def test_generated_configs_get_one_verdict(tmp_path_factory, flags, ca, extra):
    import json

    text = CLUSTER.format(ca=ca) + extra
    if flags:
        if "  kubelet:\n" not in text:
            text += "  kubelet:\n"
        text += "    flags: " + json.dumps(flags) + "\n"
    directory = tmp_path_factory.mktemp("generated")
    path = directory / "node.yaml"
    path.write_text(text)
    assert_one_verdict([str(path)], "self-managed", directory)
    assert_userdata_agrees(str(path), "self-managed")
