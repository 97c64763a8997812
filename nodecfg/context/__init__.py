"""The instance context: what nodeadm learns at boot, the instance table, maxPods and CEL."""
