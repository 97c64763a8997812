"""Which upstream sources nodecfg's output matches byte for byte.

Several files nodeadm writes depend on nodeadm's own version: its text
templates (containerd config.toml, the SOCI snapshotter config), the go-toml
v2 it links (layout of a merged containerd config), the apimachinery it links
(encoding of the cached config) and the containerd whose ``config migrate`` it
runs.  nodecfg reproduces one combination, named here and nowhere else; the
differential suite (tests/differential/) checks it against a nodeadm built
from this commit.
"""
from __future__ import annotations

NODEADM_REPOSITORY = "awslabs/amazon-eks-ami"
NODEADM_COMMIT = "81fec2e895854f599974fe4d3d72f61c0a9aaffa"
NODEADM_COMMIT_SUBJECT = "docs: clarify drop in file overrides (#2773)"
# nodeadm runs the node's own containerd for ``containerd config migrate``;
# its output is that of this release (the version of nodeadm's e2e image).
CONTAINERD_MIGRATE_VERSION = "2.0.5"
