"""Hypothesis strategies for fuzzing: valid-shaped NodeConfigs, MIME user data, mutated bytes."""
from __future__ import annotations

import base64
import gzip
import json
import quopri
from pathlib import Path

from hypothesis import strategies as st

from strategies import nodeconfigs as typed_nodeconfigs  # tests/properties/strategies.py

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CLUSTER = (ROOT / "examples" / "nodeconfig.yaml").read_text().split("  kubelet:")[0]
EXAMPLE_USERDATA = (ROOT / "examples" / "userdata.mime").read_bytes()
SEEDS = [EXAMPLE_CLUSTER.encode(), EXAMPLE_USERDATA]

_BOUNDARY_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'()+_,-./:=? "


def _complete(config: dict) -> bytes:
    """A generated NodeConfig on top of the example's cluster (JSON is YAML for the spec part)."""
    spec = dict(config["spec"])
    spec.pop("cluster", None)
    lines = [f"  {key}: {json.dumps(value)}" for key, value in spec.items()]
    return (EXAMPLE_CLUSTER + "".join(line + "\n" for line in lines)).encode()


complete_nodeconfigs = typed_nodeconfigs.map(_complete)

_content_types = st.sampled_from([
    "application/node.eks.aws", "text/x-shellscript", "text/cloud-config", "text/plain",
    "application/node.eks.aws; charset=us-ascii", "APPLICATION/NODE.EKS.AWS", "bogus", "",
])
_encodings = st.sampled_from(["", "base64", "quoted-printable", "7bit", "gzip+base64", "x-unknown"])


def _encode(body: bytes, encoding: str) -> tuple[str, bytes]:
    if encoding == "base64":
        return "Content-Transfer-Encoding: base64\n", base64.encodebytes(body)
    if encoding == "quoted-printable":
        return "Content-Transfer-Encoding: quoted-printable\n", quopri.encodestring(body)
    if encoding == "gzip+base64":
        return "", base64.b64encode(gzip.compress(body, mtime=0))
    if encoding:
        return f"Content-Transfer-Encoding: {encoding}\n", body
    return "", body


@st.composite
def mime_documents(draw) -> bytes:
    boundary = draw(st.text(_BOUNDARY_CHARS, min_size=1, max_size=30).filter(lambda b: not b.endswith(" ")))
    quoted = draw(st.booleans())
    parameter = f'"{boundary}"' if quoted else boundary
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    out = [f"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary={parameter}\n\n"]
    bodies = st.one_of(complete_nodeconfigs, st.binary(max_size=200),
                       st.just(b"#!/bin/bash\necho hi\n"), st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 4))):
        extra, body = _encode(draw(bodies), draw(_encodings))
        out.append(f"--{boundary}\nContent-Type: {draw(_content_types)}\n{extra}\n")
        out.append(body.decode("latin-1") + "\n")
    if draw(st.booleans()):
        out.append(f"--{boundary}--\n")
    text = "".join(out).replace("\n", newline)
    data = text.encode("latin-1")
    cut = draw(st.one_of(st.none(), st.integers(0, len(data))))
    return data if cut is None else data[:cut]


@st.composite
def mutated(draw, seeds=st.sampled_from(SEEDS)) -> bytes:
    """A seed with a few bytes flipped, inserted, deleted or duplicated."""
    data = bytearray(draw(seeds))
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "insert", "delete", "repeat"]))
        if action == "flip":
            data[position] = draw(st.integers(0, 255))
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[position:position + draw(st.integers(1, 16))]
        else:
            data[position:position] = data[position:position + draw(st.integers(1, 64))]
    return bytes(data)


any_input = st.one_of(st.binary(max_size=512), mutated(), mime_documents(), complete_nodeconfigs,
                      st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
