"""maxPodsExpression across the instance table (NC404, NC405)."""
from __future__ import annotations

from lint_helpers import diagnostics, findings, nodeconfig
from nodecfg.context.instance_table import InstanceTypeInfo


def expression(text: str) -> str:
    return nodeconfig(f"kubelet:\n  maxPodsExpression: {text}\n")  # the value is on line 11


def test_a_good_expression_is_clean():
    assert findings(expression("'default_enis * (ips_per_eni - 1) + 2'"), codes=("NC404", "NC405")) == set()


def test_compile_error_points_inside_a_quoted_string():
    # '    maxPodsExpression: ' is 23 characters: the quote is column 24, the string starts at 25;
    # cel-python reports the dangling '+' (character 3 of 'max_pods +') at column 10 of the expression.
    text = expression('"max_pods +"')
    found = findings(text, codes=("NC404",))
    assert len(found) == 1
    (code, line, col), = found
    assert (code, line) == ("NC404", 11)
    assert 25 <= col <= 25 + len("max_pods +")


def test_compile_error_in_a_plain_scalar_keeps_the_column_of_the_token():
    found = findings(expression("max_pods ) 2"), codes=("NC404",))
    assert found == {("NC404", 11, 24 + len("max_pods "))}  # the ')' after 'max_pods '



def test_type_error_is_a_compile_error_at_the_value():
    # cel-go refuses int + double at compile time; there is no column to point at
    found = findings(expression("'max_pods + 1.5'"), codes=("NC404", "NC405"))
    assert found == {("NC404", 11, 24)}


def test_expression_failing_for_some_types_names_them():
    extra = {"tiny.nano": InstanceTypeInfo("tiny.nano", 1, 1)}
    found = diagnostics(expression("'100 / (ips_per_eni - 1)'"), extra_table=extra)
    codes = [(d.code, d.span.line, d.span.col) for d in found if d.code in ("NC404", "NC405")]
    assert codes == [("NC405", 11, 24)]
    assert "tiny.nano" in next(d.message for d in found if d.code == "NC405")


def test_non_positive_results_are_failures():
    extra = {"tiny.nano": InstanceTypeInfo("tiny.nano", 1, 1)}
    found = findings(expression("'default_enis * (ips_per_eni - 1)'"), codes=("NC405",), extra_table=extra)
    assert found == {("NC405", 11, 24)}


def test_fallback_warning_of_the_render_stage_is_not_repeated():
    extra = {"tiny.nano": InstanceTypeInfo("tiny.nano", 1, 1)}
    from nodecfg.context.instance import instance_from_mapping

    found = findings(expression("'100 / (ips_per_eni - 1)'"), extra_table=extra,
                     instance=instance_from_mapping({"instanceType": "tiny.nano"}))
    assert ("NC405", 11, 24) in found and not any(code == "NC402" for code, _, _ in found)
