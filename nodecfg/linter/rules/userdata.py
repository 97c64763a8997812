"""User data as EC2 sees it: the 16 KiB limit.

EC2 refuses user data larger than 16384 bytes (RunInstances and launch
templates; the limit applies to the raw bytes before base64 encoding).  A
source given base64-encoded is therefore measured decoded; a gzip-compressed
one counts compressed, which is how gzip helps.  Only sources given on the
command line are user data; files inside a drop-in directory are not.
"""
from __future__ import annotations

import base64
import binascii
import os

from nodecfg.core.codes import NC117
from nodecfg.core.diagnostics import Diagnostic, Span

EC2_USER_DATA_LIMIT = 16384


def check(analysis, context) -> list[Diagnostic]:
    found = []
    for index, source in enumerate(context.sources):
        name = _file_name(source)
        if name is None:
            continue
        size = analysis.loaded.raw_sizes.get(name)
        if size is None or size <= EC2_USER_DATA_LIMIT:
            continue
        if _was_base64(analysis, name):
            size = _decoded_size(name, size)
        if size > EC2_USER_DATA_LIMIT:
            found.append(NC117.at(Span(name, 1, 1, 1, 1),
                              f"{name} is {size} bytes; EC2 accepts at most {EC2_USER_DATA_LIMIT} bytes of "
                              "user data (before base64), so the launch fails",
                              "gzip the user data (nodeadm accepts gzip) or move files to S3 or an AMI"))
    return found


def _file_name(source) -> str | None:
    if isinstance(source, bytes):
        return None
    text = os.fspath(source)
    if text == "-":
        return "<stdin>"
    text = text.removeprefix("file://")
    return None if os.path.isdir(text) else text


def _was_base64(analysis, name: str) -> bool:
    prefix = f"{name}#base64"
    return any(uri.startswith(prefix) for uri in analysis.loaded.texts)


def _decoded_size(name: str, fallback: int) -> int:
    try:
        with open(name, "rb") as stream:
            data = stream.read()
        return len(base64.b64decode(b"".join(data.split()), validate=False))
    except (OSError, binascii.Error, ValueError):
        return fallback
