"""kubelet.flags: malformed, removed, owned by nodeadm, duplicated, better set in
kubelet.config; --node-labels the kubelet refuses; malformed taints (flags and
kubelet.config.registerWithTaints).

Every rule runs on the argv the kubelet really gets, modelled once in
nodecfg.nodeadm.kubelet_argv (nodeadm's join, systemd's EnvironmentFile reader and
its split of $NODEADM_KUBELET_ARGS, pflag), and reports at the line and
column of the YAML that wrote the offending characters.

Facts (the tables are nodecfg/nodeadm/kubelet_flags.py):
* the kubelet parses its argv with pflag: the last occurrence of a
  single-value flag wins, map and list flags accumulate, a flag given on the
  command line overrides the same setting in the config file;
* removed flags make the kubelet exit with "unknown flag".
"""
from __future__ import annotations

import re
from typing import Any

from nodecfg.core.codes import NC410, NC411, NC412, NC413, NC414, NC415, NC416, NC417, NC418, NC420
from nodecfg.core.diagnostics import Diagnostic, Edit, Severity, Span
from nodecfg.linter.rules.appended import appended_kubelet_field
from nodecfg.linter.rules.common import offset_span, span_inside, spec_get
from nodecfg.merge.nodeconfig import get_pointer
from nodecfg.nodeadm.kubelet_flags import (ACCUMULATING_FLAGS, CONFIG_FIELDS, NODEADM_FLAGS, RELEASE_DEPENDENT_FLAGS,
                                           REMOVED_FLAGS, config_field, convert, nest)

FLAGS = "/spec/kubelet/flags"
TAINTS = "/spec/kubelet/config/registerWithTaints"

def check(analysis, context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    flags = spec_get(analysis, FLAGS)
    if isinstance(flags, list):
        found += check_flags(analysis, context, flags)
    taints = spec_get(analysis, TAINTS)
    if isinstance(taints, list):
        found += check_config_taints(analysis, taints)
    return found


def parse_flag(text: str) -> tuple[str, str | None] | None:
    """(name, value or None) of one list item read as the kubelet reads it alone; None if not a flag.

    A thin view of nodecfg.nodeadm.kubelet_argv for callers that look at one item.
    """
    from nodecfg.nodeadm.kubelet_argv import kubelet_argv

    args = kubelet_argv([text]).args
    if not args or args[0].kind != "flag":
        return None
    return args[0].name, args[0].value


class FlagItems:
    """The flag list as kubelet_argv sees it: nodeadm's own flags first, then the user's strings."""

    def __init__(self, analysis, context, flags: list):
        from nodecfg.nodeadm.kubelet_argv import kubelet_argv
        from nodecfg.render.flags import nodeadm_flags

        own_flags = nodeadm_flags(analysis.merged.data, context.resolved_instance())
        own = [flag.text for flag in own_flags]
        self.own_names = frozenset(flag.name for flag in own_flags)  # this release's (nodecfg/nodeadm/release.py)
        self.analysis = analysis
        self.own = len(own)
        self.indexes = [index for index, entry in enumerate(flags) if isinstance(entry, str)]
        self.entries = [flags[index] for index in self.indexes]
        self.argv = kubelet_argv(own + self.entries)

    def is_user(self, origin) -> bool:
        return origin[0] >= self.own

    def index(self, origin) -> int:
        """Position in spec.kubelet.flags of an argv character's item."""
        return self.indexes[origin[0] - self.own]

    def span(self, origin):
        """The YAML line and column that wrote an argv character."""
        return offset_span(self.analysis, f"{FLAGS}/{self.index(origin)}", max(origin[1], 0))

    def item_span(self, origin):
        return self.analysis.merged.locate(f"{FLAGS}/{self.index(origin)}")


def check_flags(analysis, context, flags: list) -> list[Diagnostic]:
    """Every flag rule, run on the argv the kubelet really gets (see nodecfg.nodeadm.kubelet_argv)."""
    items = FlagItems(analysis, context, flags)
    argv = items.argv
    found: list[Diagnostic] = []  # a line break or control character is NC406, the renderer's
    if argv.unclosed_quote and items.is_user(argv.unclosed_quote):
        found.append(_unclosed_quote(items, context.mode == "karpenter"))
    found += _empty_items(items)
    found += _several_flags_in_one_item(items)
    seen: dict[str, int] = {}
    mover = _MoveToConfig(analysis)
    for arg in argv.args:
        if not items.is_user(arg.start):
            continue
        if arg.kind != "flag":
            found.append(_not_a_flag(items, arg))
            continue
        found += _flag_findings(analysis, context, items, arg, seen, mover)
        seen.setdefault(arg.name, items.index(arg.start))
    found += _labels(items)
    return found


def _unclosed_quote(items: FlagItems, karpenter: bool) -> Diagnostic:
    """A quote left open swallows every later item; nothing follows the last one, except with Karpenter.

    Karpenter appends its generated NodeConfig, with its own --node-labels
    flag, after the user's parts (karpenter-provider-aws
    pkg/providers/amifamily/bootstrap/nodeadm.go, Script), and nodeadm appends
    later documents' flags after earlier ones.
    """
    origin = items.argv.unclosed_quote
    last = items.argv.words[-1]  # an open quote runs to the end, so it is in the last word
    swallowed = [item for item in last.items if item > origin[0]]
    quote = items.entries[origin[0] - items.own][origin[1]]
    if karpenter and not swallowed:
        return NC420.at(items.span(origin),
                    f"this {quote} is never closed: Karpenter appends its own --node-labels flag after the user's "
                    "flags, and systemd's split keeps it inside this argument, so the kubelet never gets Karpenter's "
                    "labels", "close the quote in the same list item")
    if swallowed:
        later = ", ".join(str(items.item_span((item, 0))) for item in swallowed)
        return NC420.at(items.span(origin),
                    f"this {quote} is never closed: systemd's split keeps everything after it, including the "
                    f"flags at {later}, in one kubelet argument, {_short(last.text)!r}",
                    "close the quote in the same list item")
    return NC420.at(items.span(origin),
                f"this {quote} is never closed; systemd ends the argument at the end of the value, so the kubelet "
                f"gets {_short(last.text)!r}, and a flag added after this one would be swallowed into it",
                "close the quote in the same list item", severity=Severity.WARNING)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def _empty_items(items: FlagItems) -> list[Diagnostic]:
    """Items that give the kubelet no argument at all (empty or blank)."""
    if all(entry.strip() for entry in items.entries):
        return []
    used = {item for word in items.argv.words for item in word.items}
    found = []
    for position, entry in enumerate(items.entries):
        item = items.own + position
        if item not in used and not entry.strip():
            found.append(NC410.at(items.item_span((item, 0)),
                              f"{entry!r} is empty: systemd's split drops it and the kubelet gets nothing from it",
                              "remove the item", severity=Severity.WARNING))
    return found


def _several_flags_in_one_item(items: FlagItems) -> list[Diagnostic]:
    by_item: dict[int, list] = {}
    for arg in items.argv.flags():
        if items.is_user(arg.start):
            by_item.setdefault(arg.start[0], []).append(arg)
    found = []
    for item, args in sorted(by_item.items()):
        if len(args) > 1:
            names = ", ".join(f"--{arg.name}" for arg in args)
            found.append(NC411.at(items.item_span((item, 0)),
                              f"this item holds {len(args)} kubelet flags ({names}): systemd splits it at the "
                              "blanks and the kubelet gets each one", "give each flag its own list item"))
    return found


def _not_a_flag(items: FlagItems, arg) -> Diagnostic:
    word = arg.words[0]
    span = items.span(word.start)
    split = "" if word.start[1] <= 0 else " (systemd split the item at the blank before it)"
    if arg.kind == "positional":
        return NC410.at(span, f"{_short(word.text)!r} reaches the kubelet as an argument that is "
                    f"not a flag{split}; the kubelet exits with 'unknown command'",
                    "write it as --name=value; a value with blanks needs quotes around it")
    if arg.kind == "after-dashdash":
        return NC410.at(span, f"{_short(word.text)!r} follows '--', which ends the kubelet's flags, so it "
                    "is an argument that is not a flag; the kubelet exits with 'unknown command'",
                    "remove the '--'")
    if arg.kind == "dashdash":
        return NC410.at(span, "'--' ends the kubelet's flags: every later flag becomes an argument "
                    "that is not a flag", "remove it", severity=Severity.WARNING)
    if arg.kind == "needs-value":
        return NC410.at(span, f"--{arg.name} has no value and nothing follows it; the kubelet exits "
                    "with 'flag needs an argument'", f"write --{arg.name}=value")
    return NC410.at(span, f"{_short(word.text)!r} is not a kubelet flag{split}; the kubelet's flag "
                "parser rejects it and the kubelet exits", "write it as --name=value")


def _flag_findings(analysis, context, items: FlagItems, arg, seen: dict, mover: "_MoveToConfig") -> list[Diagnostic]:
    name, span = arg.name, items.item_span(arg.start)
    found = []
    if name in ("help", "version") and arg.value in (None, "true"):
        # cmd/kubelet/app/server.go: --help prints the usage and returns; verflag prints the version and exits 0
        found.append(NC410.at(span, f"--{name} makes the kubelet print its {name} and exit with "
                          "status 0, so it never runs (kubelet.service restarts it only on failure)",
                          "remove it"))
    removed = REMOVED_FLAGS.get(name)
    if removed:
        found.append(_removed(name, removed, span, context))
    elif name in NODEADM_FLAGS and (name in items.own_names or name not in RELEASE_DEPENDENT_FLAGS):
        found.append(NC413.at(span, f"nodeadm already passes --{name}; this later copy overrides "
                          "nodeadm's value", "remove it and let nodeadm set it (nodecfg explain shows the value)"))
    if name in seen and name not in ACCUMULATING_FLAGS:
        first = analysis.merged.locate(f"{FLAGS}/{seen[name]}")
        found.append(NC414.at(span, f"--{name} is given more than once (first at {first}); "
                          "the kubelet uses only the last one", "keep one occurrence"))
    field_name = CONFIG_FIELDS.get(name)
    if field_name:
        found.append(_config_field(analysis, context, name, field_name, span, mover))
    if name == "register-with-taints" and arg.value:
        found += _flag_taints(items, arg)
    return found


def _removed(name: str, removed: tuple[str, str], span, context) -> Diagnostic:
    from nodecfg.core.versions import at_least

    release, advice = removed
    version = context.resolved_instance().kubelet_version
    if at_least(version, release):
        return NC412.at(span, f"--{name} was removed in kubelet {release[:-2]}; kubelet {version} "
                    "exits with 'unknown flag'", advice)
    return NC412.at(span, f"--{name} is deprecated and removed in kubelet {release[:-2]} "
                f"(this check assumed kubelet {version}); the node stops joining after an upgrade",
                advice, severity=Severity.WARNING)


def _config_field(analysis, context, name: str, field_name: str, span, mover: "_MoveToConfig") -> Diagnostic:
    top = field_name.split(".")[0]
    config = spec_get(analysis, "/spec/kubelet/config")
    also = isinstance(config, dict) and top in config
    where = "kubelet.config also sets it and this flag overrides it" if also else "the kubelet warns it is deprecated"
    message = f"--{name} is the kubelet.config field {field_name}; {where}"
    if name == "max-pods":
        message += "; nodeadm still computes kubeReserved from its own maxPods"
    appended = appended_kubelet_field(context.mode, field_name)
    if appended is not None:
        # The appended NodeConfig is merged after the user's: its value for the field
        # would replace the moved one, while the flag still overrides it.  No fix.
        fact, instead = appended
        return NC415.at(span, f"{message}; but moved into kubelet.config it would be lost: {fact}",
                        instead)
    return NC415.at(span, message, f"set kubelet.config.{field_name} instead", edits=mover.edits(span))


class _MoveToConfig:
    """NC415's fix: the flag's list item removed, its value written under kubelet.config.

    Planned in the document that wrote the flag, from its layout, and only where it
    is certain: the item is a block sequence item on a line of its own, the value
    converts (nodecfg/nodeadm/kubelet_flags.py ``convert``), the document gives the
    flag once, its kubelet.config (a block mapping) does not set the field already,
    and the document's text is the one its spans count lines in.  Anything else: no
    fix.  Each document's layout is read once per lint, however many flags it has.
    """

    def __init__(self, analysis) -> None:
        self.analysis = analysis
        self.documents: dict[str, Any] | None = None
        self.pointers: dict[int, dict[Span, str]] = {}   # id(document) -> span -> first pointer with it
        self.counts: dict[int, dict[str, int]] = {}      # id(document) -> flag name -> items giving it
        self.texts: dict[str, tuple[list[str], str]] = {}  # uri -> its lines, its newline

    def edits(self, span: Span) -> tuple[Edit, ...]:
        try:
            return self._edits(span)
        except (ValueError, IndexError, KeyError):
            return ()  # a fix that cannot be made with certainty is not made

    def _document(self, uri: str):
        if self.documents is None:
            self.documents = {}
            for document in self.analysis.loaded.documents + self.analysis.loaded.ignored_documents:
                self.documents.setdefault(document.uri, document)
        return self.documents[uri]

    def _edits(self, span: Span) -> tuple[Edit, ...]:
        document = self._document(span.uri)
        pointers = self.pointers.get(id(document))
        if pointers is None:
            pointers = self.pointers[id(document)] = {}
            for pointer, place in document.positions.items():
                pointers.setdefault(place, pointer)
        flags_pointer, index = pointers[span].rsplit("/", 1)
        flags = get_pointer(document.data, flags_pointer)
        if flags_pointer != FLAGS or not isinstance(flags, list):
            return ()
        parsed = _parsed(flags[int(index)])
        if parsed is None:
            return ()
        name, value = parsed
        field_name = config_field(name)
        if field_name is None or self._count(document, flags).get(name) != 1:
            return ()
        config = get_pointer(document.data, "/spec/kubelet/config")
        top = field_name.split(".")[0].lower()
        if isinstance(config, dict) and any(str(key).lower() == top for key in config):
            return ()
        from nodecfg.validate.schemas import KUBELET_CONFIG, load_schema

        converted = convert(name, value, load_schema(KUBELET_CONFIG))
        if converted is None:
            return ()
        lines, newline = self._lines(span.uri)
        comment = re.search(r"\s#.*$", lines[span.line - 1])
        comment_text = comment.group(0) if comment and not isinstance(converted, (dict, list)) else ""
        return (self._remove_item(document, span.uri, int(index), len(flags), lines),
                self._add_config(document, span.uri, nest(field_name, converted), comment_text, newline))

    def _lines(self, uri: str) -> tuple[list[str], str]:
        """The lines of the text the document's spans count in (a MIME part's: the file's), and its newline."""
        if uri not in self.texts:
            text = self.analysis.loaded.texts[uri]
            self.texts[uri] = text.split("\n"), "\r\n" if "\r\n" in text else "\n"
        return self.texts[uri]

    def _count(self, document, flags: list) -> dict[str, int]:
        counts = self.counts.get(id(document))
        if counts is None:
            counts = self.counts[id(document)] = {}
            for flag in flags:
                parsed = _parsed(flag)
                if parsed is not None:
                    counts[parsed[0]] = counts.get(parsed[0], 0) + 1
        return counts

    def _remove_item(self, document, uri: str, index: int, count: int, lines: list[str]) -> Edit:
        """The item's line (with the ``flags:`` key, when it is the only item) as a removal."""
        item = document.positions[f"{FLAGS}/{index}"]
        if not re.match(r"^\s*-\s", lines[item.line - 1]) or item.end_line != item.line:
            raise ValueError("not a block sequence item on its own line")
        first = document.key_positions[FLAGS].line if count == 1 else item.line  # the list goes with its only item
        removed = "\n".join(lines[first - 1:item.line])
        if item.line < len(lines):
            removed += "\n"
            end = (item.line + 1, 1)
        else:  # the last line, without a newline
            end = (item.line, len(lines[-1]) + 1)
        return Edit(Span(uri, first, 1, *end), "", removed)

    def _add_config(self, document, uri: str, value: dict, comment: str, newline: str) -> Edit:
        """value under kubelet.config, at the top of it (or of kubelet, in a new config mapping)."""
        from nodecfg.encode.yaml import dump_yaml

        config_key = document.key_positions.get("/spec/kubelet/config")
        if config_key is not None:
            children = [s for p, s in document.key_positions.items()
                        if p.startswith("/spec/kubelet/config/") and p.count("/") == 4]
            if document.positions["/spec/kubelet/config"].line == config_key.line or not children:
                raise ValueError("kubelet.config is not a block mapping")
            at, body = config_key.line + 1, dump_yaml(value)
        else:
            children = [s for p, s in document.key_positions.items()
                        if p.startswith("/spec/kubelet/") and p.count("/") == 3]
            if not children:
                raise ValueError("no block mapping under kubelet")
            at, body = document.key_positions["/spec/kubelet"].line + 1, dump_yaml({"config": value})
        indent = min(s.col for s in children) - 1
        body_lines = body.splitlines()
        body_lines[-1] += comment  # the flag's own comment goes with it
        return Edit(Span(uri, at, 1, at, 1), "".join(" " * indent + line + newline for line in body_lines))


def _parsed(item: Any) -> tuple[str, str | None] | None:
    return parse_flag(item.strip()) if isinstance(item, str) else None


def _labels(items: FlagItems) -> list[Diagnostic]:
    """--node-labels as the kubelet reads it: every occurrence fills one map, later keys win.

    component-base cli/flag ConfigurationMap.Set: split on ',', skip empty
    pieces, split each at the first '=', trim blanks around key and value; a
    piece without '=' is a label with an empty value.  The kubelet then
    validates the final map (cmd/kubelet/app/options ValidateKubeletFlags).
    """
    from nodecfg.nodeadm import k8s_names

    labels: dict[str, tuple[str, object]] = {}
    for arg in items.argv.flags():
        if arg.name != "node-labels" or not arg.value:
            continue
        offset = 0
        for piece in arg.value.split(","):
            if piece:
                key, _, value = piece.partition("=")
                lead = len(piece) - len(piece.lstrip())
                where = arg.value_origins[offset + min(lead, len(piece) - 1)]
                labels[key.strip()] = (value.strip(), where)
            offset += len(piece) + 1
    found = []
    for key, (value, origin) in labels.items():
        if not items.is_user(origin):
            continue
        span = items.span(origin)
        problem = k8s_names.qualified_name_problem(key) if key else "the key is empty"
        problem = problem or k8s_names.label_value_problem(value)
        if problem:
            found.append(NC417.at(span, f"--node-labels {key!r}: {problem}; the kubelet exits with "
                              "'invalid node labels'", "write key=value pairs separated by ','"))
        elif k8s_names.is_restricted_label(key):
            found.append(NC416.at(span, f"--node-labels {key!r} is in the kubernetes.io/k8s.io "
                              "namespace but not a label a kubelet may set on itself; the kubelet exits with "
                              "'unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels'",
                              "use a key outside kubernetes.io/k8s.io (e.g. example.com/role) or under "
                              "node.kubernetes.io/, or label the node after it registers"))
    return found


def _flag_taints(items: FlagItems, arg) -> list[Diagnostic]:
    from nodecfg.nodeadm import k8s_names

    found, seen, offset = [], set(), 0
    for spec in arg.value.split(","):
        problem = k8s_names.taint_problem(spec)
        if problem is None:
            key, effect = spec.split(":")[0].split("=")[0], spec.split(":")[1]
            if (key, effect) in seen:
                problem = f"taint {key!r} with effect {effect} is given twice"
            seen.add((key, effect))
        if problem:
            origin = arg.value_origins[min(offset, len(arg.value_origins) - 1)]
            consequence = "" if spec.endswith("-") else "; the kubelet refuses to start"
            found.append(NC418.at(items.span(origin), f"--register-with-taints: {problem}{consequence}",
                              "write key=value:Effect, comma separated"))
        offset += len(spec) + 1
    return found


def check_config_taints(analysis, taints: list) -> list[Diagnostic]:
    """registerWithTaints items; a wrong effect spelling is left to the schema (NC211)."""
    from nodecfg.nodeadm import k8s_names

    found = []
    for index, taint in enumerate(taints):
        if not isinstance(taint, dict):
            continue  # the KubeletConfiguration schema reports the type
        problems = k8s_names.taint_field_problems(taint.get("key"), taint.get("value"), taint.get("effect"),
                                                  enum_checked_elsewhere=True)
        for field_name, problem in problems:
            pointer = f"{TAINTS}/{index}/{field_name}" if field_name in taint else f"{TAINTS}/{index}"
            found.append(NC418.at(span_inside(analysis, TAINTS, pointer),
                              f"registerWithTaints[{index}]: {problem}; the node cannot register",
                              "each taint needs a key, an optional value and an effect"))
    return found
