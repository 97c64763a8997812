"""Structured composite inputs: YAML node graphs, MIME trees with many parts, scripts with many heredocs.

The byte-level strategies (fuzz_strategies.py) rarely produce anchors that
are aliased inside keys or merge keys that pull in complex keys; these build
such inputs on purpose, as an attacker would.
"""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = (ROOT / "examples" / "nodeconfig.yaml").read_text().split("  kubelet:")[0]

# Scalars that mean something to YAML 1.1, to go-yaml, to JSON or to a line-based file.
TRICKY_SCALARS = [
    "yes", "off", "~", "0644", "0x1F", "1e999", "-.inf", ".nan", "1" + "0" * 30, "1_000", "12:30:00",
    "'quoted'", '"10.0.0.2\\nDNS=1.1.1.1"', '"\\e[31m\\a"', '"\\x85\\u2028"', '"a\\"b%c"', '"ends in quote\\""',
    "10.0.0.2", "fd00::1", "corp.example", "~corp.example", "'@at'", "'`tick'", "kubelet", "default",
    "'--node-labels=a=b'", "'v\"]\\n[evil]'", "null", "true", "''",
]
_plain_words = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
_scalars = st.one_of(st.sampled_from(TRICKY_SCALARS), _plain_words, st.integers(-10**6, 10**6).map(str))


class _Anchors:
    """Names defined so far, in text order: an alias may only name an anchor written before it."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def new(self) -> str:
        name = f"n{len(self.names)}"
        return name


@st.composite
def yaml_nodes(draw, anchors: _Anchors | None = None, depth: int = 0, budget: list[int] | None = None) -> str:
    """A flow-style YAML node: scalars, sequences, mappings with complex keys and merge keys, anchors, aliases."""
    anchors = anchors if anchors is not None else _Anchors()
    budget = budget if budget is not None else [40]
    budget[0] -= 1
    kinds = ["scalar", "alias"] if depth >= 4 or budget[0] <= 0 else ["scalar", "alias", "seq", "map", "map"]
    kind = draw(st.sampled_from(kinds))
    if kind == "alias":
        if anchors.names:
            return "*" + draw(st.sampled_from(anchors.names))
        kind = "scalar"
    if kind == "scalar":
        text = draw(_scalars)
    elif kind == "seq":
        items = [draw(yaml_nodes(anchors, depth + 1, budget)) for _ in range(draw(st.integers(0, 4)))]
        text = "[" + ", ".join(items) + "]"
    else:
        pairs = []
        for _ in range(draw(st.integers(0, 4))):
            shape = draw(st.sampled_from(["plain", "plain", "complex", "merge", "merge-list"]))
            if shape == "merge" and anchors.names:
                pairs.append("<<: *" + draw(st.sampled_from(anchors.names)))
            elif shape == "merge-list" and anchors.names:
                chosen = draw(st.lists(st.sampled_from(anchors.names), min_size=1, max_size=3))
                pairs.append("<<: [" + ", ".join("*" + name for name in chosen) + "]")
            elif shape == "complex":
                key = draw(yaml_nodes(anchors, depth + 1, budget))
                pairs.append(f"? {key} : {draw(yaml_nodes(anchors, depth + 1, budget))}")
            else:
                pairs.append(f"{draw(_scalars)}: {draw(yaml_nodes(anchors, depth + 1, budget))}")
        text = "{" + ", ".join(pairs) + "}"
    if kind != "scalar" or draw(st.integers(0, 3)) == 0:
        if draw(st.booleans()):
            name = anchors.new()
            text = f"&{name} {text}"
            anchors.names.append(name)
    return text


# Where a generated node lands: slots that renderers turn into files, and free ones.
SLOTS = [
    "  kubelet:\n    config: {node}\n",
    "  containerd:\n    baseRuntimeSpec: {node}\n",
    "  instance:\n    environment: {{kubelet: {node}, default: {node}}}\n",
    "  instance:\n    network: {{nameservers: {node}, domains: {node}}}\n",
    "  featureGates: {node}\n",
    "  kubelet:\n    flags: {node}\n",
    "  cluster: {node}\n",
    "  {node}: {node}\n",
]


@st.composite
def nodeconfig_graphs(draw) -> bytes:
    """The example's cluster plus one to three slots filled with generated node graphs sharing anchors."""
    anchors, budget = _Anchors(), [40]
    lines = [CLUSTER]
    for _ in range(draw(st.integers(1, 3))):
        slot = draw(st.sampled_from(SLOTS))
        lines.append(slot.format(node=draw(yaml_nodes(anchors, 1, budget))))
    return "".join(lines).encode()


@st.composite
def heredoc_scripts(draw, most: int = 150) -> bytes:
    """A shell script with up to ``most`` heredocs: drop-ins (some graphs), other targets, odd delimiters."""
    out = ["#!/bin/bash\n"]
    for index in range(draw(st.integers(0, most))):
        delimiter = draw(st.sampled_from(["EOF", "'EOF'", '"EOF"', "\\EOF", "-EOF"]))
        target = draw(st.sampled_from([f"/etc/eks/nodeadm.d/d{index}.yaml", "/etc/eks/nodeadm.d/../x.yaml",
                                       "/tmp/x", f"/etc/eks/nodeadm.d/${{N}}{index}.yaml"]))
        operator = "<<-" if delimiter.startswith("-") else "<<"
        word = delimiter.lstrip("-")
        graph = draw(st.integers(0, 9)) == 0
        body = draw(nodeconfig_graphs()).decode() if graph else "kind: NodeConfig\nspec: {}\n"
        closing = "" if draw(st.integers(0, 30)) == 0 else word.strip("'\"\\") + "\n"
        out.append(f"cat {operator}{word} > {target}\n{body}{closing}")
    return "".join(out).encode()


_PART_KINDS = ["application/node.eks.aws", "text/x-shellscript", "text/cloud-config", "multipart/mixed", "text/plain"]


@st.composite
def mime_trees(draw, depth: int = 0) -> bytes:
    """Multipart user data with up to 40 parts, some of them multipart themselves."""
    boundary = f"B{depth}x{draw(st.integers(0, 999))}"
    out = [f'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="{boundary}"\n\n'.encode()]
    for _ in range(draw(st.integers(1, 40))):
        kind = draw(st.sampled_from(_PART_KINDS if depth < 2 else _PART_KINDS[:3]))
        if kind == "application/node.eks.aws":
            body = draw(nodeconfig_graphs())
        elif kind == "text/x-shellscript":
            body = draw(heredoc_scripts(most=12))
        elif kind == "text/cloud-config":
            body = b"#cloud-config\n" + draw(yaml_nodes()).encode() + b"\n"
        elif kind == "multipart/mixed":
            inner = draw(mime_trees(depth + 1))
            kind, body = inner.split(b"Content-Type: ", 1)[1].split(b"\n", 1)[0].decode(), inner.split(b"\n\n", 1)[1]
        else:
            body = json.dumps(draw(st.text(max_size=40))).encode()
        out.append(f"--{boundary}\nContent-Type: {kind}\n\n".encode() + body + b"\n")
    if draw(st.integers(0, 9)):
        out.append(f"--{boundary}--\n".encode())
    return b"".join(out)


composite_inputs = st.one_of(nodeconfig_graphs(), mime_trees(), heredoc_scripts().map(
    lambda script: b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="S"\n\n'
                   b"--S\nContent-Type: text/x-shellscript\n\n" + script + b"\n--S--\n"))
