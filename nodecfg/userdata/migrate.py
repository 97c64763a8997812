"""Amazon Linux 2 user data -> AL2023 user data: ``nodecfg migrate`` and ``nodecfg.migrate()``.

AL2 nodes joined the cluster by running ``/etc/eks/bootstrap.sh CLUSTER
[options]`` from a user-data script.  AL2023 has no such script; nodeadm
reads a NodeConfig from the user data instead.  This module finds the
bootstrap call (migrate_shell.py reads the shell), turns every option and
environment variable it was given into NodeConfig fields, removes the call
from the script, and composes MIME user data of the NodeConfig and what is
left of the scripts (userdata.py).

Facts, from amazon-eks-ami's ``templates/al2/runtime/bootstrap.sh`` (the last
revision before AL2 support was removed) and nodeadm
(``nodeadm/internal/kubelet/config.go``, ``internal/api/net.go``,
``internal/containerd/config.go``):

* bootstrap.sh takes each option's value from the next argument
  (``--opt value``; ``--opt=value`` is an unknown option), puts unknown
  arguments into its positional list, and uses the first positional as the
  cluster name;
* it reads the same settings from the environment (``KUBELET_EXTRA_ARGS``,
  ``CONTAINER_RUNTIME``, ...) when the option is not given; options win;
* without ``--b64-cluster-ca`` and ``--apiserver-endpoint`` it called
  ``aws eks describe-cluster`` (retried ``--aws-api-retry-attempts`` times)
  for the CA, endpoint and service CIDR; nodeadm never calls DescribeCluster
  in self-managed mode, so these must be in the NodeConfig;
* ``--kubelet-extra-args`` went unquoted into the kubelet's command line
  (a systemd ``Environment=`` drop-in), after bootstrap.sh's own flags.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Union

from nodecfg.core.codes import CATALOGUE, NC140, NC141, NC800
from nodecfg.core.diagnostics import Diagnostic, Severity, Span, has_errors

Source = Union[str, bytes, os.PathLike]

# option -> the bootstrap.sh variable it sets (the case statement in bootstrap.sh)
OPTIONS: dict[str, str] = {
    "--use-max-pods": "USE_MAX_PODS", "--b64-cluster-ca": "B64_CLUSTER_CA",
    "--apiserver-endpoint": "APISERVER_ENDPOINT", "--kubelet-extra-args": "KUBELET_EXTRA_ARGS",
    "--enable-docker-bridge": "ENABLE_DOCKER_BRIDGE", "--aws-api-retry-attempts": "API_RETRY_ATTEMPTS",
    "--docker-config-json": "DOCKER_CONFIG_JSON", "--containerd-config-file": "CONTAINERD_CONFIG_FILE",
    "--pause-container-account": "PAUSE_CONTAINER_ACCOUNT", "--pause-container-version": "PAUSE_CONTAINER_VERSION",
    "--dns-cluster-ip": "DNS_CLUSTER_IP", "--container-runtime": "CONTAINER_RUNTIME", "--ip-family": "IP_FAMILY",
    "--service-ipv4-cidr": "SERVICE_IPV4_CIDR", "--service-ipv6-cidr": "SERVICE_IPV6_CIDR",
    "--enable-local-outpost": "ENABLE_LOCAL_OUTPOST", "--cluster-id": "CLUSTER_ID",
    "--mount-bpf-fs": "MOUNT_BPF_FS", "--local-disks": "LOCAL_DISKS",
}
# read from the environment only (PAUSE_CONTAINER_IMAGE has no option)
ENVIRONMENT_ONLY = ("PAUSE_CONTAINER_IMAGE",)
VARIABLES = frozenset(OPTIONS.values()) | set(ENVIRONMENT_ONLY)
LOCAL_DISKS = {"mount": "Mount", "raid0": "RAID0", "raid10": "RAID10"}
CONTAINERD_ENDPOINT = "unix:///run/containerd/containerd.sock"  # nodeadm internal/containerd
AL2_FILES = (
    ("/etc/kubernetes/kubelet/kubelet-config.json", "spec.kubelet.config (nodeadm writes "
     "/etc/kubernetes/kubelet/config.json and its config.json.d drop-in)"),
    ("/etc/eks/containerd/containerd-config.toml", "spec.containerd.config (merged into the config nodeadm writes)"),
    ("/etc/docker/daemon.json", "nothing: AL2023 has no Docker; containerd reads spec.containerd.config"),
    ("/etc/systemd/system/kubelet.service.d/", "spec.kubelet.flags or spec.kubelet.config"),
)
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")  # Terraform fills these in, quoted or not
# Reserved words after which a command may start; a call led by one runs only as the compound decides.
_KEYWORDS = frozenset({"if", "then", "elif", "else", "do", "while", "until", "!", "{"})
# Tokens for finding bootstrap.sh in command position on lines the expander does not follow: operators
# and `{`, `!`, backquote, `$(` start a command; so do reserved words, wrappers and NAME=value prefixes.
_TOKEN = re.compile(r"\$\(|[;&|()`{}!]|[^\s;&|()`]+")
_COMMAND_LEADERS = frozenset({"then", "else", "elif", "if", "do", "while", "until", "time", "sudo", "exec", "nohup",
                              "command", "env", "bash", "sh", "xargs"})
_PREFIX_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")
# Compound commands opened and closed in command position (quoted text removed first).
_COMPOUND = re.compile(r"(?:^|[;&|()]|\b(?:then|do|else|elif)\b)[ \t]*(if|case|for|while|until|select|\{|fi|esac"
                       r"|done|\})(?=$|[\s;&|)])")
# Escapes first, so that an escaped quote never opens a string: one left-to-right pass, never a rescan.
_QUOTED = re.compile(r"\\.|'[^']*'|\"(?:[^\"\\]|\\.)*\"", re.S)
_OPENERS = frozenset({"if", "case", "for", "while", "until", "select", "{"})
_MAY_MATTER = re.compile(r"[=$`]|bootstrap\.sh")
_EXIT_STATUS = re.compile(r"\$\?|\$\{\?\}")
DOCKER_ONLY = {"DOCKER_CONFIG_JSON", "ENABLE_DOCKER_BRIDGE"}


@dataclass(frozen=True)
class Row:
    """One input setting and where it went."""

    span: Span
    given: str  # "--b64-cluster-ca", "KUBELET_EXTRA_ARGS (environment)", "--kubelet-extra-args --max-pods"
    value: str
    went: str  # "spec.cluster.name", "kubelet.flags", "not migrated: ..."

    def format(self) -> str:
        shown = self.value if len(self.value) <= 40 else self.value[:37] + "..."
        return f"{self.span}: {self.given} {shown!r} -> {self.went}"


@dataclass
class Migration:
    """The AL2023 user data and how it was made."""

    userdata: bytes
    nodeconfig: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)  # AL2 vs AL2023 defaults that matter here
    diagnostics: list[Diagnostic] = field(default_factory=list)
    scripts: list[bytes] = field(default_factory=list)  # the script parts written
    texts: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    def report(self) -> str:
        lines = ["settings:"] + [f"  {row.format()}" for row in self.rows]
        if self.differences:
            lines += ["", "AL2 and AL2023 defaults that differ:"] + [f"  - {text}" for text in self.differences]
        return "\n".join(lines) + "\n"


@dataclass
class _Setting:
    value: str
    span: Span
    given: str
    unresolved: list[str] = field(default_factory=list)


def migrate(source: Source, *, uri: str | None = None, mode: str = "self-managed",
            base64: bool | None = None, gzip: bool | None = None) -> Migration:
    """Migrate AL2 user data (a script, MIME, or either base64/gzip-wrapped) to AL2023 user data.

    ``source`` is bytes (the user data), or a path to read.  The output keeps
    the input's base64/gzip wrapping unless ``base64``/``gzip`` say otherwise.
    Never raises on bad input: problems are in ``diagnostics`` (a source that
    cannot be read is NC140).  Raises TypeError for a source of another type
    and ValueError for an unknown mode: those are mistakes in the calling code.
    """
    from nodecfg.core.modes import check_mode
    from nodecfg.parse.mime import split_userdata

    check_mode(mode)
    if not isinstance(source, (bytes, str, os.PathLike)):
        raise TypeError(f"source must be bytes, a str or a path, not {type(source).__name__}")
    migration = Migration(b"", {})
    try:
        data, name = _read(source, uri)
    except OSError as error:
        where = uri or os.fspath(source)
        migration.diagnostics.append(NC140.at(Span(str(where), 0, 0),
                                                f"cannot read {where}: {error.strerror or error}"))
        return migration
    limit = _input_limit()
    if len(data) > limit:
        migration.diagnostics.append(NC141.at(Span(name), f"{name} is larger than the {limit} byte input limit; "
                                                "AL2 user data is at most 16 KiB", "give the user data itself"))
        return migration
    split = split_userdata(data, name)
    migration.diagnostics += split.diagnostics
    if has_errors(split.diagnostics):
        return migration
    translator = _Translator(migration, mode)
    parts: dict[str, list[bytes]] = {"scripts": [], "cloud_configs": [], "boothooks": [], "nodeconfigs": []}
    for part in split.parts:
        kind = _kind(part, split.is_multipart)
        text = part.body.decode("utf-8", "replace")
        migration.texts[part.uri] = text
        if kind == "scripts":
            kept = translator.script(text, part.uri, part.line_offset)
            if kept is not None:
                parts["scripts"].append(kept.encode())
        else:
            parts[kind].append(part.body)
    if translator.refused:
        migration.diagnostics = _sorted(migration.diagnostics)
        return migration
    translator.finish()
    if not translator.found:
        migration.diagnostics.append(NC800.at(Span(split.uri or name),
                                                "no /etc/eks/bootstrap.sh call found: nothing to migrate",
                                                "give the AL2 user data that calls bootstrap.sh"))
        return migration
    migration.scripts = parts["scripts"]
    migration.userdata = _compose(migration, parts, split.layers, base64, gzip)
    migration.diagnostics = _sorted(migration.diagnostics)
    return migration


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.span.uri, d.span.line, d.span.col, d.code))


def _input_limit() -> int:
    """The bytes one source may hold: the limit every reader of nodecfg shares (docs/limits.md)."""
    from nodecfg.parse.source import Limits

    return Limits().max_source_bytes


def _read(source: Source, uri: str | None) -> tuple[bytes, str]:
    """The user data, read through the one bounded reader (at most the limit plus one byte)."""
    from nodecfg.parse.files import read_source

    if isinstance(source, bytes):
        return source, uri or "<userdata>"
    if isinstance(source, str) and "\n" in source:
        return source.encode(), uri or "<userdata>"
    path = os.fspath(source)
    return read_source(path, _input_limit() + 1), uri or path


def _kind(part, multipart: bool) -> str:
    from nodecfg.userdata.compose import BOOTHOOK, CLOUD_CONFIG, NODECONFIG

    if not multipart:
        body = part.body.lstrip()
        return "cloud_configs" if body.startswith(b"#cloud-config") else "scripts"
    return {BOOTHOOK: "boothooks", CLOUD_CONFIG: "cloud_configs", NODECONFIG: "nodeconfigs"}.get(
        part.content_type, "scripts")


def _compose(migration: Migration, parts: dict, layers: tuple[str, ...], base64: bool | None,
             gzip: bool | None) -> bytes:
    from nodecfg.userdata.compose import compose
    from nodecfg.encode.yaml import dump_yaml

    document = dump_yaml(migration.nodeconfig).encode()
    composition = compose([document, *parts["nodeconfigs"]], parts["scripts"], parts["cloud_configs"],
                          boothooks=parts["boothooks"], check=False,
                          base64="base64" in layers if base64 is None else base64,
                          gzip="gzip" in layers if gzip is None else gzip)
    migration.diagnostics += composition.diagnostics
    return composition.data


class _Translator:
    """Collects the bootstrap settings of every script, then writes the NodeConfig."""

    def __init__(self, migration: Migration, mode: str) -> None:
        self.migration = migration
        self.mode = mode
        self.settings: dict[str, _Setting] = {}
        self.found: Span | None = None
        self.refused = False
        self.heredocs: dict[str, tuple] = {}  # path -> (parse.shell.HeredocBody written there, uri, line offset)
        self.spec: dict[str, Any] = {}
        self.map_flags: list[str] = []

    def report(self, code: str, span: Span, message: str, hint: str = "", severity: Severity | None = None) -> None:
        self.migration.diagnostics.append(Diagnostic(code, severity or CATALOGUE[code].severity, span, message, hint))

    def row(self, setting: _Setting, went: str, value: str | None = None) -> None:
        self.migration.rows.append(Row(setting.span, setting.given,
                                       setting.value if value is None else value, went))

    # --- reading the scripts -------------------------------------------------

    def refuse(self, code: str, span: Span, message: str, hint: str = "") -> None:
        """An error after which migrate writes nothing: what it would write could be wrong."""
        self.report(code, span, message, hint)
        self.refused = True

    def script(self, text: str, uri: str, line_offset: int) -> str | None:
        """The script with the bootstrap call removed, or None when nothing else is left in it."""
        from nodecfg.parse.bash import MAX_HEREDOCS
        from nodecfg.userdata.migrate_shell import (Expander, ExpansionTooLarge, assignments, bootstrap_arguments,
                                                     read_script)

        script = read_script(text)

        def line_span(index: int, col: int = 1) -> Span:
            return Span(uri, index + 1 + line_offset, col)

        if script.too_many_heredocs is not None:
            self.refuse("NC148", line_span(script.too_many_heredocs), f"the script opens more than {MAX_HEREDOCS} "
                        "heredocs; migrate does not read it further and writes nothing", "split the script")
            return None
        if script.problem is not None:
            index, col, why = script.problem
            self.refuse("NC810", line_span(index, col), f"migrate cannot read the script from here as bash does "
                        f"({why}); which lines bash runs as commands depends on it, so nothing is migrated",
                        "close the quote or substitution, or move the heredoc out of $(...) and backquotes")
            return None
        self.heredocs.update({path: (body, uri, line_offset) for path, body in script.heredoc_bodies.items()})
        self._heredoc_calls(script, line_span)
        variables: dict[str, str] = {}
        expander = Expander(variables)
        exported: dict[str, _Setting] = {}
        removed: set[int] = set()
        rewritten: dict[int, str] = {}
        depth = 0
        for logical in script.logical:
            if not logical.text or logical.text.isspace():
                continue
            span_of = self._spans(logical, uri, line_offset)
            inside = depth > 0  # an if, loop, case, { } group or function opened on an earlier line
            depth = max(0, depth + _compound_change(logical.text))
            if not _MAY_MATTER.search(logical.text):  # no assignment, expansion or call: nothing to read
                self._edits(logical, span_of)
                continue
            try:
                commands = expander.commands(logical.text)
            except ExpansionTooLarge as error:
                self.refuse("NC810", span_of(0), f"the variables expanded up to this line produce more than "
                            f"{error.limit} bytes, the input limit; nothing is migrated",
                            "AL2 user data is at most 16 KiB: expand the variables by hand")
                return None
            if commands is None:
                self._unfollowed_calls(logical, span_of)
                self._edits(logical, span_of)
                continue
            consumed: list[int] = []
            for position, command in enumerate(commands):
                names, export, rest = assignments(command)
                prefix_env = {}
                for name, word in names:
                    if rest:
                        prefix_env[name] = word
                    else:
                        variables[name] = word.text
                        if export and name in VARIABLES:
                            exported[name] = _Setting(word.text, span_of(word.start),
                                                      f"{name} (environment)", word.unresolved)
                if export and not names:
                    for word in rest:  # `export NAME` of a variable set earlier
                        if word.text in variables and word.text in VARIABLES:
                            exported[word.text] = _Setting(variables[word.text], span_of(word.start),
                                                           f"{word.text} (environment)")
                    rest = []
                keyword = bool(rest) and rest[0].raw in _KEYWORDS
                while rest and rest[0].raw in _KEYWORDS:
                    rest = rest[1:]
                arguments = bootstrap_arguments(rest)
                if arguments is None:
                    continue
                span = span_of(command.start)
                if self.found:
                    self.refuse("NC809", span, f"bootstrap.sh is called again (first at {self.found}); migrate "
                                "cannot tell which call the node ran, so it migrates neither",
                                "keep one call, then migrate")
                    continue
                if inside or keyword:
                    self.refuse("NC809", span, "bootstrap.sh is called inside an if, loop, case, { } group or "
                                "function: whether and with what it runs is decided at boot, so nothing is "
                                "migrated", "call bootstrap.sh once, unconditionally, at the top of the script")
                    self.found = span
                    continue
                self.found = span
                environment = dict(exported)
                for name, word in prefix_env.items():
                    if name in VARIABLES:
                        environment[name] = _Setting(word.text, span_of(word.start), f"{name} (environment)",
                                                     word.unresolved)
                self._arguments(arguments, environment, span_of)
                consumed.append(position)
            if consumed:
                self._remove(logical, commands, consumed, removed, rewritten, span_of)
                self._exit_status(script, logical, commands, consumed[-1], span_of, uri, line_offset)
            elif logical.text.strip() and not logical.text.lstrip().startswith("#"):
                self._edits(logical, span_of)
        if self.refused:
            return None
        self._drop_consumed_assignments(script, removed, uri, line_offset)
        return self._rebuild(script, removed, rewritten, uri)

    def _heredoc_calls(self, script, line_span) -> None:
        """A bootstrap.sh call in a heredoc body is data (a file written, a command's input): never migrated."""
        for body in script.heredocs:
            for number, line in enumerate(body.lines):
                column = _call_column(line) if "bootstrap.sh" in line else None
                if column is not None:
                    self.refuse("NC809", line_span(body.first + number, column + 1),
                                f"bootstrap.sh is named inside the heredoc ending at '{body.delimiter}': that text "
                                "is data the script writes or feeds to a command, not a command it runs; migrate "
                                "cannot tell whether or when it runs, so nothing is migrated",
                                "migrate a script that calls bootstrap.sh once, outside heredocs")
                    return

    def _unfollowed_calls(self, logical, span_of) -> None:
        """A bootstrap.sh call on a line the expander does not follow (a function definition, a subshell) is refused."""
        if "bootstrap.sh" not in logical.text:
            return
        column = _call_column(logical.text)
        if column is not None:
            self.refuse("NC809", span_of(column), "bootstrap.sh is called on a line "
                        "migrate does not follow (a function definition or a subshell), so nothing "
                        "is migrated", "call bootstrap.sh on a line of its own: /etc/eks/bootstrap.sh CLUSTER "
                        "--option value ...")

    def _exit_status(self, script, logical, commands, call: int, span_of, uri: str, line_offset: int) -> None:
        """``$?`` in the command after the removed call now reports the command before it."""
        if call + 1 < len(commands):  # `bootstrap.sh ...; cfn-signal -e $?`, or after && and ||
            after = commands[call + 1]
            match = _EXIT_STATUS.search(logical.text, after.start, after.end)
            place = span_of(match.start()) if match else None
        else:
            place = None
            for following in script.logical:
                if following.first <= logical.last or following.first in script.heredoc_lines:
                    continue
                stripped = following.text.strip()
                if not stripped or stripped.startswith("#"):
                    continue
                match = _EXIT_STATUS.search(following.text)
                if match:
                    place = self._spans(following, uri, line_offset)(match.start())
                break
        if place is not None:
            self.report("NC811", place, "$? here was bootstrap.sh's exit status; with the call removed it is the "
                        "status of the command before it, so this reports something else",
                        "nodeadm joins the node after the scripts run: signal from a unit ordered after "
                        "nodeadm-run.service, or write the status you mean (0) explicitly")

    @staticmethod
    def _spans(logical, uri: str, line_offset: int):
        def span_of(offset: int) -> Span:
            line, col = logical.position(offset)
            return Span(uri, line + 1 + line_offset, col)
        return span_of

    def _edits(self, logical, span_of) -> None:
        for path, instead in AL2_FILES:
            index = logical.text.find(path)
            if index >= 0:
                self.report("NC803", span_of(index), f"this line uses {path}, which AL2023 does not read "
                            "or nodeadm rewrites at boot; kept in the script", f"use {instead}")
                return

    def _remove(self, logical, commands, consumed, removed, rewritten, span_of) -> None:
        others = [c for i, c in enumerate(commands) if i not in consumed and c.words]
        if not others:
            removed.update(range(logical.first, logical.last + 1))
            return
        kept = " ".join(logical.text[c.start:c.end].strip() + (f" {c.operator}" if c.operator in (";", "&") else "")
                        for c in others).rstrip(" ;")
        self.report("NC807", span_of(others[0].start), "commands on the same line as bootstrap.sh are kept "
                    f"without it: {kept!r}; check they still make sense without the call")
        removed.update(range(logical.first + 1, logical.last + 1))
        indent = logical.text[:len(logical.text) - len(logical.text.lstrip())]
        rewritten[logical.first] = indent + kept

    def _drop_consumed_assignments(self, script, removed: set[int], uri: str, line_offset: int) -> None:
        """`export KUBELET_EXTRA_ARGS=...` lines that only fed bootstrap.sh are removed with it.

        One that a kept line (or an unquoted heredoc body) still expands is kept, and the report says so.
        """
        if not self.found:
            return
        pattern = re.compile(r"^\s*(?:export\s+)?(" + "|".join(sorted(VARIABLES)) + r")=")
        uses = _expansions(script)
        for logical in script.logical:
            match = pattern.match(logical.text)
            if not match or ";" in logical.text or "&&" in logical.text:
                continue
            lines = range(logical.first, logical.last + 1)
            user = next((index for index in uses.get(match.group(1), ())
                         if index not in removed and index not in lines), None)
            if user is None:
                removed.update(lines)
            else:
                self.migration.rows.append(Row(Span(uri, logical.first + 1 + line_offset, 1),
                                               f"{match.group(1)} (assignment)", logical.text[match.end():],
                                               f"kept in the script: line {user + 1 + line_offset} uses it"))

    def _rebuild(self, script, removed: set[int], rewritten: dict[int, str], uri: str) -> str | None:
        lines = [rewritten.get(i, line) for i, line in enumerate(script.lines) if i not in removed or i in rewritten]
        if not _has_commands(lines):
            if removed:
                self.migration.rows.append(Row(Span(uri), "script part", "", "not carried: nothing but the shebang, "
                                               "set, logging and comments is left once bootstrap.sh is removed"))
                return None
        return "\n".join(lines)

    # --- bootstrap.sh's arguments ---------------------------------------------

    def _arguments(self, arguments, environment: dict[str, _Setting], span_of) -> None:
        given: dict[str, _Setting] = dict(environment)
        positional = []
        index = 0
        while index < len(arguments):
            word = arguments[index]
            if word.text in ("-h", "--help"):
                self.report("NC802", span_of(word.start), "bootstrap.sh prints its help and exits 1 on "
                            f"{word.text}: the AL2 node never joined", "remove it")
                index += 1
                continue
            variable = OPTIONS.get(word.text)
            if variable is None:
                positional.append(word)
                index += 1
                continue
            if index + 1 >= len(arguments):
                self.report("NC802", span_of(word.start), f"{word.text} has no value: bootstrap.sh stops with "
                            "'unbound variable' (it runs with nounset)", f"give {word.text} a value")
                index += 1
                continue
            value = arguments[index + 1]
            given[variable] = _Setting(value.text, span_of(value.start), word.text, value.unresolved)
            index += 2
        if positional:
            name = positional[0]
            given["CLUSTER_NAME"] = _Setting(name.text, span_of(name.start), "cluster name", name.unresolved)
            if name.text.startswith("-"):
                self.report("NC802", span_of(name.start), f"bootstrap.sh does not know {name.text!r}: it took "
                            "it as the cluster name", "give the cluster name first, options as '--opt value'")
            for extra in positional[1:]:
                self.report("NC802", span_of(extra.start), f"bootstrap.sh does not know {extra.text!r} and "
                            "ignored it (it is not an option, and only the first positional, the cluster name, "
                            "is used)", "remove it; '--opt=value' is not an option form bootstrap.sh reads")
                self.migration.rows.append(Row(span_of(extra.start), "argument", extra.text,
                                               "not migrated: bootstrap.sh ignored it"))
        self.settings = given

    # --- writing the NodeConfig -------------------------------------------------

    def finish(self) -> None:
        if not self.found:
            return
        settings = self.settings
        for setting in settings.values():
            placeholders = [p for p in _PLACEHOLDER.findall(setting.value) if p not in setting.unresolved]
            for kept in setting.unresolved + placeholders:
                self.report("NC805", setting.span, f"{setting.given}: {kept} is kept as written, since the "
                            "script does not set it; a template placeholder is filled in before boot, a shell "
                            "expansion is not expanded in a NodeConfig", "replace shell expansions by their value")
        self._cluster(settings)
        self._kubelet(settings)
        self._runtime(settings)
        self._instance(settings)
        self._defaults(settings)
        self.migration.nodeconfig = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": self.spec}
        self.migration.rows.sort(key=lambda row: (row.span.uri, row.span.line, row.span.col))

    def _set(self, path: str, value: Any) -> None:
        from nodecfg.nodeadm.kubelet_flags import nest

        merge_into(self.spec, nest(path, value))

    def _cluster(self, settings: dict[str, _Setting]) -> None:
        for variable, field_name in (("CLUSTER_NAME", "name"), ("APISERVER_ENDPOINT", "apiServerEndpoint"),
                                     ("B64_CLUSTER_CA", "certificateAuthority")):
            if variable in settings:
                self._set(f"cluster.{field_name}", settings[variable].value)
                self.row(settings[variable], f"spec.cluster.{field_name}")
        cidr = self._cidr(settings)
        if "ENABLE_LOCAL_OUTPOST" in settings:
            setting = settings["ENABLE_LOCAL_OUTPOST"]
            if setting.value in ("true", "false"):
                self._set("cluster.enableOutpost", setting.value == "true")
                self.row(setting, "spec.cluster.enableOutpost")
            else:
                self.row(setting, "not migrated: bootstrap.sh only acts on 'true'")
        if "CLUSTER_ID" in settings:
            self._set("cluster.id", settings["CLUSTER_ID"].value)
            self.row(settings["CLUSTER_ID"], "spec.cluster.id")
        if settings.get("ENABLE_LOCAL_OUTPOST", _Setting("", Span(""), "")).value == "true" \
                and "CLUSTER_ID" not in settings:
            self.report("NC804", settings["ENABLE_LOCAL_OUTPOST"].span, "a local Outpost cluster needs "
                        "spec.cluster.id; bootstrap.sh took it from DescribeCluster", "add --cluster-id's value "
                        "as spec.cluster.id")
        if self.mode != "self-managed":
            return
        missing = [name for name, present in (("name", "CLUSTER_NAME" in settings),
                                              ("apiServerEndpoint", "APISERVER_ENDPOINT" in settings),
                                              ("certificateAuthority", "B64_CLUSTER_CA" in settings),
                                              ("cidr", cidr is not None)) if not present]
        if missing:
            hint = "add them (aws eks describe-cluster --name CLUSTER shows them)"
            dns = settings.get("DNS_CLUSTER_IP")
            suggestion = _cidr_for_dns(dns.value) if dns and cidr is None else None
            if dns and suggestion:
                hint += (f"; --dns-cluster-ip {dns.value} is the cluster DNS address nodeadm derives from the "
                         f"service CIDR {suggestion}{_DEFAULT_CIDRS.get(suggestion, '')}, so spec.cluster.cidr is "
                         "probably that")
            self.report("NC804", self.found, f"the NodeConfig lacks spec.cluster {', '.join(missing)}: "
                        "bootstrap.sh looked them up with 'aws eks describe-cluster', nodeadm does not", hint)

    def _cidr(self, settings: dict[str, _Setting]) -> str | None:
        family = settings.get("IP_FAMILY")
        v4, v6 = settings.get("SERVICE_IPV4_CIDR"), settings.get("SERVICE_IPV6_CIDR")
        if family:
            wanted = family.value.lower()
            if wanted not in ("ipv4", "ipv6"):
                self.report("NC802", family.span, f"--ip-family {family.value!r}: bootstrap.sh accepts only "
                            "ipv4 or ipv6 and exits 1")
            self.row(family, "not needed: nodeadm takes the IP family from spec.cluster.cidr")
        chosen = v6 if v6 and (not family or family.value.lower() != "ipv4") else v4
        if v6 and family and family.value.lower() == "ipv4":
            self.report("NC802", v6.span, "--service-ipv6-cidr with --ip-family ipv4: bootstrap.sh exits 1")
        if family and family.value.lower() == "ipv6" and not v6:
            self.report("NC804", family.span, "--ip-family ipv6 without --service-ipv6-cidr: nodeadm needs the "
                        "IPv6 service CIDR as spec.cluster.cidr", "add the cluster's IPv6 service CIDR")
            chosen = None
        for setting in (v4, v6):
            if setting is None:
                continue
            if setting is chosen:
                self._set("cluster.cidr", setting.value)
                self.row(setting, "spec.cluster.cidr")
            else:
                self.row(setting, "not migrated: the cluster's other IP family; nodeadm takes one service CIDR")
        return chosen.value if chosen else None

    def _kubelet(self, settings: dict[str, _Setting]) -> None:
        from nodecfg.context.maxpods import KUBELET_DEFAULT_MAX_PODS  # what AL2 left with --use-max-pods false
        from nodecfg.nodeadm.gonet import cluster_dns

        config: dict[str, Any] = {}
        flags: list[str] = []
        extra = settings.get("KUBELET_EXTRA_ARGS")
        if extra:
            self._extra_args(extra, config, flags)
        dns = settings.get("DNS_CLUSTER_IP")
        if dns:
            addresses = [address for address in dns.value.split(",") if address]
            derived = cluster_dns(self.spec.get("cluster", {}).get("cidr"))
            if derived and addresses == [derived]:
                self.row(dns, f"not needed: nodeadm derives {derived} from spec.cluster.cidr")
            else:
                merge_into(config, {"clusterDNS": addresses})
                self.row(dns, "spec.kubelet.config.clusterDNS")
        use = settings.get("USE_MAX_PODS")
        if use:
            if use.value == "false" and "maxPods" not in config:
                config["maxPods"] = KUBELET_DEFAULT_MAX_PODS
                self.row(use, f"spec.kubelet.config.maxPods: {KUBELET_DEFAULT_MAX_PODS} (AL2 left the kubelet "
                         "default; nodeadm always writes its own maxPods)")
            elif use.value == "false":
                self.row(use, "spec.kubelet.config.maxPods (from --max-pods)")
            else:
                self.row(use, "not needed: nodeadm always sets maxPods")
        if config:
            self._set("kubelet.config", config)
        if flags:
            self._set("kubelet.flags", flags)

    def _extra_args(self, extra: _Setting, config: dict, flags: list[str]) -> None:
        from nodecfg.nodeadm.kubelet_flags import ACCUMULATING_FLAGS, REMOVED_FLAGS, config_field, convert, nest
        from nodecfg.validate.schemas import KUBELET_CONFIG, load_schema

        for name, value, raw in split_kubelet_args(extra.value):
            given = f"{extra.given} --{name}" if name else f"{extra.given} {raw}"
            setting = _Setting(raw, extra.span, given)
            if name is None:
                flags.append(raw)
                self.report("NC806", extra.span, f"{raw!r} in the kubelet arguments is not a flag; kept in "
                            "spec.kubelet.flags as it was")
                self.row(setting, "spec.kubelet.flags (not a flag)")
                continue
            if name == "container-runtime" or (name == "container-runtime-endpoint" and value == CONTAINERD_ENDPOINT):
                self.row(setting, "not needed: containerd is the only runtime and nodeadm sets its endpoint")
                continue
            if name in REMOVED_FLAGS:
                self.report("NC801", extra.span, f"--{name} was removed from the kubelet "
                            f"({REMOVED_FLAGS[name][0][:-2]}); not migrated", REMOVED_FLAGS[name][1])
                self.row(setting, "not migrated: removed from the kubelet")
                continue
            field_name = config_field(name)
            converted = convert(name, value, load_schema(KUBELET_CONFIG)) if field_name else None
            if field_name and converted is not None:
                top = field_name.split(".")[0]
                if name in ACCUMULATING_FLAGS and isinstance(converted, list) and isinstance(config.get(top), list):
                    config[top] = config[top] + converted
                else:
                    merge_into(config, nest(field_name, converted))
                self.row(setting, f"spec.kubelet.config.{field_name}")
                if isinstance(converted, dict) and field_name != "featureGates" and name not in self.map_flags:
                    self.map_flags.append(name)
                    self.migration.differences.append(
                        f"--{name}: on AL2 the flag replaced the kubelet's whole {field_name} map; in "
                        "spec.kubelet.config its keys are merged with the ones nodeadm writes")
                continue
            flag = f"--{name}" if value is None else f"--{name}={value}"
            flags.append(flag)
            if field_name:
                self.report("NC806", extra.span, f"--{name}={value} stays a kubelet flag: the value does not "
                            f"convert to kubelet.config.{field_name}", f"set kubelet.config.{field_name} by hand")
            self.row(setting, "spec.kubelet.flags")

    def _runtime(self, settings: dict[str, _Setting]) -> None:
        runtime = settings.get("CONTAINER_RUNTIME")
        if runtime:
            if runtime.value == "containerd":
                self.row(runtime, "not needed: containerd is the only runtime on AL2023")
            else:
                self.report("NC808", runtime.span, f"container runtime {runtime.value!r}: AL2023 runs "
                            "containerd only (bootstrap.sh itself refused other runtimes from kubelet 1.24)")
                self.row(runtime, "not migrated: containerd is the only runtime")
        for variable in sorted(DOCKER_ONLY & set(settings)):
            setting = settings[variable]
            if variable == "ENABLE_DOCKER_BRIDGE" and setting.value == "false":
                self.row(setting, "not needed: the default")
                continue
            self.report("NC808", setting.span, f"{setting.given} configures Docker; bootstrap.sh ignored it "
                        "on containerd nodes and AL2023 has no Docker", "remove it; containerd settings go "
                        "into spec.containerd.config")
            self.row(setting, "not migrated: Docker only")
        config_file = settings.get("CONTAINERD_CONFIG_FILE")
        if config_file:
            written = self.heredocs.get(config_file.value)
            if written is not None:
                text = "".join(line + "\n" for line in written[0].lines)
                self._unquoted_body(written, config_file, "spec.containerd.config")
                self._set("containerd.config", text)
                self.row(config_file, "spec.containerd.config (the file the script writes)")
                if "SANDBOX_IMAGE" in text:
                    self.report("NC801", config_file.span, "the containerd config names SANDBOX_IMAGE, which "
                                "bootstrap.sh replaced by the pause image; nodeadm does not",
                                "remove that line: nodeadm sets the sandbox image")
                self.migration.differences.append(
                    "containerd config: bootstrap.sh copied --containerd-config-file over the AMI's config "
                    "whole; nodeadm merges spec.containerd.config into the config it writes, so nodeadm's "
                    "other settings stay")
            else:
                self.report("NC801", config_file.span, f"--containerd-config-file {config_file.value}: the "
                            "script does not write that file with a heredoc, so its content is unknown",
                            "put the TOML into spec.containerd.config (nodeadm merges it into its own config)")
                self.row(config_file, "not migrated: content unknown")
        for variable in ("PAUSE_CONTAINER_ACCOUNT", "PAUSE_CONTAINER_VERSION", "PAUSE_CONTAINER_IMAGE"):
            setting = settings.get(variable)
            if setting:
                self.report("NC801", setting.span, f"{setting.given}: nodeadm has no pause image setting; it "
                            "configures the sandbox image the AMI ships", "to pin another image, set it in "
                            "spec.containerd.config: sandbox_image under [plugins.\"io.containerd.grpc.v1.cri\"] "
                            "on containerd 1.x, sandbox under [plugins.\"io.containerd.cri.v1.images\"."
                            "pinned_images] on 2.x")
                self.row(setting, "not migrated: nodeadm sets the sandbox image")

    def _unquoted_body(self, written, setting: _Setting, field_name: str) -> None:
        """bash expands $, ` and \\ in a heredoc whose delimiter is unquoted; the NodeConfig holds the text as written."""
        from nodecfg.parse.shell import EXPANSION

        body, uri, line_offset = written
        if body.quoted:
            return
        for number, line in enumerate(body.lines):
            match = EXPANSION.search(line + "\n")
            if match:
                span = Span(uri, body.first + number + 1 + line_offset, match.start() + 1)
                self.report("NC113", span, f"the heredoc that writes {setting.value} has an unquoted delimiter, "
                            f"so bash would have expanded $, ` and \\ in it at boot; {field_name} holds the text "
                            "as written", "quote the delimiter (<<'EOF') and check the text is what the node "
                            "should get, or put the expanded values in by hand")
                return

    def _instance(self, settings: dict[str, _Setting]) -> None:
        disks = settings.get("LOCAL_DISKS")
        if disks:
            strategy = LOCAL_DISKS.get(disks.value)
            if strategy:
                self._set("instance.localStorage.strategy", strategy)
                self.row(disks, "spec.instance.localStorage.strategy")
            else:
                self.report("NC801", disks.span, f"--local-disks {disks.value!r} is not mount, raid0 or raid10")
                self.row(disks, "not migrated: unknown strategy")
        bpf = settings.get("MOUNT_BPF_FS")
        if bpf:
            if bpf.value == "true":
                self.row(bpf, "not needed: the default was true; nodeadm has no bpffs setting")
            else:
                self.report("NC801", bpf.span, f"--mount-bpf-fs {bpf.value}: nodeadm has no setting to leave "
                            "/sys/fs/bpf unmounted", "remove it")
                self.row(bpf, "not migrated: no nodeadm setting")
        retries = settings.get("API_RETRY_ATTEMPTS")
        if retries:
            self.row(retries, "not needed: nodeadm does not call DescribeCluster (the cluster fields are given)")

    def _defaults(self, settings: dict[str, _Setting]) -> None:
        differences = self.migration.differences
        extra = settings.get("KUBELET_EXTRA_ARGS")
        differences.insert(0, "cgroup driver: the AL2 kubelet-config.json template said cgroupfs and bootstrap.sh "
                           "switched it to systemd on containerd nodes; nodeadm always writes systemd, the same "
                           "as a containerd AL2 node")
        differences.insert(1, "maxPods: bootstrap.sh took it from /etc/eks/eni-max-pods.txt (or "
                           "max-pods-calculator.sh for unlisted types); nodeadm computes ENIs * (IPv4 addresses "
                           "per ENI - 1) + 2 from its own instance table, 110 for unknown types, or "
                           "spec.kubelet.maxPodsExpression; both compute kubeReserved memory from that number, "
                           "not from a --max-pods flag")
        if "CONTAINERD_CONFIG_FILE" not in settings:
            differences.append("containerd config: the AL2 AMI's config imported /etc/containerd/config.d/*.toml; "
                               "nodeadm's template has no imports, so files there are not read; containerd "
                               "settings go into spec.containerd.config, which nodeadm merges into its config")
        if extra and "--reserved-cpus" in extra.value:
            differences.append("--reserved-cpus: bootstrap.sh then left out systemReservedCgroup and "
                               "kubeReservedCgroup; nodeadm always sets them to /system and /runtime")
        if "DNS_CLUSTER_IP" not in settings:
            differences.append("cluster DNS: without --dns-cluster-ip bootstrap.sh used the service CIDR's .10 "
                               "address or guessed 10.100.0.10 / 172.20.0.10 from the VPC CIDR; nodeadm derives "
                               "it from spec.cluster.cidr only")
        differences.append("kubeAPIQPS/kubeAPIBurst: bootstrap.sh set 10/20 for kubelet 1.22 to 1.26; nodeadm "
                           "sets neither (the kubelet's own defaults apply)")


def merge_into(target: dict, addition: dict) -> None:
    """Merge the nested mapping ``addition`` into ``target``, the later value winning for a leaf."""
    for key, value in addition.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge_into(target[key], value)
        else:
            target[key] = value


def split_kubelet_args(text: str) -> list[tuple[str | None, str | None, str]]:
    """(name, value or None, raw) per kubelet argument: systemd's split of $KUBELET_EXTRA_ARGS, then pflag.

    The one model of that path is nodecfg.nodeadm.kubelet_argv; an argument that is
    not a flag comes back as (None, None, raw).
    """
    from nodecfg.nodeadm.kubelet_argv import kubelet_argv

    result: list[tuple[str | None, str | None, str]] = []
    for arg in kubelet_argv([text]).args:
        raw = " ".join(word.text for word in arg.words)
        result.append((arg.name, arg.value, raw) if arg.kind == "flag" else (None, None, raw))
    return result


# The service CIDRs EKS picks when none is given (bootstrap.sh guessed their .10 from the VPC CIDR).
_DEFAULT_CIDRS = {"172.20.0.0/16": " (EKS's default when the VPC is in 10.0.0.0/8)",
                  "10.100.0.0/16": " (EKS's default for other VPCs)"}


def _cidr_for_dns(dns: str) -> str | None:
    """The service CIDR whose kube-dns address is ``dns``: nodeadm's GetClusterDns read backwards.

    GetClusterDns (nodeadm internal/api/net.go; nodecfg/nodeadm/gonet.py) keeps the
    CIDR's text up to its last dot and appends ``.10`` (IPv4), or appends ``a``
    to the IPv6 address.  EKS service CIDRs are /16 unless chosen otherwise, and
    EKS assigns IPv6 ones as /108; any other prefix length of the same start
    derives the same address, so this is a suggestion, not a fact.
    """
    from nodecfg.nodeadm.gonet import cluster_dns

    if "," in dns:
        return None
    if dns.endswith(".10"):
        candidate = dns[:-len(".10")] + ".0/16"
    elif dns.endswith("::a"):
        candidate = dns[:-1] + "/108"
    else:
        return None
    return candidate if cluster_dns(candidate) == dns else None


def _call_column(text: str) -> int | None:
    """0-based column of the first bootstrap.sh in command position, in one pass over the line's tokens."""
    from nodecfg.userdata.migrate_shell import BOOTSTRAP_COMMAND

    expect_command = True
    for token in _TOKEN.finditer(text):
        word = token.group()
        if len(word) <= 2 and (word in ";&|()`{}!" or word == "$("):
            expect_command = True
        elif expect_command:
            if word in _COMMAND_LEADERS or _PREFIX_ASSIGNMENT.match(word) or (word.startswith("-") and word != "-"):
                continue
            path = word.strip("\"'")
            if BOOTSTRAP_COMMAND.search(path):
                return token.start() + word.index(path[:1])
            expect_command = False
    return None


def _compound_change(text: str) -> int:
    """Compound commands a line opens minus those it closes (if/fi, loops/done, case/esac, { })."""
    if not any(word in text for word in ("if", "case", "for", "while", "until", "select", "{", "}", "fi", "done")):
        return 0
    change = 0
    for match in _COMPOUND.finditer(_QUOTED.sub("''", text)):
        change += 1 if match.group(1) in _OPENERS else -1
    return change


def _expansions(script) -> dict[str, list[int]]:
    """Per bootstrap.sh variable, the 0-based lines that expand it ($NAME, ${NAME...}), in order, in one pass.

    Lines of heredocs with a quoted delimiter are left out: bash does not expand them.
    """
    pattern = re.compile(r"\$\{?[#!]?(" + "|".join(sorted(VARIABLES)) + r")\b")
    quoted = {index for body in script.heredocs if body.quoted for index in range(body.first, body.stop)}
    uses: dict[str, list[int]] = {}
    for index, line in enumerate(script.lines):
        if "$" in line and index not in quoted:
            for name in {match.group(1) for match in pattern.finditer(line)}:
                uses.setdefault(name, []).append(index)
    return uses


def _has_commands(lines: list[str]) -> bool:
    """Whether the script does anything once the shebang, set, exec logging and comments are set aside."""
    trivial = re.compile(r"^\s*(?:$|#|set\s+[-+]|exec\s*[0-9]*[>&]|(?:export\s+)?[A-Za-z_]\w*=[^$`;&|]*$)")
    return any(not trivial.match(line) for line in lines)


def format_findings(migration: Migration) -> str:
    return "".join(d.format() + "\n" for d in migration.diagnostics)
