"""What a cold `nodecfg check` imports (the start-up budgets of issues 9 and 24).

On Python 3.11 the dataclasses module costs about 15 ms to import and each
dataclass about a millisecond to define, so the records `check` builds are
NamedTuples or plain classes; the renderers, the result cache, jsonschema, the
TOML and CEL libraries are not needed to check a typical config either.

Issue 24: one typical file invites tuning to that file, so each representative
kind of input is pinned too: what its path needs is loaded (so the case really
takes that path) and what only other paths need is not.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = """
import json, sys
from nodecfg.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _cold_check(argv: list[str], cwd: Path) -> tuple[int, set[str]]:
    """Exit code and sys.modules of one fresh `nodecfg ARGV` process (result cache off)."""
    env = dict(os.environ, NODECFG_NO_CACHE="1", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", PROGRAM, *argv], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    return report["code"], set(report["modules"])


def _typical_nodeconfig() -> str:
    spec = importlib.util.spec_from_file_location("bench_check", ROOT / "benchmarks" / "bench_check.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.TYPICAL_NODECONFIG.format(ca=bench.example_ca())


def test_a_cold_check_of_a_typical_config_imports_only_what_it_runs(tmp_path):
    target = tmp_path / "nodeconfig.yaml"
    target.write_text(_typical_nodeconfig())
    code, modules = _cold_check(["check", str(target)], tmp_path)
    assert code == 0
    assert not modules & {"dataclasses", "inspect", "jsonschema", "hashlib", "tomlkit", "celpy", "lark", "ruamel.yaml",
                          "datetime", "nodecfg.parse.mime", "zlib"}  # a YAML file: no MIME reader
    # the look for user data inside a manifest or template reads the registry's index, no kind module
    containers = {m for m in modules if m.startswith("nodecfg.parse.containers")}
    assert containers == {"nodecfg.parse.containers", "nodecfg.parse.containers.index"}
    # the kubelet-flag rules read nodeadm's own flags and the argv model; no file is rendered
    renderers = {m for m in modules if m.startswith("nodecfg.render.")}
    assert renderers <= {"nodecfg.render.flags", "nodecfg.render.kubelet"}


# Loaded only by paths that need them: the TOML stack (a containerd.config), CEL (a
# maxPodsExpression), the machine formats with hashlib and subprocess (SARIF and the
# like; xml.sax.saxutils would bring urllib.request and http.client), the stdlib email
# package (nodecfg's MIME reader is its own), lark (a heredoc in a script), dataclasses.  ruamel.yaml
# reads only what parse/yaml_block.py leaves to it (anchors, tags, multi-line scalars, errors...):
# YAML and JSON in the common block and flow styles are composed without importing it.
TOML = {"tomllib", "decimal", "nodecfg.merge.toml", "nodecfg.encode.gotoml", "nodecfg.render.containerd",
        "nodecfg.render.containerd_migrate"}
CEL = {"nodecfg.context.cel", "celpy", "lark"}
FORMATS = {"nodecfg.output.formats", "hashlib", "subprocess"}
NEVER = {"dataclasses", "inspect", "jsonschema", "email", "email.parser", "xml.sax.saxutils",
         "urllib.request", "http.client", "nodecfg.cli.cache", "tomlkit",
         "zlib",  # user data read as base64 or MIME needs zlib only when it is gzip-compressed
         "nodecfg.cli.commands._pool",  # check --each over 64 sources or more
         "unicodedata"}  # findings and rendered values outside printable ASCII only
RUAMEL = {"ruamel", "ruamel.yaml"}

# (case, argv after `check`, exit code, modules the path must load, modules it must not)
REPRESENTATIVE = [
    ("cel-expression", ["golden/max-pods-expression/nodeconfig.yaml"], 0,
     {"nodecfg.context.cel", "nodecfg.linter.rules.max_pods_expression"},
     # integer arithmetic: the exact subset evaluator answers, cel-python is not imported
     NEVER | TOML | FORMATS | RUAMEL | {"celpy", "lark"}),
    ("containerd-toml", ["golden/merge-containerd-toml/a.yaml"], 0,
     {"tomllib", "nodecfg.merge.toml", "nodecfg.render.containerd"},
     # a fraction in a setting is written without the decimal module (encode/gotoml.py _positional)
     NEVER | CEL | FORMATS | RUAMEL | {"decimal"}),
    ("mime-with-script", ["golden/mime-three-parts/userdata.mime"], 0,
     {"nodecfg.parse.mime", "nodecfg.parse.shell"},
     # the script has no heredoc: the lark grammar is not loaded
     NEVER | TOML | CEL | FORMATS | RUAMEL),
    ("ec2nodeclass", ["golden/karpenter-nodeclass-mime/ec2nodeclass.yaml"], 0,
     {"nodecfg.parse.containers.kinds.ec2nodeclass", "nodecfg.parse.embedded"},
     NEVER | TOML | CEL | FORMATS | RUAMEL),
    # JSON is composed without ruamel too (its user data sets a containerd config)
    ("launch-template-json", ["golden/launch-template-versions/versions.json"], 0,
     {"nodecfg.parse.containers.kinds.launch_template", "nodecfg.parse.yaml_block"},
     NEVER | CEL | FORMATS | RUAMEL),
    # a plain `cat <<'NODECONFIG' > /etc/eks/nodeadm.d/...` line is read without lark; the script's
    # first command (no ':') settles Karpenter's "not a NodeConfig" without a YAML read by ruamel
    ("ec2nodeclass-script-heredoc", ["golden/karpenter-nodeclass-script/nodeclass.yaml"], 0,
     {"nodecfg.parse.shell", "nodecfg.parse.embedded"},
     NEVER | TOML | CEL | FORMATS | RUAMEL),
    ("findings-as-text", ["golden/errors-typos/nodeconfig.yaml"], 1,
     {"nodecfg.output.report"},
     NEVER | TOML | CEL | FORMATS | RUAMEL | {"nodecfg.linter.registry"}),
    ("findings-as-sarif", ["golden/errors-typos/nodeconfig.yaml", "--format", "sarif"], 1,
     FORMATS | {"nodecfg.linter.registry"},
     NEVER | TOML | CEL | RUAMEL),
    ("clean", ["golden/plain-yaml/nodeconfig.yaml"], 0,
     {"nodecfg.render.kubelet"},
     NEVER | TOML | CEL | FORMATS | RUAMEL),
]


@pytest.mark.parametrize("case, argv, exit_code, needed, unneeded", REPRESENTATIVE,
                         ids=[case[0] for case in REPRESENTATIVE])
def test_a_cold_check_loads_what_the_path_needs_and_nothing_else(case, argv, exit_code, needed, unneeded):
    code, modules = _cold_check(["check", *argv], ROOT)
    assert code == exit_code
    assert needed <= modules, f"{case}: the case no longer takes its path: {sorted(needed - modules)}"
    assert not modules & unneeded, f"{case}: loaded without needing it: {sorted(modules & unneeded)}"


# pathlib brings urllib.parse, ntpath and fnmatch (2-3 ms of a cold process): check names its sources
# with parse/files.path_text and finds settings on strings; a Path is made for a settings file found.
EACH_KINDS = ["golden/mime-three-parts/userdata.mime", "golden/karpenter-nodeclass-mime/ec2nodeclass.yaml",
              "golden/launch-template-versions/versions.json", "golden/errors-typos/nodeconfig.yaml",
              "golden/merge-containerd-toml/a.yaml", "golden/karpenter-nodeclass-script/nodeclass.yaml"]


def test_a_cold_check_imports_no_pathlib(tmp_path):
    target = tmp_path / "nodeconfig.yaml"
    target.write_text(_typical_nodeconfig())
    code, modules = _cold_check(["check", str(target)], tmp_path)
    assert code == 0
    assert "pathlib" not in modules
    # --each over every kind of input, a directory and relative spellings, with no settings file
    folder = tmp_path / "configs"
    folder.mkdir()
    (folder / "a.yaml").write_text(_typical_nodeconfig())
    (folder / "b.mime").write_bytes((ROOT / EACH_KINDS[0]).read_bytes())
    code, modules = _cold_check(["check", "--each", "./configs/", "configs//a.yaml",
                                 *(str(ROOT / name) for name in EACH_KINDS)], tmp_path)
    assert code == 1  # errors-typos
    assert {"nodecfg.parse.discover", "nodecfg.parse.mime", "nodecfg.parse.embedded"} <= modules
    assert "pathlib" not in modules


def test_a_settings_file_found_is_still_a_path(tmp_path):
    """The paths that need pathlib keep it: the settings file found (Settings.path), --show-settings."""
    from pathlib import Path

    from nodecfg.linter.config import find_settings_file, load_settings

    project = tmp_path / "project"
    project.mkdir()
    (project / "nodeconfig.yaml").write_text(_typical_nodeconfig() + "  kubelett: {}\n")
    code, modules = _cold_check(["check", "nodeconfig.yaml"], project)
    assert code == 1 and "pathlib" not in modules  # NC201, no settings file
    (project / "pyproject.toml").write_text('[tool.nodecfg]\nignore = ["NC201"]\n')
    code, modules = _cold_check(["check", "./nodeconfig.yaml"], project)
    assert code == 0 and "pathlib" in modules
    settings = load_settings(project)
    assert isinstance(settings.path, Path) and settings.path == project.resolve() / "pyproject.toml"
    assert find_settings_file(str(project)) == settings.path
    shown = subprocess.run([sys.executable, "-m", "nodecfg", "check", "--show-settings", "nodeconfig.yaml"],
                           capture_output=True, text=True, cwd=project, timeout=60,
                           env=dict(os.environ, NODECFG_NO_CACHE="1", PYTHONPATH=str(ROOT)))
    assert f"settings file: {project.resolve() / 'pyproject.toml'}\n" in shown.stdout


COUNTING_PROGRAM = """
import json, re, sys, typing
forward = []
original_init = typing.ForwardRef.__init__
def counting_init(self, arg, *args, **kwargs):
    forward.append(arg)
    original_init(self, arg, *args, **kwargs)
typing.ForwardRef.__init__ = counting_init
compiled = set()
original_compile = re._compile
def counting_compile(pattern, flags):
    if not isinstance(pattern, re.Pattern):
        compiled.add((pattern, flags))
    return original_compile(pattern, flags)
re._compile = counting_compile
from nodecfg.cli.main import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "forward": forward, "patterns": len(compiled)}))
"""


def test_a_cold_check_compiles_few_annotations_and_patterns(tmp_path):
    """Two start-up costs no import list shows (issue 24).

    typing.NamedTuple turns each string annotation (``from __future__ import annotations``) into a
    ForwardRef, which compiles it: about 20 microseconds a field, 2.9 ms of a cold check when every
    record module postponed its annotations.  CPython compiles each regular expression in Python,
    0.1 to 0.5 ms each; a pattern only rarer inputs need is a ``core/lazy_re.LazyPattern``.  The
    budgets are today's counts with a little room: a new module-level pattern or a record module
    with postponed annotations on this path fails here, and should be made lazy instead.
    """
    target = tmp_path / "nodeconfig.yaml"
    target.write_text(_typical_nodeconfig())
    env = dict(os.environ, NODECFG_NO_CACHE="1", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", COUNTING_PROGRAM, "check", str(target)], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["code"] == 0
    # only pipeline.Request, whose fields name types imported for the type checker alone
    assert len(report["forward"]) <= 12, report["forward"]
    assert report["patterns"] <= 22, report["patterns"]


def test_the_command_collects_garbage_rarely(tmp_path):
    """nodecfg.cli.command raises the collector's threshold before the command's modules are
    imported: at Python's default a cold check ran about 20 collections (5 to 8 % of its time)."""
    target = tmp_path / "nodeconfig.yaml"
    target.write_text(_typical_nodeconfig())
    program = ("import gc, os, sys\n"
               "gc.callbacks.append(lambda phase, info: phase == 'stop' and os.write(2, b'collected\\n'))\n"
               "sys.argv = ['nodecfg', 'check', sys.argv[1]]\n"
               "from nodecfg.cli import command\n"
               "command()\n")
    env = dict(os.environ, NODECFG_NO_CACHE="1", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", program, str(target)], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("collected") <= 2, done.stderr
