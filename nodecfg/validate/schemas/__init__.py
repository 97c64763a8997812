"""The JSON Schemas nodecfg validates against, shipped as package data.

The repository's top-level ``schemas/`` directory publishes byte-identical
copies for editors (a test keeps the two in step).
"""
from __future__ import annotations

import json
import os
from functools import cache

NODECONFIG = "nodeconfig.v1alpha1.json"
KUBELET_CONFIG = "kubelet-config.v1beta1.json"


@cache
def load_schema(name: str) -> dict:
    """Parsed schema ``name`` (a file name in this package); parsed once per process."""
    return json.loads(_read_text(name))


def schema_text(name: str) -> str:
    """The schema file ``name`` as shipped, byte for byte (what ``nodecfg schema`` prints)."""
    return _read_text(name)


def _read_text(name: str) -> str:
    path = os.path.join(os.path.dirname(__file__), name)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as stream:
            return stream.read()
    # Installed without a file system path (e.g. zipped): importlib.resources
    # knows how to read it, at an import cost the common case avoids.
    from importlib import resources

    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
