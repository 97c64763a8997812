#!/bin/bash
# A CloudFormation node group's user data: the CA is decoded for a sidecar, the
# containerd snippet is written with an unquoted heredoc, and the stack is
# signalled with the bootstrap call's exit status.
set -o xtrace
B64_CLUSTER_CA=LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJmekNDQVNXZ0F3SUJBZ0lVVStmemI0YXkyaGRPcmtWVTZYWThLRmwveUlrd0NnWUlLb1pJemowRUF3SXcKRlRFVE1CRUdBMVVFQXd3S2EzVmlaWEp1WlhSbGN6QWVGdzB5TmpFeE1qQXlNekUyTXpaYUZ3MHpOakV4TVRjeQpNekUyTXpaYU1CVXhFekFSQmdOVkJBTU1DbXQxWW1WeWJtVjBaWE13V1RBVEJnY3Foa2pPUFFJQkJnZ3Foa2pPClBRTUJCd05DQUFTNnB4UVZzVy9MOEZPdC9aVXczVWZYSGNiVXhCTldVVlQ1Mm5kTzJFU2dwVzgxU0RxQ2g2b1cKMTJJWlFFeCtGYmFZSG5MVlFrak5WcXN5OExyVllPOGVvMU13VVRBZEJnTlZIUTRFRmdRVWNXQnhUV1Z6NCtVTgpOVC8vakU2dWZaN3dmbnd3SHdZRFZSMGpCQmd3Rm9BVWNXQnhUV1Z6NCtVTk5ULy9qRTZ1Zlo3d2Zud3dEd1lEClZSMFRBUUgvQkFVd0F3RUIvekFLQmdncWhrak9QUVFEQWdOSUFEQkZBaUJVanozTzd6VXFwTVN5TGdsc1J0bjEKQXI3Y1Z1RzY1c3EyOGJBb1RPZE80UUloQU0yTFdsQ2ZrV1FINGNDMTlZSGQ4cklkMmVDb0JabU9IZ1JyVEtkSwpyOXRJCi0tLS0tRU5EIENFUlRJRklDQVRFLS0tLS0K
cat <<TOML > /etc/eks/containerd/registry.toml
version = 2
[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
  endpoint = ["https://$MIRROR_HOST"]
TOML
/etc/eks/bootstrap.sh payments --b64-cluster-ca "$B64_CLUSTER_CA" \
  --apiserver-endpoint https://ABCDEF0123456789.gr7.us-west-2.eks.amazonaws.com \
  --dns-cluster-ip 172.20.0.10 --containerd-config-file /etc/eks/containerd/registry.toml
/opt/aws/bin/cfn-signal --exit-code $? --stack payments-nodes --resource NodeGroup --region us-west-2
echo "$B64_CLUSTER_CA" | base64 -d > /etc/pki/ca-trust/source/anchors/cluster.crt
