"""Which files `nodecfg check` lints, and which of them together.

nodeadm itself reads one directory, /etc/eks/nodeadm.d, merging its files
in name order (nodeadm internal/configprovider).  A linter's user who runs
``nodecfg check DIR`` in CI or pre-commit means "every configuration below
DIR, each on its own", so that is what a directory means to ``check``:
files below it (hidden directories skipped) with a suffix in
``LINTED_SUFFIXES`` whose *content* is a NodeConfig, user data or a
manifest/template holding user data are each linted alone.  Drop-in
semantics stay available explicitly: ``--dropins DIR``, or a directory
named ``nodeadm.d`` (given, or found below DIR), is one merged unit.  A file
holding several user data (a Helm output with two EC2NodeClasses) is linted
once per user data.
"""
from __future__ import annotations

import os

from nodecfg.parse.files import path_text

LINTED_SUFFIXES = (".yaml", ".yml", ".json", ".mime", ".txt")
DROPIN_DIRECTORY = "nodeadm.d"
MAX_FILES = 10000
_SNIFF_BYTES = 1 << 20

DIRECTORY_HELP = """\
A directory SOURCE means every file below it (*.yaml, *.yml, *.json, *.mime,
*.txt, recognised by content; others are skipped), each linted on its own. A
directory named nodeadm.d, or one given with --dropins DIR, is a nodeadm
drop-in directory instead: its *.yaml/*.yml/*.json files are merged in name
order after the other SOURCEs, as nodeadm merges /etc/eks/nodeadm.d."""

Group = tuple[list[str], "int | None"]


def plan_groups(sources: list[str], dropins: list[str], *, each: bool) -> list[Group]:
    """(sources linted together, which user data of a container file) for every lint run."""
    merged: list[str] = []
    alone: list[str] = []
    for source in sources:
        path = source.removeprefix("file://")
        if source != "-" and os.path.isdir(path) and os.path.basename(path_text(path)) != DROPIN_DIRECTORY:
            alone.extend(_walk(path_text(path)))
        else:
            merged.append(source)
    groups: list[list[str]] = []
    if each:
        groups = [[source] for source in merged]
        if dropins:
            groups.append(list(dropins))
    elif merged or dropins:
        groups = [merged + list(dropins)]
    groups += [[source] for source in alone]
    return [planned for group in groups for planned in _per_unit(group)]


def _walk(directory: str) -> list[str]:
    """Config files below ``directory`` (a ``path_text``), named as pathlib joins them: regular files only
    (a FIFO is never opened), links out of the tree kept without being read, so that the loader reports
    them (nodecfg/parse/files.py)."""
    from nodecfg.parse.files import Refused, check_contained, is_regular

    found: list[str] = []
    for root, directories, files in os.walk(directory):
        directories[:] = sorted(d for d in directories if not d.startswith("."))
        if os.path.basename(root) == DROPIN_DIRECTORY and root != directory:
            found.append(path_text(root))
            directories[:] = []
            continue
        for name in sorted(files):
            if not name.lower().endswith(LINTED_SUFFIXES):
                continue
            path = path_text(os.path.join(root, name))
            try:
                check_contained(path)
            except Refused:
                found.append(path)
                continue
            if is_regular(path) and _recognised(path):
                found.append(path)
            if len(found) >= MAX_FILES:
                return found
    return found


def _read(path: str) -> bytes | None:
    from nodecfg.parse.files import read_source

    try:
        return read_source(path, _SNIFF_BYTES)
    except OSError:
        return None


def _recognised(path: str) -> bool:
    from nodecfg.parse.containers.reading import recognised

    data = _read(path)
    return data is not None and recognised(data, path)


def _per_unit(group: list[str]) -> list[Group]:
    """A lone container file with several user data becomes one run per user data."""
    from nodecfg.parse.files import is_regular

    if len(group) != 1 or group[0] == "-" or not is_regular(group[0].removeprefix("file://")):
        return [(group, None)]
    from nodecfg.parse.containers import maybe_container

    data = _read(group[0].removeprefix("file://"))
    if data is None or not maybe_container(data):  # only a container file holds several user data
        return [(group, None)]
    from nodecfg.parse.containers.reading import unit_count

    count = unit_count(data, group[0])
    if count <= 1:
        return [(group, None)]
    return [(group, index) for index in range(count)]
