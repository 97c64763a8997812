"""Structural validation: NC201-NC205 (NodeConfig) and NC210-NC211 (kubelet.config)."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from nodecfg.core.diagnostics import Severity
from nodecfg.core.document import Document
from nodecfg.parse.yaml import parse_yaml_documents
from nodecfg.validate.schema import validate_kubelet_config, validate_nodeconfig

REPO = Path(__file__).resolve().parent.parent
SCHEMA_NAMES = ("nodeconfig.v1alpha1.json", "kubelet-config.v1beta1.json", "instance.json")

VALID = """\
apiVersion: node.eks.aws/v1alpha1
kind: NodeConfig
metadata:
  name: anything
spec:
  cluster:
    name: my-cluster
    apiServerEndpoint: https://example.com
    certificateAuthority: Y2VydGlmaWNhdGVBdXRob3JpdHk=
    cidr: 10.100.0.0/16
    enableOutpost: false
    id: ""
  containerd:
    config: |
      [plugins."io.containerd.grpc.v1.cri"]
      enable_cdi = true
    baseRuntimeSpec:
      process:
        rlimits: [{type: RLIMIT_NOFILE, soft: 1024, hard: 1024}]
  instance:
    localStorage:
      strategy: RAID0
      mountPath: /mnt/disks
      disabledMounts: [Containerd, PodLogs, SOCI]
    environment:
      default: {HTTP_PROXY: "http://proxy:3128"}
      kubelet: {GODEBUG: "x509sha1=1"}
    network:
      nameservers: [1.1.1.1]
      domains: [example.internal]
  kubelet:
    maxPodsExpression: max_pods - 2
    flags: [--v=5, "--node-labels=a=b"]
    config:
      maxPods: 58
      clusterDNS: [1.1.1.1]
      shutdownGracePeriod: 30s
      kubeReserved: {cpu: 100m, memory: 1Gi}
      featureGates: {DisableKubeletCloudCredentialProviders: true}
      registerWithTaints: [{key: dedicated, value: gpu, effect: NoSchedule}]
      logging: {format: json, flushFrequency: 5000000000, verbosity: 2}
      authentication: {anonymous: {enabled: false}, webhook: {cacheTTL: 2m0s}}
      memoryThrottlingFactor: 0.9
      kubeReservedCgroup: ""
  featureGates:
    InstanceIdNodeName: true
    FastImagePull: false
"""


def parse(text: str) -> Document:
    documents, diagnostics = parse_yaml_documents(textwrap.dedent(text), "t.yaml")
    assert len(documents) == 1, diagnostics
    return documents[0]


def findings(text: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.col) for d in validate_nodeconfig(parse(text))]


def only(text: str):
    diagnostics = validate_nodeconfig(parse(text))
    assert len(diagnostics) == 1, [d.format() for d in diagnostics]
    return diagnostics[0]


HEADER = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"


def test_a_complete_valid_document_has_no_findings():
    assert validate_nodeconfig(parse(VALID)) == []


def test_null_values_are_accepted_like_nodeadm_treats_them_as_unset():
    text = HEADER + "spec:\n  cluster:\n    name:\n    enableOutpost: ~\n  kubelet:\n    config:\n"
    assert findings(text) == []


# --- NC201 unknown field -----------------------------------------------------


def test_unknown_field_is_reported_at_its_key_with_a_did_you_mean():
    finding = only(HEADER + "spec:\n  cluster:\n    cidrr: 10.0.0.0/16\n")
    assert (finding.code, finding.span.line, finding.span.col) == ("NC201", 5, 5)
    assert "'cidrr'" in finding.message and "spec.cluster" in finding.message
    assert "silently drops" in finding.message
    assert finding.hint == "did you mean 'cidr'?"


def test_unknown_top_level_field_suggests_the_case_insensitive_match():
    text = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nSpec: {}\n"
    finding = [d for d in validate_nodeconfig(parse(text)) if d.code == "NC201"][0]
    assert (finding.span.line, finding.span.col) == (3, 1)
    assert "at the top level" in finding.message
    assert finding.hint == "did you mean 'spec'?"


def test_a_type_key_in_another_case_is_read_as_the_type_key():
    # nodeadm finds the type with encoding/json, which matches 'APIVersion' to apiVersion: a mapping
    # there stops the decoding even beside a correct 'apiVersion'
    text = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nAPIVersion: {}\n"
    assert [(d.code, d.span.line, d.span.col) for d in validate_nodeconfig(parse(text))] == [("NC204", 3, 13)]


def test_of_two_type_keys_the_last_in_byte_order_wins():
    # 'APIVersion' < 'Apiversion' < 'apiVersion': the JSON nodeadm reads has its keys sorted
    wins_exact = "APIVersion: node.eks.aws/v1alpha9\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"
    assert [d.code for d in validate_nodeconfig(parse(wins_exact))] == []
    wins_other = "Apiversion: node.eks.aws/v1alpha9\nAPIVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"
    assert [(d.code, d.span.line, d.span.col) for d in validate_nodeconfig(parse(wins_other))] == [("NC204", 1, 13)]


def test_unknown_field_far_from_any_name_has_no_hint():
    finding = only(HEADER + "spec:\n  zzzzzz: 1\n")
    assert finding.code == "NC201" and finding.hint == ""


# --- NC202 wrong type ----------------------------------------------------------


def test_number_where_a_string_is_expected_says_to_quote_it():
    finding = only(HEADER + "spec:\n  cluster:\n    name: 123\n")
    assert (finding.code, finding.span.line, finding.span.col) == ("NC202", 5, 11)
    assert "expected string, got integer 123" in finding.message
    assert 'quote it: "123"' in finding.hint


def test_yaml11_boolean_where_a_string_is_expected_is_explained():
    finding = only(HEADER + "spec:\n  kubelet:\n    flags: [yes]\n")
    assert (finding.code, finding.span.line, finding.span.col) == ("NC202", 5, 13)
    assert "got boolean true" in finding.message
    assert "YAML 1.1" in finding.hint


def test_quoted_boolean_where_a_boolean_is_expected_says_remove_the_quotes():
    finding = only(HEADER + 'spec:\n  cluster:\n    enableOutpost: "true"\n')
    assert (finding.code, finding.span.line) == ("NC202", 5)
    assert finding.hint == "remove the quotes: true"


def test_kubelet_config_that_is_not_a_mapping_is_a_nodeadm_decoding_error():
    finding = only(HEADER + "spec:\n  kubelet:\n    config: maxPods=10\n")
    assert (finding.code, finding.span.line, finding.span.col) == ("NC202", 5, 13)
    assert "expected mapping" in finding.message


# --- NC203 enum ------------------------------------------------------------------


def test_unknown_local_storage_strategy():
    finding = only(HEADER + "spec:\n  instance:\n    localStorage:\n      strategy: RAID5\n")
    assert (finding.code, finding.severity, finding.span.line, finding.span.col) == (
        "NC203", Severity.ERROR, 6, 17)
    assert "RAID0, RAID10, Mount" in finding.message


def test_strategy_in_the_wrong_case_is_only_a_warning_because_nodeadm_lowercases_it():
    finding = only(HEADER + "spec:\n  instance:\n    localStorage:\n      strategy: raid10\n")
    assert (finding.code, finding.severity) == ("NC203", Severity.WARNING)
    assert finding.hint == "did you mean 'RAID10'?"


def test_disabled_mount_in_the_wrong_case_is_an_error_because_nodeadm_ignores_it():
    text = HEADER + "spec:\n  instance:\n    localStorage:\n      disabledMounts: [SOCI, podLogs]\n"
    finding = only(text)
    assert (finding.code, finding.severity, finding.span.line, finding.span.col) == (
        "NC203", Severity.ERROR, 6, 30)
    assert finding.hint == "did you mean 'PodLogs'?"


def test_unknown_feature_gate_is_reported_at_its_key():
    finding = only(HEADER + "spec:\n  featureGates:\n    FastImagePul: true\n")
    assert (finding.code, finding.span.line, finding.span.col) == ("NC203", 5, 5)
    assert finding.hint == "did you mean 'FastImagePull'?"


# --- NC204 / NC205 -----------------------------------------------------------------


def test_near_miss_api_version_suggests_the_right_one():
    finding = only("apiVersion: node.eks.aws/v1alpha\nkind: NodeConfig\n")
    assert (finding.code, finding.span.line, finding.span.col) == ("NC204", 1, 13)
    assert "refuses to decode" in finding.message
    assert finding.hint == "did you mean 'node.eks.aws/v1alpha1'?"


def test_wrong_kind_and_missing_api_version_are_both_reported():
    result = findings("kind: KubeletConfiguration\nspec: {}\n")
    assert sorted(result) == [("NC204", 1, 1), ("NC204", 1, 7)]


@pytest.mark.parametrize("data, word", [([1, 2], "list"), ("text", "string"), (None, "empty")])
def test_a_document_that_is_not_a_mapping(data, word):
    (finding,) = validate_nodeconfig(Document("t.yaml", data))
    assert finding.code == "NC205" and word in finding.message


# --- NC210 / NC211: kubelet.config ---------------------------------------------------

KUBELET = HEADER + "spec:\n  kubelet:\n    config:\n"


def test_unknown_kubelet_field_is_a_warning_with_a_did_you_mean():
    finding = only(KUBELET + "      maxPod: 10\n")
    assert (finding.code, finding.severity, finding.span.line, finding.span.col) == (
        "NC210", Severity.WARNING, 6, 7)
    assert finding.hint == "did you mean 'maxPods'?"


def test_kubelet_field_in_the_wrong_case_mentions_the_case_insensitive_fallback():
    finding = only(KUBELET + "      MaxPods: 10\n")
    assert finding.code == "NC210" and "case-insensitive" in finding.message
    assert finding.hint == "did you mean 'maxPods'?"


def test_unknown_nested_kubelet_field():
    finding = only(KUBELET + "      authentication:\n        webhok: {}\n")
    assert (finding.code, finding.span.line, finding.span.col) == ("NC210", 7, 9)
    assert "spec.kubelet.config.authentication" in finding.message


def test_quoted_integer_in_kubelet_config_is_an_error():
    finding = only(KUBELET + '      maxPods: "58"\n')
    assert (finding.code, finding.severity, finding.span.line, finding.span.col) == (
        "NC211", Severity.ERROR, 6, 16)
    assert finding.hint == "remove the quotes: 58"


def test_number_in_a_resource_map_must_be_quoted():
    finding = only(KUBELET + "      evictionHard:\n        memory.available: 5\n")
    assert (finding.code, finding.span.line, finding.span.col) == ("NC211", 7, 27)
    assert 'evictionHard["memory.available"]' in finding.message


def test_duration_without_unit_is_an_error():
    finding = only(KUBELET + "      shutdownGracePeriod: 30\n")
    assert (finding.code, finding.span.line) == ("NC211", 6)
    finding = only(KUBELET + "      shutdownGracePeriod: '30'\n")
    assert (finding.code, finding.span.line) == ("NC211", 6)
    assert "cannot parse" in finding.message


def test_taint_effect_outside_the_enum():
    finding = only(KUBELET + "      registerWithTaints:\n        - {key: a, effect: NoSchedul}\n")
    assert (finding.code, finding.span.line, finding.span.col) == ("NC211", 7, 28)
    assert finding.hint == "did you mean 'NoSchedule'?"


def test_validate_kubelet_config_works_at_any_pointer():
    document = Document("k.json", {"wrapper": {"maxPods": True}})
    (finding,) = validate_kubelet_config(document, base_pointer="/wrapper")
    assert finding.code == "NC211"


def test_validate_kubelet_config_without_a_config_finds_nothing():
    assert validate_kubelet_config(parse(HEADER)) == []


# --- all problems, in order ------------------------------------------------------------


def test_every_problem_of_a_document_is_reported_in_source_order():
    text = HEADER + textwrap.dedent("""\
        spec:
          cluster:
            nme: x
            cidr: 10
          kubelet:
            config:
              maxPods: many
          featureGates:
            Bogus: true
        """)
    assert findings(text) == [
        ("NC201", 5, 5), ("NC202", 6, 11), ("NC211", 9, 16), ("NC203", 11, 5),
    ]


# --- the schema files ----------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_published_schema_is_identical_to_the_packaged_one(name):
    published = (REPO / "schemas" / name).read_bytes()
    packaged = (REPO / "nodecfg" / "validate" / "schemas" / name).read_bytes()
    assert published == packaged


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_valid_draft_2020_12(name):
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(json.loads((REPO / "schemas" / name).read_text()))


def test_kubelet_schema_covers_fields_added_in_recent_kubelets():
    properties = json.loads((REPO / "schemas" / SCHEMA_NAMES[1]).read_text())["properties"]
    for field in ("containerRuntimeEndpoint", "failCgroupV1", "crashLoopBackOff", "podLogsDir"):
        assert field in properties


# --- agreement with jsonschema, the authority ------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nodecfg.validate.schemas import KUBELET_CONFIG, NODECONFIG, load_schema  # noqa: E402
from nodecfg.core.document import escape_pointer_token  # noqa: E402
from nodecfg.validate.schemas import subset  # noqa: E402
from nodecfg.validate.schemas.subset import iter_violations  # noqa: E402

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 70), st.sampled_from([1.5, 2.0, -0.25]),
    st.sampled_from(["", "x", "5m", "true", "RAID0", "NoSchedule"]),
)
_ANY_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from("abc"), inner, max_size=2),
    max_leaves=4,
)
_NEAR_MISS_KEYS = ["cidrr", "Spec", "maxPod", "webhok", "FastImagePul", "extra"]
_GOOD_DURATIONS = ["5m0s", "300ms", "1h30m", "0", "-1.5h", ".5s", "2µs"]
_BAD_DURATIONS = ["5", "", "1d", "3 s"]


def _documents(schema: dict) -> st.SearchStrategy:
    """Valid instances of ``schema`` half of the time, noisy ones otherwise."""
    return st.one_of(_instances(schema, schema, 0, False), _instances(schema, schema, 0, True))


def _instances(schema: dict, root: dict, depth: int, noisy: bool) -> st.SearchStrategy:
    """Instances of ``schema``; when noisy, sometimes wrong values and unknown keys."""
    valid = _valid(schema, root, depth, noisy)
    return st.one_of(*[valid] * 15, _ANY_JSON) if noisy else valid


def _valid(schema: dict, root: dict, depth: int, noisy: bool) -> st.SearchStrategy:
    ref = schema.get("$ref")
    if ref == KUBELET_CONFIG:
        kubelet = load_schema(KUBELET_CONFIG)
        return _instances(kubelet, kubelet, depth + 1, noisy)
    if ref:
        target = root
        for token in ref[2:].split("/"):
            target = target[token]
        return _valid(target, root, depth, noisy)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(list(schema["enum"]) + (["Raid0", "podlogs"] if noisy else []))
    types = schema.get("type", "object")
    types = [types] if isinstance(types, str) else types
    return st.one_of(*[_of_type(name, schema, root, depth, noisy) for name in types])


def _of_type(name: str, schema: dict, root: dict, depth: int, noisy: bool) -> st.SearchStrategy:
    if name == "object":
        return _objects(schema, root, depth, noisy)
    if name == "array":
        items = schema.get("items")
        if items and depth < 6:
            return st.lists(_instances(items, root, depth + 1, noisy), max_size=2)
        return st.lists(_ANY_JSON, max_size=2) if not items else st.just([])
    if name == "string":
        if "pattern" in schema:
            return st.sampled_from(_GOOD_DURATIONS + (_BAD_DURATIONS if noisy else []))
        return st.text(max_size=4)
    return {
        "integer": st.integers(-5, 5), "number": st.floats(-2, 2), "boolean": st.booleans(),
        "null": st.none(),
    }[name]


def _objects(schema: dict, root: dict, depth: int, noisy: bool) -> st.SearchStrategy:
    if depth > 6:
        return st.just({})
    if "propertyNames" in schema:
        names = schema["propertyNames"]["enum"] + (["Bogus"] if noisy else [])
        values = _instances(schema["additionalProperties"], root, depth + 1, noisy)
        return st.dictionaries(st.sampled_from(names), values, max_size=2)
    properties = schema.get("properties")
    if properties:
        strategies = {key: _instances(sub, root, depth + 1, noisy) for key, sub in properties.items()}
        required = {key: strategies.pop(key) for key in schema.get("required", ())}
        known = st.fixed_dictionaries(required, optional=strategies)
        if not noisy:
            return known
        unknown = st.dictionaries(st.sampled_from(_NEAR_MISS_KEYS), _SCALARS, max_size=1)
        return st.tuples(known, st.one_of(*[st.just({})] * 8, unknown)).map(
            lambda pair: {**pair[1], **pair[0]})
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        return st.dictionaries(st.sampled_from("ab"), _instances(extra, root, depth + 1, noisy), max_size=2)
    return st.dictionaries(st.sampled_from("ab"), _ANY_JSON, max_size=2)


def _authority(schema_name: str):
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    kubelet = Resource.from_contents(load_schema(KUBELET_CONFIG))
    # by the relative name the NodeConfig schema refers to it by (the schemas have no $id)
    registry = Registry().with_resources([(KUBELET_CONFIG, kubelet)])
    return Draft202012Validator(load_schema(schema_name), registry=registry)


_NODECONFIG_AUTHORITY = _authority(NODECONFIG)
_KUBELET_AUTHORITY = _authority(KUBELET_CONFIG)
_ROOT = load_schema(NODECONFIG)
_FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _authority_locations(validator, data) -> set[str]:
    return {"".join(f"/{escape_pointer_token(t)}" for t in e.absolute_path)
            for e in validator.iter_errors(data)}


def _our_locations(schema: dict, data, base: str = "") -> set[str]:
    def location(violation) -> str:
        if violation.kind in (subset.UNKNOWN_PROPERTY, subset.PROPERTY_NAME, subset.REQUIRED):
            return violation.pointer.rpartition("/")[0]  # jsonschema reports the object
        return violation.pointer
    return {location(v) for v in iter_violations(schema, data, base)}


@_FAST
@given(_documents(_ROOT))
def test_nodeconfig_validation_agrees_with_jsonschema(data):
    ours = validate_nodeconfig(Document("h.yaml", data))
    assert (ours == []) == _NODECONFIG_AUTHORITY.is_valid(data), [d.format() for d in ours]
    expected = _authority_locations(_NODECONFIG_AUTHORITY, data)
    found = _our_locations(_ROOT, data)
    config = (data.get("spec") or {}) if isinstance(data, dict) else None
    config = (config.get("kubelet") or {}) if isinstance(config, dict) else None
    if isinstance(config, dict) and "config" in config:
        found |= _our_locations(load_schema(KUBELET_CONFIG), config["config"], "/spec/kubelet/config")
    assert found == expected


@_FAST
@given(_documents(load_schema(KUBELET_CONFIG)))
def test_kubelet_config_validation_agrees_with_jsonschema(data):
    found = _our_locations(load_schema(KUBELET_CONFIG), data)
    assert found == _authority_locations(_KUBELET_AUTHORITY, data)


# --- the prepared validator against a plain reading of the keywords -----------------------

def _plain_violations(schema: dict, root: dict, value, pointer: str) -> list:
    """The schema subset read keyword by keyword at every value, nothing prepared: the oracle the
    prepared nodes (subset._Node) and lazily made pointers must match, violation for violation."""
    from nodecfg.core.document import join_pointer
    from nodecfg.validate.schemas.subset import Violation, json_equal, json_type_of

    found = []
    ref = schema.get("$ref")
    if ref is not None and ref.startswith("#/"):
        found += _plain_violations(subset._resolve(root, ref), root, value, pointer)
    if "type" in schema:
        allowed = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
        actual = json_type_of(value)
        if not any(actual == name or (name == "number" and actual == "integer") for name in allowed):
            return found + [Violation(subset.TYPE, pointer, value, tuple(allowed), schema)]
    if "const" in schema and not json_equal(value, schema["const"]):
        found.append(Violation(subset.CONST, pointer, value, schema["const"], schema))
    if "enum" in schema and not any(json_equal(value, option) for option in schema["enum"]):
        found.append(Violation(subset.ENUM, pointer, value, tuple(schema["enum"]), schema))
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        found.append(Violation(subset.PATTERN, pointer, value, schema["pattern"], schema))
    if isinstance(value, dict):
        found += [Violation(subset.REQUIRED, join_pointer(pointer, name), None, name, schema)
                  for name in schema.get("required", ()) if name not in value]
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            entry = join_pointer(pointer, key)
            names = schema.get("propertyNames")
            if names is not None and not any(json_equal(key, option) for option in names["enum"]):
                found.append(Violation(subset.PROPERTY_NAME, entry, key, tuple(names["enum"]), schema))
            if isinstance(key, str) and key in properties:
                found += _plain_violations(properties[key], root, item, entry)
            elif extra is False:
                found.append(Violation(subset.UNKNOWN_PROPERTY, entry, key, tuple(properties), schema))
            elif isinstance(extra, dict):
                found += _plain_violations(extra, root, item, entry)
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += _plain_violations(schema["items"], root, item, join_pointer(pointer, index))
    return found


def _same_violations(schema: dict, data, base: str = "") -> None:
    ours = list(iter_violations(schema, data, base))
    plain = _plain_violations(schema, schema, data, base)
    assert [v[:4] for v in ours] == [v[:4] for v in plain]
    assert all(a.schema is b.schema for a, b in zip(ours, plain))


@_FAST
@given(_documents(_ROOT), st.sampled_from(["", "/a~1b/0"]))
def test_prepared_nodeconfig_validation_is_the_plain_one(data, base):
    _same_violations(_ROOT, data, base)


@_FAST
@given(_documents(load_schema(KUBELET_CONFIG)))
def test_prepared_kubelet_validation_is_the_plain_one(data):
    _same_violations(load_schema(KUBELET_CONFIG), data, "/spec/kubelet/config")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdeXY", max_size=7), st.lists(st.text(alphabet="abcdeXY", max_size=7), max_size=6),
       st.sampled_from([1, 2]))
def test_close_matches_without_difflib_unless_needed_are_difflibs(word, candidates, n):
    import difflib

    from nodecfg.validate.schema import _get_close_matches

    assert _get_close_matches(word, candidates, n) == difflib.get_close_matches(word, candidates, n=n, cutoff=0.6)


def test_a_key_near_no_field_is_told_without_difflib():
    import subprocess
    import sys

    code = ("import sys; from nodecfg.validate.schema import _did_you_mean; "
            "assert _did_you_mean('files', ['apiVersion', 'kind', 'metadata', 'spec']) == ''; "
            "assert 'difflib' not in sys.modules; "
            "assert _did_you_mean('kidn', ['apiVersion', 'kind']) == \"did you mean 'kind'?\"")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_exact_type_table_says_what_json_type_of_says():
    for value in ({}, {"a": 1}, "", "x", [], [1], True, False, 0, 7, None):
        assert subset._EXACT_TYPES[type(value)] == subset.json_type_of(value)
    assert float not in subset._EXACT_TYPES  # 1.0 is an integer, 1.5 a number: json_type_of decides
