"""maxPods and kubeReserved as nodeadm computes them (internal/kubelet/config.go, eni_max_pods.go)."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nodecfg.context.instance import Instance
from nodecfg.nodeadm.instance_table import InstanceTypeInfo, all_types, lookup
from nodecfg.context.maxpods import (
    MaxPods,
    compute_max_pods,
    cpu_millicores_to_reserve,
    kube_reserved,
    standard_max_pods,
)


@pytest.mark.parametrize("instance_type, expected", [
    ("m5.large", 29),       # 3 ENIs * (10 - 1) + 2
    ("t3.micro", 4),        # 2 * (2 - 1) + 2
    ("t3.medium", 17),      # 3 * (6 - 1) + 2
    ("m5.4xlarge", 234),    # 8 * (30 - 1) + 2
    ("c5.18xlarge", 737),   # 15 * (50 - 1) + 2
    ("r6g.medium", 8),      # 2 * (4 - 1) + 2
])
def test_standard_max_pods_from_the_table(instance_type, expected):
    result = compute_max_pods(Instance(instance_type=instance_type), None)
    assert (result.value, result.standard, result.source) == (expected, expected, "table")
    assert result.expression_error is None


def test_unknown_type_gets_the_kubelet_default_and_ignores_the_expression():
    result = compute_max_pods(Instance(instance_type="m5.lrage"), "max_pods * 2")
    assert result == MaxPods(110, 110, "fallback-unknown-type", None, None, None)


def test_empty_expression_means_standard():
    assert compute_max_pods(Instance(), "").source == "table"


def test_expression_value_is_used():
    result = compute_max_pods(Instance(instance_type="t3.medium"), "max_pods < 15 ? max_pods : 15")
    assert (result.value, result.standard, result.source) == (15, 17, "expression")


def test_failing_expression_falls_back_with_the_reason():
    result = compute_max_pods(Instance(instance_type="t3.medium"), "max_pods / 0")
    assert (result.value, result.source) == (17, "table")
    assert "division by zero" in result.expression_error


def test_user_table_supplies_unknown_types():
    extra = {"zz9.large": InstanceTypeInfo("zz9.large", 4, 11)}
    assert compute_max_pods(Instance(instance_type="zz9.large"), None, extra).value == 42


@pytest.mark.parametrize("vcpus, millicores", [
    (1, 60),    # 6% of 1000
    (2, 70),    # 60 + 1% of 1000
    (3, 75),    # 70 + 0.5% of 1000
    (4, 80),    # 70 + 0.5% of 2000
    (8, 90),    # 80 + 0.25% of 4000
    (96, 310),  # 80 + 0.25% of 92000
])
def test_cpu_reservation(vcpus, millicores):
    assert cpu_millicores_to_reserve(vcpus) == millicores


def test_cpu_reservation_truncates_each_range():
    # 0.25% of 3 * 1000 = 7.5 -> 7 (nodeadm divides per range in integers)
    assert cpu_millicores_to_reserve(7) == 87


def test_kube_reserved_format_and_key_order():
    reserved = kube_reserved(29, 2)
    assert reserved == {"cpu": "70m", "ephemeral-storage": "1Gi", "memory": "574Mi"}
    assert list(reserved) == ["cpu", "ephemeral-storage", "memory"]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(all_types()), st.integers(min_value=1, max_value=448))
def test_kube_reserved_memory_for_every_table_entry(instance_type, vcpus):
    info = lookup(instance_type)
    max_pods = compute_max_pods(Instance(instance_type=instance_type), None).value
    assert max_pods == info.default_enis * (info.ips_per_eni - 1) + 2 == standard_max_pods(info.default_enis, info.ips_per_eni)
    assert kube_reserved(max_pods, vcpus)["memory"] == f"{11 * max_pods + 255}Mi"


def test_kube_reserved_for_the_unknown_type_fallback():
    assert kube_reserved(110, 2)["memory"] == "1465Mi"


# --- the max-pods command ----------------------------------------------------------

def _run_command(capsys, *argv):
    import argparse

    from nodecfg.cli.commands import max_pods

    parser = argparse.ArgumentParser()
    max_pods.add_arguments(parser)
    code = max_pods.run(parser.parse_args(list(argv)))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_command_json_rows_in_the_given_order(capsys):
    import json

    code, out, _ = _run_command(capsys, "-t", "t3.medium", "-t", "m5.large", "--format", "json", "--vcpus", "2")
    rows = json.loads(out)
    assert code == 0
    assert [row["instanceType"] for row in rows] == ["t3.medium", "m5.large"]
    assert rows[1] == {
        "instanceType": "m5.large", "defaultENIs": 3, "ipsPerENI": 10, "standardMaxPods": 29, "maxPods": 29,
        "source": "table", "expressionValue": None, "expressionError": None, "expressionNote": None,
        "vcpus": 2, "vcpusSource": "flag",
        "kubeReserved": {"cpu": "70m", "ephemeral-storage": "1Gi", "memory": "574Mi"},
    }


def test_command_marks_only_types_without_table_figures_as_estimated(capsys):
    code, out, _ = _run_command(capsys, "-t", "mac1.metal", "-t", "u-6tb1.metal")
    rows = [line.split() for line in out.splitlines()[1:3]]
    assert code == 0
    # mac1.metal: 12 vCPUs from the table, 100m; u-6tb1.metal has none there, so the
    # name rule's 448: 80 + 444000*25/10000 = 1190m (nodeadm internal/kubelet/config.go)
    assert [(row[0], row[5], row[6]) for row in rows] == [("mac1.metal", "12", "100m"),
                                                           ("u-6tb1.metal", "448*", "1190m")]
    assert ("* vCPUs estimated from the type name: the instance table has no figure for it "
            "(see docs/max-pods.md); use --vcpus N") in out
    code, out, _ = _run_command(capsys, "-t", "mac1.metal", "--format", "json")
    assert json.loads(out)[0]["vcpusSource"] == "table"
    code, out, _ = _run_command(capsys, "-t", "mac1.metal")
    assert "estimated" not in out


def test_command_exit_1_when_the_expression_falls_back(capsys):
    code, out, _ = _run_command(capsys, "-t", "m5.large", "-t", "t3.micro", "-e", "max_pods - 10")
    assert code == 1
    assert "t3.micro: expression falls back to the standard value: result -6" in out


def test_command_csv_for_all_types_is_sorted(capsys):
    code, out, _ = _run_command(capsys, "--all", "--format", "csv")
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("instanceType,defaultENIs,ipsPerENI")
    names = [line.split(",")[0] for line in lines[1:]]
    assert names == sorted(names) and len(names) == len(all_types())


@pytest.mark.parametrize("argv, fragment", [
    ((), "--instance-type TYPE"),
    (("-t", "m5.lrage"), "did you mean m5.large?"),
    (("-t", "m5.large", "--vcpus", "0"), "--vcpus must be a positive integer"),
    (("-t", "m5.large", "--instance-table", "/nonexistent/table.jsonl"), "cannot read instance table"),
])
def test_command_usage_errors(capsys, argv, fragment):
    code, _, err = _run_command(capsys, *argv)
    assert code == 2 and fragment in err


def test_command_user_table_adds_types(capsys, tmp_path):
    table = tmp_path / "extra.jsonl"
    table.write_text('{"instanceType":"zz9.large","defaultMaxENIs":4,"ipv4AddressesPerInterface":11}\n')
    code, out, _ = _run_command(capsys, "-t", "zz9.large", "--instance-table", str(table), "--format", "csv")
    assert code == 0 and out.splitlines()[1].startswith("zz9.large,4,11,42,42,table")


def test_an_expression_over_the_packaged_table_is_evaluated_once_per_expression(monkeypatch):
    # compile() for many instance types asks the maxPodsExpression rule the same question each time
    # (issue 24): the table's fewer than fifty distinct (ENIs, IPs) pairs are evaluated the first time only
    from nodecfg.context import cel
    from nodecfg.context.maxpods import failures_of

    calls = []  # the figures evaluated
    evaluate_each = cel.evaluate_each
    monkeypatch.setattr(cel, "evaluate_each", lambda expression, figures: calls.extend(figures) or
                        evaluate_each(expression, figures))
    expression = "max_pods > 7 * 11 ? 77 : max_pods - 2"  # no other test asks this one
    first, total = failures_of(expression)
    evaluated = len(calls)
    assert 0 < evaluated < 50 and total == len(all_types()) and len(set(calls)) == evaluated
    failures, again_total = failures_of(expression)
    assert len(calls) == evaluated and (failures, again_total) == (first, total)
    failures["m5.large"] = "changed by the caller"
    assert failures_of(expression)[0] == first  # each caller gets its own dict
    assert not first  # the expression gives an int on every type: no failures


# Expressions that give an int everywhere, fail on some types, fail everywhere (a result out of range, a
# compile error, a type error), one refused for nodecfg's limits, and one only cel-python evaluates.
EXPRESSIONS = [
    "default_enis * (ips_per_eni - 1) + 2",
    "max_pods - 10",
    "max_pods > 100 ? 100 : max_pods / (default_enis - 2)",
    "ips_per_eni % 4 == 0 ? max_pods : 0 - max_pods",
    "max_pods +",
    "0.9 * max_pods",
    "1" + " + 1" * 3000,
    "int(max_pods / 2.0)",
]


@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_every_packaged_type_evaluated_on_its_own_gives_the_same_answers(expression):
    """The packaged table's types grouped by figures and evaluated once per group: as each type evaluated alone."""
    from nodecfg.context import cel
    from nodecfg.context.maxpods import evaluate_all, failures_of

    alone = {}
    for name in all_types():
        info = lookup(name)
        outcome = cel.evaluate(expression, info.default_enis, info.ips_per_eni,
                               standard_max_pods(info.default_enis, info.ips_per_eni))
        alone[name] = outcome.value if outcome.value is not None else outcome.error
    failing = {name: result for name, result in alone.items() if isinstance(result, str)}
    assert list(evaluate_all(expression).items()) == list(alone.items())  # sorted by type, as before
    failures, total = failures_of(expression)
    assert list(failures.items()) == list(failing.items()) and total == len(alone) == len(all_types())
    # a user's table: the pairs given, in any order
    mixed = {name: (lookup(name).default_enis, lookup(name).ips_per_eni) for name in reversed(all_types()[::7])}
    mixed["zz9.odd"] = (1, 1)
    given = evaluate_all(expression, mixed)
    assert list(given) == sorted(mixed) and all(given[name] == alone[name] for name in mixed if name in alone)
    assert failures_of(expression, mixed) == ({n: r for n, r in given.items() if isinstance(r, str)}, len(mixed))


def test_an_expression_is_checked_once_for_many_figures():
    from nodecfg.context import cel

    figures = [(3, 10, 29), (2, 2, 4), (1, 1, 2)]
    for expression in EXPRESSIONS:
        assert cel.evaluate_each(expression, figures) == [cel.evaluate(expression, *each) for each in figures]
