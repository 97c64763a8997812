"""Lint rules, one module per family.  Each exposes ``CODES`` and
``check(analysis, context) -> list[Diagnostic]``; ``nodecfg.lint.engine``
runs them in ``RULE_MODULES`` order and the registry lists their codes."""
