"""The release archives: an sdist that can run its own tests, a wheel with its package data, one version.

The archives are built with setuptools' PEP 517 hooks directly (what `python -m build`
calls), from a setuptools new enough for the SPDX ``license`` field, installed into a
temporary directory; the test is skipped when that setuptools cannot be installed.
"""
from __future__ import annotations

import os
import runpy
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VERSION = runpy.run_path(str(ROOT / "nodecfg" / "_version.py"))["__version__"]
SDIST_DIRS = ["examples", "golden", "schemas", "docs", "tests", "scripts", "benchmarks"]


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("packaging")
    backend = tmp / "setuptools"
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--target", str(backend),
                              "setuptools>=77"], capture_output=True, text=True, timeout=600)
    if install.returncode:
        pytest.skip(f"setuptools>=77 could not be installed: {install.stderr.strip()[-300:]}")
    env = {**os.environ, "PYTHONPATH": str(backend)}
    dist = tmp / "dist"

    def hook(call: str, cwd: Path) -> str:
        code = f"from setuptools import build_meta; print(build_meta.{call}({str(dist)!r}))"
        done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]

    sdist = dist / hook("build_sdist", ROOT)
    unpacked = tmp / "unpacked"
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    # the wheel is built from the unpacked sdist, as `python -m build` does
    wheel = dist / hook("build_wheel", unpacked / f"nodecfg-{VERSION}")
    return sdist, wheel, unpacked / f"nodecfg-{VERSION}"


def test_version_is_written_once():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "nodecfg._version.__version__"}
    import nodecfg
    assert nodecfg.__version__ == VERSION


def test_metadata_declares_the_license_and_urls():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    assert "Apache License" in (ROOT / "LICENSE").read_text()[:200]
    assert {"Homepage", "Documentation", "Source", "Issues", "Changelog"} <= set(project["urls"])
    assert "Typing :: Typed" in project["classifiers"]


def test_sdist_holds_what_the_tests_read(archives):
    sdist, _, unpacked = archives
    assert sdist.name == f"nodecfg-{VERSION}.tar.gz"
    for name in SDIST_DIRS:
        tracked = subprocess.run(["git", "ls-files", name], cwd=ROOT, capture_output=True, text=True).stdout.split()
        if not tracked:  # not a git checkout (an unpacked sdist): compare with the tree itself
            tracked = [str(p.relative_to(ROOT)) for p in (ROOT / name).rglob("*") if p.is_file()
                       and "__pycache__" not in p.parts]
        missing = [path for path in tracked if not (unpacked / path).is_file()]
        assert not missing, missing[:10]
    for name in ["LICENSE", "README.md", "CHANGELOG.md", "mkdocs.yml", ".ci/run", "nodecfg/py.typed"]:
        assert (unpacked / name).is_file(), name
    with tarfile.open(sdist) as archive:
        assert not [n for n in archive.getnames() if "__pycache__" in n or n.endswith(".pyc")]
    pkg_info = (unpacked / "PKG-INFO").read_text()
    assert f"Version: {VERSION}\n" in pkg_info and "License-Expression: Apache-2.0\n" in pkg_info


def test_wheel_carries_package_data_and_only_the_package(archives):
    _, wheel, _ = archives
    assert wheel.name == f"nodecfg-{VERSION}-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    for required in ["nodecfg/py.typed", "nodecfg/_version.py", "nodecfg/linter/docs/NC201.md",
                     "nodecfg/validate/schemas/nodeconfig.v1alpha1.json", "nodecfg/parse/", "nodecfg/nodeadm/data/instance_table.tsv",
                     "nodecfg/nodeadm/data/release_versions.tsv"]:
        assert any(name.startswith(required) for name in names), required
    assert {name.split("/")[0] for name in names} == {"nodecfg", f"nodecfg-{VERSION}.dist-info"}
    assert f"nodecfg-{VERSION}.dist-info/licenses/LICENSE" in names


def test_installed_wheel_runs_outside_the_checkout(archives, tmp_path):
    _, wheel, _ = archives
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *argv], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)

    where = run("-c", "import nodecfg.api; print(nodecfg.api.__file__)")
    assert where.stdout.strip() == str(site / "nodecfg" / "api.py")
    check = run("-m", "nodecfg", "check", str(ROOT / "examples" / "userdata.mime"))
    assert (check.returncode, check.stdout) == (0, ""), check.stderr
    rule = run("-m", "nodecfg", "rule", "NC201")
    assert rule.returncode == 0 and "NC201" in rule.stdout
    version = run("-m", "nodecfg", "--version")
    assert version.stdout.strip() == f"nodecfg {VERSION}"
