"""A minimal LSP client for tests: ``nodecfg lsp`` as a child process, spoken to over stdio as an editor does.

It frames JSON-RPC with Content-Length headers itself (no LSP library on the
client side), and every read has a timeout, so a server that hangs fails the
test instead of hanging it.  Used by tests/test_lsp.py and the hostile suite
(tests/hostile/test_lsp_hostile.py).
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30.0  # seconds for any one message; the first lint imports most of nodecfg


class Client:
    """A minimal LSP client: Content-Length framing, a reader thread, reads with timeouts."""

    def __init__(self, cwd: Path) -> None:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        self.process = subprocess.Popen([sys.executable, "-m", "nodecfg", "lsp"], cwd=cwd, env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.pending: list[dict] = []
        self.next_id = 0
        self.error_output = bytearray()  # read as it comes, so a chatty server never blocks on a full pipe
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self.error_output += line

    def _read(self) -> None:
        stream = self.process.stdout
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            body = stream.read(length)
            self.messages.put(json.loads(body))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict | None = None) -> None:
        self.send({"method": method, **({"params": params} if params is not None else {})})

    def request(self, method: str, params: dict | None = None) -> dict:
        self.next_id += 1
        ident = self.next_id
        self.send({"id": ident, "method": method, **({"params": params} if params is not None else {})})
        response = self.wait(lambda m: m.get("id") == ident and "method" not in m)
        assert "error" not in response, response
        return response["result"]

    def wait(self, matches, timeout: float = TIMEOUT) -> dict:
        """The first message (kept ones first) that matches; others are kept for later waits."""
        for index, message in enumerate(self.pending):
            if matches(message):
                return self.pending.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                message = self.messages.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                raise AssertionError(f"no matching message from the server in {timeout}s; kept: {self.pending}")
            if message is None:
                raise AssertionError(f"the server closed its output; stderr: {self.stderr()}")
            if matches(message):
                return message
            self.pending.append(message)

    def diagnostics(self, uri: str, timeout: float = TIMEOUT) -> dict:
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                         and m["params"]["uri"] == uri, timeout)["params"]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server has used so far, from /proc (Linux)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime

    def peak_rss_bytes(self) -> int:
        """The server's largest resident size so far (VmHWM), from /proc (Linux)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0

    def stderr(self) -> str:
        """What the server has written to stderr so far (its last 2000 characters)."""
        return self.error_output.decode(errors="replace")[-2000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=TIMEOUT)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            stream.close()


def open_document(client: Client, uri: str, text: str, language: str = "yaml") -> None:
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": 1,
                                                            "text": text}})


def change(client: Client, uri: str, text: str, version: int) -> None:
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                             "contentChanges": [{"text": text}]})
