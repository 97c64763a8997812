"""Small builders shared by the tests."""
from __future__ import annotations

import textwrap

from nodecfg.core.document import Document
from nodecfg.parse.yaml import parse_yaml_documents

HEADER = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"
# base64 of a PEM-shaped placeholder: decodes, but is no real certificate
PLACEHOLDER_CA = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
# a NodeConfig with every cluster field nodeadm requires, and nothing else
COMPLETE_NODECONFIG = HEADER + f"""\
spec:
  cluster:
    name: demo
    apiServerEndpoint: https://abc.example.com
    certificateAuthority: {PLACEHOLDER_CA}
    cidr: 10.100.0.0/16
"""


def doc(body: str, uri: str = "t.yaml") -> Document:
    """One NodeConfig document from a YAML body written under `spec:`."""
    text = HEADER + "spec:\n" + textwrap.indent(textwrap.dedent(body), "  ")
    documents, diagnostics = parse_yaml_documents(text, uri)
    assert len(documents) == 1, diagnostics
    return documents[0]


def yaml_doc(text: str, uri: str = "t.yaml") -> Document:
    documents, diagnostics = parse_yaml_documents(textwrap.dedent(text), uri)
    assert len(documents) == 1, diagnostics
    return documents[0]


def cpu_seconds(function):
    """(function's result, the CPU seconds it took): when that passes a second, once more with the collector off.

    A long hypothesis run builds up a heap whose occasional collection can take seconds; that pause is no cost
    of the input under test, and collecting before every example would cost more than the examples.
    """
    import gc
    import time

    started = time.process_time()
    result = function()
    used = time.process_time() - started
    if used < 1.0:
        return result, used
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        result = function()
        return result, time.process_time() - started
    finally:
        gc.enable()
