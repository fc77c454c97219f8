"""Headless Chromium driven over the DevTools protocol, for what a person sees: the page or
the certificate interstitial, the security state behind the padlock, a screenshot.

The transport is websocket-client (a test-only dependency); the protocol itself is JSON
messages with ids, a few lines here. `--dump-dom` and `--screenshot` cannot show the
refusal: a failed load exits 0 with an empty DOM and writes no screenshot.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1000,700", "--remote-debugging-port=0", "--remote-allow-origins=*")


@dataclass
class Visit:
    """What loading one URL showed."""

    error: str  # Page.navigate's errorText: "" when the page loaded
    title: str
    text: str
    security: list[str] = field(default_factory=list)  # securityState values, in order
    screenshot: Path | None = None


class Chromium:
    """One browser process, HOME and profile given; `with Chromium(...) as b: b.visit(url)`."""

    def __init__(self, chromium: str, home: Path, profile: Path, log: Path) -> None:
        self.chromium, self.home, self.profile, self.log = chromium, home, profile, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.ws: websocket.WebSocket | None = None
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        port_file = self.profile / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [self.chromium, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
                env={**os.environ, "HOME": str(self.home)}, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chromium did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.05)
        port, path = port_file.read_text().split()[:2]
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=30,
                                              suppress_origin=True)
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.ws is not None:
                self.send("Browser.close")
                self.ws.close()
        except (OSError, websocket.WebSocketException):
            pass
        if self.proc is not None:
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str = "") -> int:
        assert self.ws is not None
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        return self.next_id

    def wait(self, match: Any, timeout: float = 20) -> dict[str, Any]:
        """The next message `match` accepts; every event on the way is kept."""
        assert self.ws is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.ws.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                message = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            if "method" in message:
                self.events.append(message)
            if match(message):
                return message
        raise TimeoutError("no such message from chromium")

    def call(self, method: str, params: dict[str, Any] | None = None,
             session: str = "") -> dict[str, Any]:
        sent = self.send(method, params, session)
        reply = self.wait(lambda m: m.get("id") == sent)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return dict(reply.get("result", {}))

    def visit(self, url: str, screenshot: Path) -> Visit:
        """Loads `url` in a new tab: its error, title, text, security states, screenshot."""
        self.events.clear()
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Security"):
            self.call(f"{domain}.enable", session=session)
        error = self.call("Page.navigate", {"url": url}, session).get("errorText", "")
        self.wait(lambda m: m.get("method") == "Page.loadEventFired"
                  and m.get("sessionId") == session)
        page = self.call("Runtime.evaluate", {
            "expression": "JSON.stringify([document.title, document.body.innerText])",
            "returnByValue": True}, session)
        title, text = json.loads(page["result"]["value"])
        states = [e["params"]["visibleSecurityState"]["securityState"] for e in self.events
                  if e.get("method") == "Security.visibleSecurityStateChanged"
                  and e.get("sessionId") == session]
        # A headless screenshot has no address bar: a strip across the top says what the
        # padlock would (the last security state Chromium reported, and the URL).
        label = f"Chromium security state: {states[-1] if states else 'none'}  |  {url}"
        self.call("Runtime.evaluate", {"expression": (
            "(() => { const d = document.createElement('div'); d.textContent = "
            f"{json.dumps(label)}; d.style.cssText = 'position:fixed;bottom:0;left:0;"
            "right:0;padding:6px 10px;font:14px monospace;background:#222;color:#fff;"
            "z-index:2147483647'; document.documentElement.appendChild(d); })()")}, session)
        shot = self.call("Page.captureScreenshot", {"format": "png"}, session)["data"]
        screenshot.write_bytes(base64.b64decode(shot))
        self.call("Target.closeTarget", {"targetId": target})
        return Visit(error, title, text, states, screenshot)
