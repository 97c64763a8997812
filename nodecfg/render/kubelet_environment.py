"""etc/eks/kubelet/environment: the kubelet unit's EnvironmentFile.

internal/kubelet/environment.go writes ``KEY=VALUE`` lines joined by a
newline, with no trailing newline and no quoting, from a Go map (nodecfg
sorts the keys).  NODEADM_KUBELET_ARGS holds the command line (see flags.py);
KUBELET_CONFIG_DROPIN_DIR_ALPHA=on is added when the drop-in directory is in
use and the kubelet is older than 1.30 (an unknown version counts as older,
as semver.Compare does for nodeadm).
"""
from __future__ import annotations

from nodecfg.core.versions import at_least
from nodecfg.render import Rendered, RenderContext
from nodecfg.render.flags import kubelet_flags
from nodecfg.render.kubelet import merged_into_config, user_kubelet_config
from nodecfg.nodeadm.release import DROPIN_ALPHA_BEFORE_130
from nodecfg.core.lines import line_breaker

ENVIRONMENT_PATH = "etc/eks/kubelet/environment"
ARGS_VARIABLE = "NODEADM_KUBELET_ARGS"
DROPIN_ALPHA_VARIABLE = "KUBELET_CONFIG_DROPIN_DIR_ALPHA"

def environment_variables(ctx: RenderContext) -> dict[str, str]:
    flags = kubelet_flags(ctx.config, ctx.instance)
    variables = {ARGS_VARIABLE: " ".join(flag.text for flag in flags)}
    if user_kubelet_config(ctx.config) and not merged_into_config(ctx.config, ctx.instance) and (
            not at_least(ctx.instance.kubelet_version, "v1.30.0")
            or not ctx.instance.profile.has(DROPIN_ALPHA_BEFORE_130)):  # every kubelet before v20260209
        variables[DROPIN_ALPHA_VARIABLE] = "on"
    return dict(sorted(variables.items()))


def render(ctx: RenderContext) -> Rendered:
    out = Rendered()
    flags = kubelet_flags(ctx.config, ctx.instance)
    if any(line_breaker(flag.text) for flag in flags):
        # validate/semantics.py (NC406) and context/instance.py (NC092) refuse these before rendering
        raise ValueError("a kubelet flag with a line break reached the renderer")
    variables = environment_variables(ctx)
    text = "\n".join(f"{key}={value}" for key, value in variables.items())
    out.add(ENVIRONMENT_PATH, text.encode())
    for flag in flags:
        if flag.name:
            # later occurrences overwrite: the origin is the one the kubelet honours
            out.origins[f"{ENVIRONMENT_PATH}#--{flag.name}"] = flag.origin
    if DROPIN_ALPHA_VARIABLE in variables:
        out.origins[f"{ENVIRONMENT_PATH}#{DROPIN_ALPHA_VARIABLE}"] = "instance:kubeletVersion"
    return out
