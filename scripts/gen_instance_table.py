#!/usr/bin/env python3
"""Generate nodecfg/nodeadm/data/instance_table.tsv from instance-type data.

Each INPUT gives the ENI figures: JSON lines in nodeadm's shape (instanceType,
defaultMaxENIs, ipv4AddressesPerInterface) or an EC2 DescribeInstanceTypes
response ({"InstanceTypes": [...]}).  Inputs merge in order, later wins.

vCPUs and memory come from two public files generated from EC2's
DescribeInstanceTypes (VCpuInfo.DefaultVCpus, MemoryInfo.SizeInMiB), read from
a checkout or bare clone of their repository at HEAD or at REPO@COMMIT:

* --karpenter: aws/karpenter-provider-aws, KARPENTER_DOCS, the labels
  karpenter.k8s.aws/instance-cpu and instance-memory of each type
  (hack/docs/instancetypes_gen/main.go writes them from those two fields);
* --autoscaler: kubernetes/autoscaler, AUTOSCALER_LIST, the VCPU and MemoryMb
  of each type (cluster-autoscaler/cloudprovider/aws/aws_util.go,
  transformInstanceType, copies MemoryMb from SizeInMiB: it is MiB).

A type's figures come from the first that has them: the INPUTs' own, then
Karpenter's, then the autoscaler's.  They only fill types the INPUTs list.

    python scripts/gen_instance_table.py ../shared/data/instance-info.jsonl \\
        --karpenter ../karpenter-provider-aws --autoscaler ../autoscaler
    python scripts/gen_instance_table.py --check ... (the same arguments)
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nodecfg.nodeadm.instance_table import (  # noqa: E402
    PACKAGED_TABLE, InstanceTypeInfo, format_table, load_user_table, merge_tables, range_problem,
)

KARPENTER_REPO = "aws/karpenter-provider-aws"
KARPENTER_DOCS = "website/content/en/preview/reference/instance-types.md"
AUTOSCALER_REPO = "kubernetes/autoscaler"
AUTOSCALER_LIST = "cluster-autoscaler/cloudprovider/aws/ec2_instance_types.go"

Resources = dict[str, tuple[int, int]]  # type -> (vcpus, memoryMiB)


class ResourceSource(NamedTuple):
    repo: str  # owner/name, for the table's header
    path: str
    commit: str
    text: str


# --- one parser per format -----------------------------------------------------

_KARPENTER_TYPE = re.compile(r"### `([^`]+)`\s*")
_KARPENTER_LABEL = re.compile(r"\s*\|karpenter\.k8s\.aws/instance-(cpu|memory)\|(\d+)\|\s*")


def parse_karpenter_docs(text: str, where: str = KARPENTER_DOCS) -> tuple[Resources, list[str]]:
    """Karpenter's instance-types page: a ``### `type` `` heading, then a label table."""
    entries: dict[str, dict[str, int]] = {}
    lines: dict[str, int] = {}
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        heading = _KARPENTER_TYPE.fullmatch(line)
        if heading:
            current = heading.group(1)
            entries[current], lines[current] = {}, number
            continue
        label = _KARPENTER_LABEL.fullmatch(line)
        if label and current is not None:
            entries[current][label.group(1)] = int(label.group(2))
    return _checked(((name, found.get("cpu"), found.get("memory"), lines[name]) for name, found in entries.items()),
                    where)


_AUTOSCALER_ENTRY = re.compile(r'\s*InstanceType:\s*"([^"]+)",\s*')
_AUTOSCALER_FIELD = re.compile(r"\s*(VCPU|MemoryMb):\s*(\d+),\s*")


def parse_autoscaler_list(text: str, where: str = AUTOSCALER_LIST) -> tuple[Resources, list[str]]:
    """The cluster autoscaler's static list: ``InstanceType: "t", VCPU: n, MemoryMb: m,`` per entry."""
    entries: dict[str, dict[str, int]] = {}
    lines: dict[str, int] = {}
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        entry = _AUTOSCALER_ENTRY.fullmatch(line)
        if entry:
            current = entry.group(1)
            entries[current], lines[current] = {}, number
            continue
        field = _AUTOSCALER_FIELD.fullmatch(line)
        if field and current is not None:
            entries[current][field.group(1)] = int(field.group(2))
    return _checked(((name, found.get("VCPU"), found.get("MemoryMb"), lines[name]) for name, found in entries.items()),
                    where)


def _checked(entries, where: str) -> tuple[Resources, list[str]]:
    resources: Resources = {}
    problems = []
    for name, vcpus, memory, line in entries:
        problem = range_problem(name, {"vcpus": vcpus, "memory": memory})
        if vcpus is None or memory is None:
            problem = f"{name}: no {'vCPU' if vcpus is None else 'memory'} figure"
        if problem:
            problems.append(f"{where}:{line}: {problem}")
        else:
            resources[name] = (vcpus, memory)
    return resources, problems


# --- reading a repository --------------------------------------------------------

def read_source(spec: str, repo: str, path: str) -> ResourceSource:
    """path at REPO_DIR[@COMMIT] (a checkout or a bare clone; HEAD by default)."""
    directory, _, revision = spec.partition("@")
    commit = _git(directory, "rev-parse", "--verify", f"{revision or 'HEAD'}^{{commit}}").strip()
    return ResourceSource(repo, path, commit, _git(directory, "show", f"{commit}:{path}"))


def _git(directory: str, *args: str) -> str:
    done = subprocess.run(["git", "-C", directory, *args], capture_output=True, text=True, encoding="utf-8")
    if done.returncode != 0:
        raise SystemExit(f"gen_instance_table: git {' '.join(args)} in {directory}: {done.stderr.strip()}")
    return done.stdout


# --- building the table ----------------------------------------------------------

def build_table_text(paths: list[str], sources: list[tuple[ResourceSource, Resources]] = ()) -> tuple[str, list[str]]:
    """The packaged table text for the inputs, plus problems found in them."""
    text, problems, _ = build_table(paths, sources)
    return text, problems


def build_table(paths, sources=()) -> tuple[str, list[str], dict[str, int]]:
    """(table text, problems, how many types took their vCPUs/memory from each source)."""
    tables, problems = [], []
    for path in paths:
        table, diagnostics = load_user_table(path)
        tables.append(table)
        problems.extend(diagnostic.format() for diagnostic in diagnostics)
    merged = merge_tables(tables)
    counts = {"inputs": 0, **{source.repo: 0 for source, _ in sources}, "none": 0}
    for name, info in merged.items():
        merged[name], origin = _with_resources(info, sources)
        counts[origin] += 1
    return format_table(merged, _comments(paths, [source for source, _ in sources])), problems, counts


def _with_resources(info: InstanceTypeInfo, sources) -> tuple[InstanceTypeInfo, str]:
    if info.vcpus is not None and info.memory_mib is not None:
        return info, "inputs"
    for source, resources in sources:
        if info.instance_type in resources:
            vcpus, memory = resources[info.instance_type]
            return info._replace(vcpus=info.vcpus or vcpus, memory_mib=info.memory_mib or memory), source.repo
    return info, "none"


def _comments(paths: list[str], sources: list[ResourceSource]) -> list[str]:
    fields = "vcpus, memoryMiB (EC2 VCpuInfo.DefaultVCpus, MemoryInfo.SizeInMiB)"
    comments = ["Generated by scripts/gen_instance_table.py; do not edit.",
                "defaultMaxENIs, ipv4AddressesPerInterface: " + ", ".join(Path(path).name for path in paths)]
    if sources:
        comments.append(f"{fields}: the first of the inputs and")
        comments += [f"  {source.repo} {source.path} at {source.commit}" for source in sources]
    else:
        comments.append(f"{fields}: the inputs")
    comments.append("Empty vcpus and memoryMiB: no source has the type; nodecfg estimates them from its name.")
    return comments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("--karpenter", metavar="REPO_DIR[@COMMIT]", help=f"a clone of {KARPENTER_REPO}")
    parser.add_argument("--autoscaler", metavar="REPO_DIR[@COMMIT]", help=f"a clone of {AUTOSCALER_REPO}")
    parser.add_argument("-o", "--output", default=str(PACKAGED_TABLE))
    parser.add_argument("--check", action="store_true", help="fail if the output would change")
    args = parser.parse_args(argv)
    sources, problems = [], []
    for spec, repo, path, parse in ((args.karpenter, KARPENTER_REPO, KARPENTER_DOCS, parse_karpenter_docs),
                                    (args.autoscaler, AUTOSCALER_REPO, AUTOSCALER_LIST, parse_autoscaler_list)):
        if spec:
            source = read_source(spec, repo, path)
            resources, found = parse(source.text, f"{repo}/{path}")
            sources.append((source, resources))
            problems += found
    text, more, counts = build_table(args.inputs, sources)
    for problem in problems + more:
        print(problem, file=sys.stderr)
    if problems or more:
        return 1
    output = Path(args.output)
    if args.check:
        current = output.read_text(encoding="ascii") if output.exists() else ""
        if current != text:
            print(f"{output} is out of date; rerun without --check", file=sys.stderr)
            return 1
        return 0
    output.write_text(text, encoding="ascii")
    summary = ", ".join(f"{count} from {origin}" for origin, count in counts.items() if origin != "none")
    print(f"wrote {output} ({sum(counts.values())} instance types; vcpus/memoryMiB: {summary}; "
          f"{counts['none']} without)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
