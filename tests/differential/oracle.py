"""Running the real nodeadm (the harness named by $NODECFG_ORACLE) and comparing trees.

The harness is the shared one (``run-nodeadm.sh CONFIG_SOURCE INSTANCE_JSON
OUTDIR [nodeadm init args]``): it runs ``nodeadm init --skip run`` offline,
isolated, and copies exactly the files nodeadm wrote into OUTDIR.
"""
from __future__ import annotations

import collections
import difflib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ORACLE_ENV = "NODECFG_ORACLE"
ENVIRONMENT_FILE = "etc/eks/kubelet/environment"
KUBELET_ARGS = "NODEADM_KUBELET_ARGS"
CACHE_ARGS = ("--config-cache", "/run/eks/nodeadm/config.json")
# With enableOutpost nodeadm appends what a DNS lookup of the API server host
# returns at boot to /etc/hosts (internal/kubelet/config.go, withOutpostSetup):
# a fact of the network, not of the config, which nodecfg does not write.
NOT_COMPARED = frozenset({"etc/hosts"})


def outpost_hosts(endpoint: str) -> str:
    """An /etc/hosts in which the outpost's API server host resolves (the harness has no DNS)."""
    host = urlsplit(endpoint).hostname or "localhost"
    return ("127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4\n"
            "::1         localhost6 localhost6.localdomain6\n\n"
            f"10.0.0.1\t{host}\n")


# Harnesses built at AMI release tags: "v20250715=/tmp/nodeadm-v20250715,v20260724=/tmp/nodeadm-oracle".
ORACLES_ENV = "NODECFG_ORACLES"
# The first release whose nodeadm-config.service passes config sources and a cache
# (templates/al2023/runtime/rootfs/etc/systemd/system/nodeadm-config.service, commit 0d558ec3):
# before it the service runs `nodeadm init --skip run`, whose one source is imds://user-data.
FIRST_CONFIG_CHAIN = "v20251023"


def oracle_dir() -> Path | None:
    value = os.environ.get(ORACLE_ENV)
    return Path(value) if value else None


def release_oracles() -> list[tuple[str, Path]]:
    """(release tag, harness) pairs from $NODECFG_ORACLES, in the order given."""
    pairs = []
    for item in os.environ.get(ORACLES_ENV, "").split(","):
        tag, _, path = item.strip().partition("=")
        if tag and path:
            pairs.append((tag.strip(), Path(path.strip())))
    return pairs


def harness_problem(root: Path, name: str) -> str | None:
    """Why the harness at ``root`` cannot run, or None."""
    if not (root / "run-nodeadm.sh").is_file() or not (root / "bin" / "nodeadm").is_file():
        return f"{name}={root} holds no built harness (run-nodeadm.sh, bin/nodeadm)"
    if os.geteuid() != 0:
        return "the nodeadm harness needs root (mount, network and PID namespaces)"
    return None


def skip_reason() -> str | None:
    root = oracle_dir()
    if root is None:
        return (f"set {ORACLE_ENV} to a built nodeadm harness (see docs/conformance.md) "
                "to run the differential suite")
    return harness_problem(root, ORACLE_ENV)


@dataclass
class OracleRun:
    exit_code: int
    log: str
    files: dict[str, bytes]


def run_nodeadm(config_source: Path, instance: dict, workdir: Path, extra_sources: list[str] = (), *,
                root: Path | None = None, user_data_only: bool = False) -> OracleRun:
    """nodeadm init with ``config_source`` first, then ``extra_sources`` (URLs), in that order.

    ``root`` is the harness (default $NODECFG_ORACLE).  ``user_data_only`` runs
    it as nodeadm-config.service did before FIRST_CONFIG_CHAIN: the one source
    imds://user-data (``instance["userData"]``) and no --config-cache.
    """
    root = root or oracle_dir()
    assert root is not None
    instance_file = workdir / "instance.json"
    instance_file.write_text(json.dumps(instance))
    outdir = workdir / "oracle" / "root"
    env = None
    args = [str(root / "run-nodeadm.sh"), str(config_source), str(instance_file), str(outdir)]
    if user_data_only:
        env = {**os.environ, "NODEADM_SOURCES": "imds://user-data"}
    else:
        args += CACHE_ARGS
    for source in extra_sources:
        args += ["--config-source", source]
    completed = subprocess.run(args, capture_output=True, text=True, timeout=600, env=env)
    log_file = outdir.parent / "nodeadm.log"
    log = log_file.read_text(errors="replace") if log_file.exists() else completed.stdout + completed.stderr
    if completed.returncode == 125:
        raise RuntimeError(f"the harness itself failed:\n{completed.stdout}\n{completed.stderr}")
    return OracleRun(completed.returncode, log, read_tree(outdir))


def read_tree(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file() or path.is_symlink()}


def nodeadm_output(log: str) -> str:
    """nodeadm's own stdout+stderr from the harness log (before the exit code line)."""
    return log.split("# ---- nodeadm exit code", 1)[0]


# --- comparing ------------------------------------------------------------------

def _environment_lines(data: bytes, user_flags: list[str]) -> tuple[bool, list[str], collections.Counter | None]:
    """(ends with newline, other lines sorted, nodeadm's own flags) of the kubelet environment file.

    nodeadm builds the file and its own flags from Go maps, so their order
    changes from run to run; the user's flags always come last, in order.
    A None multiset means the user's flags are not the tail of the value.
    """
    text = data.decode(errors="surrogateescape")
    lines, flags = [], None
    for line in text.split("\n"):
        if line.startswith(KUBELET_ARGS + "="):
            value = line[len(KUBELET_ARGS) + 1:]
            tail = " ".join(user_flags)
            if tail and not (value == tail or value.endswith(" " + tail)):
                flags = None
                lines.append(line)
                continue
            own = value[: len(value) - len(tail)].rstrip(" ") if tail else value
            flags = collections.Counter(own.split(" ") if own else [])
        elif line:
            lines.append(line)
    return text.endswith("\n"), sorted(lines), flags


def compare_trees(reference: dict[str, bytes], candidate: dict[str, bytes], user_flags: list[str]) -> list[str]:
    """Every difference between nodeadm's tree and nodecfg's, as readable text."""
    reference = {path: data for path, data in reference.items() if path not in NOT_COMPARED}
    problems = [f"only nodeadm wrote {path}" for path in sorted(set(reference) - set(candidate))]
    problems += [f"only nodecfg wrote {path}" for path in sorted(set(candidate) - set(reference))]
    for path in sorted(set(reference) & set(candidate)):
        ours, theirs = candidate[path], reference[path]
        if ours == theirs:
            continue
        if path == ENVIRONMENT_FILE:
            a, b = _environment_lines(theirs, user_flags), _environment_lines(ours, user_flags)
            if a == b and a[2] is not None:
                continue
        diff = difflib.unified_diff(theirs.decode(errors="replace").splitlines(True),
                                    ours.decode(errors="replace").splitlines(True),
                                    f"nodeadm/{path}", f"nodecfg/{path}", n=2)
        problems.append(f"{path} differs:\n" + ("".join(diff) or f"{theirs[-60:]!r} vs {ours[-60:]!r}"))
    return problems
