"""Who completes a node's configuration: the user alone, EKS managed node groups, or Karpenter.

With managed node groups and Karpenter the cluster fields are injected at
launch, so a fragment without them is not an error (see docs/pre-commit.md).
Both also add a NodeConfig part of their own to the user data (EKS appends
one to the launch template's user data; Karpenter appends its generated part
after the EC2NodeClass's, aws/karpenter-provider-aws
pkg/providers/amifamily/bootstrap/nodeadm.go ``Script``), so user data with
only shell scripts is complete there.
"""

MODES = ("self-managed", "managed-nodegroup", "karpenter")
# Modes in which a NodeConfig part is added to the user data at launch.
FRAGMENT_MODES = ("managed-nodegroup", "karpenter")


def check_mode(mode: object) -> str:
    """mode itself, or ValueError naming the modes (the library's boundary check)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    return mode  # type: ignore[return-value]
