"""maxPodsExpression evaluation: nodeadm's conversion and fallback rules, the
limits, and agreement between the fast evaluator and cel-python."""
from __future__ import annotations

import sys

from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nodecfg.context import cel as cel_eval
from nodecfg.context.cel import CelError, compile_fast, evaluate, evaluate_celpy, evaluate_fast
from nodecfg.context.maxpods import evaluate_all
from nodecfg.nodeadm.instance_table import packaged_pairs

INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def test_standard_formula_as_expression_gives_the_formula_for_every_type():
    pairs = packaged_pairs()
    results = evaluate_all("default_enis * (ips_per_eni - 1) + 2")
    assert results == {name: enis * (ips - 1) + 2 for name, (enis, ips) in pairs.items()}


def test_cel_python_path_gives_the_formula_for_every_type():
    # int() is outside the fast subset, so cel-python evaluates this one
    expression = "int(default_enis * (ips_per_eni - 1) + 2)"
    assert compile_fast(expression) is None
    pairs = packaged_pairs()
    assert evaluate_all(expression) == {name: enis * (ips - 1) + 2 for name, (enis, ips) in pairs.items()}


def test_evaluate_all_names_the_types_where_an_expression_fails():
    results = evaluate_all("max_pods - 10", {"t3.micro": (2, 2), "m5.large": (3, 10)})
    assert results["m5.large"] == 19
    assert "result -6" in results["t3.micro"]


# Cases nodeadm's own tests pin down (t3.medium: 3 ENIs, 6 IPs, standard 17).
@pytest.mark.parametrize("expression, enis, ips, standard, expected", [
    ("417", 0, 0, 0, 417),
    ("(default_enis * (ips_per_eni - 1)) + 2", 3, 6, 17, 17),
    ("(default_enis * ((ips_per_eni - 1) * 16)) + 2", 3, 6, 17, 242),
    ("((default_enis * ((ips_per_eni * 16) - 1)) + 2) < 30 ? ((default_enis * ((ips_per_eni * 16) - 1)) + 2) : 30",
     3, 6, 17, 30),
    ("((default_enis - 1) * (ips_per_eni - 1)) + 2", 3, 6, 17, 12),
    ("max_pods < 30 ? max_pods : 30", 0, 0, 35, 30),
    ("max_pods + 2", 999, 9999, 7, 9),
])
def test_valid_expressions(expression, enis, ips, standard, expected):
    assert evaluate(expression, enis, ips, standard) == cel_eval.Outcome(expected, None)


@pytest.mark.parametrize("expression, enis, ips, standard, fragment", [
    ("(default_enis", 3, 6, 17, "syntax error at line 1"),              # compile error
    ("fake_variable", 3, 6, 17, "undeclared reference"),                # unknown variable
    ("99 - fake_variable", 3, 6, 17, "evaluation error"),
    ("max_pods / (default_enis - 3)", 3, 6, 17, "division by zero"),    # runtime error
    ("max_pods % 0", 3, 6, 17, "modulus by zero"),
    ("default_enis * 9223372036854775807", 3, 6, 17, "overflow"),      # int64 overflow
    ('"x"', 3, 6, 17, "cannot be converted to an integer"),            # non-numeric string
    ("true", 3, 6, 17, "type conversion error from 'bool' to 'int'"),
    ("[1, 2]", 3, 6, 17, "type conversion error from 'list' to 'int'"),
    ("default_enis + 1.5", 3, 6, 17, "compile error: found no matching overload for '_+_'"),
    ("0.9 * max_pods", 3, 6, 17, "applied to '(double, int)'"),         # cel-python would say 15.3
    ("max_pods / 2.0", 3, 6, 17, "applied to '(int, double)'"),         # cel-python would say 8
    ("max_pods * 2u", 3, 6, 17, "applied to '(int, uint)'"),
    ("max_pods > 10 ? 10 : 2.5", 3, 6, 17, "'_?_:_' applied to '(bool, int, double)'"),
    ("(1 < 2 < 3) ? 5 : 6", 3, 6, 17, "'_<_' applied to '(bool, int)'"),
    ("-5u", 3, 6, 17, "'-_' applied to '(uint)'"),
    ("max_pods - 17", 3, 6, 17, "result 0 is not a valid maxPods"),
    ("max_pods - 2", 0, 0, 1, "result -1 is not a valid maxPods"),
    ("default_enis * 2", INT32_MAX, 0, 0, "must be between 1 and 2147483647"),
    ("2147483648", 0, 0, 0, "result 2147483648"),
])
def test_expressions_that_fall_back(expression, enis, ips, standard, fragment):
    outcome = evaluate(expression, enis, ips, standard)
    assert outcome.value is None
    assert fragment in outcome.error


def test_upper_bound_is_inclusive():
    assert evaluate("2147483647", 1, 1, 1).value == INT32_MAX


@pytest.mark.parametrize("expression, expected, note", [
    ("1.5", 1, "truncates the double 1.5"),           # nodeadm: ConvertToType(int) truncates doubles
    ("double(max_pods) * 0.9", 15, "the double 15.3"),
    ('"42"', 42, 'parses the string "42"'),            # ... and parses numeric strings
    ("5u", 5, "uint"),
])
def test_results_nodeadm_converts_to_int(expression, expected, note):
    outcome = evaluate(expression, 3, 6, 17)
    assert (outcome.value, outcome.error) == (expected, None)
    assert note in outcome.note


@pytest.mark.parametrize("expression, fragment", [
    ("1 + " * 1100 + "1", "the limit is 4096"),
    ("(" * 33 + "1" + ")" * 33, "nests brackets 33 deep"),
    ("[1].map(a, [1].map(b, [1].map(c, 1))).size()", "3 comprehension macros"),
])
def test_limits_refuse_before_evaluating(expression, fragment):
    outcome = evaluate(expression, 3, 6, 17)
    assert outcome.value is None and fragment in outcome.error


def test_step_budget_stops_a_long_evaluation_the_same_way_every_time():
    items = ",".join(["1"] * 400)
    expression = f"[{items}].map(x, [{items}].map(y, x + y)).size()"
    outcomes = {evaluate(expression, 3, 6, 17) for _ in range(2)}
    assert len(outcomes) == 1
    outcome = outcomes.pop()
    assert outcome.value is None and "needs more than 200,000 steps" in outcome.error


def test_step_budget_leaves_timers_and_trace_hooks_of_the_host_alone():
    import signal
    import threading

    calls = []

    def tracer(frame, event, arg):
        calls.append(event)
        return None

    previous = signal.getsignal(signal.SIGALRM)
    sys.settrace(tracer)
    try:
        assert evaluate("size([1, 2, 3]) + max_pods", 3, 6, 17).value == 20
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(None)
    assert signal.getsignal(signal.SIGALRM) is previous
    result = {}
    worker = threading.Thread(target=lambda: result.update(
        outcome=evaluate(f"[{','.join(['1'] * 400)}].map(x, [{','.join(['1'] * 400)}].map(y, x)).size()", 3, 6, 17)))
    worker.start()
    worker.join(60)
    assert result["outcome"].value is None and "steps" in result["outcome"].error  # off the main thread too


def test_deep_unary_chains_do_not_crash():
    outcome = evaluate("-" * 3000 + "1", 3, 6, 17)
    assert outcome.value is None and outcome.error


def test_fast_path_covers_the_common_forms_without_cel_python():
    for expression in ("max_pods", "default_enis * (ips_per_eni - 1) + 2",
                       "max_pods > 110 ? 110 : max_pods", "!(max_pods >= 30) && true ? 1 : 2"):
        assert compile_fast(expression) is not None, expression
    for expression in ("1.5", "5u", "0x10", "size([1])", "max_pods // comment", "1 < 2 < 3", "max_pods\u00a0+ 1"):
        assert compile_fast(expression) is None, expression


def test_fast_path_follows_cel_semantics():
    variables = {"default_enis": 3, "ips_per_eni": 6, "max_pods": 17}
    assert evaluate_fast(compile_fast("-7 / 2"), variables) == -3         # truncating division
    assert evaluate_fast(compile_fast("-7 % 2"), variables) == -1         # sign of the dividend
    assert evaluate_fast(compile_fast("1 / 0 == 1 && false"), variables) is False  # false absorbs the error
    assert evaluate_fast(compile_fast("true ? 1 : 1 / 0"), variables) == 1
    with pytest.raises(CelError):
        evaluate_fast(compile_fast("1 / 0 == 1 || false"), variables)


# --- the fast evaluator agrees with cel-python ------------------------------------

ARITHMETIC, ORDERING, EQUALITY, LOGICAL = ["+", "-", "*", "/", "%"], ["<", "<=", ">", ">="], ["==", "!="], ["&&", "||"]
leaves = st.one_of(
    st.integers(0, 40).map(lambda n: ("int", str(n))),
    st.sampled_from([0, 1, 2**31 - 1, 2**32, INT64_MAX]).map(lambda n: ("int", str(n))),
    st.sampled_from(["default_enis", "ips_per_eni", "max_pods"]).map(lambda n: ("int", n)),
    st.sampled_from(["true", "false"]).map(lambda b: ("bool", b)),
)


def _binary_ok(parts) -> bool:
    (left_type, _), operator, (right_type, _), _ = parts
    if operator in ARITHMETIC or operator in ORDERING:
        return left_type == right_type == "int"
    if operator in EQUALITY:
        return left_type == right_type
    return left_type == right_type == "bool"


def _render_binary(parts):
    (left_type, left), operator, (_, right), parenthesised = parts
    result_type = "int" if operator in ARITHMETIC else "bool"
    text = f"{left} {operator} {right}"
    return result_type, f"({text})" if parenthesised else text


def _extend(children):
    binary = st.tuples(children, st.sampled_from(ARITHMETIC + ORDERING + EQUALITY + LOGICAL), children,
                       st.booleans()).filter(_binary_ok).map(_render_binary)
    unary = children.map(lambda c: (c[0], ("-" if c[0] == "int" else "!") + c[1]))
    ternary = st.tuples(children, children, children).filter(
        lambda t: t[0][0] == "bool" and t[1][0] == t[2][0]).map(
        lambda t: (t[1][0], f"({t[0][1]} ? {t[1][1]} : {t[2][1]})"))
    return st.one_of(binary, unary, ternary)


expressions = st.recursive(leaves, _extend, max_leaves=12)
variable_values = st.one_of(st.integers(0, 60), st.integers(-(2**63), INT64_MAX))


# the recursive strategy's repr is large; hypothesis warns about building it
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(expressions, variable_values, variable_values, variable_values)
def test_fast_evaluator_agrees_with_cel_python(typed_expression, enis, ips, max_pods):
    expression = typed_expression[1]
    tree = compile_fast(expression)
    assume(tree is not None)  # re-parsing without parentheses can make it ill-typed
    variables = {"default_enis": enis, "ips_per_eni": ips, "max_pods": max_pods}
    try:
        fast, fast_error = evaluate_fast(tree, variables), None
    except CelError as error:
        fast, fast_error = None, error
    reference, reference_error = evaluate_celpy(expression, variables)
    assert (fast_error is None) == (reference_error is None), (expression, fast_error, reference_error)
    if fast_error is None:
        assert isinstance(fast, bool) == (type(reference).__name__ == "BoolType"), expression
        assert int(fast) == int(reference), expression


def test_limit_refusals_are_marked_as_nodecfgs_own():
    from nodecfg.context.cel import LimitRefusal

    assert isinstance(evaluate("(" * 33 + "1" + ")" * 33, 3, 6, 17).error, LimitRefusal)
    assert not isinstance(evaluate("1 / 0", 3, 6, 17).error, LimitRefusal)


# --- the limit check and the tokenizer without their start-up patterns answer as with them ----------------

CEL_TEXTS = [
    "", " ", " \t\n\r\f", "max_pods", "max_pods  ", "max_pods \t\n\r\f", "  1 + 2  ", "1 +\f2\n", "1 + \v", "1\u00a0",
    "0.9 * max_pods", "0x1F + 1u", "max_pods > 10 ? 10 : max_pods", "[1,2].map(x, x)", "[1].map(x, x).filter(y, y)",
    "a.all(x, x) && b.exists(y, y) && c.exists_one(z, z)", "x . map (y, y)", "x.\u2003map(y, y)", "f(x).map",
    "x.mapping(y)", ". map (", "(.)", "1 + 1" * 5, "default_enis * (ips_per_eni - 1) + 2 ",
]


@pytest.mark.parametrize("text", CEL_TEXTS)
def test_limits_and_tokens_as_with_the_patterns(text):
    import re

    comprehension = re.compile(r"\.\s*(?:map|filter|all|exists|exists_one)\s*\(")
    macros = len(comprehension.findall(text))
    refusal = cel_eval.check_limits(text)
    assert (macros > cel_eval.MAX_COMPREHENSIONS) == bool(refusal and "comprehension" in refusal)

    token, trailing = cel_eval._TOKEN, re.compile(r"[ \t\n\r\f]*\Z")

    def tokens_as_before(expression):
        found, position = [], 0
        while position < len(expression):
            if trailing.match(expression, position):
                break
            match = token.match(expression, position)
            if not match:
                return None
            found.append(("#" if match.lastindex == 1 else "") + match.group(match.lastindex))
            position = match.end()
        return found

    try:
        now = cel_eval._tokenize(text)
    except cel_eval._Unsupported:
        now = None
    assert now == tokens_as_before(text)


_TOKEN_ALPHABET = st.sampled_from(list("0123456789.eExXuUabf_ \t\n\r\f\v&|<>=!-+*/%()?:[],\"'٣") + ["max_pods"])


@given(st.lists(_TOKEN_ALPHABET, max_size=12).map("".join), st.integers(0, 12))
@settings(max_examples=3000)
def test_the_plain_tokenizer_reads_what_the_token_pattern_reads(text, position):
    """_plain_token answers only where _TOKEN's match is an int, a name or an operator, with its token and end."""
    position = min(position, len(text))
    plain = cel_eval._plain_token(text, position)
    if plain is not None:
        match = cel_eval._TOKEN.match(text, position)
        assert match is not None and match.lastindex != 1
        assert plain == (match.group(match.lastindex), match.end())


@pytest.mark.parametrize("text, tokens", [
    ("default_enis * (ips_per_eni - 1) + 2", ["default_enis", "*", "(", "ips_per_eni", "-", "1", ")", "+", "2"]),
    ("max_pods >= 110 && max_pods != 0 ? 110 : max_pods",
     ["max_pods", ">=", "110", "&&", "max_pods", "!=", "0", "?", "110", ":", "max_pods"]),
    ("0.9 * max_pods", ["#0.9", "*", "max_pods"]),  # a double: read by the pattern
    ("0x1F + 1u", ["#0x1F", "+", "#1u"]),
])
def test_tokens(text, tokens):
    assert cel_eval._tokenize(text) == tokens
