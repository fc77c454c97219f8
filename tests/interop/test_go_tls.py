"""Go crypto/tls, the TLS stack of CockroachDB itself, accepts (and refuses) pycert's files."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import eventually, make, need_ipv6
from .gopeer import GoServer, Peer

NODE_SANS = ["localhost", "node1.example.com", "127.0.0.1", "::1", "*.local"]


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CA with a node (DNS, IPv4, IPv6, wildcard SANs), users, a tenant client and an
    expiring cert; plus a second, unrelated CA with its own root client."""
    work = tmp_path_factory.mktemp("go")
    make(work, "create-ca")
    make(work, "create-client", "expiring", "--lifetime=1s")
    make(work, "create-node", *NODE_SANS)
    make(work, "create-client", "root")
    make(work, "create-client", "alice")
    make(work, "create-tenant-client", "10", "127.0.0.1", "localhost")
    make(work, "create-ca", certs="other", ca_key="other-safe/ca.key")
    make(work, "create-client", "root", certs="other", ca_key="other-safe/ca.key")
    return work


@pytest.fixture(scope="module")
def server(pki: Path, peer: Peer) -> Iterator[GoServer]:
    with peer.server(pki / "certs", pki / "server.log") as running:
        yield running


@pytest.fixture(scope="module")
def server6(pki: Path, peer: Peer) -> Iterator[GoServer]:
    need_ipv6()
    with peer.server(pki / "certs", pki / "server6.log", host="::1") as running:
        yield running


@pytest.mark.parametrize(("stem", "cn"), [
    ("client.root", "root"), ("client.alice", "alice"), ("client-tenant.10", "10"),
    ("node", "node"),
])
def test_node_server_accepts_client_cert(pki: Path, server: GoServer, peer: Peer,
                                         stem: str, cn: str) -> None:
    certs = pki / "certs"
    ok, out = peer.client(server.addr, "localhost", certs / "ca.crt",
                          certs / f"{stem}.crt", certs / f"{stem}.key")
    assert ok, out
    assert out == f"OK {cn}"


@pytest.mark.parametrize("name", ["localhost", "node1.example.com", "127.0.0.1", "::1",
                                  "foo.local"])
def test_client_verifies_every_node_san(pki: Path, server: GoServer, peer: Peer,
                                        name: str) -> None:
    certs = pki / "certs"
    ok, out = peer.client(server.addr, name, certs / "ca.crt",
                          certs / "client.root.crt", certs / "client.root.key")
    assert ok, out
    assert out == "OK root"


def test_handshake_over_ipv6_loopback(pki: Path, server6: GoServer, peer: Peer) -> None:
    certs = pki / "certs"
    assert server6.addr.startswith("[::1]:")
    ok, out = peer.client(server6.addr, "::1", certs / "ca.crt",
                          certs / "client.root.crt", certs / "client.root.key")
    assert (ok, out) == (True, "OK root")


@pytest.mark.parametrize("name", ["other.example.com", "a.b.local", "127.0.0.2", "::2"])
def test_server_name_outside_sans_is_rejected(pki: Path, server: GoServer, peer: Peer,
                                              name: str) -> None:
    certs = pki / "certs"
    ok, out = peer.client(server.addr, name, certs / "ca.crt",
                          certs / "client.root.crt", certs / "client.root.key")
    assert not ok
    assert "certificate is valid for" in out, out


def test_client_cert_from_another_ca_is_rejected(pki: Path, server: GoServer,
                                                 peer: Peer) -> None:
    other = pki / "other"
    ok, out = peer.client(server.addr, "localhost", pki / "certs/ca.crt",
                          other / "client.root.crt", other / "client.root.key")
    assert not ok, out
    assert eventually(lambda: "unknown authority" in server.rejections()), \
        server.rejections()


def test_server_from_another_ca_is_rejected(pki: Path, server: GoServer, peer: Peer) -> None:
    other = pki / "other"
    ok, out = peer.client(server.addr, "localhost", other / "ca.crt",
                          other / "client.root.crt", other / "client.root.key")
    assert not ok
    assert "unknown authority" in out, out


def test_client_without_cert_is_rejected(pki: Path, server: GoServer, peer: Peer) -> None:
    ok, out = peer.client(server.addr, "localhost", pki / "certs/ca.crt")
    assert not ok, out


def test_expired_client_cert_is_rejected(pki: Path, server: GoServer, peer: Peer) -> None:
    from cryptography import x509

    certs = pki / "certs"
    cert = x509.load_pem_x509_certificate((certs / "client.expiring.crt").read_bytes())
    wait = cert.not_valid_after_utc.timestamp() + 1.2 - time.time()
    assert wait < 5, "a 1s lifetime must end within seconds of creation"
    time.sleep(max(wait, 0))
    ok, out = peer.client(server.addr, "localhost", certs / "ca.crt",
                          certs / "client.expiring.crt", certs / "client.expiring.key")
    assert not ok, out
    assert eventually(lambda: "expired" in server.rejections()), server.rejections()


def test_rotated_ca_bundle_verifies_old_and_new_node_certs(tmp_path: Path, peer: Peer) -> None:
    certs = tmp_path / "certs"
    make(tmp_path, "create-ca")
    make(tmp_path, "create-node", "localhost", "127.0.0.1")
    make(tmp_path, "create-client", "root")
    first_ca = (certs / "ca.crt").read_bytes()
    for name in ("node.crt", "node.key", "client.root.crt", "client.root.key"):
        shutil.copy2(certs / name, certs / f"old-{name}")
    make(tmp_path, "create-ca", "--overwrite", ca_key="safe/ca-new.key")
    make(tmp_path, "create-node", "localhost", "127.0.0.1", "--overwrite",
         ca_key="safe/ca-new.key")
    make(tmp_path, "create-client", "root", "--overwrite", ca_key="safe/ca-new.key")
    bundle = (certs / "ca.crt").read_bytes()
    assert bundle.count(b"BEGIN CERTIFICATE") == 2 and first_ca in bundle
    only_old = tmp_path / "only-old-ca.crt"
    only_old.write_bytes(first_ca)
    for node in ("node", "old-node"):
        with peer.server(certs, tmp_path / f"{node}.log", node=node) as srv:
            for client in ("client.root", "old-client.root"):
                ok, out = peer.client(srv.addr, "localhost", certs / "ca.crt",
                                      certs / f"{client}.crt", certs / f"{client}.key")
                assert (ok, out) == (True, "OK root"), (node, client, out)
            # Without the bundle the new node is unknown: the two CAs really differ.
            ok, out = peer.client(srv.addr, "localhost", only_old,
                                  certs / "old-client.root.crt", certs / "old-client.root.key")
            assert ok == (node == "old-node"), (node, out)
