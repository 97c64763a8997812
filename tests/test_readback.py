"""Every file nodecfg writes reads back with a strict parser of its format (tests/readback.py).

Covered: ``compile().files`` of every golden case, the tarball ``build``
writes for each of them, files rendered from values built to break out of
their format, and (in tests/fuzz) the files of generated composite inputs.
"""
from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from nodecfg.api import compile
from nodecfg.cli.main import main

from readback import Unreadable, environment_assignment, kubelet_environment, read_back, read_back_all, \
    resolved_conf, strict_json, systemd_ini
from test_golden import CASES, GOLDEN, load_case

ROOT = Path(__file__).resolve().parents[1]
CLUSTER = (ROOT / "examples" / "nodeconfig.yaml").read_text().split("  kubelet:")[0]


def _golden_compile(name: str):
    case_dir = GOLDEN / name
    case = load_case(case_dir)
    previous = os.getcwd()
    os.chdir(case_dir)
    try:
        return case, compile(case["sources"], case.get("instance"), mode=case.get("mode", "self-managed"))
    finally:
        os.chdir(previous)


@pytest.mark.parametrize("name", CASES)
def test_compiled_files_read_back(name):
    _, result = _golden_compile(name)
    parsed = read_back_all(result.files)
    assert set(parsed) == set(result.files)


@pytest.mark.parametrize("name", ["environment-escaping", "dns-resolution", "kubelet-1-35-fast-image-pull"])
def test_built_tarball_reads_back(name, tmp_path):
    case, result = _golden_compile(name)
    if not result.ok:
        pytest.skip("a case with errors builds nothing")
    case_dir = GOLDEN / name
    output = tmp_path / "out.tar.gz"
    previous = os.getcwd()
    os.chdir(case_dir)
    try:
        instance = []
        if case.get("instance"):
            instance_file = tmp_path / "instance.json"
            instance_file.write_text(json.dumps(case["instance"]))
            instance = ["--instance", str(instance_file)]
        assert main(["build", *case["sources"], *instance, "--mode", case.get("mode", "self-managed"),
                     "-o", str(output)]) == 0
    finally:
        os.chdir(previous)
    with tarfile.open(output) as archive:
        files = {member.name: archive.extractfile(member).read() for member in archive if member.isfile()}
    assert files == result.files
    read_back_all(files)


def test_environment_escaping_means_what_was_written():
    _, result = _golden_compile("environment-escaping")
    parsed = read_back_all(result.files)
    assert parsed["etc/systemd/system/kubelet.service.d/environment.conf"]  # non-empty mapping of variables


BREAKOUTS = ['x"\nExecStart=/bin/evil', 'a\\"b%c', "100%d", "tab\there", "\x1b[31m\x85", "\\", 'end"']


@pytest.mark.parametrize("value", BREAKOUTS)
def test_environment_values_read_back_to_what_systemd_would_see(value):
    result = compile([(CLUSTER + "  instance:\n    environment:\n      kubelet:\n        A: "
                       + json.dumps(value) + "\n").encode()])
    data = result.files["etc/systemd/system/kubelet.service.d/environment.conf"]
    if value.endswith('"'):
        # nodeadm's escaping trims the escaped quote and leaves a dangling backslash: the
        # file is what nodeadm writes, systemd reads it differently, and NC531 says so
        assert "NC531" in {d.code for d in result.diagnostics}
        with pytest.raises(Unreadable):
            read_back("etc/systemd/system/kubelet.service.d/environment.conf", data)
    else:
        assert read_back("etc/systemd/system/kubelet.service.d/environment.conf", data) == {"A": value}


def test_resolved_conf_reads_back():
    result = compile([(CLUSTER + "  instance:\n    network:\n      nameservers: [10.0.0.2, '[fd00::1]:53']\n"
                       "      domains: [corp.example, ~.]\n").encode()])
    assert read_back("run/systemd/resolved.conf.d/40-eks.conf",
                     result.files["run/systemd/resolved.conf.d/40-eks.conf"]) == {
        "DNS": ["10.0.0.2", "[fd00::1]:53"], "Domains": ["corp.example", "~."]}


# --- the parsers themselves refuse the tricks --------------------------------------------------

@pytest.mark.parametrize("text", [
    "[Resolve]\nDNS=10.0.0.2\nDNSStubListener=no\n",   # an unknown key
    "[Resolve]\nDNS=10.0.0.2 \\\nDNSStubListener=no\n",  # a continuation line
    "[Resolve]\nDNS=10.0.0.2\nDNS=10.0.0.3\n",          # given twice
    "[Resolve]\n DNS=10.0.0.2\n",                        # leading blank
    "[Resolve]\n#DNS=10.0.0.2\n",                        # a comment hides a value
    "[Resolve]\nDNS=10.0.0.2\r\n",                       # CR
    "[Resolve]\nDNS=10.0.0.2\x85x\n",                    # NEL
    "[Resolve]\n[Resolve]\n",                            # section twice
    "[Network]\nDNS=10.0.0.2\n",                         # another section
    "[Resolve]\nDNS=10.0.0.2",                           # no final newline
])
def test_strict_resolved_parser_refuses(text):
    with pytest.raises(Unreadable):
        resolved_conf(text.encode())


@pytest.mark.parametrize("value", ['"A=b" "C=d"', '"A=b', 'A=b', '"A=%h"', '"A=\\q"', '"1A=b"', '"A=b\\"'])
def test_strict_environment_parser_refuses(value):
    with pytest.raises(Unreadable):
        environment_assignment(value)


def test_environment_parser_unquotes_like_systemd():
    assert environment_assignment('"GREETING=say \\"hi\\" and \\\\ go 100%% \\x1b\\u00e9"') == (
        "GREETING", 'say "hi" and \\ go 100% \x1b\u00e9')


@pytest.mark.parametrize("text", ["NODEADM_KUBELET_ARGS=--a\nEVIL=1", "NODEADM_KUBELET_ARGS=--a\\",
                                  " NODEADM_KUBELET_ARGS=--a", "NODEADM_KUBELET_ARGS='--a'",
                                  "NODEADM_KUBELET_ARGS=--a\nNODEADM_KUBELET_ARGS=--b", "NODEADM_KUBELET_ARGS=\x1b"])
def test_strict_kubelet_environment_parser_refuses(text):
    with pytest.raises(Unreadable):
        kubelet_environment(text.encode())


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": 1, "a": 2}', '{"a": 1', b'{"a": "\xff"}'])
def test_strict_json_parser_refuses(text):
    with pytest.raises(Unreadable):
        strict_json(text if isinstance(text, bytes) else text.encode())


def test_unit_parser_takes_only_unit_keys():
    assert systemd_ini(b"[Unit]\nRequires=a.service\nAfter=a.service\n", "unit") == {
        "Unit": [("Requires", "a.service"), ("After", "a.service")]}
    with pytest.raises(Unreadable):
        systemd_ini(b"[Unit]\nRequires=a.service\n[Service]\nExecStart=/bin/evil\n", "unit")


def test_a_path_without_a_parser_is_refused():
    with pytest.raises(Unreadable):
        read_back("etc/somewhere/new-file", b"")
