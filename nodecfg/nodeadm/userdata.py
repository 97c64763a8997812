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


def discarded_user_data(uri: str) -> str:
    """The consequence to add to a finding that makes nodeadm fail to decode the part at ``uri``.

    ParseMultipart (nodeadm internal/configprovider/mime.go) returns at the
    first NodeConfig part that DecodeNodeConfig rejects, so none of the
    user data's parts is kept.  The error wraps ErrNodeConfigDecodingFailure
    (internal/api/bridge/decode.go), which the provider chain (chain.go)
    tolerates for user data by skipping that source: only drop-ins from
    /etc/eks/nodeadm.d/ (nodeadm-run.service's second --config-source) are
    left.  A drop-in written by a script is a file source, not a part.
    """
    from nodecfg.core.locations import Location  # a finding's message is the only reader

    location = Location.parse(uri)
    if location.part is None or location.heredoc is not None:
        return ""
    return ("; one undecodable NodeConfig part makes nodeadm discard the whole user data, every part of it, "
            "and keep only drop-ins from /etc/eks/nodeadm.d/")
