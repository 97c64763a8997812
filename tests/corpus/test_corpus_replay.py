"""Replays every input that once crashed nodecfg or made it run for seconds.

Each file is fed to the library as raw bytes (user data); gzip-compressed
files are decompressed by nodecfg itself, as nodeadm would.  The finding
each one must produce is what nodeadm does with it (or the limit that now
refuses it, docs/limits.md).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from cputime import CpuTime
from nodecfg.api import compile
from nodecfg.pipeline import analyse

CORPUS = Path(__file__).parent
SECONDS = 3.0

# file -> (the code it must raise, what it used to do)
EXPECTED = {
    "base64-twice-mime.b64": ("NC205", "MIME base64-encoded twice was decoded twice; nodeadm decodes once "
                                       "and then sees a string"),
    "comment-lines.yaml.gz": ("NC123", "500,000 comment lines: 5 s in the YAML scanner"),
    "containerd-toml-deep-table.yaml": ("NC501", "a 3,000-deep TOML table header: RecursionError in build"),
    "deep-flow-nesting.yaml": ("NC123", "10,000 nested '[': 7 s of quadratic scanning before any limit"),
    "lone-surrogate-escape.yaml": ("NC120", "a \\ud800 escape: UnicodeEncodeError in render"),
    "many-empty-documents.yaml.gz": ("NC123", "200,000 '---' lines: 9 s"),
    "merge-key-bomb.yaml": ("NC301", "merge keys that expand 8**13 times: exponential time"),
    "mime-many-media-parameters.mime.gz": ("NC105", "80,000 Content-Type parameters: quadratic parsing"),
    "thirty-thousand-keys.yaml.gz": ("NC123", "a mapping of 30,000 keys: composed whole before any limit"),
    "mime-headers-cut-at-end.mime": ("NC104", "reported on line 6 of a 5-line input"),
    "undecodable-file-valid-part.mime": ("NC120", "excerpt text of the part numbered from its own first line "
                                                  "while its spans count lines of the file"),
}


def corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.is_file() and not p.name.endswith(".py"))


def test_every_corpus_file_has_an_expectation():
    assert corpus_files() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_input_is_refused_quickly_with_its_finding(name):
    data = (CORPUS / name).read_bytes()
    with CpuTime() as spent:
        result = compile([data])
    code, history = EXPECTED[name]
    assert spent.seconds < SECONDS, f"{name} ({history}) took {spent.seconds:.1f} s of CPU"
    assert code in {d.code for d in result.diagnostics}, history
    assert not result.ok and not result.files


def test_merge_key_bomb_keeps_one_value_per_key():
    result = compile([(CORPUS / "merge-key-bomb.yaml").read_bytes()])
    assert sorted(result.config["spec"]["kubelet"]["config"]) == sorted(f"k{i}" for i in range(14))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_spans_are_lines_of_their_text(name):
    analysis = analyse([(CORPUS / name).read_bytes()])
    for diagnostic in analysis.diagnostics:
        span, text = diagnostic.span, analysis.loaded.texts.get(diagnostic.span.uri)
        if span.line > 0 and text is not None:
            assert span.line <= text.count("\n") + 1, diagnostic
