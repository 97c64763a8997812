"""The run.sh reader of release_cases.py, on small scripts written here (runs without any checkout)."""
from __future__ import annotations

from pathlib import Path

from .cases import BYTES, CONTAINERD_V1, CONTAINERD_V2, JSON, NOT_CONTAINS, CaseFile, ImdsUserData
from .release_cases import REFUSED, SKIP, interpret, release_cases


def _e2e(tmp_path: Path, cases: dict[str, dict[str, str]], two_images: bool = False) -> Path:
    e2e = tmp_path / "e2e"
    (e2e / "cases").mkdir(parents=True)
    (e2e / "run.sh").write_text('runTest "$CASE_NAME" "$CONTAINERD_V2_IMAGE"\n' if two_images else "run\n")
    for name, files in cases.items():
        for path, text in files.items():
            (e2e / "cases" / name / path).parent.mkdir(parents=True, exist_ok=True)
            (e2e / "cases" / name / path).write_text(text)
    return e2e


LOOP = """set -o errexit
source /helpers.sh
mock::aws
mock::kubelet 1.29.0
wait::dbus-ready
for config in config.*; do
  nodeadm init --skip run --config-source file://${config}
  assert::json-files-equal /etc/kubernetes/kubelet/config.json expected.json
  if [[ -f "missing/40-nodeadm.conf" ]]; then
    assert::files-equal /never expected.json
  fi
done
mock::kubelet 1.21.0
if nodeadm init --skip run; then
  echo "should fail"
  exit 1
fi
assert::file-not-contains /etc/kubernetes/kubelet/config.json '"kubeAPIQPS"'
assert::file-contains /etc/hosts $'::1\\tlocalhost'
"""


def test_loops_guards_refusals_and_default_source(tmp_path):
    e2e = _e2e(tmp_path, {"kubelet-config": {"run.sh": LOOP, "config.a.yaml": "", "config.b.yaml": ""}})
    case = interpret(e2e / "cases" / "kubelet-config", e2e)
    assert [step.sources for step in case.steps] == [(CaseFile("config.a.yaml"),), (CaseFile("config.b.yaml"),),
                                                     (ImdsUserData(),)]
    assert [step.kubelet_version for step in case.steps] == ["v1.29.0", "v1.29.0", "v1.21.0"]
    assert [step.refused_with for step in case.steps] == ["", "", REFUSED]
    # the guarded assertion is dropped (its file does not exist), the loop's one kept per config
    assert [[check.kind for check in step.checks] for step in case.steps] == [
        [JSON], [JSON], [NOT_CONTAINS, SKIP]]
    assert case.steps[2].checks[1].node_path == "etc/hosts"


def test_instance_type_mocks_and_images(tmp_path):
    script = ("mock::aws aemm-g5-config.json\nmock::kubelet 1.27.0\ntouch /usr/bin/nvidia-container-runtime\n"
              "nodeadm init --skip run --config-source file://config.yaml\n"
              "assert::files-equal /etc/containerd/config.toml expected.toml\n")
    mock = '{"metadata": {"values": {"instance-type": "g5.8xlarge"}}}'
    cases = {"containerd-runtime-config-nvidia": {"run.sh": script, "aemm-g5-config.json": mock}}
    one = interpret(_e2e(tmp_path / "one", cases) / "cases" / "containerd-runtime-config-nvidia",
                    tmp_path / "one" / "e2e")
    assert [(s.instance_type, s.accelerator, s.containerd_version) for s in one.steps] == [
        ("g5.8xlarge", "nvidia", CONTAINERD_V1)]
    assert one.steps[0].checks[0].kind == BYTES
    # with the v1/v2 images (v20250807 on), containerd-* cases run on both
    two = interpret(_e2e(tmp_path / "two", cases, two_images=True) / "cases" / "containerd-runtime-config-nvidia",
                    tmp_path / "two" / "e2e")
    assert [s.containerd_version for s in two.steps] == [CONTAINERD_V2, CONTAINERD_V1]


def test_an_unknown_line_skips_the_case_quoting_it(tmp_path):
    script = "mock::aws\nmock::kubelet 1.30.0\nnodeadm init --skip run --config-source file://c.yaml\nsleep 5\n"
    e2e = _e2e(tmp_path, {"odd": {"run.sh": script}, "local-disks": {"run.sh": script}})
    cases, skipped = release_cases(e2e, None)
    assert cases == []
    assert skipped == {"odd": "run.sh not modelled: sleep 5",
                       "local-disks": "not an offline compilation: running setup-local-disks (raid0) in the run phase"}
