"""MIME multipart splitting with file line numbers, matched to nodeadm's mime.go and Go's readers."""
from __future__ import annotations

import base64
import gzip

from hypothesis import given, settings
from hypothesis import strategies as st

from nodecfg.core.diagnostics import Severity
from nodecfg.pipeline import Request, run
from nodecfg.parse.mime import MAX_PARTS, parse_media_type, split_userdata

SCRIPT = "#!/bin/bash\necho hello\n"
CLOUD_CONFIG = "#cloud-config\nruncmd:\n  - echo hi\n"
NODECONFIG = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: c\n"


def mime(*parts: str, boundary: str = "BOUNDARY", head: str = "", end: str | None = None) -> str:
    """Multipart text; each part is 'headers\\n\\nbody'."""
    end = f"--{boundary}--\n" if end is None else end
    text = head or f'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="{boundary}"\n\n'
    for part in parts:
        text += f"--{boundary}\n{part}\n"
    return text + end


THREE_PARTS = mime(
    f"Content-Type: text/x-shellscript; charset=\"us-ascii\"\n\n{SCRIPT}",
    f"Content-Type: text/cloud-config\n\n{CLOUD_CONFIG}",
    f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}",
)


def codes(result):
    return [(d.code, d.span.line, d.span.col) for d in result.diagnostics]


def test_three_parts_with_file_lines():
    result = split_userdata(THREE_PARTS.encode(), "ud.mime")
    assert result.is_multipart and result.diagnostics == []
    shell, cloud, config = result.parts
    assert [p.content_type for p in result.parts] == [
        "text/x-shellscript", "text/cloud-config", "application/node.eks.aws"]
    assert shell.params == {"charset": "us-ascii"}
    # The body ends before the newline that precedes the next delimiter.
    assert (shell.body, cloud.body, config.body) == (
        SCRIPT.encode(), CLOUD_CONFIG.encode(), NODECONFIG.encode())
    # File: 1 MIME-Version, 2 Content-Type, 3 blank, 4 --BOUNDARY, 5 header, 6 blank, 7 '#!/bin/bash'.
    assert (shell.header_line, shell.line_offset) == (4, 6)
    assert (cloud.header_line, cloud.line_offset) == (10, 12)
    assert (config.header_line, config.line_offset) == (17, 19)
    assert [p.uri for p in result.parts] == ["ud.mime#part=1", "ud.mime#part=2", "ud.mime#part=3"]
    assert shell.headers == [("Content-Type", 'text/x-shellscript; charset="us-ascii"', 5)]
    assert all(p.layers == () for p in result.parts)


def test_body_line_plus_offset_is_the_file_line():
    lines = THREE_PARTS.split("\n")
    config = split_userdata(THREE_PARTS.encode(), "u").parts[2]
    assert lines[config.line_offset + 5 - 1] == "    name: c"


def test_crlf_line_endings():
    result = split_userdata(THREE_PARTS.replace("\n", "\r\n").encode(), "u")
    assert result.diagnostics == []
    assert [p.body for p in result.parts] == [
        SCRIPT.replace("\n", "\r\n").encode(), CLOUD_CONFIG.replace("\n", "\r\n").encode(),
        NODECONFIG.replace("\n", "\r\n").encode()]
    assert [p.line_offset for p in result.parts] == [6, 12, 19]


def test_base64_gzip_whole_userdata_names_the_wrapping_in_the_uri():
    wrapped = base64.b64encode(gzip.compress(THREE_PARTS.encode()))
    result = split_userdata(wrapped, "ud")
    assert result.layers == ("base64", "gzip") and result.uri == "ud#base64+gzip"
    assert [p.uri for p in result.parts][2] == "ud#base64+gzip#part=3"
    # Lines are lines of the decoded user data.
    assert result.parts[2].line_offset == 19 and result.parts[2].body == NODECONFIG.encode()


def test_base64_gzipped_nodeconfig_part_is_decoded_like_nodeadm():
    payload = base64.encodebytes(gzip.compress(NODECONFIG.encode())).decode()
    text = mime("Content-Type: application/node.eks.aws\nContent-Transfer-Encoding: base64\n\n" + payload)
    part = split_userdata(text.encode(), "u").parts[0]
    assert part.body == NODECONFIG.encode()
    assert part.layers == ("base64", "gzip") and part.line_offset == 0
    assert part.uri == "u#part=1"


def test_quoted_printable_part_is_decoded_like_go_multipart():
    body = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: a=3Db=\n-c\n"
    text = mime("Content-Type: application/node.eks.aws\nContent-Transfer-Encoding: Quoted-Printable\n\n" + body)
    part = split_userdata(text.encode(), "u").parts[0]
    assert part.body.endswith(b"name: a=b-c\n")
    assert part.layers == ("quoted-printable",) and part.line_offset == 0


def test_declared_base64_shell_part_is_decoded_for_linting():
    payload = base64.b64encode(SCRIPT.encode()).decode()
    text = mime("Content-Type: text/x-shellscript\nContent-Transfer-Encoding: base64\n\n" + payload,
                f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}")
    result = split_userdata(text.encode(), "u")
    assert result.diagnostics == []
    assert result.parts[0].body == SCRIPT.encode() and result.parts[0].layers == ("base64",)


def test_declared_base64_that_is_not_base64_warns():
    text = mime(f"Content-Type: application/node.eks.aws\nContent-Transfer-Encoding: base64\n\n{NODECONFIG}")
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [("NC101", 8, 1)]
    assert result.diagnostics[0].severity is Severity.WARNING
    assert result.parts[0].body == NODECONFIG.encode()


def test_missing_closing_delimiter_is_an_error_but_the_part_is_kept():
    text = mime(f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}", end="")
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [("NC106", 12, 1)]
    assert result.parts[0].body == NODECONFIG.encode() + b"\n"


def test_closing_delimiter_without_the_two_dashes():
    text = mime(f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}", end="--BOUNDARY")
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [("NC106", 13, 1)]
    assert result.parts[0].body == NODECONFIG.encode()


def test_final_delimiter_without_newline_and_with_padding_is_fine():
    text = mime(f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}", end="--BOUNDARY--  ")
    assert codes(split_userdata(text.encode(), "u")) == []


def test_delimiter_with_transport_padding_and_preamble_epilogue():
    text = ('Content-Type: multipart/mixed; boundary="B"\n\nThis is a preamble.\n'
            f"--B \t\nContent-Type: application/node.eks.aws\n\n{NODECONFIG}\n--B--\nepilogue\n")
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [] and result.parts[0].body == NODECONFIG.encode()
    assert result.parts[0].header_line == 4


def test_line_that_only_starts_like_the_boundary_stays_in_the_body():
    body = "#!/bin/bash\necho --BOUNDARYX\n--BOUNDARYextra\n"
    text = mime(f"Content-Type: text/x-shellscript\n\n{body}", f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}")
    assert split_userdata(text.encode(), "u").parts[0].body == body.encode()


def test_folded_and_lowercase_top_level_header():
    text = ("MIME-Version: 1.0\ncontent-type: multipart/mixed;\n\tboundary=\"B\"\n\n"
            f"--B\nContent-Type: application/node.eks.aws\n\n{NODECONFIG}\n--B--\n")
    result = split_userdata(text.encode(), "u")
    assert result.is_multipart and codes(result) == []


def test_plain_nodeconfig_is_one_pseudo_part():
    result = split_userdata(NODECONFIG.encode(), "n.yaml")
    assert not result.is_multipart and result.diagnostics == []
    (part,) = result.parts
    assert (part.content_type, part.body, part.uri, part.line_offset, part.index) == (
        "application/node.eks.aws", NODECONFIG.encode(), "n.yaml", 0, 1)


def test_gzipped_plain_nodeconfig_pseudo_part_carries_the_layer():
    result = split_userdata(gzip.compress(NODECONFIG.encode()), "n")
    assert result.parts[0].uri == "n#gzip" and result.parts[0].layers == ("gzip",)


def test_space_before_colon_hides_content_type_like_net_mail():
    # Go keeps the key "Content-Type " uncanonicalised, so it finds no Content-Type: not multipart.
    text = THREE_PARTS.replace("Content-Type: multipart", "Content-Type : multipart", 1)
    result = split_userdata(text.encode(), "u")
    assert not result.is_multipart and len(result.parts) == 1


def test_single_part_mime_headers_warn_that_nodeadm_reads_them_as_yaml():
    text = f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}"
    result = split_userdata(text.encode(), "u")
    assert not result.is_multipart and codes(result) == [("NC101", 1, 1)]
    assert result.diagnostics[0].severity is Severity.WARNING
    assert result.parts[0].body == text.encode()


def test_unquoted_boundary_with_special_characters_is_nc105():
    text = THREE_PARTS.replace('boundary="BOUNDARY"', "boundary=//")
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [("NC105", 2, 1)] and result.parts == []


def test_missing_boundary_is_nc105():
    text = THREE_PARTS.replace('; boundary="BOUNDARY"', "")
    result = split_userdata(text.encode(), "u")
    assert result.is_multipart and codes(result) == [("NC105", 2, 1)]


def test_mismatched_boundary_is_nc105():
    text = THREE_PARTS.replace('boundary="BOUNDARY"', 'boundary="OTHER"')
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [("NC105", 2, 1)] and result.parts == []


def test_part_headers_without_blank_line_is_nc104_at_the_first_body_line():
    text = mime(f"Content-Type: text/x-shellscript\n{SCRIPT}")
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [("NC104", 6, 1)] and result.parts == []


def test_part_header_starting_with_space_is_nc104():
    text = mime(f" Content-Type: text/x-shellscript\n\n{SCRIPT}")
    assert codes(split_userdata(text.encode(), "u")) == [("NC104", 5, 1)]


def test_duplicate_part_header_warns_and_the_first_wins():
    text = mime(f"Content-Type: application/node.eks.aws\ncontent-type: text/plain\n\n{NODECONFIG}")
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [("NC107", 6, 1)]
    assert result.parts[0].content_type == "application/node.eks.aws"


def test_unknown_and_missing_content_types_are_reported_not_dropped():
    text = mime(f"Content-Type: text/x-include-url\n\nhttp://example.com\n",
                "X-Note: none\n\nhello",
                f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}")
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [("NC108", 4, 1), ("NC108", 9, 1)]
    assert [p.content_type for p in result.parts] == ["text/x-include-url", "", "application/node.eks.aws"]


def test_unparsable_part_content_type_is_an_error():
    text = mime(f"Content-Type: application/node.eks.aws; x\n\n{NODECONFIG}")
    result = split_userdata(text.encode(), "u")
    assert codes(result)[0] == ("NC101", 5, 1)
    assert result.diagnostics[0].severity is Severity.ERROR


def test_no_nodeconfig_part_is_nc109_at_the_content_type():
    data = mime(f"Content-Type: text/x-shellscript\n\n{SCRIPT}").encode()
    result = split_userdata(data, "u")
    assert codes(result) == [] and result.without_nodeconfig == 2  # the pipeline decides on NC109
    found = run(Request([data])).diagnostics
    assert [(d.code, d.span.line, d.span.col) for d in found if d.code == "NC109"] == [("NC109", 2, 1)]
    assert not any(d.code == "NC109" for d in run(Request([data], "karpenter")).diagnostics)  # scripts-only fragment


def test_shell_part_without_shebang_is_nc110():
    text = mime("Content-Type: text/x-shellscript\n\necho hi\n", f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}")
    assert codes(split_userdata(text.encode(), "u")) == [("NC110", 7, 1)]


def test_invalid_cloud_config_is_nc111_at_the_file_line():
    bad = "#cloud-config\nruncmd:\n  - [a\n"
    text = mime(f"Content-Type: text/cloud-config\n\n{bad}", f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}")
    result = split_userdata(text.encode(), "u")
    assert [d.code for d in result.diagnostics] == ["NC111"]
    assert result.diagnostics[0].span.line >= 9  # at or after '  - [a' (file line 9)


def test_more_than_the_part_limit_is_nc112():
    parts = [f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}"] * (MAX_PARTS + 1)
    result = split_userdata(mime(*parts).encode(), "u")
    assert len(result.parts) == MAX_PARTS
    assert [d.code for d in result.diagnostics] == ["NC112"]
    assert result.diagnostics[0].span.line == 4 + MAX_PARTS * 9


def test_lf_delimiter_after_crlf_start_stops_like_go():
    text = THREE_PARTS.replace("\n", "\r\n")
    text = text.replace("\r\n--BOUNDARY\r\nContent-Type: text/cloud", "\r\n--BOUNDARY\nContent-Type: text/cloud")
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [("NC101", 10, 1)]
    assert len(result.parts) == 1


def test_part_after_closing_delimiter_is_ignored_with_a_warning():
    text = mime(f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}") + "--BOUNDARY\n"
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [("NC101", 14, 1)] and len(result.parts) == 1


def test_empty_part_directly_followed_by_the_next_delimiter():
    text = mime("Content-Type: text/x-shellscript\n", f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}")
    # The shell part's blank header terminator is followed at once by "--BOUNDARY".
    result = split_userdata(text.encode(), "u")
    assert result.parts[0].body == b"" and result.parts[1].body == NODECONFIG.encode()


def test_gzip_bomb_in_a_part_is_refused():
    payload = base64.b64encode(gzip.compress(bytes(3 << 20))).decode()
    text = mime(f"Content-Type: application/node.eks.aws\n\n{payload}")
    result = split_userdata(text.encode(), "u")
    assert codes(result) == [("NC103", 7, 1)] and result.parts[0].body == b""


def test_parse_media_type_matches_go():
    assert parse_media_type('Multipart/Mixed; Boundary="a b"; x=1;') == ("multipart/mixed", {"boundary": "a b", "x": "1"})
    assert parse_media_type('text/plain; name="q\\"uote"') == ("text/plain", {"name": 'q"uote'})
    assert parse_media_type("text") == ("text", {})
    for bad in ("", "text/", "a/b/c", "a/b; =x", "a/b; x=1; x=2", "a/b; boundary=//", "a/b x"):
        try:
            parse_media_type(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


# --- never raise -----------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_raise(data):
    result = split_userdata(data, "u")
    assert all(d.span.line >= 1 for d in result.diagnostics)


_VALID = THREE_PARTS.replace("\n", "\r\n").encode()


@st.composite
def mutated_mime(draw):
    data = bytearray(draw(st.sampled_from([THREE_PARTS.encode(), _VALID])))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(st.sampled_from([b"\n", b"\r", b"--", b"--BOUNDARY", b":", b" ", b"\0", b"\xff", b"=", b'"']))
        if action == "insert":
            data[position:position] = chunk
        elif action == "delete":
            del data[position:position + len(chunk)]
        else:
            data[position:position + len(chunk)] = chunk
    return bytes(data)


@settings(max_examples=300, deadline=None)
@given(mutated_mime())
def test_mutated_mime_never_raises_and_identity_bodies_sit_on_their_file_lines(data):
    result = split_userdata(data, "u")
    file_lines = data.split(b"\n")
    for part in result.parts:
        if result.is_multipart and not part.layers:
            for number, line in enumerate(part.body.split(b"\n")):
                assert file_lines[part.line_offset + number].startswith(line)


# Go's NextPart returns io.EOF when the header reader meets the end of the input
# right after a delimiter line (mime/multipart/multipart.go newPart), so nodeadm and
# Karpenter stop there as at '--BOUNDARY--'.
def test_last_line_is_an_open_delimiter_and_ends_cleanly():
    text = mime(f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}",
                f"Content-Type: text/x-shellscript\n\n{SCRIPT}", end="--BOUNDARY\n")
    result = split_userdata(text.encode(), "u")
    assert result.diagnostics == []
    assert [p.content_type for p in result.parts] == ["application/node.eks.aws", "text/x-shellscript"]
    assert result.parts[1].body == SCRIPT.encode()


def test_open_delimiter_with_crlf_lines_ends_cleanly():
    text = mime(f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}",
                end="--BOUNDARY\n").replace("\n", "\r\n")
    result = split_userdata(text.encode(), "u")
    assert result.diagnostics == [] and result.parts[0].body == NODECONFIG.replace("\n", "\r\n").encode()


def test_headers_after_the_last_delimiter_are_a_part_go_never_reads():
    text = mime(f"Content-Type: application/node.eks.aws\n\n{NODECONFIG}",
                end="--BOUNDARY\nContent-Type: text/x-shellscript\n")
    result = split_userdata(text.encode(), "u")
    # 4 delimiter, 5-6 headers, 7-11 NodeConfig, 12 blank, 13 delimiter, 14 the unread part's header
    assert [(d.code, d.span.line, d.span.col, d.severity) for d in result.diagnostics] == [
        ("NC104", 14, 1, Severity.WARNING)]
    assert [p.content_type for p in result.parts] == ["application/node.eks.aws"]


def test_blank_line_after_the_last_delimiter_opens_a_body_that_never_ends():
    # The empty header block is complete, the body then hits the end: io.ErrUnexpectedEOF.
    text = mime(f"Content-Type: text/x-shellscript\n\n{SCRIPT}", end="--BOUNDARY\n\n")
    result = split_userdata(text.encode(), "u")
    assert [(d.code, d.span.line, d.span.col, d.severity) for d in result.diagnostics] == [
        ("NC108", 10, 1, Severity.WARNING), ("NC106", 11, 1, Severity.ERROR)]


def test_delimiter_without_line_break_at_the_very_end_is_still_an_error():
    text = mime(f"Content-Type: text/x-shellscript\n\n{SCRIPT}", end="--BOUNDARY")
    result = split_userdata(text.encode(), "u")
    assert [(d.code, d.span.line, d.span.col, d.severity) for d in result.diagnostics] == [
        ("NC106", 10, 1, Severity.ERROR)]
