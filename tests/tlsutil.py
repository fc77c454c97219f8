"""A real TLS 1.2/1.3 handshake between two Python ssl endpoints over a socket pair."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path


def handshake(ca: Path, cert: Path, key: Path, hostname: str,
              client_cert: Path | None = None, client_key: Path | None = None) -> str:
    """Server presents cert/key; client verifies against ca and hostname. Returns the cipher."""
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(str(cert), str(key))
    if client_cert is not None:
        server_ctx.verify_mode = ssl.CERT_REQUIRED
        server_ctx.load_verify_locations(str(ca))
    client_ctx = ssl.create_default_context(cafile=str(ca))
    if client_cert is not None:
        client_ctx.load_cert_chain(str(client_cert), str(client_key))
    left, right = socket.socketpair()
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            with server_ctx.wrap_socket(left, server_side=True) as tls:
                tls.sendall(b"ok")
        except BaseException as exc:  # reported to the caller below
            errors.append(exc)

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with client_ctx.wrap_socket(right, server_hostname=hostname) as tls:
            assert tls.recv(2) == b"ok"
            cipher = tls.cipher()
    finally:
        thread.join(10)
    if errors:
        raise errors[0]
    return cipher[0] if cipher else ""
