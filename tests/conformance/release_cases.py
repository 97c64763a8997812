"""Each AMI release's own e2e cases, read from its ``run.sh``.

The HEAD table (cases.py) restates HEAD's run.sh files by hand.  A release's
cases differ from HEAD's (older kubelet mocks, ``00-nodeadm.conf``, the
``containerd-*`` cases before the v1/v2 split, IMDS-only configs), so for a
release the steps are read from its run.sh with a small interpreter of the
shell subset the e2e scripts use (``test/e2e/helpers.sh``).  A case whose
run.sh equals HEAD's (same files) takes the HEAD table's entry instead, which
also knows the refusal codes and the cases the interpreter cannot read.  A
run.sh line the interpreter does not know makes the case a skip that quotes
the line.
"""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from .cases import (
    ABSENT, BYTES, CASES, CONTAINERD_V1, CONTAINERD_V2, CONTAINS, JSON, MOCK_INSTANCE_TYPE, NOT_APPLICABLE,
    NOT_CONTAINS, Case, CaseFile, Check, DropInDir, ImdsUserData, Source, Step,
)

# Cases of older releases that HEAD no longer has, not run for the same kind of reason as NOT_APPLICABLE.
OLDER_NOT_APPLICABLE: dict[str, str] = {
    "nodeadm-boot-hook": "nodeadm-internal boot-hook waiting on networkctl link states",
}

# Files run.sh asserts on that nodeadm does not write at `init --skip run` offline: the e2e image's own
# /etc/hosts (kubeconfig-outpost checks its localhost lines survive; nodecfg renders no /etc/hosts).
NOT_RENDERED = {"etc/hosts": "the e2e image's own /etc/hosts (nodeadm only appends to it on an Outpost at boot)"}
SKIP = "skip"  # Check.kind of an assertion on a NOT_RENDERED file; Check.expected holds the reason

REFUSED = "any"  # Step.refused_with for `if nodeadm init …; then exit 1`: nodecfg must report an error

_ASSERTS = {"assert::files-equal": BYTES, "assert::json-files-equal": JSON,
            "assert::file-contains": CONTAINS, "assert::file-not-contains": NOT_CONTAINS,
            "assert::file-not-exists": ABSENT}
# Lines that change nothing nodecfg models: shell setup, messages, and resets between steps
# (nodecfg compiles each step afresh).
_IGNORED = re.compile(r"^(set -o \w+|source /helpers\.sh|wait::dbus-ready|echo .*|exit 1|fi|then|"
                      r"rm -f /etc/\S+|config_path=\S+)$")
_LOOP = re.compile(r"^for (\w+) in ([\w.*/-]+); do$")
_FILE_TEST = re.compile(r'^if \[\[ -f "?([^"\s]+)"? \]\]; then$')
_JQ_TYPE = re.compile(r'"instance-type" = "([\w.-]+)"')


class Unmodelled(Exception):
    """run.sh does something the interpreter does not know."""


def _images(case_name: str, e2e_dir: Path) -> tuple[str, ...]:
    """The containerd of each image test/e2e/run.sh runs the case on."""
    two_images = "CONTAINERD_V2_IMAGE" in (e2e_dir / "run.sh").read_text()
    if not two_images:
        return (CONTAINERD_V1,)
    if case_name.startswith("containerdv2-"):
        return (CONTAINERD_V2,)
    if case_name.startswith("containerd-"):
        return (CONTAINERD_V2, CONTAINERD_V1)
    return (CONTAINERD_V1,)


def _source(text: str, case_dir: Path) -> Source:
    if text == "imds://user-data":
        return ImdsUserData()
    if not text.startswith("file://") or text.startswith("file:///"):
        raise Unmodelled(f"config source {text}")
    name = text[len("file://"):].rstrip("/")
    if (case_dir / name).is_dir():
        return DropInDir(tuple(str(Path(name) / f.name) for f in sorted((case_dir / name).iterdir())))
    return CaseFile(name)


def _nodeadm_sources(words: list[str], case_dir: Path) -> tuple[Source, ...]:
    if words[:2] not in (["nodeadm", "init"], ["nodeadm", "config"]):
        raise Unmodelled(" ".join(words))
    sources: list[str] = []
    rest = words[2:]
    if words[1] == "config":
        if rest[:1] != ["check"]:
            raise Unmodelled(" ".join(words))
        rest = rest[1:]
    index = 0
    while index < len(rest):
        word = rest[index]
        if word == "--skip" and index + 1 < len(rest) and rest[index + 1] == "run":
            index += 2
        elif word.startswith("--config-source="):
            sources += word.split("=", 1)[1].split(",")
            index += 1
        elif word in ("--config-source", "-c") and index + 1 < len(rest):
            sources += rest[index + 1].split(",")
            index += 2
        else:
            raise Unmodelled(" ".join(words))
    # nodeadm's default source at every release includes the IMDS user data
    return tuple(_source(text, case_dir) for text in sources) or (ImdsUserData(),)


def _expand(lines: list[str], case_dir: Path) -> list[str]:
    """Unroll `for VAR in GLOB; do … done` over the case directory's files."""
    out: list[str] = []
    index = 0
    while index < len(lines):
        match = _LOOP.match(lines[index])
        if not match:
            out.append(lines[index])
            index += 1
            continue
        end = lines.index("done", index)
        variable, pattern = match.groups()
        body = lines[index + 1:end]
        for value in sorted(path.relative_to(case_dir).as_posix() for path in case_dir.glob(pattern)):
            out += [line.replace("${%s}" % variable, value).replace("$" + variable, value) for line in body]
        index = end + 1
    return out


def interpret(case_dir: Path, e2e_dir: Path) -> Case:
    """The steps of case_dir/run.sh, once per image the case runs on."""
    lines = [line.strip() for line in (case_dir / "run.sh").read_text().splitlines()]
    lines = _expand([line for line in lines if line and not line.startswith("#")], case_dir)
    steps: list[Step] = []
    for containerd in _images(case_dir.name, e2e_dir):
        kubelet, instance_type, accelerator, pending_type = "", MOCK_INSTANCE_TYPE, "none", ""
        image = "" if len(_images(case_dir.name, e2e_dir)) == 1 else f" (containerd {containerd})"
        skipping = False  # inside `if [[ -f PATH ]]; then … fi` whose PATH the case does not have
        for line in lines:
            if skipping:
                skipping = line != "fi"
                continue
            if _FILE_TEST.match(line):
                skipping = not (case_dir / _FILE_TEST.match(line).group(1)).is_file()
                continue
            if _IGNORED.match(line):
                continue
            words = shlex.split(line)
            if words[0] == "mock::kubelet" and len(words) == 2:
                kubelet = "v" + words[1]
            elif words[0] == "mock::aws":
                if len(words) == 1:
                    instance_type = MOCK_INSTANCE_TYPE
                elif words[1] == "${config_path}" and pending_type:
                    instance_type = pending_type
                else:
                    mock = json.loads((case_dir / words[1]).read_text())
                    instance_type = mock["metadata"]["values"]["instance-type"]
            elif line.startswith("cat /etc/aemm-default-config.json | jq") and _JQ_TYPE.search(line):
                pending_type = _JQ_TYPE.search(line).group(1)
            elif line == "touch /usr/bin/nvidia-container-runtime":
                accelerator = "nvidia"
            elif words[0] == "nodeadm" or (words[0] == "if" and words[-1] == "then"):
                refused = words[0] == "if"
                command = [w.rstrip(";") for w in words[1:-1]] if refused else words
                if not kubelet:
                    raise Unmodelled("nodeadm runs before mock::kubelet")
                label = " ".join(command[1:]).replace("--skip run ", "").replace("--config-source ", "")
                steps.append(Step(f"{len(steps)} {label}{image}", _nodeadm_sources(command, case_dir), kubelet,
                                  containerd, accelerator, instance_type, refused_with=REFUSED if refused else ""))
            elif words[0] in _ASSERTS and steps:
                kind = _ASSERTS[words[0]]
                node_path = words[1].lstrip("/")
                expected = words[2] if kind in (BYTES, JSON) else ""
                pattern = words[2] if kind in (CONTAINS, NOT_CONTAINS) else ""
                if node_path in NOT_RENDERED:
                    kind, expected = SKIP, f"{words[0]} {words[1]}: {NOT_RENDERED[node_path]}"
                last = steps[-1]
                steps[-1] = Step(last.label, last.sources, last.kubelet_version, last.containerd_version,
                                 last.accelerator, last.instance_type, last.refused_with,
                                 last.checks + (Check(kind, node_path, expected=expected, pattern=pattern),))
            else:
                raise Unmodelled(line)
    return Case(case_dir.name, tuple(steps))


def _same_case(case_dir: Path, head_case_dir: Path) -> bool:
    """The same run.sh as HEAD's: the HEAD entry's steps hold (expected files are read from the release)."""
    if not head_case_dir.is_dir():
        return False
    if (case_dir / "run.sh").read_bytes() == (head_case_dir / "run.sh").read_bytes():
        return True
    mine = {p.relative_to(case_dir): p.read_bytes() for p in case_dir.rglob("*") if p.is_file()}
    head = {p.relative_to(head_case_dir): p.read_bytes() for p in head_case_dir.rglob("*") if p.is_file()}
    return mine == head


def release_cases(e2e_dir: Path, head_e2e_dir: Path | None) -> tuple[list[Case], dict[str, str]]:
    """(cases to run, {case: reason it is skipped}) for the release whose test/e2e is e2e_dir."""
    head_table = {case.name: case for case in CASES}
    not_applicable = {**NOT_APPLICABLE, **OLDER_NOT_APPLICABLE}
    cases: list[Case] = []
    skipped: dict[str, str] = {}
    for case_dir in sorted(path for path in (e2e_dir / "cases").iterdir() if path.is_dir()):
        name = case_dir.name
        if name in not_applicable:
            skipped[name] = f"not an offline compilation: {not_applicable[name]}"
        elif (name in head_table and head_e2e_dir is not None
              and _same_case(case_dir, head_e2e_dir / "cases" / name)):
            cases.append(head_table[name])
        else:
            try:
                cases.append(interpret(case_dir, e2e_dir))
            except Unmodelled as reason:
                skipped[name] = f"run.sh not modelled: {reason}"
    return cases, skipped
