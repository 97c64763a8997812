#!/bin/bash
set -e
/etc/eks/bootstrap.sh ${cluster_name} --b64-cluster-ca '${cluster_auth_base64}' \
  --apiserver-endpoint '${endpoint}' --service-ipv4-cidr ${service_cidr} \
  --kubelet-extra-args '--node-labels=eks.amazonaws.com/nodegroup=${nodegroup} --max-pods=${max_pods}'
