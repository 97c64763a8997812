"""The container kinds, one module each (nodecfg/parse/containers/__init__.py describes what a module declares).

A module here is a kind: scripts/gen_reference_docs.py writes each one's ``KIND`` into
nodecfg/parse/containers/index.py, the registry's start, and docs/guide.md's table.
"""
