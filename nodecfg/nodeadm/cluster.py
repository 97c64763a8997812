"""The cluster fields of a NodeConfig nodeadm cannot start without.

awslabs/amazon-eks-ami nodeadm/internal/api/validation.go, ``ValidateNodeConfig``:
``spec.cluster`` needs name, apiServerEndpoint, certificateAuthority (tested
for nil: an empty string passes) and cidr, checked in this order, and nodeadm
stops at the first one missing.  They are also the four fields EKS (managed
node groups) and Karpenter write in the NodeConfig they append, which is how
a fragment without them still joins.
"""
from __future__ import annotations

# nodeadm's order of checks; the field names as users write them.
REQUIRED_CLUSTER_FIELDS = ("name", "apiServerEndpoint", "certificateAuthority", "cidr")
