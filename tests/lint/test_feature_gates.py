"""The feature-gate table: its generator (on a small git repository written here), its reader, and the rules."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lint_helpers import nodeconfig
from nodecfg.nodeadm.feature_gates import PACKAGED_TABLE, GateSpec, kubelet_minor, load_table, parse_table
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


def test_the_three_constant_forms():
    text = textwrap.dedent('''\
        package features
        const (
            Typed featuregate.Feature = "Typed"
            Converted = featuregate.Feature("Converted")
            Untyped = "Untyped"
        )
        var defaultVersionedKubernetesFeatureGates = map[featuregate.Feature]featuregate.VersionedSpecs{
            Typed: {{Version: version.MustParse("1.30"), Default: true, PreRelease: featuregate.Beta}},
            Converted: {{Version: version.MustParse("1.32"), Default: true, PreRelease: featuregate.Beta}},
            Untyped: {{Version: version.MustParse("1.35"), Default: false, PreRelease: featuregate.Deprecated}},
        }
        ''')
    assert sorted(gen_feature_gates.gates_at({KUBE: text}, 35)) == ["Converted", "Typed", "Untyped"]


CONTROLLER_MANAGER = "staging/src/k8s.io/controller-manager/pkg/features/kube_features.go"


def _snapshots(root: Path) -> Path:
    import json

    kcm = textwrap.dedent('''\
        package features
        const (
            Webhook featuregate.Feature = "Webhook"
            NotReListed featuregate.Feature = "NotReListed"
        )
        var cloudPublicFeatureGates = map[featuregate.Feature]featuregate.FeatureSpec{
            Webhook: {Default: false, PreRelease: featuregate.Alpha},
            NotReListed: {Default: false, PreRelease: featuregate.Alpha},
        }
        ''')
    shared = "    genericfeatures.Shared: {Default: true, PreRelease: featuregate.Beta},\n"
    kube = UNVERSIONED.replace(shared, shared + "    kcmfeatures.Webhook: {Default: false, PreRelease: featuregate.Alpha},\n")
    assert kube != UNVERSIONED
    releases = []
    for minor, files, origin in [(28, {KUBE: kube, APISERVER: GENERIC, CONTROLLER_MANAGER: kcm}, {"commit": "a" * 40}),
                                 (33, {KUBE: VERSIONED}, {"index_id": "12345"})]:
        entries = []
        for path, text in files.items():
            (root / f"1.{minor}" / path).parent.mkdir(parents=True, exist_ok=True)
            (root / f"1.{minor}" / path).write_text(text)
            entries.append({"path": path, "repository": "example/copy", "file": f"vendor/{path}", **origin})
        releases.append({"minor": minor, "release": f"v1.{minor}.2", "dir": f"1.{minor}", "files": entries})
    (root / "manifest.json").write_text(json.dumps({"releases": releases}))
    return root


def test_snapshot_directory_mode(tmp_path):
    text = gen_feature_gates.build_table(gen_feature_gates.snapshot_releases(str(_snapshots(tmp_path))), "copies")
    table = parse_table(text)
    assert table.minors == (28, 33)
    assert table.sources == (("v1.28.2", f"example/copy@{'a' * 40}:vendor/{KUBE}"),
                             ("v1.33.2", f"example/copy index id 12345:vendor/{KUBE}"))
    assert f"# file\tv1.28.2\t{CONTROLLER_MANAGER}\texample/copy@{'a' * 40}:vendor/{CONTROLLER_MANAGER}" in text
    # a gate pkg/features re-lists from controller-manager is registered; the others are not
    assert table.lookup("Webhook", 28) == GateSpec("Alpha", False, False) and not table.known("NotReListed")
    assert table.lookup("CloudCreds", 33) == GateSpec("GA", True, True) and not table.known("Renamed")
    assert table.lookup("OldGate", 28) and table.lookup("OldGate", 33) is None


def test_snapshot_mode_check(tmp_path):
    snapshots, out = str(_snapshots(tmp_path / "snapshots")), tmp_path / "gates.tsv"
    assert gen_feature_gates.main(["--snapshots", snapshots, "-o", str(out)]) == 0
    assert gen_feature_gates.main(["--snapshots", snapshots, "-o", str(out), "--check"]) == 0
    out.write_text(out.read_text().replace("Alpha", "Beta", 1))
    assert gen_feature_gates.main(["--snapshots", snapshots, "-o", str(out), "--check"]) == 1


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


# --- the packaged table ---------------------------------------------------------------------
# Every expected value below was read by hand in the release's own files (pkg/features and the
# staging packages at that release), not taken from the table.


@pytest.mark.parametrize("gate, minor, expected", [
    ("DisableKubeletCloudCredentialProviders", 27, ("Alpha", False, False)),
    ("DisableKubeletCloudCredentialProviders", 29, ("Beta", True, False)),
    ("DisableKubeletCloudCredentialProviders", 31, ("GA", True, True)),
    ("DisableKubeletCloudCredentialProviders", 32, ("GA", True, True)),   # versioned: the 1.31 spec
    ("DisableKubeletCloudCredentialProviders", 33, None),                 # removed in 1.33
    ("DisableKubeletCloudCredentialProviders", 35, None),
    ("KubeletTracing", 33, ("Beta", True, False)),
    ("KubeletTracing", 34, ("GA", True, True)),
    ("InPlacePodVerticalScaling", 33, ("Beta", True, False)),
    ("SystemdWatchdog", 31, None),                                        # X = featuregate.Feature("X")
    ("SystemdWatchdog", 32, ("Beta", True, False)),
    ("ChangeContainerStatusOnKubeletRestart", 34, None),                  # untyped X = "X" in the const block
    ("ChangeContainerStatusOnKubeletRestart", 35, ("Deprecated", False, False)),
    ("ComponentSLIs", 27, ("Beta", True, False)),                         # component-base metrics
    ("ComponentSLIs", 32, ("GA", True, True)),
    ("ComponentSLIs", 35, None),
    ("InformerResourceVersion", 30, ("Alpha", False, False)),             # client-go, through the adapter
    ("InformerResourceVersion", 35, ("GA", True, False)),
    ("LoggingBetaOptions", 35, ("Beta", True, False)),                    # component-base logs
    ("CloudControllerManagerWebhook", 27, ("Alpha", False, False)),       # re-listed in pkg/features
    ("AllAlpha", 27, ("Alpha", False, False)),
    ("AllBeta", 35, ("Beta", False, False)),
    ("MemoryManager", 35, ("GA", True, True)),
    ("MemoryManager", 36, None),                                          # removed in 1.36
    ("WatchFromStorageWithoutResourceVersion", 35, ("Deprecated", False, True)),  # apiserver, re-listed
    ("WatchFromStorageWithoutResourceVersion", 36, None),
    ("ReloadKubeletClientCAFile", 35, None),                              # added in 1.36
    ("ReloadKubeletClientCAFile", 36, ("Beta", True, False)),
    ("PLEGOnDemandRelist", 36, ("Beta", True, False)),
    ("KubeletTracing", 36, ("GA", True, True)),
    ("InPlacePodVerticalScaling", 36, ("GA", True, True)),
])
def test_packaged_table_pins(gate, minor, expected):
    table = load_table()
    spec = table.lookup(gate, minor)
    assert (spec and (spec.stage, spec.default, spec.locked)) == expected


def test_packaged_table_covers_the_releases_it_names():
    table = load_table()
    assert table.minors == tuple(range(27, 37))
    assert [tag for tag, _ in table.sources] == ([f"v1.{m}.0" for m in range(27, 34)] + ["v1.34.1", "v1.35.4"]
                                                 + ["v1.36.0"])
    text = Path(PACKAGED_TABLE).read_text()
    for line in text.splitlines():
        if line.startswith("# file\t"):
            _, _tag, _path, origin = line.split("\t")
            repository, _, rest = origin.partition("@")
            assert "/" in repository and len(rest.partition(":")[0]) == 40, line


def test_packaged_table_is_what_the_snapshots_give():
    """Opt-in: NODECFG_GATE_SNAPSHOTS names the snapshot directory the table was generated from."""
    import os

    directory = os.environ.get("NODECFG_GATE_SNAPSHOTS")
    if not directory:
        pytest.skip("NODECFG_GATE_SNAPSHOTS is not set")
    assert gen_feature_gates.main(["--snapshots", directory, "--check"]) == 0


def packaged_findings(body: str, version: str) -> set[tuple[str, int, int, str]]:
    return gate_findings(body, version=version)


def test_a_removed_gate_in_the_config_with_the_packaged_table():
    body = CONFIG.format(gates="DisableKubeletCloudCredentialProviders: true")
    assert packaged_findings(body, "v1.33.4") == {("NC422", 13, 9, "error")}
    assert packaged_findings(body, "v1.32.9") == set()   # still there, GA and locked to true


def test_a_removed_gate_in_the_flag_with_the_packaged_table():
    body = "kubelet:\n  flags:\n    - --feature-gates=DisableKubeletCloudCredentialProviders=true\n"
    # the item's '-' is at column 7, '--feature-gates=' at 9, its value at 9 + 16
    assert packaged_findings(body, "v1.34.0") == {("NC422", 12, 25, "error")}


def test_a_locked_gate_with_the_packaged_table():
    assert packaged_findings(CONFIG.format(gates="DisableKubeletCloudCredentialProviders: true"), "v1.31.2") == set()
    assert packaged_findings(CONFIG.format(gates="DisableKubeletCloudCredentialProviders: false"),
                             "v1.31.2") == {("NC423", 13, 9, "error")}
    assert packaged_findings(CONFIG.format(gates="KubeletTracing: false"), "v1.35.0") == {("NC423", 13, 9, "error")}


def test_unknown_and_current_gates_with_the_packaged_table():
    assert packaged_findings(CONFIG.format(gates="KubeletMadeUpGate: true"), "v1.34.0") == {("NC421", 13, 9, "error")}
    assert packaged_findings(CONFIG.format(gates="InPlacePodVerticalScaling: true"), "v1.33.0") == set()
    # first known in 1.32: unknown to a 1.31 kubelet
    assert packaged_findings(CONFIG.format(gates="SystemdWatchdog: true"), "v1.31.0") == {("NC421", 13, 9, "error")}
    # first known in 1.36
    assert packaged_findings(CONFIG.format(gates="ReloadKubeletClientCAFile: false"), "v1.35.2") == {
        ("NC421", 13, 9, "error")}
    assert packaged_findings(CONFIG.format(gates="ReloadKubeletClientCAFile: false"), "v1.36.0") == set()


def test_a_gate_removed_in_1_36_with_the_packaged_table():
    body = CONFIG.format(gates="MemoryManager: true")
    assert packaged_findings(body, "v1.35.1") == set()   # GA and locked to true
    assert packaged_findings(body, "v1.36.0") == {("NC422", 13, 9, "error")}


def test_kubelet_versions_outside_the_packaged_table_are_not_checked():
    for version in ("v1.26.15", "v1.37.0"):
        assert packaged_findings(CONFIG.format(gates="KubeletMadeUpGate: true"), version) == set()


def test_a_kubelet_gate_in_nodeadms_feature_gates_gets_a_hint(monkeypatch):
    import nodecfg.nodeadm.feature_gates as gates
    from lint_helpers import diagnostics

    monkeypatch.setattr(gates, "load_table", lambda: parse_table(TABLE))
    found = [d for d in diagnostics(nodeconfig("featureGates:\n  CloudCreds: true\n")) if d.code == "NC203"]
    assert [(d.span.line, d.span.col) for d in found] == [(11, 5)]  # line 10 is "featureGates:"
    assert "spec.kubelet.config.featureGates" in found[0].hint


def test_the_table_is_read_only_when_a_gate_is_set(monkeypatch):
    import nodecfg.linter.rules.feature_gates as rule

    def unexpected():
        raise AssertionError("the table was read")

    monkeypatch.setattr(rule, "load_table", unexpected)
    assert gate_findings("kubelet:\n  config:\n    maxPods: 20\n  flags:\n    - --v=2\n") == set()


# --- the table read one gate at a time answers as the whole table read line by line -------------

def _read_every_line(text: str):
    """The straightforward reading: every line split, every row parsed (what GateTable did before)."""
    gates, sources = {}, []
    for line in text.splitlines():
        fields = line.split("\t")
        if line.startswith("# source\t") and len(fields) == 3:
            sources.append((fields[1], fields[2]))
        if not line or line.startswith("#") or len(fields) != 5:
            continue
        name, version, stage, default, locked = fields
        gates.setdefault(name, {})[int(version.split(".")[1])] = GateSpec(stage, default == "true", locked == "true")
    minors = tuple(sorted({kubelet_minor(tag) for tag, _ in sources} - {None}))
    return gates, minors, tuple(sources)


def _odd_names(gates) -> list[str]:
    """Names a lookup might confuse with a row: prefixes, suffixes, separators, comments."""
    some = sorted(gates)[::50]
    return (["", "#", "# source", "# file", "Foo", "1.30", "Beta", "true", "\t", "\n", "a\tb"]
            + [name[:-1] for name in some] + [name + "X" for name in some] + ["X" + name for name in some]
            + [f"{name}\t1.30" for name in some] + [name.lower() for name in some] + [f"\n{name}" for name in some])


def _assert_same_answers(table, text: str) -> None:
    gates, minors, sources = _read_every_line(text)
    assert (table.minors, table.sources) == (minors, sources)
    every_minor = sorted({minor for versions in gates.values() for minor in versions} | set(minors)) + [0, 99]
    for name, versions in gates.items():
        assert table.known(name) and table.versions(name) == versions, name
        assert [table.lookup(name, minor) for minor in every_minor] == [versions.get(m) for m in every_minor], name
    for name in _odd_names(gates):
        assert table.known(name) == (name in gates) and table.versions(name) == gates.get(name, {}), repr(name)
    assert table.gates == gates
    assert all(table.covers(minor) == (minor in minors) for minor in every_minor + [None])


def test_every_gate_and_minor_of_the_packaged_table():
    text = Path(PACKAGED_TABLE).read_text()
    _assert_same_answers(parse_table(text), text)
    _assert_same_answers(load_table(), text)
    assert len(_read_every_line(text)[0]) > 300  # the real table: 356 gates in 1,900 rows


def test_every_gate_of_an_unusual_table():
    """Rows out of order, a later row winning, malformed and comment rows, other line breaks."""
    text = ("# source\tv1.30.0\taaa\r\n# source\tbroken\r\nB\t1.30\tBeta\ttrue\tfalse\r\nA\t1.30\tGA\ttrue\ttrue\n"
            "B\t1.31\tAlpha\tfalse\tfalse\x0bB\t1.30\tGA\ttrue\ttrue\x1c# B\t1.32\tGA\ttrue\ttrue\n"
            "C\t1.30\tBeta\nC\t1.30\tBeta\ttrue\tfalse\textra\n\t1.31\tAlpha\tfalse\tfalse\n# source\tv1.31.2\tbbb\u2028"
            "D\t1.30\tBeta\ttrue\tfalse\u2029E\t1.31\tBeta\ttrue\tfalse")
    gates = _read_every_line(text)[0]
    assert gates["B"] == {30: GateSpec("GA", True, True), 31: GateSpec("Alpha", False, False)}
    assert "" in gates and "C" not in gates and {"D", "E"} <= set(gates)
    _assert_same_answers(parse_table(text), text)
    assert not any(parse_table(text).known(name) for name in ("# B", "#", "\nB", "B\n", "B\t1.30", "C"))
    ascii_only = text.replace("\u2028", "\n").replace("\u2029", "\n")
    _assert_same_answers(parse_table(ascii_only), ascii_only)
