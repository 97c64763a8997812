"""maxPodsExpression across the instance table (NC404, NC405)."""
from __future__ import annotations

from lint_helpers import diagnostics, findings, nodeconfig
from nodecfg.nodeadm.instance_table import InstanceTypeInfo


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


# --- NC402 is retired: NC405 names the instance type checked, NC404 is the only finding of a compile error ---


def _instance(name: str):
    from nodecfg.context.instance import instance_from_mapping

    return instance_from_mapping({"instanceType": name})


def test_the_instance_type_checked_is_named_when_the_expression_fails_on_it():
    # m5.large: 3 ENIs of 10 addresses, so default_enis - 3 is 0 and the standard maxPods is 3 * (10 - 1) + 2 = 29
    found = [d for d in diagnostics(expression("'max_pods / (default_enis - 3)'"), instance=_instance("m5.large"))
             if d.code.startswith("NC40")]
    assert [(d.code, d.span.line, d.span.col, str(d.severity)) for d in found] == [("NC405", 11, 24, "warning")]
    assert "(on m5.large, the instance type checked, maxPods 29): " in found[0].message


def test_the_instance_type_checked_is_not_named_when_the_expression_works_there():
    # m5.xlarge has 4 ENIs: the expression gives 58 / 1 there
    found = [d for d in diagnostics(expression("'max_pods / (default_enis - 3)'"), instance=_instance("m5.xlarge"))
             if d.code == "NC405"]
    assert len(found) == 1 and "instance type checked" not in found[0].message


def test_a_compile_error_is_one_finding_on_the_command_line(tmp_path):
    """check renders too: the renderer's fallback used to add NC402 beside NC404 for the same cause."""
    import subprocess
    import sys

    source = tmp_path / "n.yaml"
    source.write_text(expression('"max_pods +"'))
    done = subprocess.run([sys.executable, "-m", "nodecfg", "check", "--format", "json", str(source)],
                          capture_output=True, text=True, env={"NODECFG_NO_CACHE": "1", "PATH": "/usr/bin:/bin"})
    import json

    found = [(d["code"], d["line"], d["severity"]) for d in json.loads(done.stdout) if d["code"].startswith("NC40")]
    assert found == [("NC404", 11, "error")]


def test_nc402_is_retired_but_still_a_known_code():
    from nodecfg.cli.commands.check import list_rules
    from nodecfg.core.codes import CATALOGUE, lookup

    assert CATALOGUE["NC402"].retired and lookup("max-pods-expression-fallback") is CATALOGUE["NC402"]
    line = next(line for line in list_rules().splitlines() if line.startswith("NC402"))
    assert "(retired: never reported)" in line
