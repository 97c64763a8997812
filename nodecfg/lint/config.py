"""``[tool.nodecfg]`` in pyproject.toml: which rules run and at which severity.

    [tool.nodecfg]
    select = ["NC1", "NC2", "NC4"]   # codes or code prefixes; default: everything
    ignore = ["NC306"]               # codes or prefixes never reported
    strict = false                   # true: warnings fail the check, like --strict
    [tool.nodecfg.severity]
    NC142 = "error"                  # error | warning | info

The file is found by walking up from the working directory to the first
pyproject.toml that has a ``[tool.nodecfg]`` table.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..diagnostics import Diagnostic, Severity

SEVERITY_NAMES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}
KNOWN_KEYS = {"select", "ignore", "severity", "strict"}


class ConfigError(Exception):
    """The [tool.nodecfg] table is not usable; the message names the file and key."""


@dataclass(frozen=True)
class Settings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    strict: bool = False
    path: Path | None = None

    def enabled(self, code: str) -> bool:
        if self.select and not code.startswith(self.select):
            return False
        return not (self.ignore and code.startswith(self.ignore))

    def apply(self, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
        kept = []
        for diagnostic in diagnostics:
            if not self.enabled(diagnostic.code):
                continue
            level = self.severity.get(diagnostic.code)
            kept.append(replace(diagnostic, severity=level) if level else diagnostic)
        return kept


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest pyproject.toml at or above start that has a [tool.nodecfg] table."""
    directory = (start or Path.cwd()).resolve()
    for candidate in (directory, *directory.parents):
        path = candidate / "pyproject.toml"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "tool.nodecfg" in text:
            return path
    return None


def load_settings(start: Path | None = None) -> Settings:
    path = find_pyproject(start)
    if path is None:
        return Settings()
    return settings_from_file(path)


def settings_from_file(path: Path) -> Settings:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read [tool.nodecfg]: {error}") from None
    table = data.get("tool", {}).get("nodecfg")
    if table is None:
        return Settings(path=path)
    return settings_from_table(table, str(path))


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
    return Settings(
        select=_codes(table.get("select", []), "select", where),
        ignore=_codes(table.get("ignore", []), "ignore", where),
        severity=_severities(table.get("severity", {}), where),
        strict=strict,
        path=Path(where),
    )


def _codes(value: object, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: [tool.nodecfg] {key} must be a list of codes such as \"NC306\" or \"NC3\"")
    codes = tuple(v.strip().upper() for v in value)
    bad = [c for c in codes if not c.startswith("NC")]
    if bad:
        raise ConfigError(f"{where}: [tool.nodecfg] {key}: {bad[0]!r} is not a code or code prefix (NC...)")
    return codes


def _severities(value: object, where: str) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [tool.nodecfg.severity] must be a table of CODE = \"error|warning|info\"")
    levels = {}
    for code, name in value.items():
        level = SEVERITY_NAMES.get(str(name).lower())
        if level is None or not code.upper().startswith("NC"):
            raise ConfigError(f"{where}: [tool.nodecfg.severity] {code} = {name!r}: "
                              "use a code and one of error, warning, info")
        levels[code.upper()] = level
    return levels
