"""The DB Console without a warning, end to end: three pycert commands (create-ui-ca,
create-ui, trust install) and a page served with ui.crt opens with a padlock in real
headless Chromium, and curl, openssl s_client and a JDK client trust it through their
default stores; one command (trust uninstall) and all of them refuse it again.

Every store is private (HOME, JAVA_HOME, PYCERT_TRUST_ROOT point into the test's temp
dir); the machine's own stores are fingerprinted before and after. The screenshots stay
in the test's temp dir: before.png, after.png, after-uninstall.png.
"""

from __future__ import annotations

import http.server
import os
import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import Chromium, Visit
from conftest import need_tool, pycert
from truststores import private_jdk, real_stores, system_root

MARK = "PYCERT-UI-OK"
PAGE = (f"<!doctype html><title>DB Console</title><h1 id=ok>{MARK}</h1>"
        "<p>served with ui.crt</p>").encode()
JAVA = Path(__file__).parent / "java/TrustProbe.java"


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        """Quiet: the browser's own retries would fill the test output."""


@dataclass
class Console:
    work: Path
    url: str
    port: int
    env: dict[str, str]
    root: Path
    jdk: Path
    home: Path


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """A certs dir made by the first two commands, and a server presenting its ui.crt."""
    work = tmp_path_factory.mktemp("console")
    (work / "safe").mkdir()
    for args in (("create-ui-ca", "--ca-key=safe/ui-ca.key"),
                 ("create-ui", "localhost", "127.0.0.1", "--ca-key=safe/ui-ca.key")):
        res = pycert(*args, "--certs-dir=certs", cwd=work)
        assert res.code == 0, res.err
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(work / "certs/ui.crt", work / "certs/ui.key")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    home = work / "home"
    home.mkdir()
    root = system_root(work / "root")
    need_tool("keytool", "default-jdk-headless")
    jdk = private_jdk(work / "jdk")
    env = {"HOME": str(home), "JAVA_HOME": str(jdk), "PYCERT_TRUST_ROOT": str(root)}
    try:
        yield Console(work, f"https://localhost:{port}/", port, env, root, jdk, home)
    finally:
        server.shutdown()
        server.server_close()


def browse(console: Console, name: str) -> Visit:
    chromium = need_tool("chromium", "chromium")
    with Chromium(chromium, console.home, console.work / "profile",
                  console.work / "chromium.log") as browser:
        return browser.visit(console.url, console.work / f"{name}.png")


def curl(console: Console) -> subprocess.CompletedProcess[str]:
    certs = console.root / "etc/ssl/certs"
    return subprocess.run([need_tool("curl", "curl"), "--silent", "--show-error",
                           "--max-time", "20", "--cacert", str(certs / "ca-certificates.crt"),
                           "--capath", str(certs), console.url], capture_output=True, text=True)


def s_client(console: Console) -> subprocess.CompletedProcess[str]:
    certs = console.root / "etc/ssl/certs"
    return subprocess.run([need_tool("openssl", "openssl"), "s_client", "-connect",
                           f"127.0.0.1:{console.port}", "-servername", "localhost",
                           "-verify_return_error", "-verify_hostname", "localhost",
                           "-CAfile", str(certs / "ca-certificates.crt"), "-CApath",
                           str(certs), "-no-CAstore", "-brief"],
                          input="", capture_output=True, text=True, timeout=30)


def java(console: Console) -> subprocess.CompletedProcess[str]:
    # The private JDK's own java: the one on PATH uses its own store, whatever JAVA_HOME says.
    return subprocess.run([str(console.jdk / "bin/java"), "-Xshare:auto",
                           "-XX:TieredStopAtLevel=1", str(JAVA), console.url],
                          capture_output=True, text=True, timeout=60)


def assert_refused(console: Console, name: str) -> None:
    page = browse(console, name)
    assert page.error == "net::ERR_CERT_AUTHORITY_INVALID", page
    assert page.title == "Privacy error" and MARK not in page.text, page
    assert "Your connection is not private" in page.text
    assert "secure" not in page.security, page.security
    assert page.screenshot is not None and page.screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    refused = curl(console)
    assert refused.returncode == 60, refused.stdout + refused.stderr
    assert "unable to get local issuer certificate" in refused.stderr
    handshake = s_client(console)
    assert handshake.returncode == 1, handshake.stdout + handshake.stderr
    assert "unable to get local issuer certificate" in handshake.stdout + handshake.stderr
    client = java(console)
    assert client.returncode == 3, client.stdout + client.stderr
    assert f"java.home={console.jdk}" in client.stdout
    assert "REFUSED PKIX path building failed" in client.stdout


def test_three_commands_open_the_console_with_a_padlock_and_one_undoes_them(
        console: Console) -> None:
    before = real_stores()
    assert_refused(console, "before")

    res = pycert("trust", "install", "--certs-dir=certs", cwd=console.work, env=console.env)
    assert res.code == 0, res.out + res.err
    page = browse(console, "after")
    assert page.error == "", page
    assert page.title == "DB Console" and MARK in page.text, page
    assert page.security[-1:] == ["secure"], page.security  # the padlock
    assert page.screenshot is not None and page.screenshot.stat().st_size > 1000
    ok = curl(console)
    assert (ok.returncode, MARK in ok.stdout) == (0, True), ok.stderr
    handshake = s_client(console)
    assert handshake.returncode == 0, handshake.stdout + handshake.stderr
    assert "Verification: OK" in handshake.stdout + handshake.stderr
    assert "Verified peername: localhost" in handshake.stdout + handshake.stderr
    client = java(console)
    assert client.returncode == 0, client.stdout + client.stderr
    assert "status=200" in client.stdout and MARK in client.stdout

    res = pycert("trust", "uninstall", "--certs-dir=certs", cwd=console.work, env=console.env)
    assert res.code == 0, res.out + res.err
    assert_refused(console, "after-uninstall")
    assert real_stores() == before
    assert sorted(p.name for p in console.work.glob("*.png")) == [
        "after-uninstall.png", "after.png", "before.png"]
    assert os.path.getsize(console.work / "before.png") > 1000
