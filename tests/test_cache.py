"""The check result cache: hits replay the same output; any input change misses."""
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = (Path(__file__).parent.parent / "examples" / "nodeconfig.yaml").read_text()


@pytest.fixture
def run_check(tmp_path, monkeypatch):
    monkeypatch.delenv("NODECFG_NO_CACHE", raising=False)
    cache = tmp_path / "cache"

    def run(*args):
        env = {"NODECFG_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
        done = subprocess.run([sys.executable, "-m", "nodecfg", "check", *args], capture_output=True, text=True,
                              env=env, cwd=tmp_path)
        return done.returncode, done.stdout, done.stderr

    run.cache = cache
    return run


def test_a_hit_replays_output_and_exit_code(tmp_path, run_check):
    (tmp_path / "bad.yaml").write_text(EXAMPLE.replace("cidr:", "cidrr:"))
    first = run_check("bad.yaml")
    assert first[0] == 1 and "NC201" in first[1]
    assert len(list(run_check.cache.glob("*.json"))) == 1
    assert run_check("bad.yaml") == first


def test_changing_the_file_or_an_option_misses(tmp_path, run_check):
    source = tmp_path / "n.yaml"
    source.write_text(EXAMPLE)
    assert run_check("n.yaml")[0] == 0
    source.write_text(EXAMPLE.replace("cidr:", "cidrr:"))
    assert run_check("n.yaml")[0] == 1
    assert run_check("n.yaml", "--format", "json")[1].lstrip().startswith("[")
    assert len(list(run_check.cache.glob("*.json"))) == 3


def test_missing_sources_and_stdin_are_not_cached(tmp_path, run_check):
    assert run_check("absent.yaml")[0] == 2
    assert not run_check.cache.exists() or not list(run_check.cache.glob("*.json"))


def test_the_key_covers_the_code_outside_the_cli():
    """A rule or renderer edited (a file outside nodecfg/cli) must miss: the fingerprint walks the whole package."""
    import nodecfg
    from nodecfg.cli import cache

    assert cache.PACKAGE_DIR == Path(nodecfg.__file__).resolve().parent
    seen: list[str] = []

    class Digest:
        def update(self, data: bytes) -> None:
            seen.append(data.decode())

    cache._code_fingerprint(Digest())
    assert any(line.startswith("render/kubelet.py:") for line in seen)
    assert any(line.startswith("linter/rules/mode.py:") for line in seen)
