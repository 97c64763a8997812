"""What a change does to the node: the difference between two rendered file trees.

Each side is compiled like ``nodecfg build`` (sources + instance context).
Files are compared byte for byte; for JSON and TOML files the changes are
listed by key path (a JSON pointer into the parsed file), for the kubelet's
EnvironmentFile by flag, for other text as a unified diff.  Every changed
value carries its origin as ``nodecfg explain`` describes it (the source line
that set it, a default, an instance fact), taken from the side the value is
on: the new side for added and changed values, the old side for removed ones.
"""
from __future__ import annotations

import difflib
import json
import tomllib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from nodecfg.core.diagnostics import Diagnostic

if TYPE_CHECKING:
    from nodecfg.nodeadm.release import Effects
    from nodecfg.pipeline import Request

MISSING = object()


@dataclass
class Side:
    """One compiled side: its files, where their values came from, and its findings."""

    files: dict[str, bytes]
    modes: dict[str, int]
    origins: dict[str, str]  # "path#key" -> readable origin
    diagnostics: list[Diagnostic] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    rendered: bool = True
    describe: Any = field(default=None, repr=False)  # raw origin -> readable text (explain.describe_origin)
    release: str = ""  # the AMI release the side was rendered for ("": the newest)
    instance: Any = field(default=None, repr=False)  # the resolved instance context of the side


@dataclass(frozen=True)
class Change:
    key: str  # JSON pointer, flag name, or "" for a whole file
    old: Any
    new: Any
    origin: str

    def as_dict(self) -> dict:
        kind = "added" if self.old is MISSING else "removed" if self.new is MISSING else "changed"
        return {"key": self.key, "change": kind, "old": _plain(self.old), "new": _plain(self.new),
                "origin": self.origin}


@dataclass
class FileDiff:
    path: str
    status: str  # added | removed | changed
    changes: list[Change] = field(default_factory=list)
    unified: str = ""
    modes: tuple[int | None, int | None] = (None, None)
    reasons: list[str] = field(default_factory=list)  # release changes behind it (annotate_release)

    def as_dict(self) -> dict:
        result: dict[str, Any] = {"path": self.path, "status": self.status,
                                  "changes": [c.as_dict() for c in self.changes]}
        if self.reasons:
            result["reasons"] = list(self.reasons)
        if self.unified:
            result["unified"] = self.unified
        if self.modes[0] != self.modes[1]:
            result["mode"] = {"old": _octal(self.modes[0]), "new": _octal(self.modes[1])}
        return result


@dataclass
class TreeDiff:
    files: list[FileDiff]
    releases: dict | None = None  # {"old": tag, "new": tag, "versions": text} for an AMI upgrade (annotate_release)

    @property
    def equal(self) -> bool:
        return not self.files


def compile_side(request: Request) -> Side:
    """Render one side's request as `nodecfg build` would (nodecfg/pipeline.py run), keeping explain's origins."""
    from nodecfg.output.explain import describe_origin
    from nodecfg.pipeline import run

    result = run(request)
    side = Side({}, {}, {}, list(result.diagnostics), result.texts)
    if result.tree is None:
        side.rendered = False
        return side
    side.release = result.instance.release if result.instance is not None else ""
    side.instance = result.instance
    side.files = {path: entry.data for path, entry in result.tree.items()}
    side.modes = {path: entry.mode for path, entry in result.tree.items()}
    side.origins = dict(result.origins)
    merged, resolved = result.analysis.merged, result.instance
    computed = _computed_notes(result.max_pods, resolved, merged)
    side.describe = lambda origin: computed.get(origin) or describe_origin(origin, merged, resolved.defaulted)
    return side


def _computed_notes(max_pods, instance, merged) -> dict[str, str]:
    """How nodeadm reached maxPods and kubeReserved on this side (nodecfg/context/maxpods.py)."""
    if max_pods is None:
        return {}
    if max_pods.source == "fallback-unknown-type":
        how = f"110: {instance.instance_type} is not in the instance table"
    elif max_pods.source == "expression" and not max_pods.expression_error:
        how = (f"{merged.locate('/spec/kubelet/maxPodsExpression')} (spec.kubelet.maxPodsExpression) "
               f"for {instance.instance_type}")
    else:
        enis = "ENIs of every network card" if max_pods.every_card else "ENIs"
        how = (f"{instance.instance_type}: {max_pods.default_enis} {enis} * ({max_pods.ips_per_eni} IPv4 "
               "addresses per ENI - 1) + 2")
        if max_pods.expression_error:
            how += " (maxPodsExpression failed, so the standard value)"
    return {"computed:maxPods": f"computed: maxPods from {how}",
            "computed:kubeReserved": f"computed: kubeReserved from maxPods {max_pods.value} and "
                                     f"{instance.vcpus} vCPUs"}


def diff_sides(old: Side, new: Side) -> TreeDiff:
    files = []
    for path in sorted(set(old.files) | set(new.files)):
        before, after = old.files.get(path), new.files.get(path)
        modes = (old.modes.get(path), new.modes.get(path))
        if before == after and modes[0] == modes[1]:
            continue
        status = "added" if before is None else "removed" if after is None else "changed"
        file_diff = FileDiff(path, status, modes=modes)
        structured_old, structured_new = _structured(path, before), _structured(path, after)
        if structured_old is not None or structured_new is not None:
            file_diff.changes = _key_changes(path, structured_old, structured_new, old, new)
        else:
            file_diff.unified = _unified(path, before, after)
        files.append(file_diff)
    return TreeDiff(files)


def annotate_release(diff: TreeDiff, old_release: str, new_release: str, versions: str = "",
                     probes: Sequence[Request] = ()) -> TreeDiff:
    """Name, for each changed file, the AMI release changes that explain it (nodecfg/nodeadm/release.py).

    ``versions`` says how the kubelet and containerd versions differ between the sides, if they do.
    ``probes`` are the sides' requests, each with its resolved instance: with them a change is a reason
    only where its boundary changes that file for this input (``release_effects``); without, every change
    whose TOUCHES pattern names the file is.
    """
    from nodecfg.nodeadm.release import reasons_for, resolve

    diff.releases = {"old": resolve(old_release), "new": resolve(new_release), "versions": versions}
    effects = release_effects(probes, old_release, new_release) if probes and diff.files else None
    for file_diff in diff.files:
        file_diff.reasons = reasons_for(file_diff.path, [c.key for c in file_diff.changes], old_release,
                                        new_release, effects)
    return diff


def release_effects(probes: Sequence[Request], old_release: str, new_release: str) -> Effects:
    """What each release boundary crossed between the two releases, and each change of it, alters for this input.

    Each probe (a side's request and its resolved instance) is rendered by the
    nodeadm of the release just before the boundary and by that of the
    boundary's release, the node otherwise the same (context/instance.py
    ``with_nodeadm_of``); where a boundary brings several commits, also by the
    release before it with each of its changes added (or, for a revert,
    taken away) alone.  The result (nodecfg/nodeadm/release.py ``Effects``): (boundary,
    "" or a change's key) -> {path: changed keys} over the probes; None when
    a probe renders on one side only, or none renders on either.  About 20
    profiles, a few milliseconds a render.
    """
    from nodecfg.context.instance import DEFAULT_INSTANCE, with_nodeadm_of
    from nodecfg.nodeadm.release import boundaries, changes_at, profile

    rendered: dict[tuple[int, str, str], Side] = {}

    def side(index: int, tag: str, toggled: str = "") -> Side:
        if (index, tag, toggled) not in rendered:
            probe = probes[index]
            changes = profile(tag).changes ^ {toggled} if toggled else None
            instance = with_nodeadm_of(probe.instance or DEFAULT_INSTANCE, tag, changes)
            rendered[(index, tag, toggled)] = compile_side(probe._replace(instance=instance))
        return rendered[(index, tag, toggled)]

    def changed(before: tuple[str, str], after: tuple[str, str]) -> dict[str, list[str]] | None:
        found: dict[str, list[str]] = {}
        informed = False
        for index in range(len(probes)):
            old, new = side(index, *before), side(index, *after)
            if not old.rendered and not new.rendered:
                continue  # this node renders on neither side (a config its containerd refuses): it tells nothing
            if not (old.rendered and new.rendered):
                return None  # the boundary decides whether it renders at all
            informed = True
            for file_diff in diff_sides(old, new).files:
                keys = found.setdefault(file_diff.path, [])
                keys += [change.key for change in file_diff.changes if change.key not in keys]
        return found if informed else None

    effects: Effects = {}
    for before, tag in boundaries(old_release, new_release):
        effects[(tag, "")] = changed((before, ""), (tag, ""))
        if effects[(tag, "")] and len({change.commit for change in changes_at(tag)}) > 1:
            for change in changes_at(tag):
                effects[(tag, change.key)] = changed((before, ""), (before, change.key))
    return effects


def _structured(path: str, data: bytes | None) -> dict[str, Any] | None:
    """Flattened {key path: value} of a JSON/TOML file or the kubelet flags; None for other text."""
    from nodecfg.output.explain import KUBELET_ENVIRONMENT, _flag_values

    if data is None:
        return None
    try:
        if path.endswith(".toml"):
            return _flatten(tomllib.loads(data.decode()))
        if path.endswith((".json", ".conf")):
            return _flatten(json.loads(data))
        if path == KUBELET_ENVIRONMENT:
            flags = _flag_values(data)
            other = [line for line in data.decode().splitlines() if not line.startswith("NODEADM_KUBELET_ARGS=")]
            result: dict[str, Any] = {name: values[0] if len(values) == 1 else values
                                      for name, values in flags.items()}
            result.update({line.split("=", 1)[0]: line.split("=", 1)[-1] for line in other if line})
            return result
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, child in value.items():
            flat.update(_flatten(child, f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}"))
        return flat
    return {prefix: value}


def _key_changes(path: str, before, after, old: Side, new: Side) -> list[Change]:
    before, after = before or {}, after or {}
    changes = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key, MISSING), after.get(key, MISSING)
        if was == now and type(was) is type(now):
            continue
        if _empty_parent(was, key, after) or _empty_parent(now, key, before):
            continue  # {} on one side, its keys on the other: the keys are the change
        side = old if now is MISSING else new
        changes.append(Change(key, was, now, origin_of(side, path, key)))
    return changes


def _empty_parent(value: Any, key: str, other: dict[str, Any]) -> bool:
    return value in ({}, []) and any(k.startswith(key + "/") for k in other)


def origin_of(side: Side, path: str, key: str) -> str:
    """Readable origin of key: the one explain records for it or for the nearest key enclosing it.

    An enclosing ``config:/spec...`` origin is narrowed to the pointer of the
    key itself (run/eks/nodeadm/config.json holds the merged spec whole), and
    an ``instance:a,b,c`` origin to the fact the key names, when it names one.
    """
    probe = key
    while f"{path}#{probe}" not in side.origins:
        if not probe:
            return ""
        probe = probe.rsplit("/", 1)[0] if "/" in probe else ""
    origin = side.origins[f"{path}#{probe}"]
    kind, _, detail = origin.partition(":")
    suffix = key[len(probe):]
    if kind == "config" and suffix:
        origin = f"config:{detail}{suffix}"
    elif kind == "instance" and "," in detail and key.rsplit("/", 1)[-1] in detail.split(","):
        origin = f"instance:{key.rsplit('/', 1)[-1]}"
    return side.describe(origin) if side.describe else origin


def _unified(path: str, before: bytes | None, after: bytes | None) -> str:
    def lines(data: bytes | None) -> list[str]:
        return [] if data is None else data.decode("utf-8", "replace").splitlines(keepends=True)

    old_name = f"a/{path}" if before is not None else "/dev/null"
    new_name = f"b/{path}" if after is not None else "/dev/null"
    text = "".join(difflib.unified_diff(lines(before), lines(after), old_name, new_name))
    return text if text.endswith("\n") or not text else text + "\n\\ No newline at end of file\n"


def _plain(value: Any) -> Any:
    return None if value is MISSING else value


def _octal(mode: int | None) -> str | None:
    return None if mode is None else f"{mode:04o}"


def _show(value: Any) -> str:
    if value is MISSING:
        return "(absent)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


# --- output ---------------------------------------------------------------------------


def _releases_line(diff: TreeDiff) -> str:
    releases = diff.releases or {}
    versions = f" ({releases['versions']})" if releases["versions"] else ""
    return f"AMI release {releases['old']} -> {releases['new']}{versions}"


def format_text(diff: TreeDiff) -> str:
    """For a terminal: keys, values, origins and the unified diff's lines with their controls made visible."""
    from nodecfg.output.escape import printable

    header = [printable(_releases_line(diff))] if diff.releases else []
    if diff.equal:
        return "\n".join(header + ["nodecfg diff: the two trees are identical"]) + "\n"
    out = header
    for file_diff in diff.files:
        out.append(f"{file_diff.status} {printable(file_diff.path)}{_mode_note(file_diff)}")
        out += [f"  reason: {printable(reason)}" for reason in file_diff.reasons]
        for change in file_diff.changes:
            out.append(f"  {printable(change.key or '(file)')}: {printable(_show(change.old))} -> "
                       f"{printable(_show(change.new))}")
            if change.origin:
                out.append(f"      <- {printable(change.origin)}")
        if file_diff.unified:
            out += ["  " + printable(line) for line in file_diff.unified.rstrip("\n").split("\n")]
    return "\n".join(out) + "\n"


def _mode_note(file_diff: FileDiff) -> str:
    old, new = file_diff.modes
    if old is not None and new is not None and old != new:
        return f" (mode {old:04o} -> {new:04o})"
    return ""


def format_markdown(diff: TreeDiff) -> str:
    """For a pull-request comment: everything taken from the input is in a code span or a fenced block
    (``nodecfg.output.escape``), so no key, value or origin can become a link, an image or HTML."""
    from nodecfg.output.escape import markdown_block, markdown_code

    if diff.equal:
        return "### nodecfg diff\n\nNo change to the node's files.\n"
    count = len(diff.files)
    out = [f"### nodecfg diff: {count} file{'s' if count != 1 else ''} of the node change", ""]
    if diff.releases:
        out += [markdown_code(_releases_line(diff)), ""]
    for file_diff in diff.files:
        out.append(f"#### {markdown_code(file_diff.path)} ({file_diff.status}){_mode_note(file_diff)}")
        out.append("")
        if file_diff.reasons:
            out += [f"Reason: {markdown_code(reason)}" + ("  " if index < len(file_diff.reasons) - 1 else "")
                    for index, reason in enumerate(file_diff.reasons)]
            out.append("")
        if file_diff.changes:
            out += ["| key | old | new | origin |", "|---|---|---|---|"]
            out += [f"| {_cell(c.key or '(file)')} | {_cell_value(c.old)} | {_cell_value(c.new)} | "
                    f"{_cell(c.origin) if c.origin else ''} |" for c in file_diff.changes]
            out.append("")
        if file_diff.unified:
            out += [markdown_block(file_diff.unified, "diff"), ""]
    return "\n".join(out)


def _cell(text: str) -> str:
    from nodecfg.output.escape import markdown_code

    return markdown_code(text, in_table=True)


def _cell_value(value: Any) -> str:
    return "(absent)" if value is MISSING else _cell(_show(value))


def format_json(diff: TreeDiff) -> str:
    document: dict[str, Any] = {"equal": diff.equal, "files": [f.as_dict() for f in diff.files]}
    if diff.releases:
        document["releases"] = diff.releases
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


FORMATTERS = {"text": format_text, "markdown": format_markdown, "json": format_json}
