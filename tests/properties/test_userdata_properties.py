"""Round trips of composed user data: the same parts come back, build the same tree, check the same."""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nodecfg
from nodecfg.core.diagnostics import Severity
from nodecfg.parse.mime import split_userdata
from nodecfg.pipeline import analyse
from nodecfg.userdata.compose import NODECONFIG, SCRIPT, NewPart, append_parts, compose, split_documents, write_multipart
from nodecfg.encode.yaml import dump_yaml

from strategies import nodeconfigs

BASE = (Path(__file__).parents[2] / "golden" / "plain-yaml" / "nodeconfig.yaml").read_bytes()
INSTANCE = {"instanceType": "m5.large"}

# script text that can spell delimiter lines of the default boundary and its successors
script_lines = st.lists(st.sampled_from(["echo hi", "--==NODECFG==", "--==NODECFG==--", "==NODECFG-1==",
                                          "", "  indented", "x=1 # comment", "--//"]), max_size=6)
scripts = script_lines.map(lambda lines: ("#!/bin/bash\n" + "\n".join(lines) + "\n").encode())
any_bodies = st.binary(max_size=200)
documents = nodeconfigs.map(lambda config: dump_yaml(config).encode())


@settings(max_examples=60, deadline=None)
@given(st.lists(documents, max_size=4), st.lists(scripts, max_size=3))
def test_building_the_user_data_builds_the_same_tree_as_the_parts(configs, script_parts):
    parts = [BASE, *configs]
    composed = compose(parts, script_parts, check=False).mime
    from_userdata = nodecfg.compile([composed], instance=INSTANCE)
    from_parts = nodecfg.compile(parts, instance=INSTANCE)
    assert from_userdata.files == from_parts.files
    assert from_userdata.config == from_parts.config


@settings(max_examples=60, deadline=None)
@given(st.lists(documents, min_size=1, max_size=4), st.lists(scripts, max_size=3))
def test_check_of_the_user_data_finds_what_check_of_the_parts_finds(configs, script_parts):
    parts = [BASE, *configs]
    by_parts = [(d.code, d.span.uri.replace("<input", "<nodeconfig"), d.span.line, d.span.col)
                for d in nodecfg.lint(parts)]
    by_userdata = [(d.code, d.span.uri, d.span.line, d.span.col) for d in compose(parts, script_parts).diagnostics]
    assert sorted(by_userdata) == sorted(by_parts)
    if not by_parts:
        assert by_userdata == []


@settings(max_examples=200, deadline=None)
@given(st.lists(any_bodies, max_size=4), st.lists(any_bodies, max_size=2), st.lists(documents, max_size=3))
def test_parsing_the_composition_gives_back_the_parts(script_parts, cloud_configs, configs):
    assume(script_parts or cloud_configs or configs)  # no part at all is refused by the check (NC105)
    mime = compose(configs, script_parts, cloud_configs, check=False).mime
    parsed = split_userdata(mime, "u")
    assert structure_errors(parsed) == []
    expected = ([("text/x-shellscript", body) for body in script_parts]
                + [("text/cloud-config", body) for body in cloud_configs]
                + [(NODECONFIG, body) for body in configs])
    assert [(p.content_type, p.body) for p in parsed.parts] == expected


@settings(max_examples=150, deadline=None)
@given(st.lists(any_bodies, min_size=0, max_size=3), st.lists(any_bodies, min_size=1, max_size=3),
       st.sampled_from([b"\n", b"\r\n"]))
def test_merge_into_keeps_the_existing_parts_and_appends_the_new_ones(existing_bodies, new_bodies, newline):
    existing = write_multipart([NewPart(SCRIPT, body, "e") for body in existing_bodies])
    if newline == b"\r\n":  # the framing in CRLF, as Go's multipart writer makes it
        existing = _with_crlf_framing(existing, existing_bodies)
    new = [NewPart(SCRIPT, body, "n") for body in new_bodies]
    merged, problem = append_parts(split_userdata(existing, "e"), new)
    if not existing_bodies and newline == b"\n":
        # Go's reader expects CRLF until a delimiter line says otherwise: an LF closing line with no
        # part before it is not a closing delimiter (mime/multipart isFinalBoundary), so NC105, no merge
        assert problem is not None and problem.code == "NC161"
        return
    boundary = b"--" + existing.split(b'boundary="')[1].split(b'"')[0]
    # a line of a new part that starts with the delimiter would end that part (after LF, CRLF or a lone CR,
    # where cloud-init's reader ends lines); inside a line it is only text
    if any(re.search(rb"(?:\A|[\r\n])" + re.escape(boundary), body) for body in new_bodies):
        assert problem is not None and problem.code == "NC161"
        return
    assert problem is None
    closing = existing.rindex(boundary + b"--")
    assert merged.startswith(existing[:closing]) and merged.endswith(existing[closing:])
    parsed = split_userdata(merged, "u")
    assert structure_errors(parsed) == []
    assert [p.body for p in parsed.parts] == [*existing_bodies, *new_bodies]


def structure_errors(parsed) -> list:
    """Errors in the framing; NC110 (a script body without #!) is about content, not structure."""
    return [d for d in parsed.diagnostics if d.severity >= Severity.ERROR and d.code != "NC110"]


def _with_crlf_framing(lf_mime: bytes, bodies: list[bytes]) -> bytes:
    """Rebuild lf_mime with CRLF on every framing line and the bodies untouched."""
    head, _, _ = lf_mime.partition(b"\n\n")
    boundary = head.split(b'boundary="')[1].split(b'"')[0]
    out = head.replace(b"\n", b"\r\n") + b"\r\n\r\n"
    for body in bodies:
        out += b"--" + boundary + b"\r\nContent-Type: text/x-shellscript\r\n\r\n" + body + b"\r\n"
    return out + b"--" + boundary + b"--\r\n"


@settings(max_examples=100, deadline=None)
@given(st.lists(documents, min_size=1, max_size=4), st.sampled_from(["", "# c\n", "---\n", "--- # c\n"]))
def test_split_documents_agrees_with_the_yaml_reader(configs, separator_prefix):
    stream = b"".join((separator_prefix.encode() if i == 0 else b"---\n") + doc for i, doc in enumerate(configs))
    pieces = split_documents(stream)
    assert b"".join(text for _, text in pieces) == stream
    loaded = analyse([stream]).loaded
    assert len(pieces) == len(loaded.documents) + len(loaded.ignored_documents) == len(configs)
