"""The real-world corpus: public AL2023 user data read from fetched checkouts at test time.

manifest.toml (beside this file) names each sample by repository, path and
commit, or by repository and issue (or pull request) number for what people
pasted into a thread; says how to extract the user data from that text, the
mode its author meant, what it is (``kind``), and the verdict: the exact set
of finding codes (errors and warnings) a correct linter reports for it.  No
sample's text is committed.

The checkouts are bare git directories laid out as the search tool's
``fetch`` leaves them: ``$NODECFG_REALWORLD/<owner>+<name>/repo``.  Issue
samples are read from a local copy of the thread's text, outside the
repository: ``$NODECFG_REALWORLD_ISSUES/<owner>+<name>/<number>.md`` (the
excerpt as the search tool returned it, cut to the paragraphs around the
code blocks); the manifest pins it by the SHA-256 of the extracted user data.

    NODECFG_REALWORLD=/work/.mirror NODECFG_REALWORLD_ISSUES=/work/realworld-issues \
        python tests/realworld/corpus.py   # per-sample report + counts

Extraction steps (applied in order, each to the previous step's text):

* ``fence:N``: the Nth fenced code block of a Markdown file (1-based, ``` or ~~~);
* ``yaml:KIND:a.b.c``: in a multi-document YAML text, the first document whose
  ``kind`` is KIND (``*``: the first document), then the value at a.b.c (a
  number indexes a list);
* ``heredoc:N``: the Nth Terraform heredoc (``<<EOT``/``<<-EOT``); ``<<-`` drops
  the common indentation, as Terraform does;
* ``lines:A-B``: lines A to B (1-based, inclusive), for a snippet inside a larger block;
* ``dedent``: drop the indentation common to all lines (after ``lines:`` cut a
  block scalar out of YAML that has ``...`` placeholders).

Releases: the verdict ``expect`` is for the newest AMI release nodecfg knows
(its default).  The manifest's top-level ``releases`` lists older releases the
corpus is also linted at; a sample whose verdict differs there says so in
``at_release`` (release tag -> the exact codes at that release) and
``release_why``.  ``$NODECFG_REALWORLD_RELEASE`` (comma-separated tags,
``latest`` for the default) replaces that list of releases.
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = Path(__file__).with_name("manifest.toml")
ENV = "NODECFG_REALWORLD"
ISSUES_ENV = "NODECFG_REALWORLD_ISSUES"
RELEASE_ENV = "NODECFG_REALWORLD_RELEASE"
LATEST = "latest"
KINDS = ("ec2nodeclass", "launch-template", "userdata", "nodeconfig")
SEVERITIES = ("warning", "error")

_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})[^\n]*\n(.*?)^\1\2[ \t]*$", re.S | re.M)
_HEREDOC = re.compile(r"<<(-?)([A-Z_][A-Z0-9_]*)[ \t]*\n(.*?)^[ \t]*\2[ \t]*$", re.S | re.M)


@dataclass(frozen=True)
class Sample:
    id: str
    repo: str
    path: str
    commit: str
    mode: str
    expect: tuple[str, ...]
    extract: tuple[str, ...] = ()
    what: str = ""
    why: str = ""
    kind: str = ""          # what the user data belongs to: one of KINDS
    issue: int = 0          # an issue or pull request of repo: the text comes from its thread
    sha256: str = ""        # of the extracted user data of an issue sample
    at_release: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the verdict where a release differs
    release_why: str = ""

    def expect_at(self, release: str = LATEST) -> tuple[str, ...]:
        return self.at_release.get(release, self.expect)

    @property
    def source(self) -> str:
        return "issue thread" if self.issue else "repository file"

    @property
    def citation(self) -> str:
        if self.issue:
            return f"https://github.com/{self.repo}/issues/{self.issue}"
        return f"https://github.com/{self.repo}/blob/{self.commit}/{self.path}"


@dataclass
class Outcome:
    sample: Sample
    findings: list[tuple[str, str, int, int]] = field(default_factory=list)  # (code, severity, line, col)
    problem: str = ""  # the sample could not be read or extracted
    release: str = LATEST

    @property
    def expected(self) -> set[str]:
        return set(self.sample.expect_at(self.release))

    @property
    def codes(self) -> set[str]:
        return {code for code, severity, _, _ in self.findings if severity in SEVERITIES}

    @property
    def false_errors(self) -> set[str]:
        return {code for code, severity, _, _ in self.findings if severity == "error"} - self.expected

    @property
    def missed(self) -> set[str]:
        return self.expected - self.codes

    @property
    def agrees(self) -> bool:
        return not self.problem and self.codes == self.expected


def load_manifest(path: Path = MANIFEST) -> list[Sample]:
    data = tomllib.loads(path.read_text())
    samples = []
    for entry in data["sample"]:
        samples.append(Sample(entry["id"], entry["repo"], entry.get("path", ""), entry.get("commit", ""),
                              entry["mode"], tuple(entry.get("expect", ())), tuple(entry.get("extract", ())),
                              entry.get("what", ""), entry.get("why", ""), entry.get("kind", ""),
                              entry.get("issue", 0), entry.get("sha256", ""),
                              {tag: tuple(codes) for tag, codes in entry.get("at_release", {}).items()},
                              entry.get("release_why", "")))
    return samples


def manifest_releases(path: Path = MANIFEST) -> tuple[str, ...]:
    """The releases the corpus is linted at: the newest, then the manifest's older ones (or $NODECFG_REALWORLD_RELEASE)."""
    chosen = os.environ.get(RELEASE_ENV)
    if chosen:
        return tuple(tag.strip() for tag in chosen.split(",") if tag.strip())
    return (LATEST, *tomllib.loads(path.read_text()).get("releases", ()))


def git_dir(root: Path, repo: str) -> Path:
    return root / repo.replace("/", "+") / "repo"


def issue_file(root: Path, sample: Sample) -> Path:
    return root / sample.repo.replace("/", "+") / f"{sample.issue}.md"


def read_blob(root: Path, sample: Sample) -> bytes | None:
    if sample.issue:
        path = issue_file(root, sample)
        return path.read_bytes() if path.is_file() else None
    result = subprocess.run(["git", "--git-dir", str(git_dir(root, sample.repo)), "show",
                             f"{sample.commit}:{sample.path}"], capture_output=True, timeout=60)
    return result.stdout if result.returncode == 0 else None


def extract(text: str, steps: tuple[str, ...]) -> str:
    for step in steps:
        kind, _, argument = step.partition(":")
        if kind == "fence":
            text = _nth(_FENCE.finditer(text), int(argument), step).group(3)
        elif kind == "heredoc":
            match = _nth(_HEREDOC.finditer(text), int(argument), step)
            text = _dedent(match.group(3)) if match.group(1) else match.group(3)
        elif kind == "yaml":
            text = _yaml_value(text, argument)
        elif kind == "dedent":
            text = _dedent(text)
        elif kind == "lines":
            first, _, last = argument.partition("-")
            text = "".join(text.splitlines(keepends=True)[int(first) - 1:int(last)])
        else:
            raise ValueError(f"unknown extraction step {step!r}")
    return text


def _nth(matches, number: int, step: str):
    for index, match in enumerate(matches, 1):
        if index == number:
            return match
    raise ValueError(f"{step}: no such block")


def _dedent(text: str) -> str:
    lines = text.splitlines(keepends=True)
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "".join(line[cut:] if line.strip() else line.lstrip(" ") for line in lines)


def _yaml_value(text: str, argument: str) -> str:
    from ruamel.yaml import YAML

    kind, _, dotted = argument.partition(":")
    for document in YAML(typ="safe", pure=True).load_all(text):
        if isinstance(document, dict) and (kind == "*" or document.get("kind") == kind):
            value = document
            for key in dotted.split(".") if dotted else ():
                value = value[int(key)] if isinstance(value, list) else value[key]
            if not isinstance(value, str):
                raise ValueError(f"yaml:{argument} is not a string")
            return value
    raise ValueError(f"yaml:{argument}: no such document")


def run_sample(root: Path, sample: Sample, issues: Path | None = None, release: str = LATEST) -> Outcome:
    from nodecfg.linter.engine import lint

    if sample.issue and issues is None:
        return Outcome(sample, problem=f"set {ISSUES_ENV} to read the text of {sample.citation}", release=release)
    blob = read_blob(issues if sample.issue else root, sample)  # type: ignore[arg-type]
    if blob is None:
        where = issue_file(issues, sample) if sample.issue else f"{sample.repo}@{sample.commit[:12]}:{sample.path}"
        return Outcome(sample, problem=f"{where} is not there", release=release)
    try:
        data = extract(blob.decode("utf-8"), sample.extract).encode() if sample.extract else blob
    except (ValueError, KeyError, UnicodeDecodeError) as error:
        return Outcome(sample, problem=f"extraction failed: {error}", release=release)
    except Exception as error:  # noqa: BLE001 - a YAML error in a sample is a corpus problem, not a crash
        return Outcome(sample, problem=f"extraction failed: {type(error).__name__}", release=release)
    if sample.sha256 and hashlib.sha256(data).hexdigest() != sample.sha256:
        return Outcome(sample, problem=f"the text of {sample.citation} is not the one triaged (SHA-256 differs)",
                       release=release)
    result = lint([data], mode=sample.mode, instance=_instance(release))
    findings = [(d.code, str(d.severity), d.span.line, d.span.col) for d in result.diagnostics]
    return Outcome(sample, findings, release=release)


def _instance(release: str):
    """The instance on ``release``; None (nodecfg's default, the newest release) for ``latest``."""
    if release == LATEST:
        return None
    from nodecfg.context.instance import DEFAULT_INSTANCE, with_release

    return with_release(DEFAULT_INSTANCE, release)


def summary(outcomes: list[Outcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        sample = outcome.sample
        for name in (f"mode {sample.mode}", f"source {sample.source}", f"kind {sample.kind or 'unset'}"):
            counts[name] = counts.get(name, 0) + 1
    return {
        "samples": len(outcomes),
        **dict(sorted(counts.items())),
        "verdict clean": sum(1 for o in outcomes if not o.expected),
        "verdict with true problems": sum(1 for o in outcomes if o.expected),
        "verdict differs from the newest release's": sum(1 for o in outcomes if o.expected != set(o.sample.expect)),
        "agree with the verdict": sum(1 for o in outcomes if o.agrees),
        "samples with a false error": sum(1 for o in outcomes if o.false_errors),
        "false error codes": sum(len(o.false_errors) for o in outcomes),
        "samples with a missed problem": sum(1 for o in outcomes if o.missed),
        "unreadable": sum(1 for o in outcomes if o.problem),
    }


def report(outcomes: list[Outcome]) -> str:
    lines = []
    for outcome in outcomes:
        sample = outcome.sample
        verdict = ", ".join(sorted(outcome.expected)) or "clean"
        status = "ok" if outcome.agrees else "DIFFERS"
        shown = outcome.problem or ", ".join(f"{c} {s} {line}:{col}" for c, s, line, col in outcome.findings
                                             if s in SEVERITIES) or "no findings"
        lines.append(f"{status:7} {sample.id} [{sample.mode}] verdict: {verdict}; found: {shown}")
    lines.append("")
    lines += [f"{name}: {count}" for name, count in summary(outcomes).items()]
    return "\n".join(lines)


def main() -> int:
    root = os.environ.get(ENV)
    if not root:
        print(f"set {ENV} to the directory of fetched checkouts", file=sys.stderr)
        return 2
    import resource

    issues = os.environ.get(ISSUES_ENV)
    samples = load_manifest()
    agree = True
    for release in manifest_releases():
        before = resource.getrusage(resource.RUSAGE_SELF)
        outcomes = [run_sample(Path(root), sample, Path(issues) if issues else None, release) for sample in samples]
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        print(f"== release {release}\n{report(outcomes)}\nCPU seconds: {cpu:.2f}\n")
        agree = agree and all(o.agrees for o in outcomes)
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
