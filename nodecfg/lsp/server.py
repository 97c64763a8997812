"""``nodecfg lsp``: a language server over stdio (pygls), presenting nodecfg/lsp/document.py.

Diagnostics are published on open and on every change (full text sync) and
cleared on close, at most as many as ``check`` prints (an information line at
the top counts the rest); code actions offer the ``check --fix`` fixes; hover shows
the rule pages.  Documents are linted only when their content is something
``nodecfg check DIR`` would lint (a NodeConfig, user data, a manifest or
template holding user data); once linted, a document stays linted until it
is closed, so a syntax error while typing is reported rather than hidden.
"""
from __future__ import annotations

import os
import sys

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from nodecfg import __version__
from nodecfg.core.diagnostics import Severity
from nodecfg.lsp import document as documents
from nodecfg.parse.source import Limits

SEVERITIES = {Severity.ERROR: types.DiagnosticSeverity.Error, Severity.WARNING: types.DiagnosticSeverity.Warning,
              Severity.INFO: types.DiagnosticSeverity.Information}
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.nodecfg"


class NodecfgServer(LanguageServer):
    def __init__(self, mode: str, config: str | None, limits: Limits) -> None:
        super().__init__("nodecfg", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.mode, self.config, self.limits = mode, config, limits
        self.linted: dict[str, documents.Linted] = {}
        self.shown: set[str] = set()  # settings problems already shown: once each, not on every keystroke
        self.shut_down = False

    def lint(self, uri: str) -> None:
        document = self.workspace.get_text_document(uri)
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if uri not in self.linted and not documents.wanted(document.source, path, self.limits):
            return
        linted = documents.lint_document(document.source, path, mode=self.mode, config=self.config,
                                         limits=self.limits)
        self.linted[uri] = linted
        if linted.settings_problem and linted.settings_problem not in self.shown:
            self.shown.add(linted.settings_problem)
            self.window_show_message(types.ShowMessageParams(
                types.MessageType.Error, f"nodecfg: {linted.settings_problem}; linting with the default settings"))
        lines = documents.lsp_lines(document.source)  # once per publish, not per finding
        diagnostics = [self.diagnostic(document, finding, lines) for finding in linted.findings]
        diagnostics += [types.Diagnostic(range=types.Range(types.Position(0, 0), types.Position(0, 0)), message=note,
                                         severity=types.DiagnosticSeverity.Information, source="nodecfg")
                        for note in linted.not_shown]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version))

    def client_range(self, document, range_: documents.Range, lines: list[str]) -> types.Range:
        """Code-point columns to the client's units (UTF-16 unless another encoding was agreed).

        ``lines`` is ``documents.lsp_lines(document.source)``, split once by the caller: pygls's
        ``document.lines`` splits the whole text again on every use, and also at \\x0c, \\x85 or
        \\u2028, which are no line ends to the client or to nodecfg.
        """
        return document.position_codec.range_to_client_units(lines, types.Range(
            types.Position(range_.line, range_.character), types.Position(range_.end_line, range_.end_character)))

    def diagnostic(self, document, finding: documents.Finding, lines: list[str]) -> types.Diagnostic:
        return types.Diagnostic(
            range=self.client_range(document, finding.range, lines),
            message=finding.message,
            severity=SEVERITIES[finding.severity],
            code=finding.code,
            code_description=types.CodeDescription(href=finding.url),
            source="nodecfg",
        )

    def server_range(self, document, range_: types.Range, lines: list[str]) -> documents.Range:
        start = document.position_codec.position_from_client_units(lines, range_.start)
        end = document.position_codec.position_from_client_units(lines, range_.end)
        return documents.Range(start.line, start.character, end.line, end.character)


def make_server(mode: str = "self-managed", config: str | None = None, limits: Limits = Limits()) -> NodecfgServer:
    server = NodecfgServer(mode, config, limits)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: NodecfgServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: NodecfgServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: NodecfgServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)  # the settings file next to it may have changed meanwhile

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: NodecfgServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.linted.pop(uri, None) is not None:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]))
    def code_action(ls: NodecfgServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        linted = ls.linted.get(uri)
        if linted is None:
            return None
        document = ls.workspace.get_text_document(uri)
        lines = documents.lsp_lines(document.source)
        only = params.context.only
        actions = []
        for fix in documents.fixes(linted, ls.server_range(document, params.range, lines)):
            kind = types.CodeActionKind.QuickFix if fix.finding is not None else FIX_ALL
            if only and not any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only):
                continue
            edits = [types.TextEdit(ls.client_range(document, edit.range, lines), edit.new_text) for edit in fix.edits]
            actions.append(types.CodeAction(
                title=fix.title, kind=kind, is_preferred=fix.safe and fix.finding is not None,
                diagnostics=[ls.diagnostic(document, fix.finding, lines)] if fix.finding is not None else None,
                edit=types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=document.version),
                    edits=edits)]),
            ))
        return actions

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: NodecfgServer, params: types.HoverParams) -> types.Hover | None:
        linted = ls.linted.get(params.text_document.uri)
        if linted is None:
            return None
        document = ls.workspace.get_text_document(params.text_document.uri)
        position = document.position_codec.position_from_client_units(documents.lsp_lines(document.source),
                                                                      params.position)
        text = documents.hover(linted, position.line, position.character)
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: NodecfgServer, params: None) -> None:
        ls.shut_down = True

    return server


def serve(mode: str = "self-managed", config: str | None = None, limits: Limits = Limits()) -> int:
    """Serve on stdin/stdout until the client sends exit: 0 after a shutdown request, else 1 (LSP's rule)."""
    server = make_server(mode, config, limits)
    sys.stdout.flush()
    # pygls closes its output on exit: give it its own descriptor, so the command's stdout stays usable
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    stdout, sys.stdout = sys.stdout, sys.stderr  # a stray print must not corrupt the protocol stream
    try:
        server.start_io(sys.stdin.buffer, protocol_out)
    finally:
        sys.stdout = stdout
        if not protocol_out.closed:
            protocol_out.close()
    return 0 if server.shut_down else 1
