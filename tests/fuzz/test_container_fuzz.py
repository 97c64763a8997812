"""Fuzzing the container readers with structured files (container_strategies.py).

For every generated EC2NodeClass manifest, CloudFormation template, launch
template output and Terraform plan, and for each user data it holds: no
exception, bounded CPU time, and every finding's span inside the input (a
line the text it names has, a column on that line).  The example budget
comes from the hypothesis profile: ``HYPOTHESIS_PROFILE=long`` runs 10,000
examples (docs/limits.md).
"""
from __future__ import annotations

import time

from hypothesis import given

from nodecfg.linter.engine import lint
from nodecfg.parse.containers.reading import unit_count
from nodecfg.parse.source import LoadOptions

from container_strategies import container_files

CPU_SECONDS_PER_FILE = 5  # the files are small; each takes tens of milliseconds
NAME = "<input 1>"


@given(container_files)
def test_container_files_are_read_safely_and_every_span_is_inside_the_input(data):
    started = time.process_time()
    count = unit_count(data, NAME)
    units = range(count) if count > 1 else [None]
    for unit in units:
        result = lint([data], options=LoadOptions(unit=unit))
        texts = {**_decoded_layers(data), **result.texts}
        for diagnostic in result.diagnostics:
            _assert_inside(diagnostic, texts, data)
    assert time.process_time() - started < CPU_SECONDS_PER_FILE


def _decoded_layers(data: bytes) -> dict[str, str]:
    """The text of each base64 (and gzip) user data, which spans in ``UNIT#base64`` number the lines of."""
    from nodecfg.parse.containers.reading import extract
    from nodecfg.parse.wrapping import unwrap

    container = extract(data, NAME)
    found = {}
    for unit in container.units if container is not None else []:
        unwrapped = unwrap(unit.data, unit.uri)
        if unwrapped.layers:
            found[f"{unit.uri}#{'+'.join(unwrapped.layers)}"] = unwrapped.data.decode("utf-8", "replace")
    return found


def _assert_inside(diagnostic, texts: dict[str, str], data: bytes) -> None:
    span = diagnostic.span
    assert span.uri.startswith(NAME), diagnostic
    if span.line <= 0:
        return  # the source as a whole
    text = texts.get(span.uri)
    if text is None:  # a text that never decoded: the raw lines
        assert span.line <= data.count(b"\n") + 1, diagnostic
        return
    lines = text.split("\n")
    assert span.line <= len(lines), (diagnostic, len(lines))
    assert 1 <= span.col <= len(lines[span.line - 1]) + 1, (diagnostic, lines[span.line - 1][:200])
