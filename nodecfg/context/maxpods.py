"""maxPods and kubeReserved, as nodeadm computes them for the kubelet config.

Facts from nodeadm (internal/kubelet/eni_max_pods.go, config.go):

* standard maxPods = ENIs on the default network card * (IPv4 per ENI - 1) + 2;
* an empty ``maxPodsExpression`` means the standard value; a failing one
  falls back to it (nodeadm logs a warning and carries on);
* an instance type nodeadm cannot describe gets the kubelet's default, 110,
  and the expression is not evaluated at all;
* kubeReserved is computed from that value even when the user's
  ``kubelet.config.maxPods`` overrides maxPods at the kubelet.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from nodecfg.context.instance_table import InstanceTypeInfo, lookup

if TYPE_CHECKING:  # `max-pods --all` imports none of them
    from nodecfg.context.instance import Instance
    from nodecfg.core.diagnostics import Diagnostic, Span

KUBELET_DEFAULT_MAX_PODS = 110
EPHEMERAL_STORAGE_RESERVED = "1Gi"
# (upper bound of the range in millicores, share reserved in 1/10000ths); the
# last range is open-ended
CPU_RESERVATION_RANGES = ((1000, 600), (2000, 100), (4000, 50), (None, 25))


class MaxPods(NamedTuple):
    value: int
    standard: int
    source: str  # "table" | "expression" | "fallback-unknown-type"
    expression_error: str | None = None
    default_enis: int | None = None
    ips_per_eni: int | None = None
    expression_note: str | None = None  # e.g. a double result nodeadm truncated


def standard_max_pods(default_enis: int, ips_per_eni: int) -> int:
    return default_enis * (ips_per_eni - 1) + 2


def compute_max_pods(instance: Instance, expression: str | None,
                     extra_table: dict[str, InstanceTypeInfo] | None = None) -> MaxPods:
    """The maxPods nodeadm writes for instance, with how it was reached."""
    info = lookup(instance.instance_type, extra_table)
    if instance.release:  # an older release's table holds other types (nodecfg/nodeadm/release.py)
        from nodecfg.nodeadm.release import in_release_table, retired_max_pods

        retired = retired_max_pods(instance.release, instance.instance_type)
        if info is None and retired is not None:
            return MaxPods(retired, retired, "table")
        given = bool(extra_table) and instance.instance_type in extra_table  # EC2's answer, as --instance-table
        if info is not None and not given and not in_release_table(instance.release, instance.instance_type):
            info = None  # the release's nodeadm does not know the type: it asks EC2, like any unknown type
    if info is None:
        return MaxPods(KUBELET_DEFAULT_MAX_PODS, KUBELET_DEFAULT_MAX_PODS, "fallback-unknown-type")
    return max_pods_for(info.default_enis, info.ips_per_eni, expression)


def max_pods_for(default_enis: int, ips_per_eni: int, expression: str | None) -> MaxPods:
    standard = standard_max_pods(default_enis, ips_per_eni)
    if not expression:
        return MaxPods(standard, standard, "table", None, default_enis, ips_per_eni)
    from nodecfg.context import cel as cel_eval  # only configurations with an expression pay for it

    outcome = cel_eval.evaluate(expression, default_enis, ips_per_eni, standard)
    if outcome.value is None:
        return MaxPods(standard, standard, "table", outcome.error, default_enis, ips_per_eni)
    return MaxPods(outcome.value, standard, "expression", None, default_enis, ips_per_eni, outcome.note)


def evaluate_all(expression: str, pairs: dict[str, tuple[int, int]] | None = None) -> dict[str, int | str]:
    """type -> maxPods or the error string, for every type in pairs (default: the packaged table).

    Types sharing (default_enis, ips_per_eni) share one evaluation: the whole
    table has under fifty distinct pairs.
    """
    from nodecfg.context import cel as cel_eval

    if pairs is None:
        from nodecfg.context.instance_table import packaged_pairs

        pairs = packaged_pairs()
    by_pair: dict[tuple[int, int], int | str] = {}
    results: dict[str, int | str] = {}
    for name in sorted(pairs):
        pair = pairs[name]
        if pair not in by_pair:
            outcome = cel_eval.evaluate(expression, pair[0], pair[1], standard_max_pods(*pair))
            by_pair[pair] = outcome.value if outcome.value is not None else outcome.error  # type: ignore
        results[name] = by_pair[pair]
    return results


def cpu_millicores_to_reserve(vcpus: int) -> int:
    """6% of the first core, 1% of the second, 0.5% of cores 3-4, 0.25% above."""
    total = vcpus * 1000
    reserved, start = 0, 0
    for end, share in CPU_RESERVATION_RANGES:
        if total <= start:
            break
        upper = total if end is None else min(total, end)
        reserved += (upper - start) * share // 10000  # integer division per range, as nodeadm
        start = end if end is not None else total
    return reserved


def memory_mebibytes_to_reserve(max_pods: int) -> int:
    return 11 * max_pods + 255


def kube_reserved(max_pods: int, vcpus: int) -> dict[str, str]:
    """kubeReserved in nodeadm's key order (Go marshals map keys sorted)."""
    return {
        "cpu": f"{cpu_millicores_to_reserve(vcpus)}m",
        "ephemeral-storage": EPHEMERAL_STORAGE_RESERVED,
        "memory": f"{memory_mebibytes_to_reserve(max_pods)}Mi",
    }


def beyond_limits(span: Span, reason: str) -> Diagnostic:
    """NC312: an expression nodecfg refused for its own limits (cel_eval.LimitRefusal).

    nodeadm has no such limit (eni_max_pods.go runs cel-go unbounded), so
    the node evaluates the expression: its maxPods is unknown, not the
    standard fallback.
    """
    from nodecfg.core.codes import NC312

    return NC312.at(span,
                      f"maxPodsExpression cannot be evaluated offline within the limits ({reason}); "
                      "the node's maxPods is unknown: nodeadm sets no cost or time limit and evaluates it on the node",
                      "simplify the expression (plain arithmetic on default_enis, ips_per_eni and max_pods), "
                      "or set spec.kubelet.config.maxPods")
