"""``[tool.nodecfg]`` settings: which findings are reported and at which severity.

    [tool.nodecfg]
    select = ["NC1", "NC2", "NC4"]   # codes, code prefixes or rule names; default: everything
    extend-select = []               # added to select
    ignore = ["NC306", "cidr-host-bits"]   # never reported
    strict = false                   # true: warnings fail the check, like --strict
    release = "v20250715"            # the AMI release nodes run (docs/releases.md), like --release
    [tool.nodecfg.severity]
    NC142 = "error"                  # error | warning | info
    [tool.nodecfg.per-file-ignores]
    "tests/fixtures/*.yaml" = ["NC201"]    # fnmatch patterns, relative to the settings file

Discovery: ``--config FILE`` (a pyproject.toml, or any TOML file with the
table as ``[tool.nodecfg]`` or at its top level); otherwise the nearest
``pyproject.toml`` at or above the working directory that has a
``[tool.nodecfg]`` table, looking no higher than the repository root (the
first directory with a ``.git`` entry, as ruff stops there): a file planted
above the checkout never applies.  ``check --show-settings`` says which file
was used.  A settings file is read only when it is a regular file of at
most ``MAX_SETTINGS_BYTES``, and its TOML may nest ``MAX_TOML_DEPTH`` levels.  Command-line ``--select`` replaces ``select``,
``--extend-select`` adds to it, ``--ignore`` adds to ``ignore`` (ruff's
meanings).  An unknown code or name is a usage error.  Blocking findings
(nodeadm stops on them; ``nodecfg.core.codes``) cannot be ignored or re-levelled:
naming one is a usage error, and a prefix never drops one.
"""

import errno
import os
import re
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, NamedTuple

from nodecfg.core.diagnostics import Diagnostic, Severity
from nodecfg.core.lazy_re import LazyPattern

if TYPE_CHECKING:  # pathlib is imported only when a settings file is found
    from pathlib import Path

SEVERITY_NAMES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}
KNOWN_KEYS = {"select", "extend-select", "ignore", "severity", "strict", "per-file-ignores", "release"}
MAX_SETTINGS_BYTES = 1 << 20
# tomllib recurses once or twice per array or inline-table level; pyproject.toml files nest a few levels
MAX_TOML_DEPTH = 100


class ConfigError(Exception):
    """The settings are not usable; the message names the file and key."""


class Settings(NamedTuple):
    select: tuple[str, ...] = ()       # code prefixes; empty: everything
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = {}  # the default is shared: read, never written
    strict: bool = False
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    path: "Path | None" = None         # the file the settings came from (a pathlib.Path)
    release: str = ""                  # the AMI release ("" none; --release wins)

    def enabled(self, code: str, uri: str = "") -> bool:
        return self._enabled(code, self.ignored_in(uri) if uri else ())

    def _enabled(self, code: str, ignored_here: tuple[str, ...]) -> bool:
        if self.select and not code.startswith(self.select):
            return False
        if self.ignore and code.startswith(self.ignore):
            return False
        return not (ignored_here and code.startswith(ignored_here))

    def ignored_in(self, uri: str) -> tuple[str, ...]:
        """The code prefixes ``per-file-ignores`` drops in the file ``uri``: every pattern tried once."""
        if not self.per_file_ignores:
            return ()
        import fnmatch

        path = _relative(uri, self.path)
        name = os.path.basename(path)
        return tuple(code for pattern, codes in self.per_file_ignores
                     if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(name, pattern)
                     for code in codes)

    def apply(self, diagnostics: Iterable[Diagnostic],
              keep: Callable[[Diagnostic], bool] = lambda d: False) -> list[Diagnostic]:
        """The findings these settings report, re-levelled; ``keep`` ones pass unchanged.

        The per-file-ignores patterns are matched once per file, not once per
        finding: 5,000 patterns and 10,000 findings cost 5,000 matches per file.
        """
        kept = []
        ignored: dict[str, tuple[str, ...]] = {}
        for diagnostic in diagnostics:
            if keep(diagnostic):
                kept.append(diagnostic)
                continue
            path = diagnostic.span.path
            if path and path not in ignored:
                ignored[path] = self.ignored_in(path)
            if self._enabled(diagnostic.code, ignored.get(path, ())):
                level = self.severity.get(diagnostic.code)
                kept.append(diagnostic._replace(severity=level) if level else diagnostic)
        return kept

    def with_overrides(self, select: Iterable[str] | None = None, extend_select: Iterable[str] = (),
                       ignore: Iterable[str] = (), strict: bool = False) -> "Settings":
        """Command-line --select / --extend-select / --ignore / --strict over these settings."""
        where = "command line"
        chosen = _codes(list(select), "--select", where) if select is not None else self.select
        extra = _codes(list(extend_select), "--extend-select", where)
        chosen = chosen + extra if chosen else ()  # an empty select already selects everything
        return self._replace(select=chosen, ignore=self.ignore + _codes(list(ignore), "--ignore", where,
                                                                        removable=True),
                             strict=self.strict or strict)


def _relative(uri: str, settings_path: "Path | None") -> str:
    """``uri`` relative to the settings file's directory, with / separators (what patterns match)."""
    path = uri
    if settings_path is not None:
        try:
            path = os.path.relpath(os.path.abspath(uri), os.path.abspath(settings_path.parent))
        except ValueError:
            pass
    return path.replace(os.sep, "/")


def find_settings_file(start: "str | os.PathLike[str] | None" = None) -> "Path | None":
    """The nearest pyproject.toml at or above start that has a [tool.nodecfg] table, up to the repository root."""
    path = _settings_path(start)
    if path is None:
        return None
    from pathlib import Path

    return Path(path)


def _settings_path(start: "str | os.PathLike[str] | None") -> str | None:
    """find_settings_file's walk, on strings: the file's path, or None."""
    candidate = _resolved(os.getcwd() if start is None else os.fspath(start))
    while True:
        path = os.path.join(candidate, "pyproject.toml")
        if _discovered(path) is not None:
            return path
        if os.path.lexists(os.path.join(candidate, ".git")):
            return None  # the repository root: nothing above the checkout applies to it
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return None
        candidate = parent


def _resolved(directory: str) -> str:
    """``directory`` with its symbolic links resolved (os.path.realpath); a directory inside a
    symbolic-link loop cannot be, and its settings are searched from where it is written (its source
    is unreadable anyway, and the loader reports that, NC140)."""
    resolved = os.path.realpath(directory)
    try:
        os.stat(resolved)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return os.path.abspath(directory)
    return resolved


def load_settings(start: "str | os.PathLike[str] | None" = None,
                  config: str | os.PathLike | None = None) -> Settings:
    """Settings from ``config`` if given, else the discovered pyproject.toml, else the defaults."""
    if config is not None:
        from pathlib import Path

        return settings_from_file(Path(config), explicit=True)
    path = _settings_path(start)
    found = None if path is None else _discovered(path)
    if isinstance(found, ConfigError):
        raise found
    return found or Settings()


# pyproject.toml path -> (its stat signature, its settings, the ConfigError they raise, or None without
# a [tool.nodecfg] table): a library caller compiling a config per instance type reads the file once.
_DISCOVERED: dict[str, tuple[tuple[int, ...], "Settings | ConfigError | None"]] = {}


def _discovered(path: str) -> "Settings | ConfigError | None":
    try:
        stat = os.stat(path)
    except OSError:
        return None
    signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    cached = _DISCOVERED.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    found: Settings | ConfigError | None = None
    try:
        text = _read_settings(path)
    except (OSError, UnicodeDecodeError, ConfigError):
        text = ""  # a discovered pyproject.toml nodecfg cannot read is not nodecfg's
    if "tool.nodecfg" in text:
        try:
            table = _table_of(text, path)
            found = None if table is None else settings_from_table(table, path)
        except ConfigError as error:
            found = error
    _DISCOVERED[path] = (signature, found)
    return found


def settings_from_file(path: "Path", explicit: bool = False) -> Settings:
    try:
        text = _read_settings(path)
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read the settings: {getattr(error, 'strerror', None) or error}") from None
    table = _table_of(text, path, explicit)
    if table is None:
        return Settings(path=path)
    return settings_from_table(table, str(path))


def _read_settings(path: "str | Path") -> str:
    """A settings file's text: a regular file (a FIFO would block), at most MAX_SETTINGS_BYTES."""
    import stat

    with open(path, "rb", buffering=0, opener=lambda p, f: os.open(p, f | os.O_NONBLOCK)) as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise ConfigError(f"{path}: cannot read the settings: not a regular file")
        data = stream.read(MAX_SETTINGS_BYTES + 1)
    if len(data) > MAX_SETTINGS_BYTES:
        raise ConfigError(f"{path}: cannot read the settings: larger than {MAX_SETTINGS_BYTES} bytes")
    return data.decode("utf-8")


def _table_of(text: str, path: "str | Path", explicit: bool = False) -> dict | None:
    import tomllib

    depth = _toml_depth(text)
    if depth > MAX_TOML_DEPTH:
        raise ConfigError(f"{path}: arrays or inline tables nest {depth} levels deep; nodecfg reads at most "
                          f"{MAX_TOML_DEPTH}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except ValueError as error:  # an integer longer than Python converts (4,300 digits)
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    table = data.get("tool", {}).get("nodecfg") if isinstance(data.get("tool"), dict) else None
    if table is None and explicit and os.path.basename(path) != "pyproject.toml":
        table = data  # a nodecfg.toml holds the keys at its top level
    return table


def settings_from_table(table: object, where: str) -> Settings:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.nodecfg] must be a table")
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown [tool.nodecfg] key {unknown[0]!r} "
                          f"(known: {', '.join(sorted(KNOWN_KEYS))})")
    strict = table.get("strict", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"{where}: [tool.nodecfg] strict must be true or false")
    select = _codes(table.get("select", []), "select", where)
    extend = _codes(table.get("extend-select", []), "extend-select", where)
    return Settings(
        select=select + extend if select else (),
        ignore=_codes(table.get("ignore", []), "ignore", where, removable=True),
        severity=_severities(table.get("severity", {}), where),
        strict=strict,
        per_file_ignores=_per_file_ignores(table.get("per-file-ignores", {}), where),
        path=_path(where),
        release=_release(table.get("release", ""), where),
    )


def _path(where: str) -> "Path":
    from pathlib import Path

    return Path(where)


def _release(value: object, where: str) -> str:
    """``release``: a tag nodecfg knows or "latest" (nodecfg/nodeadm/release.py)."""
    from nodecfg.nodeadm.release import ReleaseError, resolve

    if not isinstance(value, str):
        raise ConfigError(f"{where}: [tool.nodecfg] release must be a string such as \"v20250715\"")
    if not value:
        return ""
    try:
        resolve(value)
    except ReleaseError as error:
        raise ConfigError(f"{where}: [tool.nodecfg] release: {error}") from None
    return value


def _codes(value: object, key: str, where: str, removable: bool = False) -> tuple[str, ...]:
    """Code prefixes for ids, prefixes or rule names; unknown ones are a ConfigError."""
    from nodecfg.core.codes import CATALOGUE, lookup

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key} must be a list of codes such as \"NC306\", prefixes such as "
                          "\"NC3\", or rule names such as \"cidr-host-bits\"")
    prefixes = []
    for item in value:
        for text in item.split(","):
            text = text.strip()
            if not text:
                continue
            code = lookup(text)
            if code is not None:
                if removable and code.blocking:
                    raise ConfigError(f"{where}: {key}: {code.id} ({code.name}) cannot be ignored: nodeadm "
                                      "stops on it, so no configuration that has it can be built")
                prefixes.append(code.id)
            elif text.upper().startswith("NC") and any(c.startswith(text.upper()) for c in CATALOGUE):
                prefixes.append(text.upper())
            else:
                raise ConfigError(f"{where}: {key}: {text!r} is not a code, code prefix or rule name "
                                  "(see `nodecfg check --list-rules`)")
    return tuple(prefixes)


def _severities(value: object, where: str) -> dict[str, Severity]:
    from nodecfg.core.codes import lookup

    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [tool.nodecfg.severity] must be a table of CODE = \"error|warning|info\"")
    levels = {}
    for key, name in value.items():
        level = SEVERITY_NAMES.get(str(name).lower())
        code = lookup(str(key))
        if level is None or code is None:
            raise ConfigError(f"{where}: [tool.nodecfg.severity] {key} = {name!r}: "
                              "use a code or rule name and one of error, warning, info")
        if code.blocking and level != code.severity:
            raise ConfigError(f"{where}: [tool.nodecfg.severity] {code.id} cannot be re-levelled: nodeadm stops on it")
        levels[code.id] = level
    return levels


def _per_file_ignores(value: object, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [tool.nodecfg.per-file-ignores] must be a table of \"PATTERN\" = [codes]")
    return tuple((str(pattern), _codes(codes, f"per-file-ignores {pattern!r}", where, removable=True))
                 for pattern, codes in value.items())


_TOML_TOKEN = LazyPattern(r'"""(?:\\.|[^\\])*?"""|\'\'\'.*?\'\'\'|"(?:\\.|[^"\\\n])*"?|\'[^\'\n]*\'?|#[^\n]*|[\[\]{}]',
                         re.DOTALL)


def _toml_depth(text: str) -> int:
    """How deep arrays and inline tables nest, counted before tomllib (which recurses) reads the text.

    Strings and comments are skipped whole, so brackets inside them do not count.
    """
    depth = deepest = 0
    for match in _TOML_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)
    return deepest


def describe(settings: Settings) -> str:
    """What ``check --show-settings`` prints: the file the settings came from, then the settings."""
    source = str(settings.path) if settings.path is not None else "none (nodecfg's defaults)"
    lines = [f"settings file: {source}",
             f"select: {', '.join(settings.select) or 'everything'}",
             f"ignore: {', '.join(settings.ignore) or 'nothing'}",
             f"strict: {'true' if settings.strict else 'false'}",
             "severity: " + (", ".join(f"{code} = {level}" for code, level in sorted(settings.severity.items()))
                             or "the catalogue's")]
    lines += [f"per-file-ignores: {pattern!r} = {', '.join(codes)}" for pattern, codes in settings.per_file_ignores]
    return "\n".join(lines)
