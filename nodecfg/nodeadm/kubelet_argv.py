"""The kubelet's argv, from the flag list nodeadm writes: the one model of that path.

Every place that asks "what does the kubelet get from these flags" uses
``kubelet_argv``: the linter (lint/rules/kubelet_flags.py), the renderer's
flag origins (render/flags.py) and ``explain``.

The path, stage by stage:

1. nodeadm joins its own ``--name=value`` flags and then the user's
   ``kubelet.flags`` items verbatim with single spaces into
   ``NODEADM_KUBELET_ARGS`` and writes ``KEY=VALUE`` lines, unquoted, to
   /etc/eks/kubelet/environment (amazon-eks-ami
   nodeadm/internal/kubelet/environment.go, writeKubeletEnvironment).
2. kubelet.service has ``EnvironmentFile=/etc/eks/kubelet/environment`` and
   ``ExecStart=/usr/bin/kubelet $NODEADM_KUBELET_ARGS`` (amazon-eks-ami
   templates/al2023/runtime/rootfs/etc/systemd/system/kubelet.service).
   systemd reads the file with ``load_env_file`` (systemd
   src/basic/env-file.c, parse_env_file_internal): after ``=`` leading
   blanks are skipped; a value that starts unquoted keeps every quote
   character literally, a backslash drops itself and keeps the next
   character, trailing blanks are chomped.  nodeadm's value always starts
   with its own ``--`` flag, so the user's quotes reach the next stage.
3. ``$NODEADM_KUBELET_ARGS`` is a whole word of ExecStart, so systemd splits
   the value into arguments (src/basic/env-util.c, replace_env_argv:
   ``strv_split_full(..., WHITESPACE, EXTRACT_RELAX|EXTRACT_UNQUOTE)``),
   which is ``extract_first_word`` (src/basic/extract-word.c) until the end:
   blanks separate words; ``'`` and ``"`` start a quoted run anywhere in a
   word and are removed, blanks inside it are kept; a backslash outside or
   inside quotes drops itself and keeps the next character; with
   EXTRACT_RELAX a quote still open at the end simply ends the last word,
   which therefore swallows everything after the quote.
4. The kubelet parses argv with pflag (spf13/pflag flag.go, parseArgs):
   ``--`` ends the flags; a word that does not start with ``-`` (or is just
   ``-``) is a positional argument, which the kubelet refuses with
   "unknown command" (cmd/kubelet/app/server.go); ``--name=value`` sets a
   flag; ``--name`` alone is ``true`` for a boolean flag and otherwise takes
   the next word as its value, whatever it is; ``---x`` and ``--=x`` are
   "bad flag syntax"; ``-x`` is a one-letter shorthand.

Every character carries the (item, offset) it came from, so a finding about
any argv word can point at the column of the YAML that wrote it.  The
origins are kept as runs (``Origins``): a run of characters copied from one
item in order costs one entry, not one tuple per character, so a megabyte
of flags costs kilobytes of origins.
"""

from bisect import bisect_right
from functools import lru_cache
from typing import Sequence

# systemd src/basic/string-util.h
WHITESPACE = " \t\n\r"
NEWLINE = "\n\r"
SHELL_NEED_ESCAPE = "\"\\`$"

# pflag flags whose bare form means "true".  Every kubelet flag that maps to a
# boolean KubeletConfiguration field (tests check this against the schema),
# plus the kubelet's own boolean flags (cmd/kubelet/app/options/options.go)
# and --help / --version (component-base verflag: NoOptDefVal "true").
BOOLEAN_FLAGS = frozenset({
    "anonymous-auth", "cgroups-per-qos", "cpu-cfs-quota", "fail-swap-on", "make-iptables-util-chains",
    "protect-kernel-defaults", "register-node", "rotate-certificates", "serialize-image-pulls",
    "authentication-token-webhook", "enable-controller-attach-detach", "enable-debugging-handlers",
    "enable-server", "exit-on-lock-contention", "kernel-memcg-notification", "keep-terminated-pod-volumes",
    "local-storage-capacity-isolation", "rotate-server-certificates", "seccomp-default",
    "help", "version",
})

Origin = tuple[int, int]  # (index of the flag list item, offset of the character in it)

# what the file reader and the word split treat specially (found with `in`: no pattern compiled at start-up)
_SPECIAL_IN_FILE = "\\'\"\n\r"
_SPECIAL_IN_SPLIT = "\\'\""


class Origins(Sequence):
    """The origin of each character of a text, stored as runs.

    Run ``k`` covers characters ``starts[k]`` up to the next run's start;
    character ``i`` in it came from ``(items[k], offsets[k] + i - starts[k])``.
    Reads like a tuple of ``Origin`` (index, slice, iterate, compare).
    """

    __slots__ = ("_starts", "_items", "_offsets", "_length")

    def __init__(self, starts: list[int], items: list[int], offsets: list[int], length: int) -> None:
        self._starts, self._items, self._offsets, self._length = starts, items, offsets, length

    @classmethod
    def of(cls, origins: "Sequence[Origin]") -> "Origins":
        """Origins as runs, from any sequence of (item, offset) pairs."""
        if isinstance(origins, Origins):
            return origins
        builder = OriginsBuilder()
        for origin in origins:
            builder.append(origin)
        return builder.build()

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step != 1:
                return tuple(self)[index]
            return self._slice(start, max(start, stop))
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("origin index out of range")
        run = bisect_right(self._starts, index) - 1
        return self._items[run], self._offsets[run] + index - self._starts[run]

    def _slice(self, start: int, stop: int) -> "Origins":
        if start >= stop:
            return Origins([], [], [], 0)
        first = bisect_right(self._starts, start) - 1
        last = bisect_right(self._starts, stop - 1, first)
        if last == first + 1:  # inside one run: a word of one flag item, the usual case
            return Origins([0], [self._items[first]], [self._offsets[first] + start - self._starts[first]],
                           stop - start)
        starts = [max(s, start) - start for s in self._starts[first:last]]
        offsets = [o + max(0, start - s) for s, o in zip(self._starts[first:last], self._offsets[first:last])]
        return Origins(starts, self._items[first:last], offsets, stop - start)

    def __iter__(self):
        bounds = self._starts[1:] + [self._length]
        for start, end, item, offset in zip(self._starts, bounds, self._items, self._offsets):
            for step in range(end - start):
                yield item, offset + step

    def items(self) -> set[int]:
        """The flag list items any character came from."""
        return set(self._items)

    def __eq__(self, other) -> bool:
        if isinstance(other, Origins):
            return (self._length, self._starts, self._items, self._offsets) == \
                (other._length, other._starts, other._items, other._offsets)
        if isinstance(other, (tuple, list)):
            return len(other) == self._length and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Origins({tuple(self)!r})" if self._length <= 20 else f"Origins(<{self._length} characters>)"


class OriginsBuilder:
    """Collects origins character by character, extending the last run when the next one follows it."""

    __slots__ = ("starts", "items", "offsets", "length")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.items: list[int] = []
        self.offsets: list[int] = []
        self.length = 0

    def append(self, origin: Origin) -> None:
        item, offset = origin
        if self.items and self.items[-1] == item and \
                self.offsets[-1] + self.length - self.starts[-1] == offset:
            self.length += 1
            return
        self.starts.append(self.length)
        self.items.append(item)
        self.offsets.append(offset)
        self.length += 1

    def run(self, item: int, offset: int, length: int) -> None:
        """``length`` characters copied in order from ``item``, starting at ``offset``."""
        if length > 0:
            self.append((item, offset))
            self.length += length - 1

    def truncate(self, length: int) -> None:
        while self.starts and self.starts[-1] >= length:
            self.starts.pop(), self.items.pop(), self.offsets.pop()
        self.length = min(self.length, length)

    def build(self) -> Origins:
        return Origins(self.starts, self.items, self.offsets, self.length)


# The records below are plain classes, not NamedTuples: defining a NamedTuple costs a cold check about
# 0.1 ms (its __new__ is compiled from source), and they are only read by attribute.

class Traced:
    """Text whose every character remembers its origin."""

    __slots__ = ("text", "origins")

    def __init__(self, text: str, origins: Sequence[Origin]) -> None:
        self.text = text
        self.origins = origins  # Origins, or any sequence of one origin per character

    def __repr__(self) -> str:
        return f"Traced({self.text!r}, {self.origins!r})"


class Word:
    """One argument of the kubelet's argv."""

    __slots__ = ("text", "origins", "start")

    def __init__(self, text: str, origins: Sequence[Origin], start: Origin) -> None:
        self.text = text
        self.origins = origins  # per character of text (Origins)
        self.start = start      # where the word begins (an empty "" word has no characters)

    @property
    def items(self) -> tuple[int, ...]:
        return tuple(sorted({self.start[0], *Origins.of(self.origins).items()}))

    def __repr__(self) -> str:
        return f"Word({self.text!r}, start={self.start})"


class Arg:
    """What pflag makes of one or two words."""

    __slots__ = ("kind", "words", "name", "value", "value_origins")

    def __init__(self, kind: str, words: tuple[Word, ...], name: str = "", value: str | None = None,
                 value_origins: Sequence[Origin] = ()) -> None:
        # "flag", "positional", "bad-syntax", "needs-value", "after-dashdash", "dashdash"
        self.kind = kind
        self.words = words
        self.name = name
        self.value = value                  # None for a bare boolean flag
        self.value_origins = value_origins  # per character of value (Origins)

    @property
    def start(self) -> Origin:
        return self.words[0].start

    def __repr__(self) -> str:
        return f"Arg({self.kind!r}, {self.name!r}, {self.value!r})"


class Argv:
    """The kubelet's argv and how it came to be."""

    __slots__ = ("environment_value", "words", "args", "unclosed_quote", "truncated_at", "env_file_changes")

    def __init__(self, environment_value: str, words: tuple[Word, ...], args: tuple[Arg, ...],
                 unclosed_quote: Origin | None = None, truncated_at: Origin | None = None,
                 env_file_changes: tuple[Origin, ...] = ()) -> None:
        self.environment_value = environment_value  # NODEADM_KUBELET_ARGS as nodeadm writes it
        self.words = words                          # the kubelet's argv after the binary
        self.args = args                            # pflag's reading of the words
        self.unclosed_quote = unclosed_quote        # a quote systemd's split never saw closed
        self.truncated_at = truncated_at            # a line break that ends the value in the file
        self.env_file_changes = env_file_changes    # backslashes the file reader removed

    def flags(self) -> list[Arg]:
        return [arg for arg in self.args if arg.kind == "flag"]


def kubelet_argv(items: list[str]) -> Argv:
    """The kubelet's argv for the flag list nodeadm writes (its own first, then the user's)."""
    return _argv(tuple(items))


@lru_cache(maxsize=8)
def _argv(items: tuple[str, ...]) -> Argv:
    """One computation per flag list: the linter, the renderer and explain ask for the same one."""
    joined = _join(list(items))
    value, truncated, removed = read_environment_value(joined)
    words, unclosed = split_words(value)
    return Argv(joined.text, tuple(words), tuple(parse_args(words)), unclosed, truncated, tuple(removed))


def _join(items: list[str]) -> Traced:
    """strings.Join(flags, " "): a joining space belongs to the item after it (its offset -1)."""
    origins = OriginsBuilder()
    for index, item in enumerate(items):
        if index:
            origins.run(index, -1, len(item) + 1)
        else:
            origins.run(index, 0, len(item))
    return Traced(" ".join(items), origins.build())


def read_environment_value(raw: Traced) -> tuple[Traced, Origin | None, list[Origin]]:
    """What systemd's EnvironmentFile reader keeps of ``NODEADM_KUBELET_ARGS=<raw>``.

    Mirrors parse_env_file_internal from state PRE_VALUE (systemd
    src/basic/env-file.c).  Returns the value, the origin of a line break that
    ends the assignment early (what follows would be read as other lines),
    and the origins of the backslashes the reader dropped.
    """
    raw = Traced(raw.text, Origins.of(raw.origins))
    if not _holds_any(raw.text, _SPECIAL_IN_FILE):  # nothing but blank trimming applies
        start = len(raw.text) - len(raw.text.lstrip(WHITESPACE))
        end = len(raw.text.rstrip(WHITESPACE))
        return Traced(raw.text[start:end], raw.origins[start:end]), None, []
    out: list[str] = []
    origins = OriginsBuilder()
    removed: list[Origin] = []
    state = "PRE_VALUE"
    last_whitespace: int | None = None  # where trailing blanks of an unquoted run start
    truncated: Origin | None = None
    backslash: Origin = (0, 0)
    for char, origin in zip(raw.text, raw.origins):
        if state in ("PRE_VALUE", "VALUE") and char in NEWLINE:
            truncated = origin
            break
        if state == "PRE_VALUE":
            if char == "'":
                state = "SINGLE"
            elif char == '"':
                state = "DOUBLE"
            elif char == "\\":
                state, last_whitespace = "VALUE_ESCAPE", None
                removed.append(origin)
            elif char not in WHITESPACE:
                state = "VALUE"
                out.append(char)
                origins.append(origin)
        elif state == "VALUE":
            if char == "\\":
                state, last_whitespace = "VALUE_ESCAPE", None
                removed.append(origin)
            else:
                if char not in WHITESPACE:
                    last_whitespace = None
                elif last_whitespace is None:
                    last_whitespace = len(out)
                out.append(char)
                origins.append(origin)
        elif state == "VALUE_ESCAPE":
            state = "VALUE"
            if char not in NEWLINE:  # an escaped line break is eaten whole
                out.append(char)
                origins.append(origin)
        elif state == "SINGLE":
            if char == "'":
                state = "PRE_VALUE"
            else:
                out.append(char)
                origins.append(origin)
        elif state == "DOUBLE":
            if char == '"':
                state = "PRE_VALUE"
            elif char == "\\":
                state, backslash = "DOUBLE_ESCAPE", origin
            else:
                out.append(char)
                origins.append(origin)
        elif state == "DOUBLE_ESCAPE":
            state = "DOUBLE"
            if char in SHELL_NEED_ESCAPE:
                removed.append(backslash)
                out.append(char)
                origins.append(origin)
            elif char == "\n":  # a continuation line: both are eaten
                removed.append(backslash)
            else:  # any other character keeps its backslash, as a shell does
                out.extend(("\\", char))
                origins.append(backslash)
                origins.append(origin)
    if state == "VALUE" and last_whitespace is not None:
        del out[last_whitespace:]
        origins.truncate(last_whitespace)
    return Traced("".join(out), origins.build()), truncated, removed


def split_words(value: Traced) -> tuple[list[Word], Origin | None]:
    """systemd's strv_split_full(value, WHITESPACE, EXTRACT_RELAX|EXTRACT_UNQUOTE).

    extract_first_word (src/basic/extract-word.c) repeated: returns the words
    and the origin of a quote left open at the end, if any.
    """
    words: list[Word] = []
    text, origins = value.text, Origins.of(value.origins)
    if not _holds_any(text, _SPECIAL_IN_SPLIT):  # no quotes or backslashes: words are the blank-free runs
        start = 0
        for run in text.replace("\t", " ").replace("\n", " ").replace("\r", " ").split(" "):
            if run:
                words.append(Word(run, origins[start:start + len(run)], origins[start]))
            start += len(run) + 1
        return words, None
    position, length = 0, len(text)
    unclosed: Origin | None = None
    while True:
        while position < length and text[position] in WHITESPACE:
            position += 1
        if position >= length:
            break
        start = origins[position]
        chars: list[str] = []
        char_origins = OriginsBuilder()
        quote = ""
        quote_origin: Origin | None = None
        while position < length:
            char = text[position]
            if char == "\\":
                position += 1
                if position < length:  # EXTRACT_RELAX: a trailing backslash ends the word, dropped
                    chars.append(text[position])
                    char_origins.append(origins[position])
                    position += 1
                continue
            if quote:
                if char == quote:
                    quote = ""
                else:
                    chars.append(char)
                    char_origins.append(origins[position])
                position += 1
                continue
            if char in "'\"":
                quote, quote_origin = char, origins[position]
                position += 1
                continue
            if char in WHITESPACE:
                break
            chars.append(char)
            char_origins.append(origins[position])
            position += 1
        if quote:
            unclosed = quote_origin
        words.append(Word("".join(chars), char_origins.build(), start))
    return words, unclosed


def parse_args(words: list[Word]) -> list[Arg]:
    """pflag's FlagSet.Parse over the kubelet's argv (spf13/pflag flag.go parseArgs)."""
    args: list[Arg] = []
    index = 0
    while index < len(words):
        word = words[index]
        text = word.text
        index += 1
        if text == "--":
            args.append(Arg("dashdash", (word,)))
            args.extend(Arg("after-dashdash", (rest,)) for rest in words[index:])
            break
        if len(text) < 2 or text[0] != "-":
            args.append(Arg("positional", (word,)))
            continue
        if text.startswith("--"):
            name, equals, value = text[2:].partition("=")
        else:
            name, equals, value = _shorthand(text[1:])
        if not _valid_name(name):
            args.append(Arg("bad-syntax", (word,), name=name))
            continue
        name = normalized(name)
        value_start = len(text) - len(value)
        if equals:
            args.append(Arg("flag", (word,), name, value, word.origins[value_start:]))
        elif name in BOOLEAN_FLAGS:
            args.append(Arg("flag", (word,), name, None))
        elif index < len(words):
            following = words[index]
            index += 1
            args.append(Arg("flag", (word, following), name, following.text, following.origins))
        elif name in VALUE_FLAGS:
            args.append(Arg("needs-value", (word,), name))
        else:
            args.append(Arg("flag", (word,), name, None))
    return args


def _shorthand(body: str) -> tuple[str, str, str]:
    """(flag name, "=" or "", value) of ``-v=4``, ``-v4`` or ``-v`` (pflag parseSingleShortArg).

    The kubelet's only shorthands are -v (klog's --v: pflag gives a one-letter
    Go flag its letter) and -h (--help); any other letter is pflag's "unknown
    shorthand flag", returned here as an invalid name.
    """
    letter, rest = body[:1], body[1:]
    if letter not in SHORTHANDS:
        return "-" + body, "", ""  # not a valid name
    name = SHORTHANDS[letter]
    if rest.startswith("="):
        return name, "=", rest[1:]
    if rest and name != "help":
        return name, "=", rest
    return name, "", ""


SHORTHANDS = {"v": "v", "h": "help"}


def normalized(name: str) -> str:
    """The kubelet's flag set normalises '_' to '-' (component-base cli/flag WordSepNormalizeFunc)."""
    return name.replace("_", "-")


def _valid_name(name: str) -> bool:
    """pflag: '---x' and '--=x' are bad syntax; a name of other characters is no kubelet flag.

    A name is word characters (regex \\w: str.isalnum, or '_'), '.' and '-', not starting with '-'.
    """
    if not name or name[0] == "-":
        return False
    rest = name.replace("_", "").replace(".", "").replace("-", "")
    return not rest or rest.isalnum()


def _holds_any(text: str, characters: str) -> bool:
    return any(character in text for character in characters)


# Flags that take a value (a bare one at the end is pflag's "flag needs an
# argument"): those the rules look into, and nodeadm's own.
VALUE_FLAGS = frozenset({
    "node-labels", "register-with-taints", "feature-gates", "cloud-provider", "config", "config-dir",
    "hostname-override", "image-credential-provider-bin-dir", "image-credential-provider-config",
    "kubeconfig", "bootstrap-kubeconfig", "node-ip", "runtime-cgroups", "max-pods", "v",
})
