"""User data: composing it, the parts Karpenter and EKS add, migrating AL2's."""
