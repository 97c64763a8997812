"""The JSON Schemas nodecfg validates against, shipped as package data.

The repository's top-level ``schemas/`` directory publishes byte-identical
copies for editors (a test keeps the two in step).
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources

NODECONFIG = "nodeconfig.v1alpha1.json"
KUBELET_CONFIG = "kubelet-config.v1beta1.json"


@cache
def load_schema(name: str) -> dict:
    """Parsed schema ``name`` (a file name in this package); parsed once per process."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)
