"""etc/containerd/config.toml and the SOCI snapshotter files.

Follows nodeadm ``internal/containerd`` (config.go, runtime_config*.go,
sandbox_image.go): the default config for the containerd major version
(schema v2 for 1.x, v3 for 2.x), the user's ``containerd.config`` deep-merged
over it.  Without a user config nodeadm writes its template's text as is
(``template_text``); with one it writes the merge in go-toml v2 layout
(``tomlwrite``), and on containerd 2.x with a schema v2 config the output of
``containerd config migrate`` (``containerd_migrate``).  The text matches the
nodeadm commit named in nodecfg/core/reference.py.
"""
from __future__ import annotations

import re
from typing import Any

from nodecfg.core.codes import NC501, NC502, NC503, NC504
from nodecfg.core.diagnostics import Diagnostic, Edit, Span
from nodecfg.core.document import join_pointer
from nodecfg.core.locations import pointer_uri
from nodecfg.context.instance import Instance
from nodecfg.merge.toml import deep_merge, parse_toml
from nodecfg.encode.gotoml import dumps
from nodecfg.render import RenderContext, Rendered
from nodecfg.render.containerd_migrate import V2_CRI, V3_IMAGES, V3_RUNTIME, migrate_v2_to_v3, migrated_text, v3_spelling
from nodecfg.render.kubelet import use_soci

CONFIG_PATH = "etc/containerd/config.toml"
SOCI_CONFIG_PATH = "etc/soci-snapshotter-grpc/config.toml"
SOCI_DROPIN_PATH = "etc/systemd/system/containerd.service.d/10-soci-snapshotter.conf"
CONFIG_POINTER = "/spec/containerd/config"

RUNC = ("runc", "/usr/sbin/runc")
NVIDIA = ("nvidia", "/usr/bin/nvidia-container-runtime")
BASE_RUNTIME_SPEC_FILE = "/etc/containerd/base-runtime-spec.json"
SOCI_SOCKET = "/run/soci-snapshotter-grpc/soci-snapshotter-grpc.sock"
SOCI_ROOT = "/var/lib/soci-snapshotter-grpc"
CDI_KUBELET_VERSION = (1, 32, 0)

# nodeadm's whole test for "this is a v3 config": a substring search.
V3_MARKERS = (V3_IMAGES, V3_RUNTIME)


# --- facts taken from the instance and the config -------------------------

def _three_numbers(text: str) -> list[str] | None:
    """The numbers of a text that is nothing but ``N.N.N`` in ASCII digits (as instance files write
    versions), else None.  Either pattern below then matches the whole text: no need to compile it."""
    parts = text.split(".")
    return parts if len(parts) == 3 and all(part.isascii() and part.isdigit() for part in parts) else None


def is_containerd_2(version: str) -> bool:
    """nodeadm extracts the first ``N.N.N`` of the version and tests ``2.``."""
    plain = _three_numbers(version or "")
    if plain is not None:
        return plain[0] == "2"
    match = re.search(r"[0-9]+\.[0-9]+.[0-9]+", version or "")
    return bool(match) and match.group(0).startswith("2.")


def cdi_enabled(kubelet_version: str) -> bool:
    from nodecfg.core.versions import parse_version

    text = kubelet_version or ""
    if _three_numbers(text.removeprefix("v")) is not None:
        found = text
    else:
        match = re.search(r"v?([0-9]+)\.([0-9]+)\.([0-9]+)", text)
        found = match.group(0) if match else None
    version = parse_version(found) if found else None  # bounded digits: int() stops at 4300
    return version is not None and tuple(version) >= CDI_KUBELET_VERSION


def cdi_setting(instance: Instance) -> bool | None:
    """enable_cdi as the release writes it; None: the release's template has no such line."""
    from nodecfg.nodeadm.release import CDI

    return cdi_enabled(instance.kubelet_version) if instance.profile.has(CDI) else None


def runtime_for(instance: Instance) -> tuple[str, str]:
    """nodeadm switches to nvidia when /usr/bin/nvidia-container-runtime exists (by instance family before v20250501)."""
    from nodecfg.nodeadm.release import NVIDIA_RUNTIME_BY_BINARY

    profile = instance.profile
    if not profile.has(NVIDIA_RUNTIME_BY_BINARY):
        return NVIDIA if instance.instance_type.split(".", 1)[0] in profile.nvidia_families else RUNC
    return NVIDIA if instance.accelerator == "nvidia" else RUNC


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


# --- the default config, as data ------------------------------------------

def _runtime_table(binary: str) -> dict[str, Any]:
    return {
        "runtime_type": "io.containerd.runc.v2",
        "base_runtime_spec": BASE_RUNTIME_SPEC_FILE,
        "options": {"BinaryName": binary, "SystemdCgroup": True},
    }


def _image_pull_settings(soci: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {"discard_unpacked_layers": True}
    if soci:
        settings.update(snapshotter="soci", disable_snapshot_annotations=False)
    return settings


def _common(version: int) -> dict[str, Any]:
    return {
        "version": version,
        "root": "/var/lib/containerd",
        "state": "/run/containerd",
        "grpc": {"address": "/run/containerd/containerd.sock"},
    }


def _soci_proxy_plugin() -> dict[str, Any]:
    return {"soci": {"type": "snapshot", "address": SOCI_SOCKET, "exports": {"root": SOCI_ROOT}}}


REGISTRY = {"config_path": "/etc/containerd/certs.d:/etc/docker/certs.d"}
CNI = {"bin_dir": "/opt/cni/bin", "conf_dir": "/etc/cni/net.d"}


def default_config_v2(runtime: tuple[str, str], sandbox: str, cdi: bool | None, soci: bool) -> dict[str, Any]:
    name, binary = runtime
    containerd = {"default_runtime_name": name, **_image_pull_settings(soci), "runtimes": {name: _runtime_table(binary)}}
    cri = {
        "sandbox_image": sandbox,
        "enable_cdi": cdi,
        "containerd": containerd,
        "registry": dict(REGISTRY),
        "cni": dict(CNI),
    }
    if cdi is None:  # releases before v20250317
        del cri["enable_cdi"]
    config = _common(2) | {"plugins": {V2_CRI: cri}}
    if soci:
        config["proxy_plugins"] = _soci_proxy_plugin()
    return config


def default_config_v3(runtime: tuple[str, str], sandbox: str, cdi: bool, soci: bool) -> dict[str, Any]:
    name, binary = runtime
    images = {**_image_pull_settings(soci), "pinned_images": {"sandbox": sandbox}, "registry": dict(REGISTRY)}
    runtime_plugin = {
        "enable_cdi": cdi,
        "containerd": {"default_runtime_name": name, "runtimes": {name: _runtime_table(binary)}},
        "cni": dict(CNI),
    }
    config = _common(3) | {"plugins": {V3_IMAGES: images, V3_RUNTIME: runtime_plugin}}
    if soci:
        config["proxy_plugins"] = _soci_proxy_plugin()
    return config


# --- the default config, as the text nodeadm's templates print ---------------
#
# nodeadm fills config.template.toml (schema v2) or config2.template.toml
# (schema v3) with text/template and, when no user config is given, writes
# the result unchanged: sections in the template's order, double-quoted
# strings, and the template's own spelling of each header.

def _basic(text: str) -> str:
    # text/template inserts values between the template's quotes unescaped.
    return f'"{text}"'


def _template_sections(runtime: tuple[str, str], sandbox: str, cdi: bool | None, soci: bool,
                       schema_v3: bool) -> list[tuple[str, list[str]]]:
    name, binary = runtime
    pull = ["discard_unpacked_layers = true"]
    if soci:
        pull += [f"snapshotter = {_basic('soci')}", "disable_snapshot_annotations = false"]
    runtime_keys = [f"runtime_type = {_basic('io.containerd.runc.v2')}",
                    f"base_runtime_spec = {_basic(BASE_RUNTIME_SPEC_FILE)}"]
    options = [f"BinaryName = {_basic(binary)}", "SystemdCgroup = true"]
    registry = [f"config_path = {_basic(REGISTRY['config_path'])}"]
    cni = [f"bin_dir = {_basic(CNI['bin_dir'])}", f"conf_dir = {_basic(CNI['conf_dir'])}"]
    common = [("", [f"version = {3 if schema_v3 else 2}", f"root = {_basic('/var/lib/containerd')}",
                    f"state = {_basic('/run/containerd')}"]),
              ("[grpc]", [f"address = {_basic('/run/containerd/containerd.sock')}"])]
    if not schema_v3:
        cri = f'plugins."{V2_CRI}"'
        return common + [
            (f"[{cri}.containerd]", [f"default_runtime_name = {_basic(name)}"] + pull),
            (f"[{cri}]", [f"sandbox_image = {_basic(sandbox)}"]
             + ([f"enable_cdi = {str(cdi).lower()}"] if cdi is not None else [])),
            (f"[{cri}.registry]", registry),
            (f"[{cri}.containerd.runtimes.{name}]", runtime_keys),
            (f"[{cri}.containerd.runtimes.{name}.options]", options),
            (f"[{cri}.cni]", cni),
        ]
    images, runtime_plugin = f"plugins.'{V3_IMAGES}'", f"plugins.'{V3_RUNTIME}'"
    return common + [
        (f"[{images}]", pull),
        (f"[{images}.pinned_images]", [f"sandbox = {_basic(sandbox)}"]),
        (f'[plugins."{V3_IMAGES}".registry]', registry),
        (f"[{runtime_plugin}]", [f"enable_cdi = {str(cdi).lower()}"]),
        (f"[{runtime_plugin}.containerd]", [f"default_runtime_name = {_basic(name)}"]),
        (f"[{runtime_plugin}.containerd.runtimes.{name}]", runtime_keys),
        (f"[{runtime_plugin}.containerd.runtimes.{name}.options]", options),
        (f"[{runtime_plugin}.cni]", cni),
    ]


def template_text(runtime: tuple[str, str], sandbox: str, cdi: bool | None, soci: bool, schema_v3: bool,
                  soci_block: bool = True) -> str:
    """The text nodeadm's template prints (no user containerd.config).

    ``soci_block``: the template has the SOCI block (v20250813 on), which leaves a blank line after
    the last section when SOCI is off; the templates before end with that section's newline.
    """
    blocks = ["\n".join(([header] if header else []) + lines)
              for header, lines in _template_sections(runtime, sandbox, cdi, soci, schema_v3)]
    text = "\n\n".join(blocks) + ("\n\n" if soci_block else "\n")
    if soci:
        # The template's closing ``{{- end}}`` eats the newline after the last line.
        proxy = [f"[proxy_plugins.soci]\ntype = {_basic('snapshot')}\naddress = {_basic(SOCI_SOCKET)}",
                 f"[proxy_plugins.soci.exports]\nroot = {_basic(SOCI_ROOT)}"]
        text += "\n" + "\n\n".join(proxy)
    return text


# --- the user's config ----------------------------------------------------

def _config_span(text: str, line: int = 1, col: int = 1) -> Span:
    return Span(pointer_uri(CONFIG_POINTER), line, col)


def span_of_substring(text: str, needle: str) -> Span:
    """Where needle first appears in the user's containerd config text (the config itself when it does not).

    A pointer span (line and column inside the TOML) that pipeline.localise maps to the YAML; the containerd
    rules (linter/rules/containerd.py) report there too.
    """
    index = text.find(needle)
    if index < 0:
        return _config_span(text)
    before = text[:index]
    line = before.count("\n") + 1
    return _config_span(text, line, index - (before.rfind("\n") + 1) + 1)


def _span_of_key(text: str, key: str) -> Span:
    match = re.search(rf"(?m)^\s*{re.escape(key)}\s*=", text)
    if not match:
        return _config_span(text)
    return span_of_substring(text, match.group(0).strip())


def _leaf_paths(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if not isinstance(data, dict) or not data:
        return [prefix]
    paths: list[tuple[str, ...]] = []
    for key, value in data.items():
        paths.extend(_leaf_paths(value, prefix + (key,)))
    return paths


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else f'"{part}"' for part in path)


def _check_v1(text: str, user: dict[str, Any], version: str) -> list[Diagnostic]:
    marker = next((m for m in V3_MARKERS if m in text), None)
    if marker:
        return [NC502.at(
            span_of_substring(text, marker),
            f"containerd {version} (1.x) does not understand the schema v3 plugin '{marker}'; "
            "nodeadm refuses this config and stops (\"failed to get config template version\")",
            hint=f"spell it the v2 way under [plugins.\"{V2_CRI}\"], or set containerdVersion to 2.x",
        )]
    if user.get("version") == 3:
        return [NC502.at(
            _span_of_key(text, "version"),
            f"'version = 3' overrides nodeadm's 'version = 2', and containerd {version} (1.x) "
            "refuses to start with config version 3",
            hint="remove the version key (nodeadm writes version = 2 for containerd 1.x)",
        )]
    return []


def _migration_hint(user: dict[str, Any]) -> str:
    moves = []
    for path in _leaf_paths(user):
        target = v3_spelling(path)
        if target != path:
            moves.append(f"{_dotted(path)} -> {_dotted(target) if target else '(dropped)'}")
    if not moves and _get(user, "plugins", V2_CRI) is None:
        return ""  # no CRI settings here: a v3 CRI section would only be noise (NC505 checks the rest)
    if not moves:
        return "add 'version = 3' style sections (io.containerd.cri.v1.*) to keep nodeadm's v3 template"
    return "v3 spelling: " + "; ".join(moves)


def _v3_headers(text: str) -> tuple[Edit, ...]:
    """NC503's fix: each ``[plugins."io.containerd.grpc.v1.cri"...]`` table header spelt the v3 way.

    Only where every key of a table moves to one v3 table under its own name, so a
    header rewrite is the whole migration (render/containerd_migrate.v3_spelling);
    an empty v2 table's line is removed.  Edits are in the config's own lines
    (``pointer:`` spans, mapped to the file's by pipeline.localise); none if a
    table would have to be split or a dotted key moved.
    """
    lines = text.split("\n")
    edits: list[Edit] = []
    header, header_line, keys = None, 0, []

    def flush() -> bool:
        if header is None or header[:2] != ("plugins", V2_CRI):
            return True
        targets = [v3_spelling((*header, key)) for key in keys]
        if not keys:
            edits.append(Edit(_config_span(text, header_line, 1)._replace(end_line=header_line + 1, end_col=1), ""))
            return True
        if None in targets or len({t[:-1] for t in targets}) != 1 or any(t[-1] != k for t, k in zip(targets, keys)):
            return False  # keys of this table move to different places
        raw = lines[header_line - 1]
        lead = len(raw) - len(raw.lstrip())
        edits.append(Edit(_config_span(text, header_line, lead + 1)._replace(end_line=header_line,
                                                                              end_col=len(raw) + 1),
                          _toml_header(targets[0][:-1])))
        return True

    for number, raw in enumerate(lines, 1):
        content = raw.strip()
        if content.startswith("[") and not content.startswith("[["):
            if not flush():
                return ()
            header, header_line, keys = _toml_path(content.strip("[]")), number, []
        elif "=" in content and not content.startswith("#"):
            key = content.split("=", 1)[0].strip()
            if "." in key.strip('"'):
                return ()  # dotted keys are not rewritten
            keys.append(key.strip('"'))
    return tuple(edits) if flush() else ()


def _toml_path(text: str) -> tuple[str, ...]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([^.\s]+)', text)
    return tuple(a or b or c for a, b, c in parts)


def _toml_header(path: tuple[str, ...]) -> str:
    return "[" + ".".join(p if re.fullmatch(r"[A-Za-z0-9_-]+", p) else f'"{p}"' for p in path) + "]"


def _check_v2(text: str, user: dict[str, Any], version: str) -> list[Diagnostic]:
    if not any(m in text for m in V3_MARKERS):
        return [NC503.at(
            _config_span(text),
            f"containerd.config names no io.containerd.cri.v1.* plugin, so on containerd {version} "
            "nodeadm renders the schema v2 defaults, merges this config and runs "
            "'containerd config migrate' (which also writes every containerd default)",
            hint=_migration_hint(user), edits=_v3_headers(text),
        )]
    diagnostics = []
    stale = [p for p in _leaf_paths(_get(user, "plugins", V2_CRI) or {}, ("plugins", V2_CRI))
             if v3_spelling(p) != p and len(p) > 2]
    if stale:
        moves = "; ".join(f"{_dotted(p)} -> {_dotted(v3_spelling(p)) if v3_spelling(p) else '(dropped)'}"
                          for p in stale)
        diagnostics.append(NC504.at(
            span_of_substring(text, V2_CRI),
            f"schema v2 keys under '{V2_CRI}' sit next to v3 plugins; nodeadm keeps the v3 template "
            "and does not migrate them, so containerd 2.x ignores them",
            hint=f"v3 spelling: {moves}",
        ))
    if user.get("version") == 2:
        diagnostics.append(NC504.at(
            _span_of_key(text, "version"),
            "'version = 2' overrides nodeadm's 'version = 3' in a config that uses v3 plugins",
            hint="remove the version key or set 'version = 3'",
        ))
    return diagnostics


# --- rendering ------------------------------------------------------------

def render(ctx: RenderContext) -> Rendered:
    result = Rendered()
    instance = ctx.instance
    text = _get(ctx.config, "spec", "containerd", "config")
    text = text if isinstance(text, str) else ""
    containerd_2 = is_containerd_2(instance.containerd_version)
    names_v3 = any(marker in text for marker in V3_MARKERS)
    from nodecfg.nodeadm.release import CONTAINERD_SCHEMA_CHECK

    profile = instance.profile
    checks = profile.has(CONTAINERD_SCHEMA_CHECK)  # before v20250807: any user config is merged as it is
    template_v3 = profile.containerd_template_v3(containerd_2)

    user, error = parse_toml(text) if text else ({}, None)
    if error is not None:
        line, col, message = error
        result.diagnostics.append(NC501.at(
            _config_span(text, line, col), f"containerd.config is not valid TOML: {message}"))
    elif text and checks:
        check = _check_v2 if containerd_2 else _check_v1
        result.diagnostics.extend(check(text, user, instance.containerd_version))

    # Where nodeadm stops with an error, render its defaults alone.
    if error is not None or (checks and names_v3 and not containerd_2):
        user, text = {}, ""
    migrate = checks and containerd_2 and bool(text) and not names_v3
    soci = use_soci(ctx.config, instance)
    merged = _merged_config(ctx.config, instance, user, schema_v3=template_v3 and not migrate)
    if migrate:
        body = _migrated_text(merged)
        merged = migrate_v2_to_v3(merged)
    elif text:  # any non-empty text, even blanks or comments: combineContainerdConfigs re-marshals
        body = dumps(merged)
    else:
        from nodecfg.nodeadm.release import SOCI_SNAPSHOTTER

        body = template_text(runtime_for(instance), instance.sandbox_image, cdi_setting(instance), soci,
                             schema_v3=template_v3, soci_block=profile.has(SOCI_SNAPSHOTTER))
    result.add(CONFIG_PATH, body.encode())
    result.origins.update(_origins(merged, user, template_v3, runtime_for(instance)[0], soci))
    if soci:
        _add_soci_files(result, profile)
    return result


# `config migrate`'s output for each merged config met: compile() for many instance types meets the
# same few (they differ only by the runtime, sandbox image, CDI and SOCI settings of the defaults)
_MIGRATED: dict[str, str] = {}


def _migrated_text(merged: dict[str, Any]) -> str:
    key = repr(merged)  # plain data: equal reprs are equal configs, types and order included
    text = _MIGRATED.get(key)
    if text is None:
        if len(_MIGRATED) >= 32:
            _MIGRATED.clear()
        text = _MIGRATED[key] = migrated_text(merged)
    return text


def _merged_config(config: dict, instance: Instance, user: dict, schema_v3: bool) -> dict[str, Any]:
    builder = default_config_v3 if schema_v3 else default_config_v2
    defaults = builder(runtime_for(instance), instance.sandbox_image, cdi_setting(instance), use_soci(config, instance))
    return deep_merge(defaults, user) if user else defaults


def _origins(merged: dict, user: dict, v3: bool, runtime_name: str, soci: bool) -> dict[str, str]:
    instance_keys = _instance_origins(v3, runtime_name, soci)
    user_paths = set(_leaf_paths(user)) if user else set()
    origins = {}
    for path in _leaf_paths(merged):
        pointer = "".join(join_pointer("", part) for part in path)
        if path in user_paths:
            origin = f"config:{CONFIG_POINTER}"
        else:
            origin = instance_keys.get(path, "default")
        origins[f"{CONFIG_PATH}#{pointer}"] = origin
    return origins


def _instance_origins(v3: bool, runtime_name: str, soci: bool) -> dict[tuple[str, ...], str]:
    images = ("plugins", V3_IMAGES) if v3 else ("plugins", V2_CRI, "containerd")
    runtime = ("plugins", V3_RUNTIME) if v3 else ("plugins", V2_CRI)
    sandbox = ("plugins", V3_IMAGES, "pinned_images", "sandbox") if v3 else ("plugins", V2_CRI, "sandbox_image")
    runtimes = runtime + ("containerd", "runtimes", runtime_name)
    origins = {
        sandbox: "instance:sandboxImage",
        runtime + ("enable_cdi",): "instance:kubeletVersion",
        runtime + ("containerd", "default_runtime_name"): "instance:accelerator",
        runtimes + ("options", "BinaryName"): "instance:accelerator",
    }
    if soci:
        gate = "config:/spec/featureGates/FastImagePull"
        origins[images + ("snapshotter",)] = gate
        origins[images + ("disable_snapshot_annotations",)] = gate
    return origins


# --- SOCI -----------------------------------------------------------------

def soci_snapshotter_text(downloads_per_image: int = 20) -> str:
    """soci-snapshotter-grpc's settings, as the file nodeadm embeds and copies.

    nodeadm writes ``snapshotter/soci-snapshotter.config.toml`` unchanged, so
    the quoting is that file's own: one value double-quoted, the rest literal.
    """
    lines = [
        "debug = false",
        "",
        "[content_store]",
        "type = 'containerd'",
        "",
        "[cri_keychain]",
        "enable_keychain = true",
        "image_service_path = '/run/containerd/containerd.sock'",
        "",
        "[pull_modes.parallel_pull_unpack]",
        "enable = true",
        'concurrent_download_chunk_size = "16mb"',
        "discard_unpacked_layers = true",
        "max_concurrent_downloads = -1",
        f"max_concurrent_downloads_per_image = {downloads_per_image}",
        "max_concurrent_unpacks = -1",
        "max_concurrent_unpacks_per_image = 12",
        "",
        '[pull_modes.parallel_pull_unpack.decompress_streams."gzip"]',
        "path = '/usr/bin/unpigz'",
        "args = ['-d', '-c']",
    ]
    return "\n".join(lines) + "\n"


def soci_unit_dropin() -> str:
    """containerd.service waits for the (Type=notify) soci-snapshotter.service."""
    unit = "soci-snapshotter.service"
    return "\n".join(["[Unit]", f"Requires={unit}", f"After={unit}"]) + "\n"


def _add_soci_files(result: Rendered, profile) -> None:
    from nodecfg.nodeadm.release import SOCI_DEPENDENCY_DROPIN

    gate = f"config:/spec/featureGates/{profile.image_pull_gate}"
    result.add(SOCI_CONFIG_PATH, soci_snapshotter_text(profile.soci_downloads_per_image).encode())
    result.origins[f"{SOCI_CONFIG_PATH}#"] = gate
    if profile.has(SOCI_DEPENDENCY_DROPIN):
        result.add(SOCI_DROPIN_PATH, soci_unit_dropin().encode())
        result.origins[f"{SOCI_DROPIN_PATH}#"] = gate
