"""kubelet.maxPodsExpression evaluated across the whole instance table.

nodeadm evaluates the expression once, for the instance it boots on, and
falls back to the standard maxPods when it does not compile, fails, or gives
a value outside 1..2^31-1 (amazon-eks-ami nodeadm/internal/kubelet/
eni_max_pods.go, CalcMaxPods).  nodecfg's own limits (length, nesting,
comprehensions, time) are not nodeadm's: an expression refused for them is
reported as unknown (NC312), never as a fallback.  A launch template
serves many instance types, so the expression is evaluated here for every
type in the table (``nodecfg.context.maxpods.failures_of``) and the failing ones
are named.
"""
from __future__ import annotations


from nodecfg.core.codes import NC404, NC405
from nodecfg.core.diagnostics import Diagnostic, Span
from nodecfg.core.positions import map_embedded_line, text_lines
from nodecfg.linter.rules.common import spec_get
from nodecfg.core.lazy_re import LazyPattern

POINTER = "/spec/kubelet/maxPodsExpression"
SHOWN_TYPES = 8
_POSITION = LazyPattern(r"line (\d+), column (\d+)")
_COMPILE_ERROR = ("compile error", "syntax error")


def check(analysis, context) -> list[Diagnostic]:
    expression = spec_get(analysis, POINTER)
    if not isinstance(expression, str) or not expression.strip():
        return []
    from nodecfg.context.cel import LimitRefusal
    from nodecfg.context.maxpods import beyond_limits, failures_of

    pairs = _pairs(context)
    failures, total = failures_of(expression, pairs)
    if not failures:
        return []
    span = analysis.merged.locate(POINTER)
    refused = {name: error for name, error in failures.items() if isinstance(error, LimitRefusal)}
    if refused:
        return [beyond_limits(span, refused[min(refused)])]
    first_error = failures[min(failures)]
    if len(failures) == total and first_error.startswith(_COMPILE_ERROR):
        return [NC404.at(_column_span(analysis, span, first_error),
                     f"maxPodsExpression does not compile ({first_error}); nodeadm ignores it on every "
                     "instance type and uses the standard maxPods",
                     "the expression sees the ints default_enis, ips_per_eni and max_pods")]
    return [NC405.at(span, _failure_message(failures, total, _checked_type(context, failures, pairs)),
                 "guard it with a conditional, e.g. (expr) > 0 ? (expr) : max_pods")]


def _checked_type(context, failures: dict[str, str], pairs: dict[str, tuple[int, int]] | None) -> str:
    """What the instance type of this run gets when the expression fails on it (what NC402 said once)."""
    name = context.resolved_instance().instance_type
    if name not in failures:
        return ""
    from nodecfg.nodeadm.instance_table import lookup
    from nodecfg.context.maxpods import standard_max_pods

    if pairs:
        standard = standard_max_pods(*pairs[name])
    else:  # a packaged type: its own row, not the whole table read
        info = lookup(name)
        standard = standard_max_pods(info.default_enis, info.ips_per_eni)
    return f" (on {name}, the instance type checked, maxPods {standard})"


def _pairs(context) -> dict[str, tuple[int, int]] | None:
    if not context.extra_table:
        return None
    from nodecfg.nodeadm.instance_table import packaged_pairs

    pairs = dict(packaged_pairs())
    pairs.update({name: (info.default_enis, info.ips_per_eni) for name, info in context.extra_table.items()})
    return pairs


def _failure_message(failures: dict[str, str], total: int, checked: str = "") -> str:
    by_error: dict[str, list[str]] = {}
    for name in sorted(failures):
        by_error.setdefault(failures[name], []).append(name)
    parts = []
    for error, names in sorted(by_error.items(), key=lambda item: (-len(item[1]), item[0])):
        shown = ", ".join(names[:SHOWN_TYPES]) + (f" and {len(names) - SHOWN_TYPES} more" if len(names) > SHOWN_TYPES else "")
        parts.append(f"{error} on {shown}")
    return (f"maxPodsExpression fails on {len(failures)} of {total} instance types, where nodeadm falls back "
            f"to the standard maxPods{checked}: " + "; ".join(parts))


def _column_span(analysis, value_span: Span, error: str) -> Span:
    """The error's line/column inside the expression, as a line/column of the file."""
    match = _POSITION.search(error)
    if not match:
        return value_span
    line, col = int(match.group(1)), int(match.group(2))
    text = analysis.loaded.texts.get(value_span.uri, "")
    lines = text_lines(text)
    if value_span.end_line > value_span.line:  # block scalar: content starts on the next line
        return map_embedded_line(value_span, line, col, analysis.loaded.texts)
    if line != 1 or not 0 < value_span.line <= len(lines):
        return value_span
    source_line = lines[value_span.line - 1]
    quoted = value_span.col - 1 < len(source_line) and source_line[value_span.col - 1] in "'\""
    file_col = value_span.col + col - 1 + (1 if quoted else 0)
    return Span(value_span.uri, value_span.line, file_col, value_span.line, file_col)
