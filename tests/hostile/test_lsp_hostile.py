"""Every hostile input, opened, changed and fixed in a running ``nodecfg lsp`` (issue 22: the editor too).

The command-line suite (test_hostile.py) runs each case as a child process.
Here each case's document is what an editor would send: the file's bytes
decoded as UTF-8 with U+FFFD for what is not (an editor's buffer holds text),
or the stdin bytes as an untitled buffer.  One server takes every case in
turn, as an editor session would.  Per case:

- open it: when the document is one ``check DIR`` lints (``wanted``), its
  diagnostics are published for version 1, naming one of the case's codes
  when it has them; hover at its start answers;
- change it (the text plus a line end), then ask for every code action of
  the whole document (the quick fixes and "fix all", which re-lints);
- change it to the valid example, whose diagnostics come back empty: the
  server recovered; then close it.

Each lint stays under ``CPU_SECONDS`` of the server's CPU time (from /proc:
the suite runs on a loaded machine), the code actions under the command-line
suite's bound for a whole run, the server's peak resident
size under the command-line suite's bound, no message is an error
("Error in server" is pygls's report of an exception in a handler), and
nothing is written to stderr.

Cases about reading files (a FIFO, /dev/zero, a missing file, a directory,
a symlink loop) have no document: the editor sends text, the server reads no
file.  ``NO_DOCUMENT`` names them; any other case without a document fails.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from lsp_client import Client, change, open_document

from .cases import CASES, VALID, Case, Invocation
from .runner import MEMORY_LIMIT_BYTES, TIME_LIMIT_SECONDS

pytestmark = pytest.mark.skipif(importlib.util.find_spec("pygls") is None,
                                reason="pygls is not installed (pip install 'nodecfg[lsp]')")

CPU_SECONDS = 2.0  # per lint; the largest measured is about 1 s (ten_thousand_flags, huge_scalar)
# the code actions of a whole document include "fix all", which is `check --fix` (two lints and the
# edits): bounded as a whole `check` process is on the command line
NO_DOCUMENT = {"missing_file", "stdin_closed", "dev_zero", "fifo", "directory_of_ten_thousand", "symlink_loop"}
EDITOR_SUFFIXES = (".yaml", ".yml", ".json", ".mime", ".txt")
LSP_CASES = [case for case in CASES if "check" in case.commands and case.name not in NO_DOCUMENT]
# client-side hostility: what a client may send that no file holds (JSON can carry a lone surrogate),
# and line ends LSP and Python disagree on
EXTRA_DOCUMENTS = {
    "lone_surrogate_in_a_key": VALID.replace("      shutdownGracePeriod: 30s\n", '      "k\ud800ey": 1\n'),
    "line_ends_only_cr": VALID.replace("\n", "\r").replace("shutdownGracePeriod", "maxPodz"),
    "unicode_line_separators": VALID.replace("# A typical", "# A \u2028# typical \u2029#")
                                    .replace("shutdownGracePeriod", "maxPodz"),
}
# where the maxPodz typo is, for the client: line 12 of the example (LSP 11), after "      "
TYPO_AT = {"line_ends_only_cr": (11, 6), "unicode_line_separators": (11, 6)}


class Session:
    """One server for the whole module, like an editor session; a new one after a case that failed,
    so that a server still busy with it, or dead, does not fail the next case too."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.client: Client | None = None

    def get(self) -> Client:
        if self.client is None or self.client.process.poll() is not None:
            self.client = Client(self.cwd)
            self.client.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
            self.client.notify("initialized", {})
        return self.client

    def discard(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    started = Session(tmp_path_factory.mktemp("lsp-cwd"))
    yield started
    started.discard()


def document_of(case: Case, directory: Path) -> tuple[str, str, Invocation]:
    """(uri, text) an editor would hold for the case's input, and the case's command line.

    A file is opened under its name, with ``.yaml`` added when it has no suffix an editor
    would give nodecfg (the cases write ``input``); stdin is an untitled buffer.
    """
    invocation = case.make(directory)
    source = invocation.sources[0] if invocation.sources else "-"
    if source == "-":
        assert invocation.stdin is not None, f"{case.name}: no document; add it to NO_DOCUMENT with why"
        return f"untitled:{case.name}", invocation.stdin.decode("utf-8", "replace"), invocation
    path = Path(source.removeprefix("file://"))
    assert path.is_file(), f"{case.name}: no document; add it to NO_DOCUMENT with why"
    named = path if path.name.lower().endswith(EDITOR_SUFFIXES) else path.with_name(path.name + ".yaml")
    return named.as_uri(), path.read_bytes().decode("utf-8", "replace"), invocation


def barrier(client: Client, uri: str) -> None:
    """The server handles messages in order: once this hover is answered, what came before is done."""
    client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}})


def published(client: Client, uri: str) -> list[dict]:
    """The diagnostics published for uri since the last call, oldest first (taken from the kept messages)."""
    found = [m["params"] for m in client.pending
             if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri]
    client.pending[:] = [m for m in client.pending if m.get("params", {}).get("uri") != uri
                         or m.get("method") != "textDocument/publishDiagnostics"]
    return found


def errors_reported(client: Client) -> list[dict]:
    """Error messages the server showed or logged, taken from the kept messages."""
    found = [m for m in client.pending if m.get("method") in ("window/showMessage", "window/logMessage")
             and (m["params"].get("type") == 1 or "Error in server" in m["params"].get("message", ""))]
    client.pending[:] = [m for m in client.pending if m not in found]
    return found


def timed(client: Client, step) -> float:
    before = client.cpu_seconds()
    step()
    return client.cpu_seconds() - before


def run_document(client: Client, uri: str, text: str) -> dict:
    """Open, change (with code actions), change to the valid example, close; what happened at each step."""
    outcome: dict = {}

    def opened():
        open_document(client, uri, text)
        barrier(client, uri)

    outcome["open_cpu"] = timed(client, opened)
    outcome["opened"] = published(client, uri)

    def changed():
        change(client, uri, text + "\n", 2)
        barrier(client, uri)

    outcome["change_cpu"] = timed(client, changed)
    outcome["changed"] = published(client, uri)

    def fixed():
        lines = text.count("\n") + text.count("\r") + 2
        outcome["actions"] = client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "context": {"diagnostics": []},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}}})

    outcome["actions_cpu"] = timed(client, fixed)

    def recovered():
        change(client, uri, VALID, 3)
        barrier(client, uri)

    outcome["recover_cpu"] = timed(client, recovered)
    outcome["recovered"] = published(client, uri)
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    barrier(client, uri)
    outcome["closed"] = published(client, uri)
    outcome["errors"] = errors_reported(client)
    return outcome


def assert_safe(client: Client, outcome: dict, linted: bool) -> None:
    assert client.process.poll() is None, f"the server exited; stderr: {client.stderr()}"
    assert outcome["errors"] == []
    assert client.stderr() == ""
    for step in ("open_cpu", "change_cpu", "recover_cpu"):
        assert outcome[step] < CPU_SECONDS, (step, outcome[step])
    assert outcome["actions_cpu"] < TIME_LIMIT_SECONDS, outcome["actions_cpu"]
    assert client.peak_rss_bytes() < MEMORY_LIMIT_BYTES
    if linted:
        assert [p["version"] for p in outcome["opened"]] == [1]  # on open, not only after a change
        assert [p["version"] for p in outcome["changed"]] == [2]
        assert outcome["recovered"] == [{"uri": outcome["uri"], "version": 3, "diagnostics": []}]
        assert [p["diagnostics"] for p in outcome["closed"]] == [[]]
    else:  # not something nodecfg lints: nothing published, until it becomes the example
        assert outcome["opened"] == outcome["changed"] == []


@pytest.mark.parametrize("case", LSP_CASES, ids=[case.name for case in LSP_CASES])
def test_hostile_input_in_the_language_server(session, case, tmp_path):
    from nodecfg.lsp.document import wanted

    client = session.get()
    uri, text, invocation = document_of(case, tmp_path)
    linted = wanted(text, uri.removeprefix("file://") if uri.startswith("file:") else None)
    try:
        outcome = run_document(client, uri, text)
        outcome["uri"] = uri
        assert_safe(client, outcome, linted)
    except BaseException:
        session.discard()
        raise
    if linted and case.reports and not invocation.options:  # the editor gives no --instance or limits
        codes = {d.get("code") for d in outcome["opened"][0]["diagnostics"]}
        assert codes & set(case.reports), (sorted(codes), case.reports)


@pytest.mark.parametrize("name", sorted(EXTRA_DOCUMENTS))
def test_client_side_hostility(session, name, tmp_path):
    client = session.get()
    uri = (tmp_path / f"{name}.yaml").as_uri()
    try:
        outcome = run_document(client, uri, EXTRA_DOCUMENTS[name])
        outcome["uri"] = uri
        assert_safe(client, outcome, True)
        if name in TYPO_AT:
            (typo,) = [d for d in outcome["opened"][0]["diagnostics"] if d.get("code") == "NC210"]
            assert (typo["range"]["start"]["line"], typo["range"]["start"]["character"]) == TYPO_AT[name]
    except BaseException:
        session.discard()
        raise


def test_every_case_with_a_document_is_run():
    assert len(LSP_CASES) >= 60
    assert NO_DOCUMENT <= {case.name for case in CASES}  # no stale name hides a new case
