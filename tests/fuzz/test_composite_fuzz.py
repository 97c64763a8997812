"""Fuzzing with structured composite inputs (composite_strategies.py).

For every generated input: no exception, a bounded time, a bounded report
with no raw control characters, and every rendered file reads back with the
strict parser of its format (tests/readback.py).  The example budget comes
from the hypothesis profile: ``HYPOTHESIS_PROFILE=long`` runs 10,000 examples
(docs/limits.md).
"""
from __future__ import annotations

import base64

from hypothesis import given

from nodecfg.api import compile
from nodecfg.output.report import format_text

from composite_strategies import composite_inputs
from cputime import CpuTime
from readback import Unreadable, read_back

SECONDS_PER_INPUT = 10  # CPU seconds (tests/cputime.py); far above the few hundred ms they take; a regression takes tens of seconds
REPORT_LIMIT = 3_000_000


@given(composite_inputs)
def test_composite_inputs_compile_safely_and_render_readable_files(data):
    with CpuTime() as spent:
        result = compile([data])
    assert spent.seconds < SECONDS_PER_INPUT
    report = format_text(result.diagnostics, result.texts)
    assert len(report) < REPORT_LIMIT
    assert not any(char in report for char in "\x1b\x07\x85\x9b\u2028")
    codes = {d.code for d in result.diagnostics}
    for path, content in result.files.items():
        try:
            read_back(path, content)
        except Unreadable as unreadable:
            # Both are nodeadm's own output, with the error that says what the node does with it:
            # NC531, its escaping of a value ending in '"' leaves a dangling backslash;
            # NC308, a variable name systemd ignores (nodeadm writes it as given, e.g. 0644 as "420").
            assert path.endswith("environment.conf"), path
            assert ("NC531" in codes and b'\\"\n' in content) or \
                   ("NC308" in codes and "not NAME=value" in str(unreadable)), (path, content, unreadable)


def test_shrunk_an_octal_environment_name_is_written_as_nodeadm_writes_it_and_reported():
    # found by the long profile: YAML 1.1 reads the key 0644 as 420, which nodeadm pastes into the unit
    pem = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    source = (b"apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: demo\n"
              b"    apiServerEndpoint: https://example.com\n    certificateAuthority: " + pem + b"\n"
              b"    cidr: 10.100.0.0/16\n  instance:\n    environment: {kubelet: {0644: ~}}\n")
    result = compile([source])
    assert [(d.code, d.span.line) for d in result.diagnostics if d.code == "NC308"] == [("NC308", 10)]
    assert result.files["etc/systemd/system/kubelet.service.d/environment.conf"] == b'[Service]\nEnvironment="420="\n'
