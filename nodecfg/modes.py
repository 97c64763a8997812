"""Who completes a node's configuration: the user alone, EKS managed node groups, or Karpenter.

With managed node groups and Karpenter the cluster fields are injected at
launch, so a fragment without them is not an error (see docs/pre-commit.md).
"""

MODES = ("self-managed", "managed-nodegroup", "karpenter")


def check_mode(mode: object) -> str:
    """mode itself, or ValueError naming the modes (the library's boundary check)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    return mode  # type: ignore[return-value]
