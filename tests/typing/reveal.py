"""tests/test_typed_library.py reads mypy's notes on these: real types, never Any."""
import nodecfg

reveal_type(nodecfg.compile)
reveal_type(nodecfg.lint)
reveal_type(nodecfg.max_pods)
reveal_type(nodecfg.compose_userdata)
reveal_type(nodecfg.Compilation)
reveal_type(nodecfg.Result)
reveal_type(nodecfg.Verdict.OK)
reveal_type(nodecfg.Diagnostic)
reveal_type(nodecfg.Severity.ERROR)
reveal_type(nodecfg.Span)
reveal_type(nodecfg.Settings)
reveal_type(nodecfg.UserDataError)
