"""User data as EC2 stores it and as the launchers in front of nodeadm read it.

Facts:
* nodeadm reads its user data from IMDS, decoding base64 and gzip when the
  bytes are so wrapped (awslabs/amazon-eks-ami
  nodeadm/internal/configprovider/userdata.go, ``Provide``); EC2 stores at
  most 16 KiB of it, counted before the API's base64 (RunInstances
  ``UserData``, launch templates), so gzip helps and a base64 text given by
  the user counts decoded (``EC2_USER_DATA_LIMIT``);
* Karpenter reads an EC2NodeClass's ``spec.userData`` as MIME when its text,
  blanks trimmed, starts with ``MIME-Version:`` or ``Content-Type:``
  (aws/karpenter-provider-aws pkg/providers/amifamily/bootstrap/nodeadm.go,
  ``parseUserData``), and EKS reads a managed node group's launch template
  user data the same way (``karpenter_reads_as_mime``).
"""
from __future__ import annotations

EC2_USER_DATA_LIMIT = 16384  # bytes EC2 stores (the API counts them before base64)


def karpenter_reads_as_mime(text: str) -> bool:
    """Whether Karpenter (strings.TrimSpace, then two prefixes) reads the user data text as MIME."""
    return text.strip().startswith(("MIME-Version:", "Content-Type:"))
