"""Fuzzing the library: any bytes, no exception; spans inside the input; render then build is stable.

The example budget comes from the hypothesis profile (tests/conftest.py):
"ci" by default, HYPOTHESIS_PROFILE=long for a longer run (docs/limits.md).
"""
from __future__ import annotations

from hypothesis import given

from nodecfg.api import compile
from nodecfg.pipeline import analyse
from nodecfg.encode.yaml import dump_yaml

from fuzz_strategies import any_input, complete_nodeconfigs, mime_documents, mutated


@given(any_input)
def test_compile_never_raises(data):
    result = compile([data])
    assert isinstance(result.diagnostics, list)
    assert result.ok or result.diagnostics


@given(any_input)
def test_every_span_is_inside_the_input(data):
    analysis = analyse([data])
    for diagnostic in analysis.diagnostics:
        span = diagnostic.span
        if span.line <= 0:
            continue  # the source as a whole
        assert span.uri.startswith("<input 1>"), diagnostic
        assert span.line <= _line_count(span.uri, analysis.loaded.texts, data), diagnostic


def _line_count(uri: str, texts: dict[str, str], data: bytes) -> int:
    text = texts.get(uri)
    if text is None:  # a span in a text that never decoded: count the raw lines
        return data.count(b"\n") + 1
    return text.count("\n") + 1


@given(mime_documents())
def test_mime_documents_never_raise(data):
    compile([data])


@given(mutated())
def test_mutated_user_data_never_raises(data):
    compile([data])


@given(complete_nodeconfigs)
def test_building_the_rendered_config_gives_the_same_files(data):
    first = compile([data])
    if not first.files:
        return
    again = compile([dump_yaml(first.config).encode()])
    assert again.files == first.files
