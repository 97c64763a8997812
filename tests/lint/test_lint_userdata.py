"""User data over EC2's 16 KiB limit (NC117)."""
from __future__ import annotations

import base64
import gzip

from lint_helpers import nodeconfig
from nodecfg.linter.engine import lint


def padded(size: int) -> bytes:
    text = nodeconfig("kubelet:\n  config:\n    shutdownGracePeriod: 30s\n")
    filler = "# " + "x" * 70 + "\n"
    while len(text.encode()) < size:
        text += filler
    return text.encode()


def codes_for(path) -> set[tuple[str, int, int]]:
    return {(d.code, d.span.line, d.span.col) for d in lint([str(path)]).diagnostics if d.code == "NC117"}


def test_over_16_kib_is_an_error_at_the_start_of_the_file(tmp_path):
    path = tmp_path / "userdata.yaml"
    path.write_bytes(padded(16385))
    assert codes_for(path) == {("NC117", 1, 1)}


def test_at_16_kib_is_fine(tmp_path):
    path = tmp_path / "userdata.yaml"
    path.write_bytes(padded(16000)[:16000].rsplit(b"\n", 1)[0] + b"\n")
    assert codes_for(path) == set()


def test_base64_counts_decoded(tmp_path):
    data = padded(13000)
    path = tmp_path / "userdata.b64"
    path.write_bytes(base64.b64encode(data))  # about 17.3 KB encoded, 13 KB raw
    assert path.stat().st_size > 16384 and codes_for(path) == set()


def test_gzip_counts_compressed(tmp_path):
    path = tmp_path / "userdata.gz"
    path.write_bytes(gzip.compress(padded(40000), mtime=0))
    assert codes_for(path) == set()


def test_drop_in_directories_are_not_user_data(tmp_path):
    (tmp_path / "10-big.yaml").write_bytes(padded(20000))
    assert {d.code for d in lint([str(tmp_path)]).diagnostics if d.code == "NC117"} == set()
