"""The documentation site in a real browser: built with mkdocs --strict, served on 127.0.0.1, read by
headless Chromium.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON messages
ended by NUL on descriptors 3 and 4), so no Selenium or Playwright is needed.  The theme's search runs
in a web worker that builds its index from search_index.json; ``--dump-dom`` does not wait for the
worker, so the test polls the page instead.  Every wait and every child process has a timeout.
"""
from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# $NODECFG_CHROMIUM names another Chromium-based browser (a CI image's Chrome); else Debian's chromium
CHROMIUM = next((path for path in (os.environ.get("NODECFG_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium")
                 if path and os.access(path, os.X_OK)), None)
# the flags this machine's closed network needs (no background connections, no GPU, no sandbox as root)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT = 30.0
TRAMPOLINE = """import fcntl, os, sys
read, write = (fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3])
os.dup2(read, 3)
os.dup2(write, 4)
os.execv(sys.argv[3], sys.argv[3:])"""

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium, or set $NODECFG_CHROMIUM)"),
    pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None, reason="mkdocs is not installed"),
]


# what Chromium answers when an evaluation meets a page that is being replaced by the next one (a click
# that navigates): the page is not there yet, so a wait asks again
NAVIGATING = ("Inspected target navigated or closed", "Execution context was destroyed",
              "Cannot find context with specified id")


class ProtocolError(AssertionError):
    """A DevTools command answered with an error (or a script that threw)."""


class Browser:
    """Headless Chromium over the DevTools protocol on a pipe."""

    def __init__(self, profile: Path) -> None:
        to_chrome_read, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_write = os.pipe()
        # descriptors 3 and 4 are where Chromium reads commands and writes replies: a small Python
        # trampoline moves the pipe ends there (above 9 first, so neither overwrites the other)
        self.process = subprocess.Popen(
            [sys.executable, "-c", TRAMPOLINE, str(to_chrome_read), str(from_chrome_write), CHROMIUM, *FLAGS,
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            pass_fds=(to_chrome_read, from_chrome_write), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        self.replies: queue.Queue = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._from_chrome, "rb", buffering=0) as stream:
            while True:
                chunk = stream.read(65536)
                if not chunk:
                    self.replies.put(None)
                    return
                buffer += chunk
                while b"\0" in buffer:
                    message, buffer = buffer.split(b"\0", 1)
                    self.replies.put(json.loads(message))

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        ident = self.next_id
        message = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                reply = self.replies.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"Chromium did not answer {method} in {TIMEOUT}s")
            if reply is None:
                raise AssertionError("Chromium closed the DevTools pipe")
            if reply.get("id") == ident:
                if "error" in reply:
                    raise ProtocolError(reply)
                return reply["result"]

    def open(self, url: str) -> str:
        """A new tab at url, loaded; its session id."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.navigate(session, url)
        return session

    def navigate(self, session: str, url: str) -> None:
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for(session, f"location.href === {json.dumps(url)} && document.readyState === 'complete'")

    def evaluate(self, session: str, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        if "exceptionDetails" in result:
            raise ProtocolError(result)
        return result["result"].get("value")

    def wait_for(self, session: str, expression: str, timeout: float = TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.evaluate(session, expression)
            except ProtocolError as error:
                if not any(message in str(error) for message in NAVIGATING):
                    raise
                value = None
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"not true after {timeout}s: {expression}")
            time.sleep(0.1)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (AssertionError, OSError):
            pass
        try:
            self.process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT)
        os.close(self._to_chrome)


@pytest.fixture(scope="module")
def site():
    """The built site served on a free port of 127.0.0.1: its base URL."""
    with tempfile.TemporaryDirectory() as directory:
        built = Path(directory) / "site"
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
                               str(ROOT / "mkdocs.yml"), "-d", str(built)],
                              cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        handler = functools.partial(_QuietHandler, directory=str(built))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/"
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=TIMEOUT)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    started = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield started
    started.close()


def nav_sections() -> list[tuple[str, list[str]]]:
    """(section title, the titles of its entries) of mkdocs.yml's nav; a page alone is a section of itself."""
    return [(title, [next(iter(item)) for item in value] if isinstance(value, list) else [])
            for title, value in _nav()]


def nav_page_count() -> int:
    """How many pages the nav links to, at any depth."""
    def count(value) -> int:
        return sum(count(next(iter(item.values()))) for item in value) if isinstance(value, list) else 1
    return sum(count(value) for _, value in _nav())


def _nav() -> list[tuple[str, object]]:
    from ruamel.yaml import YAML

    config = YAML(typ="safe").load((ROOT / "mkdocs.yml").read_text())
    return [next(iter(entry.items())) for entry in config["nav"]]


# the theme's main navigation is the first .navbar-nav; the second holds search, previous/next and edit.
# A section's entries are its menu's own items; a nested section (the rules of one stage) is a submenu.
NAV_SCRIPT = """[...document.querySelector('#navbar-collapse .navbar-nav').querySelectorAll(':scope > li')].map(li => [
    li.querySelector(':scope > a').textContent.trim(),
    [...li.querySelectorAll(':scope > .dropdown-menu > li > a')].map(a => a.textContent.trim()),
    [...li.querySelectorAll('a')].map(a => a.href).filter(href => !href.endsWith('#'))])"""


# the h1's own text, without the permalink anchor (toc permalink: true) after it
HEADING_SCRIPT = """[...document.querySelector('h1').childNodes].filter(node => node.nodeType === Node.TEXT_NODE)
    .map(node => node.textContent).join('').trim()"""


def test_landing_page_navigation_holds_the_nav_sections_and_every_link_loads(site, browser):
    session = browser.open(site)
    assert browser.evaluate(session, "document.title") == "Home - nodecfg"  # the nav title, the site name
    assert browser.evaluate(session, HEADING_SCRIPT) == \
        (ROOT / "docs" / "index.md").read_text().splitlines()[0].removeprefix("# ")
    shown = browser.evaluate(session, NAV_SCRIPT)
    assert [(title, pages) for title, pages, _ in shown] == nav_sections()
    assert [title for title, _ in nav_sections()][:1] == ["Getting started"]
    links = [href for _, _, hrefs in shown for href in hrefs]
    assert len(links) == nav_page_count()
    assert sum("/rules/NC" in href for href in links) == len(list((ROOT / "docs" / "rules").glob("NC*.md")))
    for href in links:
        with urllib.request.urlopen(href, timeout=TIMEOUT) as response:  # 127.0.0.1 only
            assert response.status == 200, href
            assert b"<h1" in response.read(), href


def test_a_rule_page_is_reached_from_the_rules_index(site, browser):
    session = browser.open(site + "rules/")
    heading = (ROOT / "nodecfg" / "linter" / "docs" / "NC210.md").read_text().splitlines()[0].removeprefix("# ")
    browser.wait_for(session, "document.querySelector('a[href$=\"NC210/\"]') !== null")
    headers = browser.evaluate(session, "[...document.querySelector('[role=main] table').querySelectorAll('th')]"
                                        ".map(th => th.textContent)")
    assert headers == ["code", "name", "severity", "blocking", "fixable", "summary"]
    browser.evaluate(session, "document.querySelector('a[href$=\"NC210/\"]').click()")
    browser.wait_for(session, "location.pathname.endsWith('/rules/NC210/') && document.readyState === 'complete'")
    assert browser.evaluate(session, HEADING_SCRIPT) == heading
    assert browser.evaluate(session, "document.title").startswith("NC210")


def test_search_finds_a_rule_and_nothing_for_nonsense(site, browser):
    session = browser.open(site + "?q=NC210")  # the theme opens its search box with ?q=
    found = browser.wait_for(session, "[...document.querySelectorAll('#mkdocs-search-results article a')]"
                                      ".map(a => a.getAttribute('href'))")
    assert any("rules/NC210/" in href for href in found), found
    session = browser.open(site + "?q=qqzxvnonsenseterm")
    message = browser.wait_for(session, "(document.querySelector('#mkdocs-search-results p') || {}).textContent")
    assert message == "No results found"
    assert browser.evaluate(session, "document.querySelectorAll('#mkdocs-search-results article').length") == 0


# a <pre> whose text holds `needle`, laid out with a size on the page and not hidden: its text, or null
VISIBLE_PRE = """(needle => {
    const pre = [...document.querySelectorAll('[role=main] pre')].find(p => p.innerText.includes(needle));
    if (!pre) return null;
    const box = pre.getBoundingClientRect(), style = getComputedStyle(pre);
    return box.width > 100 && box.height > 20 && style.visibility !== 'hidden' && style.display !== 'none'
        ? pre.innerText : null;
})"""


def _screenshot(browser: Browser, session: str, name: str) -> Path:
    """A PNG of the whole page, in $NODECFG_SCREENSHOTS (or a temporary directory): its path."""
    import base64

    directory = Path(os.environ.get("NODECFG_SCREENSHOTS") or tempfile.mkdtemp(prefix="nodecfg-screens-"))
    directory.mkdir(parents=True, exist_ok=True)
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
    height = browser.evaluate(session, "document.documentElement.scrollHeight")
    shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                   "clip": {"x": 0, "y": 0, "width": 1280,
                                                            "height": min(height, 2400), "scale": 1}}, session)
    path = directory / f"{name}.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    assert path.read_bytes().startswith(b"\x89PNG")
    return path


def test_landing_page_shows_an_input_and_the_finding_nodecfg_prints(site, browser):
    session = browser.open(site)
    finding = "nodeconfig.yaml:12:5: NC201 error unknown field 'flag' in spec.kubelet"
    shown = browser.wait_for(session, f"{VISIBLE_PRE}({json.dumps(finding)})")
    assert "hint: did you mean 'flags'?" in shown
    assert browser.evaluate(session, f"{VISIBLE_PRE}('kind: NodeConfig')") is not None  # the input above it
    _screenshot(browser, session, "landing")


def test_a_rule_page_from_the_nav_shows_its_examples_and_their_output(site, browser):
    session = browser.open(site)
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
    # as a reader does: open the Rules menu, then its Schema submenu, then click NC201
    browser.evaluate(session, "[...document.querySelectorAll('#navbar-collapse .navbar-nav > li > a')]"
                              ".find(a => a.textContent.trim() === 'Rules').click()")
    schema = "[...document.querySelectorAll('.dropdown-submenu > a')].find(a => a.textContent.trim() === 'Schema')"
    browser.wait_for(session, f"{schema}.getBoundingClientRect().height > 0")
    browser.evaluate(session, f"{schema}.click()")
    link = f"[...{schema}.parentElement.querySelectorAll('.dropdown-menu a')].find(a => a.textContent.trim() === 'NC201 unknown-field')"
    browser.wait_for(session, f"(r => r.height > 0 && r.top >= 0 && r.bottom <= innerHeight)({link}.getBoundingClientRect())")
    browser.evaluate(session, f"{link}.click()")
    browser.wait_for(session, "location.pathname.endsWith('/rules/NC201/') && document.readyState === 'complete'")
    assert browser.evaluate(session, HEADING_SCRIPT) == "NC201: unknown-field"
    shown = browser.wait_for(session, f"{VISIBLE_PRE}('$ nodecfg check nodeconfig.yaml')")
    assert "NC201 error unknown field 'stratgy' in spec.instance.localStorage" in shown
    assert "hint: did you mean 'strategy'?" in shown
    _screenshot(browser, session, "rule-NC201")


def test_cli_reference_shows_an_example_per_command(site, browser):
    from nodecfg.cli.commands import COMMANDS

    session = browser.open(site + "cli/")
    shown = browser.wait_for(session, f"{VISIBLE_PRE}('$ nodecfg max-pods --instance-type m5.large')")
    assert shown.splitlines()[2].startswith("m5.large ")  # the command, the header, the row
    commands = browser.evaluate(session, "[...document.querySelectorAll('[role=main] pre')]"
                                         ".map(p => p.innerText.split('\\n')[0]).filter(l => l.startsWith('$ nodecfg '))"
                                         ".map(l => l.split(' ')[2])")
    assert set(commands) == set(COMMANDS) - {"lsp"}  # lsp talks to an editor on stdio: a sentence instead
    # what a command prints wraps (docs/css/extra.css): the long lines of the migrate report are read whole
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
    overflowing = browser.evaluate(session, "[...document.querySelectorAll('[role=main] pre')]"
                                            ".filter(p => p.querySelector('code.language-console'))"
                                            ".filter(p => p.scrollWidth > p.clientWidth + 1).length")
    assert overflowing == 0
    longest = browser.evaluate(session, "Math.max(...[...document.querySelectorAll('code.language-console')]"
                                        ".flatMap(c => c.textContent.split('\\n')).map(l => l.length))")
    assert longest > 150  # there is a line to wrap
    _screenshot(browser, session, "cli")


def test_a_wait_asks_again_while_the_page_is_being_replaced():
    """A click that navigates can land an evaluation between two pages; Chromium then answers with an
    error that means "not yet", which the wait must not take for a failure (CI saw it once)."""
    answers = iter([ProtocolError({"error": {"code": -32000, "message": NAVIGATING[0]}}), False, "done"])

    class Replaced(Browser):
        def __init__(self) -> None:
            pass

        def evaluate(self, session, expression):
            answer = next(answers)
            if isinstance(answer, Exception):
                raise answer
            return answer

    assert Replaced().wait_for("session", "true", timeout=5) == "done"
    with pytest.raises(ProtocolError, match="ReferenceError"):
        broken = iter([ProtocolError({"exceptionDetails": {"text": "ReferenceError: nope"}})])

        class Broken(Replaced):
            def evaluate(self, session, expression):
                raise next(broken)

        Broken().wait_for("session", "nope", timeout=5)
