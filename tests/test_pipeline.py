"""pipeline.run and its memo of the front half."""
from __future__ import annotations

from pathlib import Path

import nodecfg
from nodecfg import pipeline

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = (ROOT / "examples" / "nodeconfig.yaml").read_bytes()


def test_the_front_half_is_parsed_once_for_the_same_bytes(monkeypatch):
    pipeline._ANALYSES.clear()
    calls = []
    real = pipeline._analyse
    monkeypatch.setattr(pipeline, "_analyse", lambda *a: calls.append(a) or real(*a))
    first = nodecfg.compile([EXAMPLE], instance={"instanceType": "m5.large"})
    second = nodecfg.compile([EXAMPLE], instance={"instanceType": "c5.4xlarge"})
    assert len(calls) == 1
    assert first.files["etc/kubernetes/kubelet/config.json"] != second.files["etc/kubernetes/kubelet/config.json"]
    nodecfg.compile([EXAMPLE.replace(b"name: demo", b"name: other")])
    assert len(calls) == 2


def test_a_changed_file_is_read_again(tmp_path):
    path = tmp_path / "node.yaml"
    path.write_bytes(EXAMPLE)
    assert nodecfg.compile([path]).config["spec"]["cluster"]["name"] == "demo"
    path.write_bytes(EXAMPLE.replace(b"name: demo", b"name: renamed"))
    assert nodecfg.compile([path]).config["spec"]["cluster"]["name"] == "renamed"


def test_what_the_caller_changes_does_not_reach_the_next_compile():
    first = nodecfg.compile([EXAMPLE])
    first.config["spec"]["cluster"]["name"] = "changed by the caller"
    first.texts.clear()
    second = nodecfg.compile([EXAMPLE])
    assert second.config["spec"]["cluster"]["name"] == "demo" and second.texts


def test_the_memo_is_bounded():
    pipeline._ANALYSES.clear()
    for number in range(pipeline._ANALYSES_KEPT + 5):
        pipeline.analyse([EXAMPLE.replace(b"name: demo", f"name: c{number}".encode())])
    assert len(pipeline._ANALYSES) == pipeline._ANALYSES_KEPT
