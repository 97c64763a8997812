"""User data over EC2's 16 KiB limit (NC117)."""
from __future__ import annotations

import base64
import gzip

import pytest

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


# --- one verdict for the same bytes, whichever way they come (issue 22, class 13) ---------------

def _cli_codes(arguments: list[str], cwd, stdin: bytes | None = None) -> set[str]:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    completed = subprocess.run([sys.executable, "-m", "nodecfg", "check", "--no-cache", *arguments], cwd=cwd,
                               input=stdin if stdin is not None else b"", capture_output=True,
                               env=dict(os.environ, PYTHONPATH=str(root)))
    assert completed.returncode in (0, 1), completed.stderr
    return {"NC117"} & set(completed.stdout.decode().split())


@pytest.mark.parametrize("data, over", [
    (padded(20000), True),                        # plain text over the limit
    (base64.b64encode(padded(13000)), False),     # 17.3 KB of base64, 13 KB as EC2 counts it
    (base64.b64encode(padded(17000)), True),      # 22.7 KB of base64, 17 KB as EC2 counts it
    (gzip.compress(padded(40000), mtime=0), False),
])
def test_check_file_stdin_the_language_server_and_compile_agree(tmp_path, data, over):
    import nodecfg
    from nodecfg.lsp.document import lint_document

    # A file named like stdin's label, holding the opposite verdict: the old rule opened it.
    planted = base64.b64encode(padded(13000) if over else padded(30000))
    (tmp_path / "<stdin>").write_bytes(planted)
    path = tmp_path / "userdata.txt"
    path.write_bytes(data)
    expected = {"NC117"} if over else set()

    assert _cli_codes([str(path)], tmp_path) == expected
    assert _cli_codes(["-"], tmp_path, stdin=data) == expected
    assert {d.code for d in nodecfg.compile([data]).diagnostics} & {"NC117"} == expected
    text = data.decode("utf-8", "surrogateescape") if not data.startswith(b"\x1f\x8b") else None
    if text is not None:  # an editor holds text; a gzip file is no document it can open
        linted = lint_document(text, str(path))
        assert {f.diagnostic.code for f in linted.findings} & {"NC117"} == expected
