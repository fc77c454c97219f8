"""The OCSP responder's HTTP side, on the standard library's `http.server`.

RFC 6960 A.1 over HTTP: POST (body = DER request) and GET (`/<url-encoded base64>`), the
answer as `application/ocsp-response` (exactly: CockroachDB compares the header). What a
client may send is bounded: the body's size, the connections open at once (more are
closed at once), and the time a connection may take for one request (a reaper thread
shuts the socket of any that dawdles), so no client can stop or starve the server.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from pycert import log

CONTENT_TYPE = "application/ocsp-response"
MAX_BODY = 16 << 10  # an OCSP request for one certificate is ~100 bytes; a signed one ~2 KB
MAX_PATH = 4 << 10  # a GET carries the request in base64 in its path


class Answering(Protocol):
    """What the server needs of the responder (certdir.responder.Responder)."""

    def answer(self, der: bytes) -> Any: ...


class OcspServer(ThreadingHTTPServer):
    """A thread per connection, at most `max_connections` of them, each request bounded."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], responder: Answering, decode_get: Any, *,
                 max_connections: int = 256, deadline: float = 10.0) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.responder, self.decode_get = responder, decode_get
        self.max_connections, self.deadline = max_connections, deadline
        self.slots = threading.BoundedSemaphore(max_connections)
        self.deadlines: dict[socket.socket, float] = {}
        self.deadlines_lock = threading.Lock()
        self.closing = threading.Event()
        super().__init__(address, Handler)
        threading.Thread(target=self._reap, name="pycert-ocsp-reaper", daemon=True).start()

    def server_bind(self) -> None:
        if self.address_family == socket.AF_INET6 and self.server_address[0] == "::":
            with contextlib.suppress(OSError, AttributeError):  # both stacks, as Go's ":port"
                self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            log.warning("OCSP responder: %d connections open: closing one from %s",
                        self.max_connections, client_address[0])
            self.shutdown_request(request)
            return
        self.touch(request)
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.forget(request)
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.forget(request)

    def touch(self, sock: socket.socket) -> None:
        """The connection gets `deadline` seconds for its next request, from now."""
        with self.deadlines_lock:
            self.deadlines[sock] = time.monotonic() + self.deadline

    def forget(self, sock: socket.socket) -> None:
        with self.deadlines_lock:
            if self.deadlines.pop(sock, None) is not None:
                self.slots.release()

    def _reap(self) -> None:
        while not self.closing.wait(min(1.0, self.deadline / 4)):
            now = time.monotonic()
            with self.deadlines_lock:
                late = [s for s, until in self.deadlines.items() if until < now]
            for sock in late:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)  # its thread's read returns: it ends

    def drain(self, wait: float) -> None:
        """After shutdown: lets the requests in flight finish, for `wait` seconds at most."""
        self.closing.set()
        end = time.monotonic() + wait
        while time.monotonic() < end:
            with self.deadlines_lock:
                if not self.deadlines:
                    return
            time.sleep(0.02)


class Handler(BaseHTTPRequestHandler):
    """POST and GET to any path; anything else gets the standard library's 501."""

    server: OcspServer
    protocol_version = "HTTP/1.1"  # keep-alive: CockroachDB's Go client reuses connections
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms stall
    server_version = "pycert-ocsp"
    timeout = None  # one read waits the server's deadline (setup); the reaper bounds a request

    def version_string(self) -> str:
        """`Server: pycert-ocsp`, without the Python version http.server would add."""
        return self.server_version

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.deadline)

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        if self.headers.get("Transfer-Encoding"):
            self._refuse(411, "send the request with a Content-Length")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._refuse(411, "a POST needs a Content-Length")
            return
        if length < 0 or length > MAX_BODY:
            self._refuse(413, f"an OCSP request is at most {MAX_BODY} bytes here")
            return
        try:
            body = self.rfile.read(length)
        except OSError:
            body = b""
        if len(body) < length:  # the client went away, or the reaper cut it off
            self.close_connection = True
            return
        self._reply(self.server.responder.answer(body).body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if len(self.path) > MAX_PATH:
            self._refuse(414, f"a GET request is at most {MAX_PATH} bytes here")
            return
        der = self.server.decode_get(self.path)
        answer = self.server.responder.answer(der if der is not None else b"")
        self._reply(answer.body)

    def _reply(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.touch(self.connection)

    def _refuse(self, code: int, why: str) -> None:
        self.close_connection = True
        self.send_error(code, why)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.info("OCSP %s %s %s", self.client_address[0], self.command, code)

    def log_error(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        log.info("OCSP %s: " + format, self.client_address[0], *args)
