"""Facts about nodeadm itself, imported downward by every stage.

One module per concern, each citing the nodeadm (or kubelet, Karpenter) source it mirrors:

- ``release.py``: what varies between AMI releases (each a tag of
  awslabs/amazon-eks-ami whose nodeadm the AMI ships), as data and a
  ``Profile`` the renderers, validators and rules ask;
- ``kubelet_flags.py``: the kubelet flags nodeadm passes, removed,
  accumulating and deprecated flags and their KubeletConfiguration fields;
- ``feature_gates.py``, ``k8s_names.py``: the kubelet's feature gates,
  Kubernetes' label and taint rules;
- ``cluster.py``: the cluster fields nodeadm requires;
- ``userdata.py``: EC2's user data limit, how Karpenter tells MIME user data.
"""
