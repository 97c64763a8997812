"""Subcommands: each module exposes ``add_arguments(parser)`` and ``run(args) -> int``."""

COMMANDS = {
    "check": ("check", "lint NodeConfig sources and user data"),
    "render": ("render", "print the merged NodeConfig"),
    "build": ("build", "write the node's file tree to a directory or tarball"),
    "explain": ("explain", "show where each rendered value comes from"),
    "max-pods": ("max_pods", "compute maxPods and kubeReserved per instance type"),
    "userdata": ("userdata", "compose MIME multipart user data from NodeConfigs and scripts"),
    "rule": ("rule", "print the documentation of a rule"),
    "migrate": ("migrate", "migrate AL2 user data (bootstrap.sh) to AL2023 user data with a NodeConfig"),
    "diff": ("diff", "compare the node files two configurations render"),
    "schema": ("schema", "print a JSON Schema (NodeConfig, kubelet config or instance context) for editors"),
    "lsp": ("lsp", "run a language server on stdio: nodecfg's findings, fixes and rule pages in editors"),
}
