"""Small builders shared by the tests."""
from __future__ import annotations

import textwrap

from nodecfg.core.document import Document
from nodecfg.parse.yaml import parse_yaml_documents

HEADER = "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"


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
