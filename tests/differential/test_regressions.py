"""Cases the differential suite found, kept as tests that need no nodeadm.

Each failure-parity case pairs nodeadm's error (as the real nodeadm printed
it for such a config) with the finding nodecfg reports for the same config.
The comparator's own rules are tested here too, since the suite's verdict
rests on them.
"""
from __future__ import annotations

import pytest

import nodecfg.api
from nodecfg.core.diagnostics import Severity
from nodecfg.core.codes import is_blocking

from .oracle import compare_trees
from .reasons import REASONS, expected_codes
from .strategies import CA, mime

INSTANCE = {"instanceType": "m5.large", "kubeletVersion": "v1.33.0", "containerdVersion": "1.7.27",
            "vcpus": 2, "memoryMiB": 8192}


def document(cluster=None, spec=None, kind="NodeConfig", api_version="node.eks.aws/v1alpha1") -> str:
    values = {"name": "c", "apiServerEndpoint": "https://example.com", "certificateAuthority": CA,
              "cidr": "10.100.0.0/16"}
    values.update(cluster or {})
    lines = [f"apiVersion: {api_version}", f"kind: {kind}", "spec:", "  cluster:"]
    lines += [f"    {key}: {value}" for key, value in values.items() if value is not None]
    lines += [f"  {line}" for line in (spec or [])]
    return "\n".join(lines) + "\n"


# (nodeadm's message for the config, the config, nodecfg's code)
FAILURES = [
    ('Command failed {"error": "CIDR is missing in cluster configuration"}',
     document({"cidr": None}), "NC301"),
    ('Command failed {"error": "Name is missing in cluster configuration"}',
     document({"name": None}), "NC301"),
    ('Command failed {"error": "cluster ID must be provided for outposts"}',
     document({"enableOutpost": "true"}), "NC307"),
    ('Command failed {"error": "config provider at index 0 failed: failed to decode node config, no kind '
     '\\"NodeConfiguration\\" is registered for version \\"node.eks.aws/v1alpha1\\" in scheme '
     '\\"nodeadm/internal/api/bridge/decode.go:20\\""}',
     document(kind="NodeConfiguration"), "NC204"),
    ('Command failed {"error": "config provider at index 0 failed: failed to decode node config, json: cannot '
     'unmarshal string into Go struct field KubeletOptions.spec.kubelet.flags of type []string"}',
     document(spec=["kubelet:", "  flags: --v=2"]), "NC202"),
    ('Command failed {"error": "config provider at index 0 failed: failed to decode node config, json: cannot '
     'unmarshal object into Go struct field ContainerdOptions.spec.containerd.config of type string"}',
     document(spec=["containerd:", "  config:", "    version: 2"]), "NC202"),
    ('Command failed {"error": "not-a-cidr is not a valid IP Address. error: invalid CIDR address: not-a-cidr"}',
     document({"cidr": "not-a-cidr"}), "NC305"),
    ('Command failed {"error": "config provider at index 0 failed: failed to decode node config, yaml: line 9: '
     'did not find expected \',\' or \']\'"}',
     document(spec=["key: [unclosed"]), "NC120"),
    ("error containerd/config.go:137 Invalid containerd config passed, containerd 1.* doesn't support "
     "containerd configuration V3 properties",
     document(spec=["containerd:", "  config: |", "    [plugins.'io.containerd.cri.v1.images']",
                    "    discard_unpacked_layers = false"]), "NC502"),
    ('Command failed {"error": "toml: expected \']\' to close table name"}',
     document(spec=["containerd:", "  config: |", "    [grpc", "    address = 1"]), "NC501"),
]
MIME_FAILURES = [
    ('Command failed {"error": "config provider at index 0 failed: unexpected EOF"}', "no-close", "NC106"),
    ('Command failed {"error": "config provider at index 0 failed: multipart: NextPart: EOF"}', "boundary", "NC105"),
]


def _errors(source) -> set[str]:
    result = nodecfg.api.compile([source], instance=INSTANCE)
    assert any(is_blocking(d) for d in result.diagnostics) and not result.files
    return {d.code for d in result.diagnostics if d.severity is Severity.ERROR}


@pytest.mark.parametrize("message, text, code", FAILURES, ids=[f[2] + ":" + f[0][28:70] for f in FAILURES])
def test_nodecfg_refuses_for_the_reason_nodeadm_gives(message, text, code):
    assert expected_codes(message) is not None and code in expected_codes(message)
    assert code in _errors(text.encode())


@pytest.mark.parametrize("message, broken, code", MIME_FAILURES)
def test_broken_mime_is_refused_like_nodeadm(message, broken, code):
    assert code in expected_codes(message)
    assert code in _errors(mime([document()], broken=broken))


def test_user_data_nodeadm_cannot_decode_leaves_the_other_sources_short_of_a_cluster_field(tmp_path):
    """Found by the differential suite (seed 8000): a config file without the cluster, then user data.

    One undecodable part makes nodeadm drop the whole user data, and the chain
    goes on with the file alone: nodeadm printed 'Name is missing in cluster
    configuration', not the decoding error.
    """
    config = tmp_path / "config.yaml"
    config.write_text("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec: {}\n")
    user_data = tmp_path / "userdata.mime"
    user_data.write_bytes(mime([document(), document(spec=["kubelet:", "  flags: --v=2"])]))
    result = nodecfg.api.compile([str(config), str(user_data)], instance=INSTANCE)
    errors = {d.code for d in result.diagnostics if d.severity is Severity.ERROR}
    assert {"NC202", "NC301"} <= errors and not result.files
    assert errors & expected_codes('Command failed {"error": "Name is missing in cluster configuration"}')
    missing = [d for d in result.diagnostics if d.code == "NC301"]
    # the four fields are missing at one place: one finding names them all
    assert len(missing) == 1 and "name, apiServerEndpoint, certificateAuthority and cidr" in missing[0].message
    assert "discards the user data" in missing[0].message
    assert {d.span.path for d in missing} == {str(config)}
    # the user data alone: nothing is left, and nodeadm reports the decoding error
    alone = nodecfg.api.compile([str(user_data)], instance=INSTANCE)
    assert "NC301" not in {d.code for d in alone.diagnostics}


def test_every_listed_reason_has_a_regression_case():
    messages = [m for m, _, _ in FAILURES] + [m for m, _, _ in MIME_FAILURES]
    for label, pattern, _codes in REASONS:
        assert any(expected_codes(m) is _codes for m in messages), label


def test_unknown_reason_is_not_matched():
    assert expected_codes('Command failed {"error": "something new"}') is None


# --- the comparator ---------------------------------------------------------------

ENV = "etc/eks/kubelet/environment"


def test_environment_lines_and_nodeadm_flags_in_any_order_user_flags_last():
    nodeadm = b"NODEADM_KUBELET_ARGS=--b=2 --a=1 --v=4\nKUBELET_CONFIG_DROPIN_DIR_ALPHA=on\n"
    ours = b"KUBELET_CONFIG_DROPIN_DIR_ALPHA=on\nNODEADM_KUBELET_ARGS=--a=1 --b=2 --v=4\n"
    assert compare_trees({ENV: nodeadm}, {ENV: ours}, ["--v=4"]) == []


def test_user_flags_out_of_order_are_a_difference():
    nodeadm = b"NODEADM_KUBELET_ARGS=--a=1 --v=4 --v=2"
    ours = b"NODEADM_KUBELET_ARGS=--a=1 --v=2 --v=4"
    assert compare_trees({ENV: nodeadm}, {ENV: ours}, ["--v=4", "--v=2"]) != []


def test_a_missing_final_newline_is_a_difference():
    assert compare_trees({ENV: b"A=1\n"}, {ENV: b"A=1"}, []) != []


def test_json_is_compared_byte_for_byte():
    assert compare_trees({"a.json": b'{"a":1}\n'}, {"a.json": b'{"a": 1}\n'}, []) != []


def test_outpost_hosts_file_is_not_compared_and_missing_files_are():
    assert compare_trees({"etc/hosts": b"x"}, {}, []) == []
    assert compare_trees({"etc/a": b"x"}, {}, []) == ["only nodeadm wrote etc/a"]
    assert compare_trees({}, {"etc/a": b"x"}, []) == ["only nodecfg wrote etc/a"]


@pytest.mark.parametrize("expression", ["max_pods +", "1 / 0", "'x'", "9223372036854775807 + 1", "unknown_var"])
def test_a_failing_max_pods_expression_does_not_stop_rendering_as_nodeadm_only_logs_it(expression):
    text = document(spec=["kubelet:", f'  maxPodsExpression: "{expression}"'])
    result = nodecfg.api.compile([text.encode()], instance=INSTANCE)
    assert not any(is_blocking(d) for d in result.diagnostics)
    assert {d.code for d in result.diagnostics} & {"NC402", "NC404", "NC405"}
    assert b'"maxPods":29' in result.files["etc/kubernetes/kubelet/config.json"].replace(b" ", b"")


@pytest.mark.parametrize("config", ['"   "', '"# only a comment"'])
def test_a_containerd_config_of_blanks_is_merged_and_re_marshalled_as_nodeadm_does(config):
    # found by the differential suite: combineContainerdConfigs (internal/containerd/config.go) merges any
    # config of non-zero length and writes go-toml's layout, even when the TOML holds no key
    tree = nodecfg.api.compile([document(spec=["containerd:", f"  config: {config}"]).encode()], INSTANCE).files
    plain = nodecfg.api.compile([document().encode()], INSTANCE).files
    written = tree["etc/containerd/config.toml"].decode()
    assert "root = '/var/lib/containerd'" in written and "[plugins]" in written  # go-toml, single quotes
    assert written != plain["etc/containerd/config.toml"].decode()  # the template is written as shipped


def test_the_docs_name_the_nodeadm_commit_nodecfg_matches():
    from pathlib import Path

    from nodecfg.core.reference import CONTAINERD_MIGRATE_VERSION, NODEADM_COMMIT

    docs = Path(__file__).parents[2] / "docs"
    assert NODEADM_COMMIT in (docs / "conformance.md").read_text()
    assert f"containerd **{CONTAINERD_MIGRATE_VERSION}**" in (docs / "containerd.md").read_text()


# --- the wording of older releases (nodeadm before v20251217 logs JSON lines) ------------

def test_earlier_releases_word_their_errors_differently():
    """Messages as v20250715's nodeadm printed them (its fatal line), matched to the same codes."""
    def fatal(error: str) -> str:
        return '{"level":"fatal","caller":"nodeadm/main.go:36","msg":"Command failed","error":"' + error + '"}'

    assert expected_codes(fatal("toml: expected character ]"), "v20250715") == {"NC501"}
    # before v20251023 a source's error is not wrapped in "config provider at index N failed:"
    assert expected_codes(fatal("unexpected EOF"), "v20250715") == {"NC106"}
    assert expected_codes(fatal("yaml: line 4: did not find expected key"), "v20250715") == {"NC120"}
    # before v20260107 enableOutpost without cluster.id was reported as a missing CIDR
    cidr = fatal("CIDR is missing in cluster configuration")
    assert expected_codes(cidr, "v20251209") == {"NC301", "NC307"}
    assert expected_codes(cidr, "v20260107") == {"NC301"}
    assert expected_codes(cidr) == {"NC301"}


def test_release_oracles_are_read_in_order(monkeypatch):
    from pathlib import Path

    from .oracle import ORACLES_ENV, release_oracles

    monkeypatch.setenv(ORACLES_ENV, " v20250715=/tmp/a , v20260724=/tmp/b,broken,")
    assert release_oracles() == [("v20250715", Path("/tmp/a")), ("v20260724", Path("/tmp/b"))]
    monkeypatch.delenv(ORACLES_ENV)
    assert release_oracles() == []


def test_before_the_config_chain_every_layout_becomes_user_data(tmp_path):
    """A release whose service reads only imds://user-data gets one YAML as is, several as MIME parts."""
    from .strategies import Example
    from .test_differential import write_sources

    doc = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": {"cluster": {"name": "c"}}}
    single = Example([doc], "dir", {"instanceType": "m5.large"})
    (tmp_path / "one").mkdir()
    first, extra, sources, instance = write_sources(single, tmp_path / "one", user_data_only=True)
    assert extra == [] and sources == [first.read_bytes()] and instance["userData"] == single.yaml_texts[0]
    several = Example([doc, doc], "file+dir", {"instanceType": "m5.large"})
    (tmp_path / "two").mkdir()
    first, extra, sources, instance = write_sources(several, tmp_path / "two", user_data_only=True)
    assert extra == [] and sources == [mime(several.yaml_texts)] and instance["userData"].startswith("MIME-Version")
