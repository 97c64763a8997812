"""User data as EC2 sees it: the 16 KiB limit.

EC2 refuses user data larger than 16 KiB (nodecfg/nodeadm/userdata.py,
``EC2_USER_DATA_LIMIT``; the limit applies to the raw bytes before base64 encoding).  A
source given base64-encoded is therefore measured decoded; a gzip-compressed
one counts compressed, which is how gzip helps.  Only sources given on the
command line are user data; files inside a drop-in directory are not.
"""
from __future__ import annotations

from nodecfg.core.codes import NC117
from nodecfg.core.diagnostics import Diagnostic, Span
from nodecfg.nodeadm.userdata import EC2_USER_DATA_LIMIT


def check(analysis, context) -> list[Diagnostic]:
    """One verdict for the same bytes, however they came (a file, stdin, an editor buffer, library bytes).

    The size is the one the reader measured while reading the source
    (``Loaded.ec2_sizes``); nothing is read again, and nothing is opened by a
    name, which for stdin or a buffer is only a label.
    """
    found = []
    for name in analysis.loaded.user_data:
        size = analysis.loaded.ec2_sizes.get(name)
        if size is not None and size > EC2_USER_DATA_LIMIT:
            found.append(NC117.at(Span(name, 1, 1, 1, 1),
                                  f"{name} is {size} bytes; EC2 accepts at most {EC2_USER_DATA_LIMIT} bytes of "
                                  "user data (before base64), so the launch fails",
                                  "gzip the user data (nodeadm accepts gzip) or move files to S3 or an AMI"))
    return found
