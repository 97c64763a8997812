#!/bin/bash
/etc/eks/bootstrap.sh demo --kubelet-extra-args '--node-labels=team=a'
