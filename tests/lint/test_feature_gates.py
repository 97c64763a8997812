"""The feature-gate table: its generator (on a small git repository written here), its reader, and the rules."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lint_helpers import nodeconfig
from nodecfg.context.feature_gates import PACKAGED_TABLE, kubelet_minor, load_table, parse_table
from nodecfg.context.instance import instance_from_mapping

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import gen_feature_gates  # noqa: E402

# Go sources in the two shapes kube_features.go has had, written for this test.
UNVERSIONED = textwrap.dedent('''\
    package features
    const (
        // owner: @someone
        // a comment with a "quote" and a map[featuregate.Feature]featuregate.FeatureSpec{ in it
        OldGate featuregate.Feature = "OldGate"
        CloudCreds featuregate.Feature = "CloudCreds"
        Mature featuregate.Feature = "Mature"
    )
    var defaultKubernetesFeatureGates = map[featuregate.Feature]featuregate.FeatureSpec{
        OldGate: {Default: false, PreRelease: featuregate.Alpha},
        CloudCreds: {Default: true, PreRelease: featuregate.Beta}, // on by default
        Mature: {Default: true, PreRelease: featuregate.GA, LockToDefault: true}, // remove in 1.29
        genericfeatures.Shared: {Default: true, PreRelease: featuregate.Beta},
    }
    ''')
VERSIONED = textwrap.dedent('''\
    package features
    const (
        CloudCreds featuregate.Feature = "CloudCreds"
        Fresh featuregate.Feature = "Fresh"
    )
    var defaultVersionedKubernetesFeatureGates = map[featuregate.Feature]featuregate.VersionedSpecs{
        CloudCreds: {
            {Version: version.MustParse("1.23"), Default: false, PreRelease: featuregate.Alpha},
            {Version: version.MustParse("1.29"), Default: true, PreRelease: featuregate.Beta},
            {Version: version.MustParse("1.31"), Default: true, PreRelease: featuregate.GA, LockToDefault: true},
        },
        Fresh: {
            {Version: version.MustParse("1.31"), Default: false, PreRelease: featuregate.Alpha},
            {Version: version.MustParse("1.40"), Default: true, PreRelease: featuregate.Beta},
        },
        genericfeatures.Shared: {
            {Version: version.MustParse("1.20"), Default: true, PreRelease: featuregate.Beta},
        },
    }
    ''')
GENERIC = textwrap.dedent('''\
    package features
    const (
        Shared featuregate.Feature = "Shared"
        OnlyGeneric featuregate.Feature = "OnlyGeneric"
    )
    var defaultKubernetesFeatureGates = map[featuregate.Feature]featuregate.FeatureSpec{
        Shared: {Default: true, PreRelease: featuregate.Beta},
        OnlyGeneric: {Default: false, PreRelease: featuregate.Alpha},
    }
    ''')
FEATUREGATE = textwrap.dedent('''\
    package featuregate
    const (
        allAlphaGate Feature = "AllAlpha"
    )
    var defaultFeatures = map[Feature]VersionedSpecs{
        allAlphaGate: {{Default: false, PreRelease: Alpha, Version: version.MajorMinor(0, 0)}},
    }
    ''')
KUBE = "pkg/features/kube_features.go"
APISERVER = "staging/src/k8s.io/apiserver/pkg/features/kube_features.go"
GATE_FILE = "staging/src/k8s.io/component-base/featuregate/feature_gate.go"


def _commit(repo: Path, files: dict[str, str], tag: str) -> None:
    for path in list(repo.glob("**/*.go")):
        path.unlink()
    for path, text in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    run = lambda *args: subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)  # noqa: E731
    run("add", "-A")
    run("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", tag)
    run("tag", tag)


@pytest.fixture(scope="module")
def kubernetes_git(tmp_path_factory) -> str:
    repo = tmp_path_factory.mktemp("kubernetes")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    _commit(repo, {KUBE: UNVERSIONED, APISERVER: GENERIC}, "v1.28.0")
    _commit(repo, {KUBE: VERSIONED, APISERVER: GENERIC, GATE_FILE: FEATUREGATE}, "v1.31.0")
    _commit(repo, {KUBE: VERSIONED.replace("CloudCreds", "Renamed")}, "v1.33.0")
    return str(repo / ".git")


def test_generated_table(kubernetes_git):
    text = gen_feature_gates.build_table(gen_feature_gates.git_releases(kubernetes_git), "kubernetes/kubernetes")
    table = parse_table(text)
    assert table.minors == (28, 31, 33)
    assert [tag for tag, _ in table.sources] == ["v1.28.0", "v1.31.0", "v1.33.0"]
    assert all(len(commit) == 40 for _, commit in table.sources)
    rows = {(name, minor): (spec.stage, spec.default, spec.locked)
            for name, versions in table.gates.items() for minor, spec in versions.items()}
    assert rows == {
        ("OldGate", 28): ("Alpha", False, False),
        ("CloudCreds", 28): ("Beta", True, False),
        ("Mature", 28): ("GA", True, True),
        ("Shared", 28): ("Beta", True, False),
        ("OnlyGeneric", 28): ("Alpha", False, False),
        ("CloudCreds", 31): ("GA", True, True),       # the last versioned spec not after 1.31
        ("Fresh", 31): ("Alpha", False, False),       # the 1.40 spec does not apply yet
        ("Shared", 31): ("Beta", True, False),
        ("OnlyGeneric", 31): ("Alpha", False, False),
        ("AllAlpha", 31): ("Alpha", False, False),
        ("Renamed", 33): ("GA", True, True),
        ("Fresh", 33): ("Alpha", False, False),
    }
    assert "# source\tv1.31.0\t" in text


def test_comments_do_not_open_maps():
    assert gen_feature_gates.parse_specs("// map[featuregate.Feature]featuregate.FeatureSpec{ X: {}}") == []


def test_check_mode_reports_a_stale_table(kubernetes_git, tmp_path):
    out = tmp_path / "gates.tsv"
    assert gen_feature_gates.main([kubernetes_git, "-o", str(out)]) == 0
    assert gen_feature_gates.main([kubernetes_git, "-o", str(out), "--check"]) == 0
    out.write_text(out.read_text() + "Extra\t1.31\tAlpha\tfalse\tfalse\n")
    assert gen_feature_gates.main([kubernetes_git, "-o", str(out), "--check"]) == 1


def test_kubelet_minor():
    assert (kubelet_minor("v1.33.2"), kubelet_minor("1.30"), kubelet_minor("v2.0.0")) == (33, 30, None)


# --- the rules, on a table of this test's own -------------------------------------------------

TABLE = """\
# source\tv1.32.0\t0000000000000000000000000000000000000032
# source\tv1.33.0\t0000000000000000000000000000000000000033
CloudCreds\t1.32\tGA\ttrue\ttrue
Fresh\t1.33\tAlpha\tfalse\tfalse
Steady\t1.32\tBeta\ttrue\tfalse
Steady\t1.33\tBeta\ttrue\tfalse
"""


@pytest.fixture
def gate_table(monkeypatch):
    import nodecfg.linter.rules.feature_gates as rule

    monkeypatch.setattr(rule, "load_table", lambda: parse_table(TABLE))


def gate_findings(body: str, version: str = "v1.33.1", **options) -> set[tuple[str, int, int, str]]:
    from lint_helpers import diagnostics

    found = diagnostics(nodeconfig(body), instance=instance_from_mapping({"kubeletVersion": version}), **options)
    return {(d.code, d.span.line, d.span.col, str(d.severity)) for d in found if d.code.startswith("NC42")}


CONFIG = "kubelet:\n  config:\n    featureGates:\n      {gates}\n"


def test_removed_gate_in_the_config(gate_table):
    # line 13 is the featureGates entry; its key starts at column 9
    assert gate_findings(CONFIG.format(gates="CloudCreds: true")) == {("NC422", 13, 9, "error")}


def test_the_same_gate_on_the_release_that_has_it(gate_table):
    assert gate_findings(CONFIG.format(gates="CloudCreds: true"), version="v1.32.4") == set()


def test_locked_gate_set_to_the_other_value(gate_table):
    assert gate_findings(CONFIG.format(gates="CloudCreds: false"), version="v1.32.0") == {("NC423", 13, 9, "error")}


def test_unknown_and_not_yet_known_gates(gate_table):
    assert gate_findings(CONFIG.format(gates="Typo: true"), version="v1.32.0") == {("NC421", 13, 9, "error")}
    assert gate_findings(CONFIG.format(gates="Fresh: true"), version="v1.32.0") == {("NC421", 13, 9, "error")}


def test_a_version_outside_the_table_is_not_checked(gate_table):
    assert gate_findings(CONFIG.format(gates="Typo: true"), version="v1.26.0") == set()


def test_feature_gates_flag_entries_at_their_columns(gate_table):
    body = "kubelet:\n  flags:\n    - '--feature-gates=\"Steady=true,CloudCreds=true, Typo=false,Steady=maybe,Bare\"'\n"
    # the item starts at column 9, the value after '--feature-gates="' at column 27; entries at
    # offsets 0, 12, 29 (after the blank), 40 and 53 of the value
    assert gate_findings(body) == {("NC422", 12, 27 + 12, "error"), ("NC421", 12, 27 + 29, "error"),
                                   ("NC424", 12, 27 + 40, "error"), ("NC424", 12, 27 + 53, "error")}


def test_a_blank_in_an_unquoted_feature_gates_value_splits_it(gate_table):
    from lint_helpers import findings

    body = nodeconfig("kubelet:\n  flags:\n    - --feature-gates=Steady=true, Fresh=true\n")
    assert findings(body, codes=("NC410",)) == {("NC410", 12, 9 + 29)}


def test_go_bool_spellings_are_accepted(gate_table):
    assert gate_findings("kubelet:\n  flags:\n    - --feature-gates=Steady=T,Fresh=0\n") == set()


# --- the packaged table, when it is there ------------------------------------------------------

packaged = pytest.mark.skipif(not PACKAGED_TABLE.exists(), reason="nodecfg/context/data/kubelet_feature_gates.tsv is not "
                              "generated yet (scripts/gen_feature_gates.py needs a kubernetes git directory)")


@packaged
@pytest.mark.parametrize("gate, minor, expected", [
    ("DisableKubeletCloudCredentialProviders", 29, ("Beta", True, False)),
    ("DisableKubeletCloudCredentialProviders", 31, ("GA", True, True)),
    ("DisableKubeletCloudCredentialProviders", 33, None),
])
def test_packaged_table_pins(gate, minor, expected):
    table = load_table()
    spec = table.lookup(gate, minor)
    assert (spec and (spec.stage, spec.default, spec.locked)) == expected


def test_a_kubelet_gate_in_nodeadms_feature_gates_gets_a_hint(monkeypatch):
    import nodecfg.context.feature_gates as gates
    from lint_helpers import diagnostics

    monkeypatch.setattr(gates, "load_table", lambda: parse_table(TABLE))
    found = [d for d in diagnostics(nodeconfig("featureGates:\n  CloudCreds: true\n")) if d.code == "NC203"]
    assert [(d.span.line, d.span.col) for d in found] == [(11, 5)]  # line 10 is "featureGates:"
    assert "spec.kubelet.config.featureGates" in found[0].hint
