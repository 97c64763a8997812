"""NodeConfig drop-ins written by user-data shell scripts, and AL2 habits in them.

cloud-init runs ``text/x-shellscript`` parts between nodeadm's config and run
phases; a script that writes ``/etc/eks/nodeadm.d/NAME.yaml`` with a heredoc
therefore adds a NodeConfig that nodeadm's run phase merges after the user
data.  This module finds those heredocs and returns their text as drop-ins,
never a path outside ``/etc/eks/nodeadm.d/``.  The script is split into
command lines and heredoc bodies as bash splits them (parse/bash.py); the
command line that opens a heredoc is then parsed with a small lark grammar
(heredoc.lark), loaded only when a script has a heredoc, to tell which
command the heredoc feeds and where that command writes.
"""

import functools
import re
from typing import NamedTuple

from nodecfg.core.codes import CATALOGUE
from nodecfg.core.diagnostics import Diagnostic, Span
from nodecfg.core.locations import heredoc_uri
from nodecfg.parse.bash import MAX_HEREDOCS, CommandText, HeredocBody, read_shell
from nodecfg.core.lazy_re import LazyPattern

__all__ = ["DROPIN_DIR", "MAX_HEREDOCS", "Dropin", "extract_nodeadm_dropins", "heredoc_targets"]

DROPIN_DIR = "/etc/eks/nodeadm.d/"
# nodeadm's file provider reads only these (internal/configprovider/file.go).
DROPIN_SUFFIXES = (".yaml", ".yml", ".json")


# amazon-eks-ami templates/al2023/runtime/rootfs/etc/eks/bootstrap.sh: on AL2023
# the file exists, prints that bootstrap.sh has been removed, and exits 1.
_BOOTSTRAP_SH = re.compile(r"/etc/eks/bootstrap\.sh")

_AL2_LEFTOVERS = (
    (re.compile(r"\bKUBELET_EXTRA_ARGS\b"),
     "KUBELET_EXTRA_ARGS is an Amazon Linux 2 setting that nodeadm does not read",
     "use spec.kubelet.flags (or spec.kubelet.config) in a NodeConfig"),
    (re.compile(r"/etc/kubernetes/kubelet/kubelet-config\.json"),
     "/etc/kubernetes/kubelet/kubelet-config.json is the Amazon Linux 2 path; nodeadm writes "
     "/etc/kubernetes/kubelet/config.json and overwrites it at boot",
     "use spec.kubelet.config in a NodeConfig"),
)
_NODEADM_INIT = re.compile(r"\bnodeadm\s+init\b")
_OPAQUE_WRITE = LazyPattern(r">|\b(?:tee|cp|mv|install|curl|wget|aws|dd)\b")
EXPANSION = LazyPattern(r"[$`]|\\[$`\\\n]")
_COMMAND_PREFIXES = {"sudo", "then", "do", "else", "!", "command", "exec", "time", "nohup"}
_STDOUT_REDIRECTS = {">", ">>", ">|", "1>", "1>>", "1>|", "&>", "&>>"}


class Dropin(NamedTuple):
    path: str
    name: str
    text: str
    uri: str
    line_offset: int


def extract_nodeadm_dropins(script: str, uri: str, line_offset: int = 0
                            ) -> tuple[list[Dropin], list[Diagnostic]]:
    """Drop-ins a script writes into /etc/eks/nodeadm.d/ with heredocs, in nodeadm's read order.

    ``line_offset`` is added to a script line number to get the file line;
    each Dropin's ``line_offset`` does the same for lines of its text.
    """
    scanner = _Scanner(script.split("\n"), uri, line_offset)
    scanner.run(script)
    return scanner.dropins(), scanner.diagnostics


class _Scanner:
    def __init__(self, lines: list[str], uri: str, line_offset: int) -> None:
        self.lines = lines
        self.uri = uri
        self.offset = line_offset
        self.written: dict[str, Dropin] = {}
        self.diagnostics: list[Diagnostic] = []

    def report(self, code: str, index: int, col: int, message: str, hint: str = "") -> None:
        span = Span(self.uri, index + 1 + self.offset, col)
        self.diagnostics.append(Diagnostic(code, CATALOGUE[code].severity, span, message, hint))

    def dropins(self) -> list[Dropin]:
        return [self.written[name] for name in sorted(self.written)]

    def run(self, script: str) -> None:
        shell = read_shell(script)
        for command in shell.commands:
            self.check_habits(command.first, command.last + 1)
            text = command.text
            if command.heredocs:
                self.follow_heredocs(command)
            elif "nodeadm.d" in text and _OPAQUE_WRITE.search(text):
                self.report("NC116", command.first, _mention_column(text),
                            "this line writes into /etc/eks/nodeadm.d/ without a heredoc; "
                            "nodecfg cannot see what it writes")
        if shell.too_many_heredocs is not None:
            self.report("NC148", shell.too_many_heredocs, 1,
                        f"the script opens more than {MAX_HEREDOCS} heredocs; nodecfg does not read "
                        "it further, so drop-ins written after this line are not checked",
                        "write fewer, larger drop-ins, or split the script")
        if shell.problem is not None:
            index, col, why = shell.problem
            if any("nodeadm.d" in line for line in self.lines[index:]):
                self.report("NC116", index, col, f"nodecfg cannot read the script from here as the shell "
                            f"would ({why}), so drop-ins written after this point are not extracted",
                            "use the plain form: cat <<'EOF' > /etc/eks/nodeadm.d/NAME.yaml")

    def check_habits(self, start: int, stop: int) -> None:
        for index in range(start, stop):
            line = self.lines[index]
            if line.lstrip().startswith("#"):
                continue
            match = _NODEADM_INIT.search(line)
            if match:
                self.report("NC601", index, match.start() + 1,
                            "the script runs 'nodeadm init'; on EKS AMIs the nodeadm-config and "
                            "nodeadm-run services already run it around cloud-init",
                            "write NodeConfig into the user data or /etc/eks/nodeadm.d/ instead")
            match = _BOOTSTRAP_SH.search(line)
            if match:
                self.report("NC603", index, match.start() + 1,
                            "/etc/eks/bootstrap.sh on AL2023 is a stub: it prints 'bootstrap.sh has been removed "
                            "from AL2023-based EKS AMIs' and exits 1, so this command fails and none of the "
                            "settings passed to it apply",
                            "put the settings into a NodeConfig part (cluster, kubelet.config, kubelet.flags)")
            for pattern, message, hint in _AL2_LEFTOVERS:
                match = pattern.search(line)
                if match:
                    self.report("NC602", index, match.start() + 1, message, hint)

    def follow_heredocs(self, command: CommandText) -> None:
        text = command.text
        targets = heredoc_targets(command)
        if targets is None:
            targets = [()] * len(command.heredocs)
            if "nodeadm.d" in text:
                self.report("NC116", command.first, _mention_column(text),
                            "nodecfg cannot follow this command line, so the heredoc it writes into "
                            "/etc/eks/nodeadm.d/ is not extracted",
                            "use the plain form: cat <<'EOF' > /etc/eks/nodeadm.d/NAME.yaml")
        elif "nodeadm.d" in text and not any("nodeadm.d" in t for found in targets for t in found):
            self.report("NC116", command.first, _mention_column(text),
                        "the heredoc on this line does not feed cat or tee writing into "
                        "/etc/eks/nodeadm.d/, so nodecfg cannot tell what lands there")
        for body, found in zip(command.heredocs, targets):
            self.read_heredoc(command.first, body, found)

    def read_heredoc(self, command_index: int, body: HeredocBody, targets: tuple[str, ...]) -> None:
        if not body.terminated:
            self.report("NC115", command_index, 1,
                        f"heredoc '{body.delimiter}' is never closed: the shell reads to the end "
                        "of the script", f"end the heredoc with a line holding only {body.delimiter}")
        elif not any("nodeadm.d" in target for target in targets):
            self.check_habits(body.first, body.stop)
        for target in targets:
            self.add_dropin(command_index, target, body)

    def add_dropin(self, command_index: int, word: str, heredoc: HeredocBody) -> None:
        if "nodeadm.d" not in word:
            return
        path = _literal_path(word)
        problem = _dropin_problem(path)
        if problem or path is None:
            self.report("NC114", command_index, 1, f"heredoc target {word}: {problem}; not extracted")
            return
        name = path[len(DROPIN_DIR):]
        text = "".join(line + "\n" for line in heredoc.lines)
        if not heredoc.quoted:
            self.check_expansion(heredoc.lines, heredoc.first, name)
        self.written[name] = Dropin(path, name, text, heredoc_uri(self.uri, name),
                                    heredoc.first + self.offset)

    def check_expansion(self, body: tuple[str, ...], body_start: int, name: str) -> None:
        for number, line in enumerate(body):
            match = EXPANSION.search(line + "\n")
            if match:
                self.report("NC113", body_start + number, match.start() + 1,
                            f"the heredoc writing {name} has an unquoted delimiter, so the shell expands "
                            "$, ` and \\ in it at boot; nodecfg uses the text literally",
                            "quote the delimiter (<<'EOF') if the text is meant literally")
                return


def _mention_column(command: str) -> int:
    """1-based column of the drop-in directory's mention, at the path's start when spelled out."""
    index = command.find(DROPIN_DIR.rstrip("/"))
    return (index if index >= 0 else command.find("nodeadm.d")) + 1


def _literal_path(word: str) -> str | None:
    """The path a shell word stands for, or None when it depends on expansion or globbing."""
    out: list[str] = []
    index = 0
    quote = ""
    while index < len(word):
        char = word[index]
        if quote == "'":
            quote, keep = ("", "") if char == "'" else (quote, char)
        elif char == "\\" and index + 1 < len(word):
            index += 1
            keep = word[index]
        elif char in "'\"" and quote in ("", char):
            quote, keep = ("" if quote else char), ""
        elif char == "$" or (not quote and char in "*?[~{"):
            return None
        else:
            keep = char
        out.append(keep)
        index += 1
    return "".join(out)


def _dropin_problem(path: str | None) -> str:
    if path is None:
        return "the path depends on shell expansion"
    if not path.startswith(DROPIN_DIR):
        return f"not a file directly inside {DROPIN_DIR}"
    name = path[len(DROPIN_DIR):]
    if not name or "/" in name or name in (".", "..") or "\0" in name:
        return f"not a file directly inside {DROPIN_DIR}"
    if not name.lower().endswith(DROPIN_SUFFIXES):
        return "nodeadm reads only .yaml, .yml and .json files there"
    return ""


# --- the command line ------------------------------------------------------


@functools.cache
def _parser():
    from pathlib import Path

    from lark import Lark  # lazily: only scripts with a heredoc pay for lark

    grammar = (Path(__file__).with_name("heredoc.lark")).read_text(encoding="utf-8")
    # No cache=True: lark's cache is a pickle at a predictable name in the shared
    # temporary directory, which any local user could plant.  Building the LALR
    # tables takes about 35 ms (2 ms from the cache), once per process and only
    # for scripts with a heredoc; see docs/limits.md.
    return Lark(grammar, parser="lalr")


def _parse_with_grammar(command: str) -> list[list] | None:
    """The pipelines of a command line as heredoc.lark reads them (lists of command trees), or None."""
    from lark.exceptions import LarkError

    try:
        tree = _parser().parse(command)
    except LarkError:
        return None
    return [pipeline.children for pipeline in tree.children]


class _Element:
    """A lark ``Tree``'s ``data`` and ``children``, as the readers below ask them (plain classes:
    no NamedTuple to build at import)."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: tuple[str, ...]) -> None:
        self.data = data          # "word", "heredoc" or "redirect", as the grammar's rules are named
        self.children = children


class _Command:
    __slots__ = ("children",)

    def __init__(self, children: list[_Element]) -> None:
        self.children = children


# The common line (`cat <<'EOF' > /etc/eks/nodeadm.d/x.yaml`, `sudo tee -a F <<EOF`): one
# command of words, heredocs and > / >> redirects.  Read without lark, which costs about 80 ms
# of CPU per process to import and build.  Anything else (pipes, list operators, &, <, escapes,
# expansions, comments, a digit before < or >, a line break) goes to the grammar;
# tests/test_shell.py holds both readings equal.
_PLAIN_REFUSED = LazyPattern(r"[|;&()`\\$#\n]|[0-9][<>]|<<<|(?<!<)<(?!<)")
_PLAIN_TOKEN = LazyPattern(r"""[ \t]*(?:(?P<heredoc><<-?)|(?P<redirect>>>?)"""
                          r"""|(?P<word>(?:[^\s|;&<>()"'`\\$]|'[^']*'|"[^"\\`$]*")+))""")


def _plain_command(command: str) -> list[list[_Command]] | None:
    """``_parse_with_grammar``'s reading of a plain one-command line, or None to ask the grammar."""
    if _PLAIN_REFUSED.search(command):
        return None
    elements: list[_Element] = []
    operator = None
    position, end = 0, len(command.rstrip(" \t"))
    while position < end:
        match = _PLAIN_TOKEN.match(command, position)
        if match is None:
            return None
        position = match.end()
        kind = match.lastgroup
        text = match.group(kind)
        if kind == "word":
            if operator is None:
                elements.append(_Element("word", (text,)))
            else:
                elements.append(_Element(operator[0], (operator[1], text)))
                operator = None
        elif operator is not None:
            return None
        else:
            operator = (kind, text)
    if operator is not None or not elements:
        return None
    return [[_Command(elements)]]


def heredoc_targets(command: CommandText) -> list[tuple[str, ...]] | None:
    """Per heredoc of the command line, the raw target words of the cat or tee it feeds.

    None when the grammar cannot read the line (or finds other heredocs than
    read_shell did): the bodies are still known, their destinations are not.
    """
    pipelines = _plain_command(command.text)
    if pipelines is None:
        pipelines = _parse_with_grammar(command.text)
    if pipelines is None:
        return None
    found: list[tuple[str, tuple[str, ...]]] = []
    for commands in pipelines:
        for position, node in enumerate(commands):
            for element in node.children:
                if element.data == "heredoc":
                    found.append((str(element.children[1]), _targets(commands[position:])))
    if len(found) != len(command.heredocs):
        return None
    return [targets for _, targets in found]


def _targets(commands: list) -> tuple[str, ...]:
    """Files the heredoc's text lands in: cat's or tee's output, following pipes into tee/cat."""
    targets: list[str] = []
    for command in commands:
        name, args, outputs = _split_command(command)
        if name not in ("cat", "tee"):
            break
        targets.extend(outputs)
        if name == "tee":
            targets.extend(arg for arg in args if not arg.startswith("-"))
        if outputs:
            break
    return tuple(target for target in targets if target not in ("/dev/null", "/dev/stdout"))


def _split_command(command) -> tuple[str, list[str], list[str]]:
    words: list[str] = []
    outputs: list[str] = []
    for element in command.children:
        if element.data == "word":
            words.append(str(element.children[0]))
        elif element.data == "redirect":
            operator, target = element.children
            if str(operator) in _STDOUT_REDIRECTS:
                outputs.append(str(target))
    while words and (words[0] in _COMMAND_PREFIXES or re.match(r"\w+=", words[0])
                     or (words[0].startswith("-") and len(words) > 1)):
        words.pop(0)
    name = words[0].rsplit("/", 1)[-1] if words else ""
    return name, words[1:], outputs
