"""Evaluate ``kubelet.maxPodsExpression`` the way nodeadm does, within limits.

nodeadm compiles the expression with cel-go over three int variables
(``default_enis``, ``ips_per_eni``, ``max_pods``), converts the result to
an int (CEL's ``int()`` conversion: a double is truncated, a numeric string
is parsed, a bool is an error) and accepts 1..2^31-1.  Anything else falls
back to the standard value.

cel-python is the authority here, but importing it and building an
Environment costs about 190 ms, more than a whole pre-commit run.  Nearly
every real expression is integer arithmetic, so a small exact evaluator
(``nodecfg.cel_fast``-style, below) answers those; anything it does not
fully understand goes to cel-python.  A property test checks both agree.

Limits (docs/max-pods.md): expression length, bracket nesting depth,
number of comprehension macros, and a budget of Python function calls per
cel-python compile and evaluation.  The budget is counted, not timed: the same
expression gets the same answer on a loaded CI machine and a laptop, and no
timer or signal of a host program is touched (the count uses the calling
thread's trace hook, restored afterwards).  Nothing here raises for bad input.
"""

import math
import re
import sys
from functools import lru_cache
from typing import Any, Callable, NamedTuple
from nodecfg.core.lazy_re import LazyPattern


MAX_EXPRESSION_CHARS = 4096
MAX_NESTING_DEPTH = 32
MAX_COMPREHENSIONS = 2
EVAL_STEP_BUDGET = 200_000  # Python calls per cel-python compile or evaluation
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_PODS_LIMIT = 2**31 - 1
VARIABLES = ("default_enis", "ips_per_eni", "max_pods")


class Outcome(NamedTuple):
    value: int | None        # the accepted maxPods, or None when it falls back
    error: str | None        # why it falls back, ready for a diagnostic
    note: str | None = None  # e.g. a double result nodeadm truncates


class LimitRefusal(str):
    """An error message that is nodecfg's own limit, not an error nodeadm would meet.

    nodeadm (internal/kubelet/eni_max_pods.go, evaluateCustomMaxPodsExpression)
    runs cel-go with no cost limit, so an expression nodecfg refuses to
    evaluate here is evaluated on the node: its maxPods is unknown offline,
    not the standard value.
    """


class CelError(Exception):
    """A CEL evaluation error (division by zero, overflow, ...)."""


class _Unsupported(Exception):
    """The fast evaluator does not cover this expression: ask cel-python."""


class _BudgetExceeded(BaseException):
    """Raised by the step counter; BaseException so cel-python cannot swallow it."""


# --- limits checked before anything is parsed --------------------------------

# asked only of an expression with a '.' and a '(', which every match holds: compiled on first use
_COMPREHENSION = LazyPattern(r"\.\s*(?:map|filter|all|exists|exists_one)\s*\(")
_OPENERS, _CLOSERS = "([{", ")]}"


def check_limits(expression: str) -> str | None:
    """A reason to refuse the expression unevaluated, or None."""
    if len(expression) > MAX_EXPRESSION_CHARS:
        return LimitRefusal(f"expression is {len(expression)} characters long; the limit is {MAX_EXPRESSION_CHARS}")
    depth = deepest = 0
    for char in expression:
        if char in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif char in _CLOSERS:
            depth -= 1
    if deepest > MAX_NESTING_DEPTH:
        return LimitRefusal(f"expression nests brackets {deepest} deep; the limit is {MAX_NESTING_DEPTH}")
    macros = len(_COMPREHENSION.findall(expression)) if "." in expression and "(" in expression else 0
    if macros > MAX_COMPREHENSIONS:
        return LimitRefusal(f"expression uses {macros} comprehension macros; the limit is {MAX_COMPREHENSIONS}")
    return None


# --- the fast evaluator: int/bool arithmetic, comparisons, ternary -----------

# CEL's own character classes, not Python's Unicode-aware \s, \d, \w
_SPACE = "[ \t\n\r\f]*"
_OTHER_LITERAL = (r"[0-9]*\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+"   # double
                  r"|(?:0[xX][0-9a-fA-F]+|[0-9]+)[uU]|0[xX][0-9a-fA-F]+")          # uint, hex int
# asked only where _plain_token gives up (a double, uint or hex literal, or no token): compiled on first use
_TOKEN = LazyPattern(_SPACE + r"(?:(" + _OTHER_LITERAL + r")(?![A-Za-z0-9_.])|([0-9]+)(?![A-Za-z0-9_.])"
                     r"|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||[<>=!]=|[-+*/%()<>!?:]))")
_BLANKS = " \t\n\r\f"
_DIGITS = "0123456789"
_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | frozenset(_DIGITS)
_OPERATORS = frozenset(("&&", "||", "<=", ">=", "==", "!=", *"-+*/%()<>!?:"))

Node = tuple  # ("int", v) | ("bool", v) | ("var", name) | ("literal", type, text) | (op, child...)


def _plain_token(expression: str, position: int) -> tuple[str, int] | None:
    """(token, its end) where _TOKEN matches an int, a name or an operator at ``position``; None elsewhere.

    An int followed by ``.`` or a name character is left to _TOKEN: only there can its first
    alternative (a double, uint or hex literal) match, or nothing.  tests/test_cel_eval.py compares
    the two on any text.
    """
    length = len(expression)
    while position < length and expression[position] in _BLANKS:
        position += 1
    start = position
    char = expression[start:start + 1]
    if char and char in _DIGITS:
        while position < length and expression[position] in _DIGITS:
            position += 1
        following = expression[position:position + 1]
        if following == "." or following in _NAME_CHARS:
            return None
        return expression[start:position], position
    if char in _NAME_START:
        while position < length and expression[position] in _NAME_CHARS:
            position += 1
        return expression[start:position], position
    for operator in (expression[start:start + 2], char):  # && before &, as _TOKEN tries them
        if operator in _OPERATORS:
            return operator, start + len(operator)
    return None


def _tokenize(expression: str) -> list[str]:
    tokens, position = [], 0
    end = len(expression.rstrip(_BLANKS))  # where the trailing blanks (_SPACE) start
    while position < end:
        plain = _plain_token(expression, position)
        if plain is not None:
            token, position = plain
            tokens.append(token)
            continue
        match = _TOKEN.match(expression, position)
        if not match:
            raise _Unsupported
        tokens.append(match.group(match.lastindex))
        if match.lastindex == 1:
            tokens[-1] = "#" + tokens[-1]  # a literal only cel-python evaluates
        position = match.end()
    return tokens


class _Parser:
    """Recursive descent over CEL's grammar, restricted to the subset."""

    def __init__(self, tokens: list[str]):
        self.tokens, self.index = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise _Unsupported
        self.index += 1
        return token

    def parse(self) -> Node:
        node = self.expr()
        if self.peek() is not None:
            raise _Unsupported
        return node

    def expr(self) -> Node:
        condition = self.binary(0)
        if self.peek() != "?":
            return condition
        self.take("?")
        then = self.binary(0)
        self.take(":")
        return ("?:", condition, then, self.expr())

    _LEVELS = (("||",), ("&&",), ("<", "<=", ">", ">=", "==", "!="), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while self.peek() in self._LEVELS[level]:
            operator = self.take()
            node = (operator, node, self.binary(level + 1))
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token not in ("-", "!"):
            return self.primary()
        count = 0
        while self.peek() == token:
            self.take()
            count += 1
        operand = self.primary()
        for _ in range(count):
            operand = ("neg" if token == "-" else "not", operand)
        return operand

    def primary(self) -> Node:
        token = self.take()
        if token == "(":
            node = self.expr()
            self.take(")")
            return node
        if token.isdigit():
            if (len(token) > 1 and token[0] == "0") or int(token) > INT64_MAX:
                raise _Unsupported  # octal-looking or out-of-range literals: cel-python decides
            return ("int", int(token))
        if token in ("true", "false"):
            return ("bool", token == "true")
        if token.startswith("#"):
            text = token[1:]
            literal_type = "uint" if text[-1] in "uU" else "int" if text[:2].lower() == "0x" else "double"
            return ("literal", literal_type, text)
        if token in VARIABLES:
            return ("var", token)
        raise _Unsupported


_ARITHMETIC_OPERATORS = {"+", "-", "*", "/"}
_ORDERING = {"<", "<=", ">", ">="}
_NUMERIC = {"int", "uint", "double"}


class _TypeMismatch(Exception):
    """cel-go's checker rejects this at compile time (cel-python has no checker)."""


def _type_of(node: Node) -> str:
    """The CEL type of node, by the standard overloads cel-go declares.

    Raises _TypeMismatch where cel-go reports "found no matching overload",
    e.g. ``0.9 * max_pods``, which cel-python would happily evaluate.
    """
    kind = node[0]
    if kind in ("int", "var"):
        return "int"
    if kind == "bool":
        return "bool"
    if kind == "literal":
        return node[1]
    children = [_type_of(child) for child in node[1:]]
    result = _overload(kind, children)
    if result is None:
        shown = {"?:": "_?_:_", "neg": "-_", "not": "!_"}.get(kind, f"_{kind}_")
        raise _TypeMismatch(f"found no matching overload for '{shown}' applied to '({', '.join(children)})'")
    return result


def _overload(kind: str, children: list[str]) -> str | None:
    same = len(set(children)) == 1
    if kind == "neg":
        return children[0] if children[0] in ("int", "double") else None
    if kind == "not":
        return "bool" if children == ["bool"] else None
    if kind in _ARITHMETIC_OPERATORS:
        return children[0] if same and children[0] in _NUMERIC else None
    if kind == "%":
        return children[0] if same and children[0] in ("int", "uint") else None
    if kind in _ORDERING or kind in ("==", "!="):
        return "bool" if same else None
    if kind in ("&&", "||"):
        return "bool" if children == ["bool", "bool"] else None
    if kind == "?:":
        return children[1] if children[0] == "bool" and children[1] == children[2] else None
    return None


def _only_int_and_bool(node: Node) -> bool:
    """True when the fast evaluator can run node (no double/uint/hex literal, no bool ordering)."""
    if node[0] == "literal":
        return False
    if node[0] in _ORDERING and _type_of(node[1]) == "bool":
        return False
    return all(_only_int_and_bool(child) for child in node[1:] if isinstance(child, tuple))


def _checked(value: int) -> int:
    if not INT64_MIN <= value <= INT64_MAX:
        raise CelError("integer overflow")
    return value


def _divide(left: int, right: int) -> int:
    if right == 0:
        raise CelError("division by zero")
    quotient = abs(left) // abs(right)
    return _checked(quotient if (left < 0) == (right < 0) else -quotient)


def _modulo(left: int, right: int) -> int:
    if right == 0:
        raise CelError("modulus by zero")
    if left == INT64_MIN and right == -1:
        return 0  # cel-python's answer (cel-go reports an overflow; both fall back)
    quotient = abs(left) // abs(right)
    return left - right * (quotient if (left < 0) == (right < 0) else -quotient)


_ARITHMETIC: dict[str, Callable[[int, int], Any]] = {
    "+": lambda a, b: _checked(a + b),
    "-": lambda a, b: _checked(a - b),
    "*": lambda a, b: _checked(a * b),
    "/": _divide,
    "%": _modulo,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _evaluate(node: Node, variables: dict[str, int]) -> Any:
    kind = node[0]
    if kind in ("int", "bool"):
        return node[1]
    if kind == "var":
        return variables[node[1]]
    if kind == "neg":
        return _checked(-_evaluate(node[1], variables))
    if kind == "not":
        return not _evaluate(node[1], variables)
    if kind == "?:":
        branch = node[2] if _evaluate(node[1], variables) else node[3]
        return _evaluate(branch, variables)
    if kind in ("&&", "||"):
        return _logical(kind, node[1], node[2], variables)
    return _ARITHMETIC[kind](_evaluate(node[1], variables), _evaluate(node[2], variables))


def _logical(operator: str, left: Node, right: Node, variables: dict[str, int]) -> bool:
    """CEL's commutative && and ||: a deciding side wins over an error on the other."""
    deciding = operator == "||"
    results = []
    for side in (left, right):
        try:
            results.append(_evaluate(side, variables))
        except CelError as error:
            results.append(error)
    if deciding in results:
        return deciding
    for result in results:
        if isinstance(result, CelError):
            raise result
    return not deciding


class Analysis:
    """What ``analyse`` makes of an expression (read by attribute only: a plain class, no NamedTuple
    to build at import)."""

    __slots__ = ("tree", "type_error")

    def __init__(self, tree: Node | None, type_error: str | None) -> None:
        self.tree = tree              # runnable by evaluate_fast, or None
        self.type_error = type_error  # cel-go's compile-time verdict, when the subset shows one


@lru_cache(maxsize=256)
def analyse(expression: str) -> Analysis:
    """Parse expression with the subset grammar and type-check it like cel-go."""
    try:
        tree = _Parser(_tokenize(expression)).parse()
        _type_of(tree)
        return Analysis(tree if _only_int_and_bool(tree) else None, None)
    except _TypeMismatch as mismatch:
        return Analysis(None, str(mismatch))
    except (_Unsupported, RecursionError):
        return Analysis(None, None)


def compile_fast(expression: str) -> Node | None:
    """The subset AST for expression, or None when cel-python must decide."""
    return analyse(expression).tree


def evaluate_fast(tree: Node, variables: dict[str, int]) -> Any:
    """Evaluate a compile_fast tree; raises CelError like cel-python would."""
    return _evaluate(tree, variables)


# --- cel-python, the authority ------------------------------------------------

_environment = None


def _celpy_environment():
    global _environment
    if _environment is None:
        import celpy

        _environment = celpy.Environment()
    return _environment


@lru_cache(maxsize=64)
def _compiled(expression: str):
    """cel-python program (a budget overrun raises, so it is not cached)."""
    environment = _celpy_environment()
    return _with_budget(lambda: environment.program(environment.compile(expression)))


def _celpy_program(expression: str):
    """A runnable program, or the compile error message."""
    import celpy

    try:
        return _compiled(expression), None
    except _BudgetExceeded:
        return None, LimitRefusal(f"compiling needs more than {EVAL_STEP_BUDGET:,} steps")
    except celpy.CELParseError as error:
        return None, f"syntax error at line {error.line or 1}, column {error.column or 1}"
    except (RecursionError, MemoryError):
        return None, LimitRefusal("compiling needs more stack or memory than nodecfg allows")
    except Exception as error:  # noqa: BLE001 - lark can fail in many ways
        return None, f"syntax error: {type(error).__name__}"


def _with_budget(function: Callable[[], Any]) -> Any:
    """Run function, stopping it once it has made EVAL_STEP_BUDGET Python calls."""
    remaining = EVAL_STEP_BUDGET
    previous = sys.gettrace()

    def count(frame, event, arg):
        nonlocal remaining
        remaining -= 1
        if remaining < 0:
            raise _BudgetExceeded
        return None  # no line events: only calls are counted

    sys.settrace(count)
    try:
        return function()
    finally:
        sys.settrace(previous)


def evaluate_celpy(expression: str, variables: dict[str, int]) -> tuple[Any, str | None]:
    """(CEL value, None) or (None, error message) from cel-python."""
    import celpy
    from celpy import celtypes

    program, problem = _celpy_program(expression)
    if program is None:
        return None, problem
    activation = {name: celtypes.IntType(value) for name, value in variables.items()}
    try:
        result = _with_budget(lambda: program.evaluate(activation))
    except _BudgetExceeded:
        return None, LimitRefusal(f"evaluation needs more than {EVAL_STEP_BUDGET:,} steps")
    except celpy.CELEvalError as error:
        return None, f"evaluation error: {_first_arg(error)}"
    except (RecursionError, MemoryError):
        return None, LimitRefusal("evaluation needs more stack or memory than nodecfg allows")
    except Exception as error:  # noqa: BLE001 - cel-python raises plain Python errors too
        return None, f"evaluation error: {type(error).__name__}: {error}"
    if isinstance(result, celpy.CELEvalError):
        return None, f"evaluation error: {_first_arg(result)}"
    return result, None


def _first_arg(error: BaseException) -> str:
    """cel-python's message without the activation dump it appends."""
    text = str(error.args[0]) if error.args else type(error).__name__
    text = text.split(" (in activation", 1)[0]
    text = re.sub(r"Token\('RULE', '(\w+)'\)", r"'\1'", text)
    text = re.sub(r"<class 'celpy\.celtypes\.(\w+)Type'>", lambda m: m.group(1).lower(), text)
    return text[:200]


# --- turning a CEL value into maxPods, as nodeadm does ------------------------

def to_max_pods(result: Any) -> Outcome:
    """nodeadm's ConvertToType(int) and its 1..2^31-1 check."""
    value, note, problem = _convert_to_int(result)
    if problem:
        return Outcome(None, f"result {_describe(result)} cannot be converted to an integer: {problem}")
    if not 1 <= value <= MAX_PODS_LIMIT:
        return Outcome(None, f"result {value} is not a valid maxPods: it must be between 1 and {MAX_PODS_LIMIT}")
    return Outcome(value, None, note)


def _convert_to_int(result: Any) -> tuple[int, str | None, str | None]:
    """(value, note, problem) following CEL's int() conversion."""
    type_name = _cel_type_name(result)
    if type_name == "int":
        return int(result), None, None
    if type_name == "uint":
        if int(result) > INT64_MAX:
            return 0, None, "integer overflow"
        return int(result), "a uint result is converted to int", None
    if type_name == "double":
        number = float(result)
        if number != number or not float(INT64_MIN) < number < float(INT64_MAX):
            return 0, None, "integer overflow"
        return int(number), f"nodeadm truncates the double {_show(result)} to {int(number)}", None
    if type_name == "string":
        parsed = _parse_go_int(str(result))
        if parsed is None:
            return 0, None, "not a base-10 integer"
        return parsed, f"nodeadm parses the string {_show(result)} as {parsed}", None
    if type_name == "google.protobuf.Timestamp":
        seconds = math.floor(result.timestamp())
        return seconds, f"nodeadm converts the timestamp to {seconds} Unix seconds", None
    if type_name == "google.protobuf.Duration":
        nanoseconds = (result.days * 86400 + result.seconds) * 10**9 + result.microseconds * 1000
        return nanoseconds, f"nodeadm converts the duration to {nanoseconds} nanoseconds", None
    return 0, None, f"type conversion error from '{type_name}' to 'int'"


_GO_INT = LazyPattern(r"[+-]?[0-9]+")


def _parse_go_int(text: str) -> int | None:
    if not _GO_INT.fullmatch(text):
        return None
    value = int(text)
    return value if INT64_MIN <= value <= INT64_MAX else None


def _cel_type_name(value: Any) -> str:
    """The CEL type of a result from either evaluator (celtypes subclass Python's)."""
    class_name = type(value).__name__
    if isinstance(value, bool) or class_name == "BoolType":
        return "bool"
    if class_name == "UintType":
        return "uint"
    for python_type, cel_name in ((int, "int"), (float, "double"), (str, "string"), (bytes, "bytes"),
                                  (list, "list"), (dict, "map")):
        if isinstance(value, python_type):
            return cel_name
    # only now: none of the types above is a datetime, and the module costs a cold check 1-2 ms
    import datetime

    if isinstance(value, datetime.datetime):
        return "google.protobuf.Timestamp"
    if isinstance(value, datetime.timedelta):
        return "google.protobuf.Duration"
    return "null_type" if value is None else class_name


def _show(value: Any) -> str:
    type_name = _cel_type_name(value)
    if type_name == "bool":
        return "true" if value else "false"
    if type_name == "string":
        return '"' + str(value)[:40] + '"'
    if type_name == "double":
        return repr(float(value))
    return str(int(value))[:40]


def _describe(value: Any) -> str:
    type_name = _cel_type_name(value)
    if type_name in ("bool", "string", "double", "int", "uint"):
        return f"{_show(value)} ({type_name})"
    return f"of type {type_name}"


# --- the entry points ----------------------------------------------------------

def evaluate(expression: str, default_enis: int, ips_per_eni: int, max_pods: int) -> Outcome:
    """The maxPods an expression gives for these figures, or why it falls back."""
    return evaluate_each(expression, [(default_enis, ips_per_eni, max_pods)])[0]


def evaluate_each(expression: str, figures: list[tuple[int, int, int]]) -> list[Outcome]:
    """evaluate() for each (default_enis, ips_per_eni, max_pods), the expression checked and parsed once."""
    refusal = check_limits(expression)
    if refusal:
        return [Outcome(None, refusal)] * len(figures)
    analysis = analyse(expression)
    if analysis.type_error:
        return [Outcome(None, f"compile error: {analysis.type_error}")] * len(figures)
    return [_outcome(expression, analysis.tree, dict(zip(VARIABLES, each))) for each in figures]


def _outcome(expression: str, tree: Node | None, variables: dict[str, int]) -> Outcome:
    if tree is not None:
        try:
            return to_max_pods(evaluate_fast(tree, variables))
        except CelError as error:
            return Outcome(None, f"evaluation error: {error}")
    result, problem = evaluate_celpy(expression, variables)
    if problem:
        return Outcome(None, problem)
    return to_max_pods(result)
