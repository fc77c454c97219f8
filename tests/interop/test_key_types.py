"""Every `--key-type` (issue 8) handshakes with Go crypto/tls and logs in to PostgreSQL.

Each type gets its own CA, node and client, all of that type, so the CA's signature
algorithm (RSA, ECDSA P-256/P-384, Ed25519) is exercised on both sides of the handshake.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import make
from .gopeer import Peer
from .pgserver import Cluster, cluster
from .test_postgres import psql

TYPES = [("rsa", "2048"), ("ecdsa", "256"), ("ecdsa", "384"), ("ed25519", "256")]


@pytest.fixture(scope="module", params=TYPES, ids=[f"{t}-{s}" for t, s in TYPES])
def typed_pki(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> Path:
    key_type, size = request.param
    work = tmp_path_factory.mktemp(f"keytype-{key_type}-{size}")
    flags = (f"--key-type={key_type}", f"--key-size={size}")
    make(work, "create-ca", *flags)
    make(work, "create-node", "localhost", "127.0.0.1", *flags)
    make(work, "create-client", "alice", *flags)
    make(work, "create-client", "root", *flags)
    return work


@pytest.fixture(scope="module")
def typed_pg(typed_pki: Path) -> Iterator[Cluster]:
    with cluster(typed_pki / "certs", ["alice"]) as running:
        yield running


def test_go_handshake_with_each_key_type(typed_pki: Path, peer: Peer) -> None:
    certs = typed_pki / "certs"
    with peer.server(certs, typed_pki / "server.log") as server:
        ok, out = peer.client(server.addr, "localhost", certs / "ca.crt",
                              certs / "client.root.crt", certs / "client.root.key")
    assert (ok, out) == (True, "OK root")


def test_postgres_login_with_each_key_type(typed_pki: Path, typed_pg: Cluster) -> None:
    code, out = psql(typed_pg, "localhost", typed_pki / "certs", "client.alice")
    assert (code, out) == (0, "alice")
