"""What a cold `nodecfg check` of a typical NodeConfig imports (the start-up budget of issue 9).

On Python 3.11 the dataclasses module costs about 15 ms to import and each
dataclass about a millisecond to define, so the records `check` builds are
NamedTuples or plain classes; the renderers, the result cache, jsonschema, the
TOML and CEL libraries are not needed to check a typical config either.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = """
import json, sys
from nodecfg.cli.main import main
code = main(["check", sys.argv[1]])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _typical_nodeconfig() -> str:
    spec = importlib.util.spec_from_file_location("bench_check", ROOT / "benchmarks" / "bench_check.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.TYPICAL_NODECONFIG.format(ca=bench.example_ca())


def test_a_cold_check_of_a_typical_config_imports_only_what_it_runs(tmp_path):
    target = tmp_path / "nodeconfig.yaml"
    target.write_text(_typical_nodeconfig())
    env = dict(os.environ, NODECFG_NO_CACHE="1", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(target)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["code"] == 0
    modules = set(report["modules"])
    assert not modules & {"dataclasses", "inspect", "jsonschema", "hashlib", "tomlkit", "celpy", "lark"}
    # the kubelet-flag rules read nodeadm's own flags and the argv model; no file is rendered
    renderers = {m for m in modules if m.startswith("nodecfg.render.")}
    assert renderers <= {"nodecfg.render.flags", "nodecfg.render.kubelet", "nodecfg.render.kubelet_argv"}
