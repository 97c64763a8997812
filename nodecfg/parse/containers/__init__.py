"""User data where it lives: the container kinds, one module each in ``kinds/``, and their one registry.

A *container* is a YAML or JSON file that holds user data as one string value:
``spec.userData`` of a Karpenter EC2NodeClass, ``UserData`` of a launch
template, ``user_data`` in Terraform output.  Each module of ``kinds/``
declares how its files are recognised and how they are read:

* ``KIND``, a ``Kind``: the cheap byte sniff every ``check`` runs, the
  container kind ids it makes and their names (NC170 lists them), its
  ``--only-node-config`` group, its phrase in ``check --help`` and its row of
  docs/guide.md's table;
* ``detect(file)``: the structural test on the parsed documents
  (``reading.ContainerFile``); the kinds are asked in ``order``;
* ``read(file)``: the ``reading.Container`` with one ``Unit`` per user data.

This registry is the one list of kinds: the sniff (``maybe_container``), the
reader (reading.py), ``--only-node-config``, ``check --help`` and the guide
read it.  It starts from index.py, which scripts/gen_reference_docs.py writes
from the kind modules (tests/test_container_registry.py fails when it is
stale), so that the look at a plain NodeConfig imports no kind module.  A kind
cannot be registered without a sniff: a file of a kind the sniff misses would
silently read as a NodeConfig.
"""
from __future__ import annotations

import re

SNIFF_BYTES = 65536  # the sniff reads the head of a file only


class Kind:
    """What a kind module declares as its ``KIND``.

    A plain class, not a NamedTuple: it is defined on every `check` (the sniff reads the
    kinds), and a NamedTuple of this many fields takes longer to define than the sniff runs.
    """

    FIELDS = ("names", "group", "noun", "sniff", "help", "doc", "order", "manifest", "module")
    __slots__ = FIELDS

    def __init__(self, *, names: dict[str, str], group: str, noun: str, sniff: bytes, help: str,
                 doc: tuple[str, str, str], order: int = 50, manifest: tuple[str, str] | None = None,
                 module: str = "") -> None:
        self.names = names        # container kind id -> what it is ("Karpenter EC2NodeClass manifest")
        self.group = group        # the --only-node-config kind that selects it ("launch-template")
        self.noun = noun          # its group as `check` names what a directory may hold ("a launch template")
        self.sniff = sniff        # a regex (re.MULTILINE) found in the head of every file of the kind
        self.help = help          # its phrase in `check --help`
        self.doc = doc            # its row in docs/guide.md: the file, the user data read, the mode
        self.order = order        # detection order: the first kind whose detect() holds reads the file
        self.manifest = manifest  # (API group, kind) of a Kubernetes manifest kind
        self.module = module      # the module that declares it (set by the registry)

    def fields(self) -> dict:
        return {name: getattr(self, name) for name in self.FIELDS}

    def replace(self, **changes) -> "Kind":
        return Kind(**{**self.fields(), **changes})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Kind) and self.fields() == other.fields()

    __hash__ = None  # type: ignore[assignment]  # names is a dict

    def __repr__(self) -> str:
        return f"Kind({', '.join(f'{name}={value!r}' for name, value in self.fields().items())})"


class KindError(ValueError):
    """A kind module that does not declare what the registry needs."""


# Any other Kubernetes kind: read, so that NC170 says what the file holds instead of NodeConfig findings.
_OTHER_KIND = rb"^kind:\s*[\"']?(?!NodeConfig)\w|\"kind\"\s*:\s*\"(?!NodeConfig\")"

_kinds: list[Kind] | None = None
_sniff: re.Pattern | None = None
_generation = 0


def registered() -> tuple[Kind, ...]:
    """The registered kinds, in detection order."""
    global _kinds
    if _kinds is None:
        from nodecfg.parse.containers.index import KINDS

        _kinds = [Kind(**fields) for fields in KINDS]
    return tuple(_kinds)


def generation() -> int:
    """Changes whenever a kind is registered or removed (what caches of read files are keyed by)."""
    return _generation


def maybe_container(data: bytes) -> bool:
    """The cheap look at a file's head: whether it may hold user data of a registered kind."""
    global _sniff
    if _sniff is None:
        _sniff = re.compile(b"|".join([*(kind.sniff for kind in registered()), _OTHER_KIND]), re.MULTILINE)
    return _sniff.search(data[:SNIFF_BYTES]) is not None


def declared(module) -> Kind:
    """The ``Kind`` a kind module declares, checked: KindError names what is missing."""
    name = getattr(module, "__name__", repr(module))
    kind = getattr(module, "KIND", None)
    if not isinstance(kind, Kind):
        raise KindError(f"{name} declares no KIND = Kind(...)")
    missing = [what for what in ("detect", "read") if not callable(getattr(module, what, None))]
    if missing:
        raise KindError(f"{name} has no {' and no '.join(missing)} function")
    if not isinstance(kind.sniff, bytes) or not kind.sniff:
        raise KindError(f"{name}: KIND has no sniff; its files would read as a NodeConfig")
    try:  # as one alternative of the registry's sniff (where a leading (?i) would be refused)
        sniff = re.compile(rb"(?!)|" + kind.sniff, re.MULTILINE)
    except re.error as error:
        raise KindError(f"{name}: KIND.sniff is not a regular expression: {error}") from None
    if sniff.search(b"") is not None:
        raise KindError(f"{name}: KIND.sniff matches every file")
    if not kind.names or not kind.group or not kind.noun or not kind.help or len(kind.doc) != 3:
        raise KindError(f"{name}: KIND needs names, group, noun, help and a doc row")
    return kind.replace(module=name)


def register(module) -> Kind:
    """Add the kind a module declares (KindError when it declares too little or takes a known id)."""
    global _kinds
    kind = declared(module)
    known = [k for k in registered() if k.module == kind.module or set(k.names) & set(kind.names)]
    if known:
        raise KindError(f"{kind.module}: {', '.join(kind.names)} is registered already ({known[0].module})")
    _kinds = sorted([*registered(), kind], key=lambda k: (k.order, k.module))
    _changed()
    return kind


def unregister(kind: Kind) -> None:
    global _kinds
    _kinds = [k for k in registered() if k.module != kind.module]
    _changed()


def _changed() -> None:
    global _sniff, _generation
    _sniff = None
    _generation += 1


def titles() -> list[str]:
    """What each container kind id is, in order (NC170 lists them)."""
    return [title for kind in registered() for title in kind.names.values()]


def groups() -> dict[str, tuple[str, ...]]:
    """The --only-node-config kinds of container files: group -> the container kind ids it selects."""
    found: dict[str, tuple[str, ...]] = {}
    for kind in registered():
        found[kind.group] = found.get(kind.group, ()) + tuple(kind.names)
    return found


def nouns() -> list[str]:
    """Each group as `check` names what a directory may hold, in order."""
    return list({kind.group: kind.noun for kind in registered()}.values())


def help_text(width: int = 79) -> str:
    """The paragraph of `check --help` on what a SOURCE may be."""
    phrases = [kind.help for kind in registered()]
    listing = ", ".join(phrases[:-1]) + ", or " + phrases[-1] if len(phrases) > 1 else "".join(phrases)
    text = ("A SOURCE is recognised by its content: a NodeConfig (YAML/JSON), MIME or plain user data "
            f"(maybe base64 and/or gzip), or user data where it lives: {listing}.")
    return _fill(text, width) + "\nFindings point into the containing file."


def _fill(text: str, width: int) -> str:
    """Words on lines of at most width characters (textwrap.fill without breaking words, and its import)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return "\n".join([*lines, line])


def discover() -> list[Kind]:
    """The kinds the modules of kinds/ declare, in order (imports every one: for the generator and tests)."""
    import importlib
    import pkgutil

    package = importlib.import_module(f"{__name__}.kinds")
    found = [declared(importlib.import_module(f"{package.__name__}.{info.name}"))
             for info in pkgutil.iter_modules(package.__path__)]
    return sorted(found, key=lambda kind: (kind.order, kind.module))


def manifest_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(API groups, kinds) of the Kubernetes manifest kinds."""
    manifests = [kind.manifest for kind in registered() if kind.manifest]
    return tuple(m[0] for m in manifests), tuple(m[1] for m in manifests)
