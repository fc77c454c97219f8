"""Python's ssl module (OpenSSL underneath) loads pycert's files and completes mutual TLS."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

import pytest

from .conftest import make, need_ipv6


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("pyssl")
    make(work, "create-ca")
    make(work, "create-node", "localhost", "127.0.0.1", "::1", "*.local")
    make(work, "create-client", "root")
    make(work, "create-ca", certs="other", ca_key="other-safe/ca.key")
    make(work, "create-client", "root", certs="other", ca_key="other-safe/ca.key")
    return work


def server_context(certs: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(certs / "ca.crt"))
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_cert_chain(certs / "node.crt", certs / "node.key")
    return ctx


def client_context(ca: Path, cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(ca))
    ctx.load_cert_chain(cert, key)
    return ctx


def handshake(server: ssl.SSLContext, client: ssl.SSLContext, host: str,
              name: str) -> tuple[str, str]:
    """One connection on loopback `host`; returns (what the client read or its error,
    the server's error or "")."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    if family == socket.AF_INET6:
        need_ipv6()
    server_error: list[str] = []
    with socket.socket(family) as listener:
        listener.settimeout(10)
        listener.bind((host, 0))
        listener.listen(1)

        def serve() -> None:
            try:
                conn, _ = listener.accept()
                conn.settimeout(10)
                with server.wrap_socket(conn, server_side=True) as tls:
                    peer = tls.getpeercert() or {}
                    names = [rdn[0] for rdn in peer.get("subject", ())]
                    cn = next(value for key, value in names if key == "commonName")
                    tls.sendall(f"OK {cn}".encode())
            except (OSError, ssl.SSLError) as exc:
                server_error.append(str(exc))

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            with socket.create_connection(listener.getsockname()[:2], timeout=10) as raw, \
                    client.wrap_socket(raw, server_hostname=name) as tls:
                got = tls.recv(100).decode() or "closed"
        except (OSError, ssl.SSLError) as exc:
            got = f"FAIL {exc}"
        thread.join(15)
        assert not thread.is_alive(), "server thread did not finish"
    return got, "".join(server_error)


@pytest.mark.parametrize(("host", "name"), [("127.0.0.1", "localhost"),
                                            ("127.0.0.1", "127.0.0.1"),
                                            ("::1", "::1"), ("::1", "localhost")])
def test_mutual_tls_on_loopback(pki: Path, host: str, name: str) -> None:
    certs = pki / "certs"
    client = client_context(certs / "ca.crt", certs / "client.root.crt",
                            certs / "client.root.key")
    assert handshake(server_context(certs), client, host, name) == ("OK root", "")


def test_node_cert_as_client(pki: Path) -> None:
    certs = pki / "certs"
    client = client_context(certs / "ca.crt", certs / "node.crt", certs / "node.key")
    assert handshake(server_context(certs), client, "127.0.0.1", "localhost") == ("OK node", "")


def test_client_of_another_ca_is_refused(pki: Path) -> None:
    certs, other = pki / "certs", pki / "other"
    client = client_context(certs / "ca.crt", other / "client.root.crt",
                            other / "client.root.key")
    got, server_error = handshake(server_context(certs), client, "127.0.0.1", "localhost")
    assert not got.startswith("OK")
    assert "certificate verify failed" in server_error, server_error


@pytest.mark.parametrize("name", ["other.example.com", "127.0.0.2"])
def test_name_outside_sans_is_refused(pki: Path, name: str) -> None:
    certs = pki / "certs"
    client = client_context(certs / "ca.crt", certs / "client.root.crt",
                            certs / "client.root.key")
    got, _ = handshake(server_context(certs), client, "127.0.0.1", name)
    assert got.startswith("FAIL") and "mismatch" in got, got


def test_single_label_wildcard_is_ignored_by_openssl(pki: Path) -> None:
    """cockroach's default `*.local` SAN works in Go and libpq, but OpenSSL (and so Python)
    never lets a wildcard cover a one-label suffix: a peer policy worth knowing."""
    certs = pki / "certs"
    client = client_context(certs / "ca.crt", certs / "client.root.crt",
                            certs / "client.root.key")
    got, _ = handshake(server_context(certs), client, "127.0.0.1", "foo.local")
    assert got.startswith("FAIL") and "mismatch" in got, got
