"""maxPods and kubeReserved, as nodeadm computes them for the kubelet config.

Facts from nodeadm (internal/kubelet/eni_max_pods.go, config.go):

* standard maxPods = ENIs on the default network card * (IPv4 per ENI - 1) + 2;
  for a type missing from the packaged table, nodeadm before v20251007
  (6826d213) took EC2's ``NetworkInfo.MaximumNetworkInterfaces`` instead,
  the ENIs of every network card (internal/util/ec2.go GetEniInfoForInstanceType);
* an empty ``maxPodsExpression`` means the standard value; a failing one
  falls back to it (nodeadm logs a warning and carries on);
* an instance type nodeadm cannot describe gets the kubelet's default, 110,
  and the expression is not evaluated at all;
* kubeReserved is computed from that value even when the user's
  ``kubelet.config.maxPods`` overrides maxPods at the kubelet.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, NamedTuple

from nodecfg.nodeadm.instance_table import InstanceTypeInfo, lookup

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
    every_card: bool = False  # default_enis counts every network card's ENIs (EC2's figures, before v20251007)


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
    enis, every_card = counted_enis(info, instance)
    if every_card:  # EC2's answer as nodeadm before v20251007 read it; no release before has an expression
        standard = standard_max_pods(enis, info.ips_per_eni)
        return MaxPods(standard, standard, "table", None, enis, info.ips_per_eni, every_card=True)
    return max_pods_for(info.default_enis, info.ips_per_eni, expression)


def counted_enis(info: InstanceTypeInfo, instance: Instance) -> tuple[int, bool]:
    """(the ENIs nodeadm multiplies for these figures, whether they are every network card's).

    The default network card's, unless the figures are EC2's answer with its
    instance-wide count (``max_enis``) for a type the release's packaged
    table lacks, on a release before v20251007 (nodecfg/nodeadm/release.py
    EC2_DEFAULT_CARD_ENIS; internal/util/ec2.go GetEniInfoForInstanceType).
    """
    if info.max_enis is None:
        return info.default_enis, False
    from nodecfg.nodeadm.release import EC2_DEFAULT_CARD_ENIS

    if instance.profile.has(EC2_DEFAULT_CARD_ENIS) or _in_packaged_table(instance):
        return info.default_enis, False
    return info.max_enis, True


def _in_packaged_table(instance: Instance) -> bool:
    """Whether the packaged table of the instance's release holds its type (nodeadm then asks no EC2)."""
    from nodecfg.nodeadm.release import in_release_table, retired_max_pods

    name, release = instance.instance_type, instance.release or None
    if lookup(name) is None:  # not in nodecfg's table: in the release's only as a type later removed
        return retired_max_pods(release, name) is not None
    return in_release_table(release, name)


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
    """type -> maxPods or the error string, for every type in pairs (default: the packaged table), sorted.

    Types sharing (default_enis, ips_per_eni) share one evaluation: the whole
    table has under fifty distinct pairs.
    """
    if pairs is None:
        from nodecfg.nodeadm.instance_table import packaged_pairs

        pairs = packaged_pairs()
    names = sorted(pairs)
    by_pair = _evaluate_pairs(expression, [pairs[name] for name in names])
    return {name: by_pair[pairs[name]] for name in names}


def failures_of(expression: str, pairs: dict[str, tuple[int, int]] | None = None) -> tuple[dict[str, str], int]:
    """The types where the expression fails (type -> error, sorted) and how many types were evaluated."""
    if pairs is None:
        failures, total = _packaged_failures(expression)
        return dict(failures), total
    results = evaluate_all(expression, pairs)
    return {name: result for name, result in results.items() if isinstance(result, str)}, len(results)


# compile() for many instance types, or the language server re-checking a file, asks the same
# question of the packaged table each time: it is answered once per expression
@functools.lru_cache(maxsize=16)
def _packaged_failures(expression: str) -> tuple[dict[str, str], int]:
    from nodecfg.nodeadm.instance_table import packaged_groups

    groups = packaged_groups()  # the types of each pair, the types in order: what evaluate_all would walk
    by_pair = _evaluate_pairs(expression, list(groups))
    failing = sorted((name, result) for pair, result in by_pair.items() if isinstance(result, str)
                     for name in groups[pair])
    return dict(failing), sum(map(len, groups.values()))


def _evaluate_pairs(expression: str, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], int | str]:
    """(default_enis, ips_per_eni) -> maxPods or the error string, each distinct pair evaluated once, in order."""
    from nodecfg.context import cel as cel_eval

    distinct = list(dict.fromkeys(pairs))
    outcomes = cel_eval.evaluate_each(expression, [(enis, ips, standard_max_pods(enis, ips)) for enis, ips in distinct])
    return {pair: outcome.value if outcome.value is not None else outcome.error  # type: ignore[misc]
            for pair, outcome in zip(distinct, outcomes)}


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


# amazon-eks-ami's max-pods calculator (templates/al2/runtime/max-pods-calculator.sh at v20240807):
# with VPC CNI prefix delegation each secondary address slot holds a /28 prefix of 16 addresses, and
# the recommended maxPods is capped at 110 up to 30 vCPUs, 250 above.
IPS_PER_PREFIX = 16
CEILING_LOW_CPU, CEILING_HIGH_CPU, HIGH_CPU_ABOVE = 110, 250, 30


def prefix_delegation_max_pods(default_enis: int, ips_per_eni: int, vcpus: int | None) -> int:
    """The calculator's maxPods with prefix delegation on: ENIs * ((IPs - 1) * 16) + 2, capped by vCPUs."""
    addressable = default_enis * ((ips_per_eni - 1) * IPS_PER_PREFIX) + 2
    ceiling = CEILING_HIGH_CPU if vcpus is not None and vcpus > HIGH_CPU_ABOVE else CEILING_LOW_CPU
    return min(addressable, ceiling)


def above_eni_limit(user_max_pods: object, computed: MaxPods, instance: Instance, span: Span) -> Diagnostic | None:
    """NC403 when kubelet.config.maxPods exceeds the pods the given instance type's ENIs can address.

    Only for a type the context names and a table knows: the standard figure
    is the VPC CNI's secondary-IP limit (nodeadm eni_max_pods.go, the same
    formula as the calculator without prefix delegation).
    """
    if (not isinstance(user_max_pods, int) or isinstance(user_max_pods, bool) or computed.default_enis is None
            or computed.ips_per_eni is None or "instanceType" in instance.defaulted
            or user_max_pods <= computed.standard):
        return None
    from nodecfg.core.codes import NC403

    enis, ips = computed.default_enis, computed.ips_per_eni
    delegated = prefix_delegation_max_pods(enis, ips, instance.vcpus)
    message = (f"maxPods {user_max_pods} is above the {computed.standard} pods the VPC CNI can give "
               f"{instance.instance_type} an address ({enis} ENIs * ({ips} IPv4 addresses - 1) + 2): "
               "the pods past it stay in ContainerCreating without an IP")
    if user_max_pods <= delegated:
        hint = (f"with VPC CNI prefix delegation (ENABLE_PREFIX_DELEGATION=true, a Nitro type) each address is "
                f"a /28 prefix: the max-pods calculator allows {delegated} here; without it, lower maxPods to "
                f"{computed.standard}")
    else:
        hint = (f"even with VPC CNI prefix delegation the max-pods calculator allows {delegated} here "
                f"({enis} * (({ips} - 1) * 16) + 2, capped at {CEILING_LOW_CPU} up to {HIGH_CPU_ABOVE} vCPUs, "
                f"{CEILING_HIGH_CPU} above); lower maxPods")
    return NC403.at(span, message, hint)


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
