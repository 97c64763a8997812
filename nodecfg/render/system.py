"""systemd files nodeadm writes for ``spec.instance`` (internal/system).

* ``environment``: ``default`` becomes DefaultEnvironment= lines in
  etc/systemd/system.conf.d/environment.conf, any other key a service
  drop-in etc/systemd/system/<service>.service.d/environment.conf; variables
  sorted by name, values escaped as nodeadm's escapeSystemdValue does.
* ``network``: run/systemd/resolved.conf.d/40-eks.conf with DNS= and Domains=.
"""
from __future__ import annotations

from typing import Any

from nodecfg.core.codes import NC530, NC531, NC540
from nodecfg.core.diagnostics import Diagnostic, Span
from nodecfg.core.document import join_pointer
from nodecfg.core.locations import pointer_uri
from nodecfg.render import RenderContext, Rendered
from nodecfg.core.lines import describe, line_breaker
from nodecfg.core.lazy_re import LazyPattern

SYSTEM_ENVIRONMENT_PATH = "etc/systemd/system.conf.d/environment.conf"
SERVICE_DROPIN_PATH = "etc/systemd/system/{service}.service.d/environment.conf"
RESOLVED_PATH = "run/systemd/resolved.conf.d/40-eks.conf"
ENVIRONMENT_POINTER = "/spec/instance/environment"

# A unit name nodeadm can join into a path without leaving etc/systemd/system.
_SERVICE_NAME = LazyPattern(r"[A-Za-z0-9:_.@\\-]+")


def render(ctx: RenderContext) -> Rendered:
    result = Rendered()
    from nodecfg.nodeadm.release import INSTANCE_ENVIRONMENT, INSTANCE_NETWORK

    profile = ctx.instance.profile
    instance = _mapping(_mapping(ctx.config.get("spec")).get("instance"))
    if profile.has(INSTANCE_ENVIRONMENT):  # older releases drop the field unread (NC180)
        _render_environment(result, _mapping(instance.get("environment")))
    if profile.has(INSTANCE_NETWORK):
        _render_resolved(result, _mapping(instance.get("network")))
    return result


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# --- environment ----------------------------------------------------------

def _render_environment(result: Rendered, environment: dict[str, Any]) -> None:
    for service in sorted(environment, key=str):
        variables = {str(k): v for k, v in _mapping(environment[service]).items()}
        if not variables:
            continue
        service = str(service)
        pointer = join_pointer(ENVIRONMENT_POINTER, service)
        if service == "default":
            path, text = SYSTEM_ENVIRONMENT_PATH, environment_file("Manager", "DefaultEnvironment", variables)
        elif _is_safe_service_name(service):
            path = SERVICE_DROPIN_PATH.format(service=service)
            text = environment_file("Service", "Environment", variables)
        else:
            result.diagnostics.append(_unsafe_service(service, pointer))
            continue
        result.add(path, text.encode())
        result.origins[f"{path}#"] = f"config:{pointer}"
        result.diagnostics.extend(_quote_warnings(variables, pointer))


# systemd's UNIT_NAME_MAX is 256 with the terminating NUL (src/basic/unit-name.h)
_UNIT_NAME_MAX = 255


def _is_safe_service_name(service: str) -> bool:
    return (bool(_SERVICE_NAME.fullmatch(service)) and service not in (".", "..")
            and len(service) + len(".service") <= _UNIT_NAME_MAX)


def environment_file(section: str, directive: str, variables: dict[str, Any]) -> str:
    lines = [f"[{section}]"]
    lines += [f'{directive}="{name}={escape_systemd_value(_as_text(variables[name]))}"'
              for name in sorted(variables) if _fits_in_directive(name)]
    return "\n".join(lines) + "\n"


def _fits_in_directive(name: str) -> bool:
    """A name nodeadm would paste unescaped must not end the quoted directive or its line.

    Such names are errors (NC308) and systemd would ignore them anyway; writing
    them would let the name add directives or assignments of its own.
    """
    return name.isprintable() and '"' not in name and "\\" not in name


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def escape_systemd_value(value: str) -> str:
    """Go strconv.Quote, '%' doubled, then every leading/trailing '"' trimmed."""
    return go_quote(value).replace("%", "%%").strip('"')


_GO_SHORT_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(value: str) -> str:
    """Go's strconv.Quote for a valid Unicode string."""
    parts = ['"']
    for ch in value:
        if ch in ('"', "\\"):
            parts.append("\\" + ch)
        elif _go_is_print(ch):
            parts.append(ch)
        elif ch in _GO_SHORT_ESCAPES:
            parts.append(_GO_SHORT_ESCAPES[ch])
        else:
            parts.append(_go_hex_escape(ord(ch)))
    parts.append('"')
    return "".join(parts)


def _go_is_print(ch: str) -> bool:
    """unicode.IsPrint: letters, marks, numbers, punctuation, symbols, ASCII space."""
    if " " <= ch <= "~":
        return True  # printable ASCII: the space, or a letter, digit, punctuation or symbol
    import unicodedata  # other text is rare in a rendered value

    return unicodedata.category(ch)[0] in "LMNPS"


def _go_hex_escape(code: int) -> str:
    if code < 0x80:
        return f"\\x{code:02x}"
    if 0xD800 <= code <= 0xDFFF:
        return "\\ufffd"  # Go strings cannot hold a lone surrogate; it decodes as U+FFFD
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _quote_warnings(variables: dict[str, Any], pointer: str) -> list[Diagnostic]:
    return [
        NC531.at(
            Span(pointer_uri(join_pointer(pointer, name))),
            f"the value of {name} ends in '\"': nodeadm's escaping trims the escaped quote and leaves "
            "a dangling backslash, so systemd sees a different value",
            hint="avoid a trailing double quote (add a trailing space or restructure the value)",
        )
        for name in sorted(variables)
        if _as_text(variables[name]).endswith('"')
    ]


def _unsafe_service(service: str, pointer: str) -> Diagnostic:
    return NC530.at(
        Span(pointer_uri(pointer)),
        f"'{service}' is not a systemd unit name; nodeadm would write "
        f"/etc/systemd/system/{service}.service.d/environment.conf",
        hint="use the service name without '.service' and without '/' (e.g. kubelet, containerd)",
    )


# --- resolved -------------------------------------------------------------

def _render_resolved(result: Rendered, network: dict[str, Any]) -> None:
    nameservers = _strings(network.get("nameservers"))
    domains = _strings(network.get("domains"))
    if not nameservers and not domains:
        return
    unsafe = [(field, index, char) for field, values in (("nameservers", nameservers), ("domains", domains))
              for index, value in enumerate(values) for char in [line_breaker(value)] if char]
    if unsafe:
        # nodeadm's template would paste them raw and the file would gain lines
        for field, index, char in unsafe:
            result.diagnostics.append(NC540.at(
                Span(pointer_uri(f"/spec/instance/network/{field}/{index}")),
                f"network.{field}[{index}] holds {describe(char)}: written into {RESOLVED_PATH} it would end "
                "the line and add directives of its own; the file is not written",
                "remove the line break or control character"))
        return
    result.add(RESOLVED_PATH, resolved_conf(nameservers, domains).encode())
    result.origins[f"{RESOLVED_PATH}#"] = "config:/spec/instance/network"


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def resolved_conf(nameservers: list[str], domains: list[str]) -> str:
    """Always three lines: the DNS= or Domains= line stays empty when unset."""
    dns = f"DNS={' '.join(nameservers)}" if nameservers else ""
    search = f"Domains={' '.join(domains)}" if domains else ""
    return f"[Resolve]\n{dns}\n{search}\n"
