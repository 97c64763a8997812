"""Merging documents as nodeadm does: the NodeConfig rules and the containerd TOML."""
