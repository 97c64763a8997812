"""etc/containerd/config.toml and SOCI files, checked against nodeadm's rules."""
import tomllib

import pytest
from hypothesis import example, given, strategies as st

from nodecfg.core.diagnostics import Severity, Span
from nodecfg.context.instance import DEFAULT_INSTANCE
from nodecfg.render import RenderContext
from nodecfg.render import containerd
from nodecfg.render.containerd import CONFIG_PATH, SOCI_CONFIG_PATH, SOCI_DROPIN_PATH

CRI = "io.containerd.grpc.v1.cri"
IMAGES = "io.containerd.cri.v1.images"
RUNTIME = "io.containerd.cri.v1.runtime"


def render(containerd_config=None, *, feature_gates=None, **instance):
    values = {"containerdVersion": "1.7.27", "kubeletVersion": "v1.33.1", "vcpus": 2, "memoryMiB": 8192}
    values.update(instance)
    spec = {}
    if containerd_config is not None:
        spec["containerd"] = {"config": containerd_config}
    if feature_gates is not None:
        spec["featureGates"] = feature_gates
    config = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": spec}
    return containerd.render(RenderContext(config, DEFAULT_INSTANCE.with_values(values), None))


def text_of(result, path=CONFIG_PATH):
    return result.files[path].data.decode()


def data_of(result, path=CONFIG_PATH):
    return tomllib.loads(text_of(result, path))


# Without a user config nodeadm writes its template's text.  These were
# written by hand and checked against the file the real nodeadm (the commit
# of nodecfg/core/reference.py) writes for the same instance.
CONTAINERD_1_DEFAULT = """\
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"

[grpc]
address = "/run/containerd/containerd.sock"

[plugins."io.containerd.grpc.v1.cri".containerd]
default_runtime_name = "runc"
discard_unpacked_layers = true

[plugins."io.containerd.grpc.v1.cri"]
sandbox_image = "localhost/kubernetes/pause:latest"
enable_cdi = true

[plugins."io.containerd.grpc.v1.cri".registry]
config_path = "/etc/containerd/certs.d:/etc/docker/certs.d"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
runtime_type = "io.containerd.runc.v2"
base_runtime_spec = "/etc/containerd/base-runtime-spec.json"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
BinaryName = "/usr/sbin/runc"
SystemdCgroup = true

[plugins."io.containerd.grpc.v1.cri".cni]
bin_dir = "/opt/cni/bin"
conf_dir = "/etc/cni/net.d"

"""

CONTAINERD_2_DEFAULT = """\
version = 3
root = "/var/lib/containerd"
state = "/run/containerd"

[grpc]
address = "/run/containerd/containerd.sock"

[plugins.'io.containerd.cri.v1.images']
discard_unpacked_layers = true

[plugins.'io.containerd.cri.v1.images'.pinned_images]
sandbox = "localhost/kubernetes/pause:latest"

[plugins."io.containerd.cri.v1.images".registry]
config_path = "/etc/containerd/certs.d:/etc/docker/certs.d"

[plugins.'io.containerd.cri.v1.runtime']
enable_cdi = true

[plugins.'io.containerd.cri.v1.runtime'.containerd]
default_runtime_name = "runc"

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
runtime_type = "io.containerd.runc.v2"
base_runtime_spec = "/etc/containerd/base-runtime-spec.json"

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
BinaryName = "/usr/sbin/runc"
SystemdCgroup = true

[plugins.'io.containerd.cri.v1.runtime'.cni]
bin_dir = "/opt/cni/bin"
conf_dir = "/etc/cni/net.d"

"""

# With a user config nodeadm writes the merge as go-toml v2 marshals a Go map;
# this is the default data in that layout (from go-toml v2's rules).
CONTAINERD_1_MERGED = """\
root = '/var/lib/containerd'
state = '/run/containerd'
version = 2

[grpc]
address = '/run/containerd/containerd.sock'

[plugins]
[plugins.'io.containerd.grpc.v1.cri']
enable_cdi = true
sandbox_image = 'localhost/kubernetes/pause:latest'

[plugins.'io.containerd.grpc.v1.cri'.cni]
bin_dir = '/opt/cni/bin'
conf_dir = '/etc/cni/net.d'

[plugins.'io.containerd.grpc.v1.cri'.containerd]
default_runtime_name = 'runc'
discard_unpacked_layers = true

[plugins.'io.containerd.grpc.v1.cri'.containerd.runtimes]
[plugins.'io.containerd.grpc.v1.cri'.containerd.runtimes.runc]
base_runtime_spec = '/etc/containerd/base-runtime-spec.json'
runtime_type = 'io.containerd.runc.v2'

[plugins.'io.containerd.grpc.v1.cri'.containerd.runtimes.runc.options]
BinaryName = '/usr/sbin/runc'
SystemdCgroup = true

[plugins.'io.containerd.grpc.v1.cri'.registry]
config_path = '/etc/containerd/certs.d:/etc/docker/certs.d'
"""

CONTAINERD_2_MERGED = """\
root = '/var/lib/containerd'
state = '/run/containerd'
version = 3

[grpc]
address = '/run/containerd/containerd.sock'

[plugins]
[plugins.'io.containerd.cri.v1.images']
discard_unpacked_layers = true

[plugins.'io.containerd.cri.v1.images'.pinned_images]
sandbox = 'localhost/kubernetes/pause:latest'

[plugins.'io.containerd.cri.v1.images'.registry]
config_path = '/etc/containerd/certs.d:/etc/docker/certs.d'

[plugins.'io.containerd.cri.v1.runtime']
enable_cdi = true

[plugins.'io.containerd.cri.v1.runtime'.cni]
bin_dir = '/opt/cni/bin'
conf_dir = '/etc/cni/net.d'

[plugins.'io.containerd.cri.v1.runtime'.containerd]
default_runtime_name = 'runc'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes]
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
base_runtime_spec = '/etc/containerd/base-runtime-spec.json'
runtime_type = 'io.containerd.runc.v2'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
BinaryName = '/usr/sbin/runc'
SystemdCgroup = true
"""


def test_containerd_1_default_config():
    result = render()
    assert text_of(result) == CONTAINERD_1_DEFAULT
    assert result.diagnostics == []


def test_containerd_2_default_config():
    result = render(containerdVersion="2.1.4")
    assert text_of(result) == CONTAINERD_2_DEFAULT
    assert result.diagnostics == []


def test_containerd_1_with_user_mirror_and_override():
    user = (
        '[plugins."io.containerd.grpc.v1.cri".registry.mirrors."registry.local:5000"]\n'
        'endpoint = ["http://registry.local:5000"]\n'
        "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
        "discard_unpacked_layers = false\n"
    )
    text = text_of(render(user))
    expected = CONTAINERD_1_MERGED.replace(
        "discard_unpacked_layers = true", "discard_unpacked_layers = false"
    ) + (
        "\n"
        "[plugins.'io.containerd.grpc.v1.cri'.registry.mirrors]\n"
        "[plugins.'io.containerd.grpc.v1.cri'.registry.mirrors.'registry.local:5000']\n"
        "endpoint = ['http://registry.local:5000']\n"
    )
    assert text == expected


def test_containerd_2_with_user_v3_config_merges_without_migration():
    user = "[plugins.'io.containerd.cri.v1.images'.pinned_images]\nsandbox = \"example.com/pause:3.10\"\n"
    result = render(user, containerdVersion="2.1.4")
    assert text_of(result) == CONTAINERD_2_MERGED.replace(
        "sandbox = 'localhost/kubernetes/pause:latest'", "sandbox = 'example.com/pause:3.10'")
    assert result.diagnostics == []


@pytest.mark.parametrize("kubelet, cdi", [("v1.31.9", False), ("v1.32.0", True), ("1.32.0", True), ("garbage", False)])
def test_enable_cdi_from_kubelet_1_32(kubelet, cdi):
    assert data_of(render(kubeletVersion=kubelet))["plugins"][CRI]["enable_cdi"] is cdi


def test_nvidia_accelerator_selects_nvidia_runtime():
    data = data_of(render(containerdVersion="2.1.4", accelerator="nvidia"))
    containerd_section = data["plugins"][RUNTIME]["containerd"]
    assert containerd_section["default_runtime_name"] == "nvidia"
    assert list(containerd_section["runtimes"]) == ["nvidia"]
    assert containerd_section["runtimes"]["nvidia"]["options"] == {
        "BinaryName": "/usr/bin/nvidia-container-runtime", "SystemdCgroup": True}


def test_neuron_keeps_runc():
    assert text_of(render(accelerator="neuron")) == CONTAINERD_1_DEFAULT


def test_sandbox_image_from_instance():
    data = data_of(render(sandboxImage="602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/pause:3.5"))
    assert data["plugins"][CRI]["sandbox_image"].endswith("eks/pause:3.5")


@pytest.mark.parametrize("version, expected", [
    ("1.7.27", False), ("2.0.0", True), ("containerd github.com/containerd/containerd/v2 v2.1.4 abc", True),
    ("v1.7.2", False), ("12.0.0", False), ("", False),
])
def test_containerd_major_version_detection(version, expected):
    assert containerd.is_containerd_2(version) is expected


@given(st.text(alphabet=st.sampled_from(list("v0129.-x ٣")), max_size=12))
@example("2.1.4")
@example("v1.34.0")
@example("02.1.4")
@example("v1.32.0")
def test_version_tests_agree_with_nodeadms_patterns(text):
    """The plain N.N.N fast path of is_containerd_2 and cdi_enabled answers as the patterns do."""
    import re

    from nodecfg.core.versions import parse_version

    match = re.search(r"[0-9]+\.[0-9]+.[0-9]+", text)
    assert containerd.is_containerd_2(text) is (bool(match) and match.group(0).startswith("2."))
    match = re.search(r"v?([0-9]+)\.([0-9]+)\.([0-9]+)", text)
    version = parse_version(match.group(0)) if match else None
    assert containerd.cdi_enabled(text) is (version is not None and tuple(version) >= containerd.CDI_KUBELET_VERSION)


# --- SOCI / FastImagePull -----------------------------------------------------

@pytest.mark.parametrize("vcpus, memory, gate, enabled", [
    (4, 7168, True, True),      # exactly 4 vCPU and 7 GiB
    (8, 16384, True, True),
    (4, 7167, True, False),     # memory just below 7 GiB
    (3, 16384, True, False),    # too few vCPUs
    (8, 16384, False, False),   # gate explicitly off
    (8, 16384, None, False),    # gate absent: default off
])
def test_soci_thresholds(vcpus, memory, gate, enabled):
    gates = None if gate is None else {"FastImagePull": gate}
    result = render(feature_gates=gates, vcpus=vcpus, memoryMiB=memory)
    assert (SOCI_CONFIG_PATH in result.files) is enabled
    assert (SOCI_DROPIN_PATH in result.files) is enabled
    assert ("proxy_plugins" in data_of(result)) is enabled


def test_soci_on_containerd_1_sets_snapshotter_and_proxy_plugin():
    data = data_of(render(feature_gates={"FastImagePull": True}, vcpus=8, memoryMiB=32768))
    section = data["plugins"][CRI]["containerd"]
    assert section["snapshotter"] == "soci"
    assert section["disable_snapshot_annotations"] is False
    assert data["proxy_plugins"] == {"soci": {
        "type": "snapshot",
        "address": "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock",
        "exports": {"root": "/var/lib/soci-snapshotter-grpc"},
    }}


def test_soci_on_containerd_2_sets_image_plugin_snapshotter():
    data = data_of(render(feature_gates={"FastImagePull": True}, vcpus=8, memoryMiB=32768, containerdVersion="2.1.4"))
    assert data["plugins"][IMAGES]["snapshotter"] == "soci"
    assert data["plugins"][IMAGES]["disable_snapshot_annotations"] is False


def test_template_with_soci_ends_with_the_proxy_plugin_and_no_newline():
    text = text_of(render(feature_gates={"FastImagePull": True}, vcpus=4, memoryMiB=8192))
    assert 'discard_unpacked_layers = true\nsnapshotter = "soci"\ndisable_snapshot_annotations = false\n\n' in text
    assert text.endswith('conf_dir = "/etc/cni/net.d"\n\n\n[proxy_plugins.soci]\ntype = "snapshot"\n'
                         'address = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"\n\n'
                         '[proxy_plugins.soci.exports]\nroot = "/var/lib/soci-snapshotter-grpc"')


def test_soci_snapshotter_file_keeps_the_embedded_quoting():
    text = text_of(render(feature_gates={"FastImagePull": True}, vcpus=4, memoryMiB=8192), SOCI_CONFIG_PATH)
    assert text.startswith("debug = false\n\n[content_store]\ntype = 'containerd'\n")
    assert 'concurrent_download_chunk_size = "16mb"\n' in text
    assert text.endswith("[pull_modes.parallel_pull_unpack.decompress_streams.\"gzip\"]\n"
                         "path = '/usr/bin/unpigz'\nargs = ['-d', '-c']\n")


def test_soci_snapshotter_config_and_dropin():
    result = render(feature_gates={"FastImagePull": True}, vcpus=4, memoryMiB=8192)
    soci = data_of(result, SOCI_CONFIG_PATH)
    assert soci["debug"] is False
    assert soci["content_store"] == {"type": "containerd"}
    assert soci["cri_keychain"] == {"enable_keychain": True, "image_service_path": "/run/containerd/containerd.sock"}
    pull = soci["pull_modes"]["parallel_pull_unpack"]
    assert pull["enable"] is True
    assert pull["concurrent_download_chunk_size"] == "16mb"
    assert (pull["max_concurrent_downloads"], pull["max_concurrent_unpacks"]) == (-1, -1)
    assert (pull["max_concurrent_downloads_per_image"], pull["max_concurrent_unpacks_per_image"]) == (20, 12)
    assert pull["decompress_streams"] == {"gzip": {"path": "/usr/bin/unpigz", "args": ["-d", "-c"]}}
    assert text_of(result, SOCI_DROPIN_PATH) == (
        "[Unit]\nRequires=soci-snapshotter.service\nAfter=soci-snapshotter.service\n")


# --- diagnostics ----------------------------------------------------------------

def test_invalid_toml_reports_nc501_at_toml_position_and_renders_defaults():
    result = render("[grpc]\naddress = \n")
    [diag] = result.diagnostics
    assert (diag.code, diag.severity) == ("NC501", Severity.ERROR)
    assert diag.span == Span("pointer:/spec/containerd/config", 2, 11)
    assert text_of(result) == CONTAINERD_1_DEFAULT


def test_v3_plugin_on_containerd_1_is_nc502_error_like_nodeadm_refusal():
    user = "version = 3\n\n[plugins.'io.containerd.cri.v1.images']\ndiscard_unpacked_layers = false\n"
    result = render(user)
    [diag] = result.diagnostics
    assert (diag.code, diag.severity) == ("NC502", Severity.ERROR)
    assert (diag.span.line, diag.span.col) == (3, 11)
    assert text_of(result) == CONTAINERD_1_DEFAULT


def test_version_3_on_containerd_1_is_nc502_error():
    result = render("version = 3\n[grpc]\naddress = '/run/x.sock'\n")
    [diag] = result.diagnostics
    assert (diag.code, diag.severity, diag.span.line) == ("NC502", Severity.ERROR, 1)
    assert data_of(result)["version"] == 3  # nodeadm writes it; containerd 1.x then refuses it


def test_v2_config_on_containerd_2_is_migrated_with_nc503_warning():
    user = (
        "version = 2\n"
        "[plugins.\"io.containerd.grpc.v1.cri\"]\n"
        "sandbox_image = \"example.com/pause:3.10\"\n"
        "stream_server_address = \"0.0.0.0\"\n"
        "[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
        "snapshotter = \"overlayfs\"\n"
        "[plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"docker.io\"]\n"
        "endpoint = [\"https://mirror.example.com\"]\n"
    )
    result = render(user, containerdVersion="2.1.4")
    [diag] = result.diagnostics
    assert (diag.code, diag.severity) == ("NC503", Severity.WARNING)
    assert 'plugins."io.containerd.grpc.v1.cri".sandbox_image -> plugins."io.containerd.cri.v1.images".pinned_images.sandbox' in diag.hint
    # containerd's CRI server keeps its streaming keys under the v2 name: nothing to move
    assert "stream_server_address" not in diag.hint
    data = data_of(result)
    assert data["version"] == 3
    assert data["plugins"][CRI]["stream_server_address"] == "0.0.0.0"
    assert data["plugins"][CRI]["stream_server_port"] == "0"  # containerd's default, printed by migrate
    images = data["plugins"][IMAGES]
    assert images["pinned_images"] == {"sandbox": "example.com/pause:3.10"}
    assert images["snapshotter"] == "overlayfs"
    assert images["discard_unpacked_layers"] is True
    assert images["registry"] == {
        "config_path": "/etc/containerd/certs.d:/etc/docker/certs.d",
        "mirrors": {"docker.io": {"endpoint": ["https://mirror.example.com"]}},
    }
    runtime = data["plugins"][RUNTIME]
    assert runtime["enable_cdi"] is True
    assert runtime["cni"]["bin_dir"] == "/opt/cni/bin" and runtime["cni"]["max_conf_num"] == 1
    assert runtime["containerd"]["default_runtime_name"] == "runc"
    assert "snapshotter" not in runtime["containerd"]
    assert runtime["containerd"]["runtimes"]["runc"]["options"]["BinaryName"] == "/usr/sbin/runc"
    assert data["cgroup"] == {"path": ""}


# The output of containerd 2.0.5's `config migrate` for nodeadm's v2 template,
# checked against the file the real nodeadm and containerd 2.0.5 write.
def test_migrate_prints_server_settings_in_struct_order_with_indented_tables():
    text = text_of(render("[grpc]\naddress = '/run/x.sock'\n", containerdVersion="2.0.5"))
    assert text.startswith(
        "version = 3\nroot = '/var/lib/containerd'\nstate = '/run/containerd'\ntemp = ''\n"
        "plugin_dir = ''\ndisabled_plugins = []\nrequired_plugins = []\noom_score = 0\nimports = []\n\n"
        "[grpc]\n  address = '/run/x.sock'\n  tcp_address = ''\n")
    assert "\n[cgroup]\n  path = ''\n\n[stream_processors]\n" \
           "  [stream_processors.'io.containerd.ocicrypt.decoder.v1.tar']\n" in text
    assert "[plugins]\n  [plugins.'io.containerd.cri.v1.images']\n    snapshotter = 'overlayfs'\n" in text
    assert "\n  [plugins.'io.containerd.internal.v1.tracing']\n\n  [plugins.'io.containerd.metadata" in text
    assert "proxy_plugins" not in text and "timeouts" not in text  # nil maps are not printed


def test_migrate_gives_a_new_runtime_zero_values_and_keeps_the_default_runc():
    text = text_of(render("[grpc]\naddress = '/run/x.sock'\n", containerdVersion="2.0.5", accelerator="nvidia"))
    runtimes = tomllib.loads(text)["plugins"][RUNTIME]["containerd"]["runtimes"]
    assert list(runtimes) == ["nvidia", "runc"]
    assert runtimes["nvidia"]["sandboxer"] == "" and runtimes["runc"]["sandboxer"] == "podsandbox"
    assert runtimes["nvidia"]["options"] == {"BinaryName": "/usr/bin/nvidia-container-runtime",
                                             "SystemdCgroup": True}
    assert runtimes["runc"]["options"]["BinaryName"] == "" and "SystemdCgroup" not in runtimes["runc"]["options"]


def test_migrate_with_soci_prints_the_proxy_plugin_struct():
    text = text_of(render("[grpc]\naddress = '/run/x.sock'\n", containerdVersion="2.0.5",
                          feature_gates={"FastImagePull": True}, vcpus=8, memoryMiB=16384))
    assert "\n[proxy_plugins]\n  [proxy_plugins.soci]\n    type = 'snapshot'\n" \
           "    address = '/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock'\n    platform = ''\n" \
           "    capabilities = []\n\n    [proxy_plugins.soci.exports]\n" \
           "      address = '/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock'\n" \
           "      root = '/var/lib/soci-snapshotter-grpc'\n" in text  # containerd adds the address


def test_v2_keys_next_to_v3_plugins_on_containerd_2_is_nc504():
    user = (
        "[plugins.'io.containerd.cri.v1.images'.pinned_images]\nsandbox = 'x/pause:1'\n"
        "[plugins.\"io.containerd.grpc.v1.cri\".registry]\nconfig_path = '/etc/certs'\n"
    )
    result = render(user, containerdVersion="2.1.4")
    [diag] = result.diagnostics
    assert (diag.code, diag.severity, diag.span.line) == ("NC504", Severity.WARNING, 3)
    assert 'plugins."io.containerd.cri.v1.images".registry.config_path' in diag.hint
    # nodeadm merges without migrating: the v2 key is written, and ignored by containerd 2.x
    assert data_of(result)["plugins"][CRI] == {"registry": {"config_path": "/etc/certs"}}


def test_version_2_in_v3_config_on_containerd_2_is_nc504():
    result = render("version = 2\n[plugins.'io.containerd.cri.v1.runtime']\nenable_cdi = false\n",
                    containerdVersion="2.1.4")
    assert [(d.code, d.span.line) for d in result.diagnostics] == [("NC504", 1)]


# --- origins ----------------------------------------------------------------------

def test_origins_name_instance_user_and_default_sources():
    user = "[plugins.\"io.containerd.grpc.v1.cri\".cni]\nconf_dir = '/etc/cni/custom'\n"
    origins = render(user, feature_gates={"FastImagePull": True}, vcpus=4, memoryMiB=8192).origins
    prefix = f"{CONFIG_PATH}#/plugins/{CRI}"
    assert origins[f"{prefix}/sandbox_image"] == "instance:sandboxImage"
    assert origins[f"{prefix}/enable_cdi"] == "instance:kubeletVersion"
    assert origins[f"{prefix}/containerd/default_runtime_name"] == "instance:accelerator"
    assert origins[f"{prefix}/containerd/snapshotter"] == "config:/spec/featureGates/FastImagePull"
    assert origins[f"{prefix}/cni/conf_dir"] == "config:/spec/containerd/config"
    assert origins[f"{prefix}/cni/bin_dir"] == "default"


def test_output_is_deterministic():
    user = "[b]\nx = 1\n[a]\ny = 2\n"
    assert text_of(render(user)) == text_of(render(user))


def test_a_migrated_config_is_printed_once_for_the_instance_types_that_share_it(monkeypatch):
    # compile() for many instance types (issue 24): `config migrate`'s output depends on the merged
    # config only, so types with the same runtime and sandbox image share one printing
    from nodecfg.render import containerd_migrate

    calls = []
    monkeypatch.setattr(containerd, "migrated_text",
                        lambda merged: calls.append(1) or containerd_migrate.migrated_text(merged))
    # a snapshotter no other test names: the memo is the module's, shared with the tests before
    user = 'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd]\nsnapshotter = "issue-24"\n'
    first = render(user, containerdVersion="2.1.4", instanceType="m5.large")
    second = render(user, containerdVersion="2.1.4", instanceType="c5.xlarge")
    assert len(calls) == 1 and text_of(first) == text_of(second)
    other = render(user.replace("issue-24", "issue-24-b"), containerdVersion="2.1.4", instanceType="m5.large")
    assert len(calls) == 2 and "snapshotter = 'issue-24-b'" in text_of(other)
