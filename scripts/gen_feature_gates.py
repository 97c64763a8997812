#!/usr/bin/env python3
"""Generate nodecfg/nodeadm/data/kubelet_feature_gates.tsv from the Kubernetes sources.

    python scripts/gen_feature_gates.py /path/to/kubernetes.git
    python scripts/gen_feature_gates.py --snapshots /path/to/snapshots
    python scripts/gen_feature_gates.py --check ...   # fails if the table would change

The table has one row per (gate, kubelet minor version): the gate's stage,
default and lock-to-default in that release.  A gate has a row for 1.M if and
only if the files of release 1.M register it, so a gate is "removed" from the
first covered release whose own files lack it, never from a guess; a release
the input does not have is not covered at all (nothing is checked for it).

Two inputs, one parser:

* a kubernetes/kubernetes git directory: every file is read at the release
  tags v1.27.0 ... v1.36.0 the directory has; the header names each tag and
  its commit;
* a snapshot directory (``--snapshots``), for when no such git directory can
  be had: ``manifest.json`` lists ``releases``, each with ``minor``,
  ``release`` (the version the copies are of, e.g. ``v1.34.1``), ``dir`` and
  ``files``; each file has ``path`` (its kubernetes/kubernetes path, under
  DIR/dir), ``repository``, ``file`` (its path there) and ``commit`` (or
  ``index_id`` for a copy from a search index).  The header names, per
  release, where every file was read.  The table in the repository was made
  this way, from exact copies: pkg/features from vendored copies of
  k8s.io/kubernetes (a repository's vendor/modules.txt pins the release;
  ``go mod vendor`` copies a package's files unchanged) and the staging
  packages from their published repositories at tag kubernetes-1.M.0.  It
  ends at 1.36; a release the table does not have is better left unchecked
  than guessed.

Which gates the kubelet knows (decided from the sources):

* cmd/kubelet uses ``utilfeature.DefaultMutableFeatureGate``
  (k8s.io/apiserver/pkg/util/feature) and imports k8s.io/kubernetes/pkg/features,
  whose init adds every gate of pkg/features/kube_features.go (and, in the
  releases that have it, versioned_kube_features.go), including the gates it
  re-lists from other packages (genericfeatures.X, kcmfeatures.X, ...);
* the same gate set also receives the generic apiserver gates and the
  apiextensions-apiserver gates (the init of each package, which
  pkg/features imports; apiextensions from 1.28, and 1.27's has none), the
  zpages gates (pkg/features' init calls zpagesfeatures.AddFeatureGates from
  1.32), the logging gates
  (staging/src/k8s.io/component-base/logs/api/v1/kube_features.go, added by
  cmd/kubelet/app), the metrics gates
  (staging/src/k8s.io/component-base/metrics/features, added by the init of
  pkg/kubelet/server) and the client-go gates
  (staging/src/k8s.io/client-go/features/known_features.go, through
  pkg/features/client_adapter.go);
* every featuregate.FeatureGate also knows AllAlpha and AllBeta
  (staging/src/k8s.io/component-base/featuregate/feature_gate.go);
* controller-manager/pkg/features is read for gate names only: its gates are
  registered by its register package, which the cloud controller managers
  import and the kubelet does not, so only those pkg/features re-lists count.

All of these files are read and unioned: a gate the kubelet might not
register is, at worst, not reported as unknown, while leaving out a file
could turn a gate the kubelet accepts into a false error.

A spec in the unversioned form (``{Default: true, PreRelease: featuregate.Beta}``,
releases before 1.31 and part of 1.31/1.32) applies to that release; in the
versioned form (``{{Version: version.MustParse("1.29"), ...}, ...}``) the
spec of a release is the last one whose version is not after it, as
featuregate's featureSpecAtEmulationVersion picks for a binary of that
version.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "nodecfg" / "context" / "data" / "kubelet_feature_gates.tsv"
MINORS = range(27, 37)
SOURCES = (
    "pkg/features/kube_features.go",
    "pkg/features/versioned_kube_features.go",
    "staging/src/k8s.io/apiserver/pkg/features/kube_features.go",
    "staging/src/k8s.io/component-base/logs/api/v1/kube_features.go",
    "staging/src/k8s.io/component-base/metrics/features/kube_features.go",
    "staging/src/k8s.io/client-go/features/known_features.go",
    "staging/src/k8s.io/component-base/featuregate/feature_gate.go",
    "staging/src/k8s.io/apiextensions-apiserver/pkg/features/kube_features.go",
    "staging/src/k8s.io/component-base/zpages/features/kube_features.go",
)
# read for the gate names only: pkg/features re-lists a few of its gates (kcmfeatures.X), but
# the package that registers all of them (controller-manager/pkg/features/register) is
# imported by the cloud controller managers, not by the kubelet
NAME_SOURCES = ("staging/src/k8s.io/controller-manager/pkg/features/kube_features.go",)

# a gate's constant, in the three forms the files use: `X featuregate.Feature = "X"`,
# `X = featuregate.Feature("X")` and, in a typed const block, the untyped `X = "X"`
_CONSTANT = re.compile(r'^\s*(\w+)\s*(?:(?:featuregate\.)?Feature\s*)?=\s*'
                       r'(?:"([^"]+)"|(?:featuregate\.)?Feature\(\s*"([^"]+)"\s*\))', re.M)
_MAP = re.compile(r"map\[(?:\w+\.)?Feature\](?:\w+\.)?(FeatureSpec|VersionedSpecs)\s*\{")
_KEY = re.compile(r"\s*(?:(\w+)\.)?(\w+)\s*:\s*\{")
_FIELD = re.compile(r"(\w+)\s*:\s*([^,{}]+?)\s*(?:,|$)")
_VERSION = re.compile(r"MustParse\(\s*\"v?(\d+)\.(\d+)[^\"]*\"\s*\)|MajorMinor\(\s*(\d+)\s*,\s*(\d+)\s*\)")


def git(git_dir: str, *args: str) -> str | None:
    result = subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else None


def release_tags(git_dir: str) -> list[tuple[int, str, str]]:
    """(minor, tag, commit) of each v1.MINOR.0 tag the git directory has."""
    found = []
    for minor in MINORS:
        tag = f"v1.{minor}.0"
        commit = git(git_dir, "rev-parse", "--verify", "--quiet", f"{tag}^{{commit}}")
        if commit:
            found.append((minor, tag, commit.strip()))
    return found


def strip_comments(text: str) -> str:
    """Go line and block comments out, string literals kept."""
    out, position, length = [], 0, len(text)
    while position < length:
        char = text[position]
        if char == '"' or char == "`":
            end = position + 1
            while end < length and text[end] != char:
                end += 2 if char == '"' and text[end] == "\\" else 1
            out.append(text[position:end + 1])
            position = end + 1
        elif text.startswith("//", position):
            end = text.find("\n", position)
            position = length if end < 0 else end
        elif text.startswith("/*", position):
            end = text.find("*/", position + 2)
            position = length if end < 0 else end + 2
        else:
            out.append(char)
            position += 1
    return "".join(out)


def _block(text: str, start: int) -> tuple[str, int]:
    """The text inside the braces opening at text[start] == '{', and the index after the closing one."""
    depth, position = 0, start
    while position < len(text):
        if text[position] == "{":
            depth += 1
        elif text[position] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1:position], position + 1
        position += 1
    raise ValueError("unbalanced braces")


def _spec(body: str) -> dict:
    fields = dict(_FIELD.findall(body))
    spec = {
        "default": fields.get("Default", "false").strip() == "true",
        "locked": fields.get("LockToDefault", "false").strip() == "true",
        "stage": fields.get("PreRelease", "").strip().rpartition(".")[2],
    }
    version = _VERSION.search(body)
    if version:
        major, minor = (version.group(1), version.group(2)) if version.group(1) else version.group(3, 4)
        spec["version"] = (int(major), int(minor))
    return spec


def parse_specs(text: str) -> list[tuple[str, str, list[dict]]]:
    """(package alias or "", constant, specs) for every entry of every feature-spec map in a Go file."""
    text = strip_comments(text)
    entries = []
    for match in _MAP.finditer(text):
        body, _ = _block(text, match.end() - 1)
        position = 0
        while True:
            key = _KEY.match(body, position)
            if not key:
                break
            inner, position = _block(body, key.end() - 1)
            position = body.find(",", position) + 1 or len(body)
            if match.group(1) == "VersionedSpecs":
                specs, cursor = [], 0
                while "{" in inner[cursor:]:
                    item, cursor = _block(inner, inner.index("{", cursor))
                    specs.append(_spec(item))
            else:
                specs = [_spec(inner)]
            entries.append((key.group(1) or "", key.group(2), specs))
    return entries


def gates_at(files: dict[str, str], minor: int) -> dict[str, dict]:
    """gate name -> its spec in kubelet 1.MINOR, from the files of that release."""
    names: dict[str, str] = {}
    for text in files.values():
        for constant, name, converted in _CONSTANT.findall(strip_comments(text)):
            names.setdefault(constant, name or converted)
    gates: dict[str, dict] = {}
    for path in SOURCES:  # later files only add gates the earlier ones lack
        if path not in files:
            continue
        for _alias, constant, specs in parse_specs(files[path]):
            name = names.get(constant)
            if name is None or name in gates:
                continue
            spec = _spec_at(specs, minor)
            if spec is not None:
                gates[name] = spec
    return gates


def _spec_at(specs: list[dict], minor: int) -> dict | None:
    if len(specs) == 1 and "version" not in specs[0]:
        return specs[0]
    applying = [spec for spec in specs if spec.get("version", (0, 0)) <= (1, minor)]
    return max(applying, key=lambda spec: spec.get("version", (0, 0))) if applying else None


def git_releases(git_dir: str) -> list[dict]:
    """The releases of a kubernetes/kubernetes git directory: every file read at the tag's commit."""
    releases = []
    for minor, tag, commit in release_tags(git_dir):
        files = {path: text for path in SOURCES + NAME_SOURCES
                 if (text := git(git_dir, "show", f"{tag}:{path}")) is not None}
        releases.append({"minor": minor, "label": tag, "source": commit, "files": files, "origins": []})
    if not releases:
        raise SystemExit(f"{git_dir}: none of the tags v1.{MINORS[0]}.0 ... v1.{MINORS[-1]}.0")
    return releases


def snapshot_releases(directory: str) -> list[dict]:
    """The releases of a snapshot directory: DIR/manifest.json names, per kubelet minor, a
    subdirectory holding copies of the files at their kubernetes/kubernetes paths and, for
    each file, where the copy was taken (repository and commit, or the search index's id)."""
    root = Path(directory)
    try:
        manifest = json.loads((root / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise SystemExit(f"{root / 'manifest.json'}: {error}") from None
    releases = []
    for release in sorted(manifest["releases"], key=lambda release: release["minor"]):
        files, origins = {}, []
        for entry in sorted(release["files"], key=lambda entry: entry["path"]):
            if entry["path"] not in SOURCES + NAME_SOURCES:
                continue
            files[entry["path"]] = (root / release["dir"] / entry["path"]).read_text()
            where = f"@{entry['commit']}" if "commit" in entry else f" index id {entry['index_id']}"
            origins.append((entry["path"], f"{entry['repository']}{where}:{entry['file']}"))
        source = next((origin for path, origin in origins if path == SOURCES[0]), "")
        releases.append({"minor": release["minor"], "label": release["release"], "source": source,
                         "files": files, "origins": origins})
    return releases


def build_table(releases: list[dict], generated_from: str) -> str:
    lines = ["# Kubernetes feature gates the kubelet knows, per kubelet minor version.",
             f"# Generated by scripts/gen_feature_gates.py from {generated_from}; do not edit.",
             "# Sources: " + ", ".join(SOURCES)]
    for release in releases:
        lines.append(f"# source\t{release['label']}\t{release['source']}")
        lines += [f"# file\t{release['label']}\t{path}\t{origin}" for path, origin in release["origins"]]
    lines.append("# gate\tversion\tstage\tdefault\tlocked")
    rows = []
    for release in releases:
        for name, spec in gates_at(release["files"], release["minor"]).items():
            rows.append((name, release["minor"], spec))
    for name, minor, spec in sorted(rows, key=lambda row: (row[0], row[1])):
        lines.append(f"{name}\t1.{minor}\t{spec['stage']}\t{str(spec['default']).lower()}\t"
                     f"{str(spec['locked']).lower()}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("git_dir", nargs="?", help="a kubernetes/kubernetes git directory with the release tags")
    where.add_argument("--snapshots", metavar="DIR", help="a snapshot directory with manifest.json (see above)")
    parser.add_argument("-o", "--output", default=str(OUTPUT))
    parser.add_argument("--check", action="store_true", help="fail if the output would change")
    args = parser.parse_args(argv)
    if args.snapshots:
        text = build_table(snapshot_releases(args.snapshots), "copies of the Kubernetes release sources")
    else:
        text = build_table(git_releases(args.git_dir), "kubernetes/kubernetes")
    output = Path(args.output)
    if args.check:
        if not output.exists() or output.read_text() != text:
            print(f"{output} is out of date", file=sys.stderr)
            return 1
        return 0
    output.write_text(text)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
