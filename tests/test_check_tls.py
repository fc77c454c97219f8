"""`check`'s verdicts agree with a real mutual-TLS handshake (Python's ssl, i.e. OpenSSL)."""

from __future__ import annotations

import socket
import ssl
import threading
from pathlib import Path

from conftest import pycert


def handshake(certs: Path, server_name: str) -> str:
    """Node cert serves, client.root authenticates; "" on success, else the error text."""
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(certs / "node.crt", certs / "node.key")
    server.load_verify_locations(certs / "ca.crt")
    server.verify_mode = ssl.CERT_REQUIRED
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(certs / "ca.crt")
    client.load_cert_chain(certs / "client.root.crt", certs / "client.root.key")
    left, right = socket.socketpair()
    errors: list[str] = []

    def serve() -> None:
        try:
            with server.wrap_socket(right, server_side=True) as tls:
                tls.recv(1)
        except (ssl.SSLError, OSError) as exc:
            errors.append(f"server: {exc}")

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with client.wrap_socket(left, server_hostname=server_name) as tls:
            tls.sendall(b"x")
    except (ssl.SSLError, OSError) as exc:
        errors.insert(0, f"client: {exc}")
    left.close()
    thread.join(10)
    right.close()
    return "; ".join(errors)


def check_code(cwd: Path, *args: str) -> int:
    return pycert("check", "--certs-dir=certs", *args, cwd=cwd).code


def test_good_directory_handshakes(full_dir: Path) -> None:
    assert check_code(full_dir, "--host=localhost") == 0
    assert handshake(full_dir / "certs", "localhost") == ""


def test_uncovered_host_fails_both(full_dir: Path) -> None:
    assert check_code(full_dir, "--host=db.example.com") == 2
    assert "Hostname mismatch" in handshake(full_dir / "certs", "db.example.com")


def test_node_signed_only_by_a_removed_ca_fails_both(full_dir: Path) -> None:
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/ca2.key", "--overwrite",
                 cwd=full_dir)
    assert res.code == 0, res.err
    assert check_code(full_dir) == 1  # still works, but warns: signed by the old CA
    assert handshake(full_dir / "certs", "localhost") == ""
    end = "-----END CERTIFICATE-----\n"
    bundle = full_dir / "certs/ca.crt"
    bundle.write_text(bundle.read_text().split(end)[0] + end)
    assert check_code(full_dir) == 2
    assert "certificate verify failed" in handshake(full_dir / "certs", "localhost")
