"""nodeadm's merge rules (internal/api/merge.go + mergo.WithOverride), one test per rule."""
from nodecfg.merge.nodeconfig import merge_documents

from helpers import doc


def merged(*bodies):
    return merge_documents([doc(body, uri=f"d{i}.yaml") for i, body in enumerate(bodies)])


def spec(*bodies):
    return merged(*bodies).data["spec"]


def test_later_non_empty_scalar_wins():
    assert spec("cluster: {name: a}", "cluster: {name: b}")["cluster"]["name"] == "b"


def test_empty_string_does_not_override_and_is_reported():
    result = merged("cluster: {name: a}", 'cluster: {name: ""}')
    assert result.data["spec"]["cluster"]["name"] == "a"
    assert [(d.code, d.span.uri, d.span.line) for d in result.diagnostics] == [("NC130", "d1.yaml", 4)]


def test_enable_outpost_false_does_not_override_true():
    result = merged("cluster: {enableOutpost: true}", "cluster: {enableOutpost: false}")
    assert result.data["spec"]["cluster"]["enableOutpost"] is True
    assert [d.code for d in result.diagnostics] == ["NC131"]


def test_enable_outpost_false_then_true():
    assert spec("cluster: {enableOutpost: false}", "cluster: {enableOutpost: true}")["cluster"]["enableOutpost"] is True


def test_enable_outpost_false_alone_is_kept():
    assert spec("cluster: {enableOutpost: false}")["cluster"]["enableOutpost"] is False


def test_flags_are_appended_in_order():
    flags = spec("kubelet: {flags: [--v=2, --node-labels=a=b]}", "kubelet: {flags: []}", "kubelet: {flags: [--v=5]}")
    assert flags["kubelet"]["flags"] == ["--v=2", "--node-labels=a=b", "--v=5"]


def test_typed_lists_are_replaced_not_appended_and_empty_lists_ignored():
    result = spec("instance: {network: {nameservers: [1.1.1.1, 8.8.8.8]}}",
                  "instance: {network: {nameservers: [9.9.9.9]}}",
                  "instance: {network: {nameservers: []}}")
    assert result["instance"]["network"]["nameservers"] == ["9.9.9.9"]


def test_kubelet_config_deep_merges_maps():
    result = spec("kubelet: {config: {port: 1010, maxPods: 120, systemReserved: {cpu: 100m, memory: 1Gi}}}",
                  "kubelet: {config: {maxPods: 150, podsPerCore: 20, systemReserved: {cpu: 150m}}}")
    assert result["kubelet"]["config"] == {
        "port": 1010, "maxPods": 150, "podsPerCore": 20, "systemReserved": {"cpu": "150m", "memory": "1Gi"}}


def test_kubelet_config_explicit_empty_values_pass_through():
    result = spec('kubelet: {config: {address: 0.0.0.0, serializeImagePulls: true, evictionHard: {a: "1"}}}',
                  'kubelet: {config: {address: "", serializeImagePulls: false}}')
    assert result["kubelet"]["config"]["address"] == ""
    assert result["kubelet"]["config"]["serializeImagePulls"] is False
    assert result["kubelet"]["config"]["evictionHard"] == {"a": "1"}


def test_kubelet_config_lists_are_replaced_even_by_empty_lists():
    result = spec("kubelet: {config: {clusterDNS: [10.0.0.10, 10.0.0.11]}}", "kubelet: {config: {clusterDNS: []}}")
    assert result["kubelet"]["config"]["clusterDNS"] == []


def test_kubelet_config_empty_map_changes_nothing():
    assert spec("kubelet: {config: {a: {b: 1}}}", "kubelet: {config: {a: {}}}")["kubelet"]["config"] == {"a": {"b": 1}}


def test_kubelet_config_type_change_takes_later_value():
    assert spec("kubelet: {config: {a: {b: 1}}}", "kubelet: {config: {a: 5}}")["kubelet"]["config"] == {"a": 5}
    assert spec("kubelet: {config: {a: 5}}", "kubelet: {config: {a: {b: 1}}}")["kubelet"]["config"] == {"a": {"b": 1}}


def test_kubelet_config_null_is_set():
    assert spec("kubelet: {config: {a: 1}}", "kubelet: {config: {a: null}}")["kubelet"]["config"] == {"a": None}


def test_base_runtime_spec_merges_like_kubelet_config():
    result = spec("containerd: {baseRuntimeSpec: {process: {rlimits: [{type: A}]}, x: 1}}",
                  "containerd: {baseRuntimeSpec: {process: {user: {uid: 0}}}}")
    assert result["containerd"]["baseRuntimeSpec"] == {"process": {"rlimits": [{"type": "A"}], "user": {"uid": 0}}, "x": 1}


def test_feature_gates_merge_key_by_key_and_false_overrides():
    result = spec("featureGates: {InstanceIdNodeName: true, FastImagePull: true}", "featureGates: {FastImagePull: false}")
    assert result["featureGates"] == {"InstanceIdNodeName": True, "FastImagePull": False}


def test_environment_merges_per_service_and_empty_values_override():
    result = spec("instance: {environment: {default: {A: '1', B: '2'}, kubelet: {C: '3'}}}",
                  "instance: {environment: {default: {B: ''}, containerd: {D: '4'}}}")
    assert result["instance"]["environment"] == {
        "default": {"A": "1", "B": ""}, "kubelet": {"C": "3"}, "containerd": {"D": "4"}}


def test_environment_null_service_map_clears_it():
    result = spec("instance: {environment: {default: {A: '1'}}}", "instance: {environment: {default: null}}")
    assert result["instance"]["environment"] == {"default": {}}


def test_containerd_config_toml_is_deep_merged():
    first = 'containerd:\n  config: |\n    [plugins."io.containerd.grpc.v1.cri".containerd]\n    discard_unpacked_layers = false\n    snapshotter = "overlayfs"\n'
    second = 'containerd:\n  config: |\n    [plugins."io.containerd.grpc.v1.cri".containerd]\n    discard_unpacked_layers = true\n'
    import tomllib
    text = spec(first, second)["containerd"]["config"]
    assert tomllib.loads(text) == {"plugins": {"io.containerd.grpc.v1.cri": {"containerd": {
        "discard_unpacked_layers": True, "snapshotter": "overlayfs"}}}}


def test_unknown_and_mistyped_fields_are_not_merged():
    result = spec("cluster: {name: a, nmae: b}", "cluster: {name: 5}")
    assert result["cluster"] == {"name": "a"}


def test_provenance_names_every_setter_in_order():
    result = merged("cluster: {name: a}", "cluster: {name: b}")
    assert [(s.uri, s.line) for s in result.provenance["/spec/cluster/name"]] == [("d0.yaml", 4), ("d1.yaml", 4)]


def test_provenance_for_flags_and_nested_kubelet_config():
    result = merged("kubelet: {flags: [--a], config: {x: {z: 1}}}", "kubelet:\n  flags: [--b]\n  config:\n    x:\n      z: 2\n")
    assert result.provenance["/spec/kubelet/flags/1"][0].uri == "d1.yaml"
    assert [s.uri for s in result.provenance["/spec/kubelet/config/x/z"]] == ["d0.yaml", "d1.yaml"]
    assert result.locate("/spec/kubelet/config/x/z").line == 8


def test_spec_keys_come_out_in_nodeadm_order():
    assert list(spec("featureGates: {FastImagePull: true}", "cluster: {name: a}", "kubelet: {flags: [--v=1]}")) == [
        "cluster", "kubelet", "featureGates"]


# --- the walk by section reads every field as get_pointer does ---------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

from nodecfg.core.document import Document, get_pointer  # noqa: E402
from nodecfg.merge import nodeconfig  # noqa: E402

_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-1, 2), st.sampled_from(["", "x", "a=b"]),
                    st.lists(st.sampled_from(["", "--v=2"]), max_size=2),
                    st.dictionaries(st.sampled_from(["a", "k"]), st.sampled_from([True, "v", None]), max_size=2))
_NAMES = st.sampled_from(["spec", "cluster", "instance", "kubelet", "containerd", "network", "localStorage",
                          "name", "cidr", "flags", "config", "environment", "featureGates", "enableOutpost",
                          "strategy", "nameservers", "1", "true"])
_TREES = st.recursive(_LEAVES, lambda inner: st.dictionaries(_NAMES | st.sampled_from([1, True]), inner,
                                                              max_size=4), max_leaves=12)


def _fields_by_get_pointer(data: dict) -> list[tuple[str, object]]:
    return [(pointer, get_pointer(data, pointer)) for pointer in nodeconfig.FIELDS
            if get_pointer(data, pointer) is not None]


def _fields_by_section(data: dict) -> list[tuple[str, object]]:
    found = []
    for parent, run in nodeconfig._FIELD_RUNS:
        section = nodeconfig._section(data, parent)
        found += [(pointer, section[key]) for key, pointer, _method in run
                  if section is not None and section.get(key) is not None]
    return found


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_NAMES, _TREES, max_size=3))
def test_fields_by_section_are_those_get_pointer_finds(data):
    assert _fields_by_section(data) == _fields_by_get_pointer(data)
    assert [p for p, _ in _fields_by_section({"spec": _every_field()})] == list(nodeconfig.FIELDS)
    merge_documents([Document("h.yaml", data)])  # and the merge takes any shape


def _every_field() -> dict:
    spec: dict = {}
    for pointer in nodeconfig.FIELDS:
        *parents, key = pointer.split("/")[2:]
        node = spec
        for name in parents:
            node = node.setdefault(name, {})
        node[key] = "set"
    return spec
