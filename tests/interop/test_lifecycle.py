"""The whole rotation against real peers: Go crypto/tls (CockroachDB's TLS stack) and
PostgreSQL with psql and pgjdbc.

Stage 1 (`rotate-ca`) breaks nothing once the new bundle is on both sides; stage 2
(`renew --all`) gives pairs that handshake; stage 3 (`prune-ca --unused`) makes what only
the old CA signed fail, while the renewed certificates pass.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import pycert

from .conftest import eventually, make
from .gopeer import Peer
from .pgserver import Cluster, cluster
from .test_jdbc import connect, jdbc_check  # noqa: F401 - jdbc_check is a fixture
from .test_postgres import psql

PAIRS = ("node", "client.root", "client-tenant.10")


@dataclass
class Stages:
    """The certs dir after each stage, each a copy: 0 before, 1 rotated, 2 renewed, 3 pruned."""

    work: Path

    def certs(self, stage: int) -> Path:
        return self.work / f"stage{stage}"


def _snapshot(work: Path, stage: int) -> None:
    shutil.copytree(work / "certs", work / f"stage{stage}")


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> Stages:
    work = tmp_path_factory.mktemp("lifecycle")
    make(work, "create-ca")
    make(work, "create-node", "localhost", "127.0.0.1")
    make(work, "create-client", "root", "--also-generate-pkcs8-key")
    make(work, "create-tenant-client", "10", "127.0.0.1", "localhost")
    _snapshot(work, 0)
    make(work, "rotate-ca", ca_key="safe/ca-2.key")
    _snapshot(work, 1)
    make(work, "renew", "--all", "--within=30d", ca_key="safe/ca-2.key")
    _snapshot(work, 2)
    pruned = pycert("prune-ca", "--unused", "--certs-dir=certs", cwd=work)
    assert pruned.code == 0, pruned.err
    _snapshot(work, 3)
    return Stages(work)


def _server_dir(stages: Stages, node_stage: int, bundle_stage: int, name: str) -> Path:
    """A node's certs dir: node.crt/.key of one stage, ca.crt of another."""
    out = stages.work / name
    if not out.exists():
        out.mkdir()
        for file in ("node.crt", "node.key"):
            shutil.copy2(stages.certs(node_stage) / file, out / file)
        shutil.copy2(stages.certs(bundle_stage) / "ca.crt", out / "ca.crt")
    return out


def handshake(peer: Peer, stages: Stages, *, node: int, server_bundle: int, client: int,
              client_bundle: int, stem: str = "client.root") -> tuple[bool, str]:
    """One handshake: a Go server with the node pair of stage `node` trusting the bundle of
    `server_bundle`; a Go client with `stem` of stage `client` trusting `client_bundle`."""
    certs = _server_dir(stages, node, server_bundle, f"srv-{node}-{server_bundle}")
    with peer.server(certs, stages.work / f"srv-{node}-{server_bundle}-{client}.log") as srv:
        ok, out = peer.client(srv.addr, "localhost", stages.certs(client_bundle) / "ca.crt",
                              stages.certs(client) / f"{stem}.crt",
                              stages.certs(client) / f"{stem}.key")
        if not ok:
            eventually(lambda: bool(srv.rejections()))
            out += " / server: " + srv.rejections()
        return ok, out


def test_renew_gave_every_pair_a_new_key_and_the_new_ca(stages: Stages) -> None:
    from cryptography import x509

    first = x509.load_pem_x509_certificate((stages.certs(1) / "ca.crt").read_bytes())
    for stem in PAIRS:
        old = x509.load_pem_x509_certificate((stages.certs(0) / f"{stem}.crt").read_bytes())
        new = x509.load_pem_x509_certificate((stages.certs(2) / f"{stem}.crt").read_bytes())
        new.verify_directly_issued_by(first)
        assert new.subject == old.subject and new.public_key() != old.public_key()
    assert (stages.certs(3) / "ca.crt").read_bytes().count(b"BEGIN") == 1


@pytest.mark.parametrize(("server_bundle", "client_bundle"), [(1, 1), (1, 0), (0, 1)])
def test_after_rotate_the_current_certs_still_handshake(peer: Peer, stages: Stages,
                                                        server_bundle: int,
                                                        client_bundle: int) -> None:
    """Stage 1 breaks nothing: old certs, the new bundle on either side or both."""
    ok, out = handshake(peer, stages, node=1, server_bundle=server_bundle, client=1,
                        client_bundle=client_bundle)
    assert (ok, out) == (True, "OK root")


@pytest.mark.parametrize("stem", ["client.root", "client-tenant.10", "node"])
def test_after_renew_the_renewed_pairs_handshake(peer: Peer, stages: Stages,
                                                 stem: str) -> None:
    ok, out = handshake(peer, stages, node=2, server_bundle=2, client=2, client_bundle=2,
                        stem=stem)
    assert (ok, out) == (True, f"OK {'root' if stem == 'client.root' else stem[-2:]}"
                         if stem != "node" else "OK node")


def test_during_renewal_old_and_renewed_certs_meet(peer: Peer, stages: Stages) -> None:
    """A renewed node and a not-yet-renewed client (and the reverse) both still work."""
    assert handshake(peer, stages, node=2, server_bundle=2, client=1, client_bundle=2) == \
        (True, "OK root")
    assert handshake(peer, stages, node=1, server_bundle=2, client=2, client_bundle=2) == \
        (True, "OK root")


def test_the_bundle_must_go_out_before_the_renewed_certs(peer: Peer, stages: Stages) -> None:
    """Why stage 1 comes first: a client with the old bundle cannot verify a renewed node."""
    ok, out = handshake(peer, stages, node=2, server_bundle=2, client=2, client_bundle=0)
    assert not ok and "unknown authority" in out, out


def test_after_prune_the_renewed_certs_pass(peer: Peer, stages: Stages) -> None:
    assert handshake(peer, stages, node=3, server_bundle=3, client=3, client_bundle=3) == \
        (True, "OK root")


def test_after_prune_a_client_cert_only_the_old_ca_signed_fails(peer: Peer,
                                                                stages: Stages) -> None:
    ok, out = handshake(peer, stages, node=3, server_bundle=3, client=0, client_bundle=3)
    assert not ok and "unknown authority" in out, out


def test_after_prune_a_node_cert_only_the_old_ca_signed_fails(peer: Peer,
                                                              stages: Stages) -> None:
    ok, out = handshake(peer, stages, node=0, server_bundle=3, client=3, client_bundle=3)
    assert not ok and "unknown authority" in out, out


# --- PostgreSQL: the renewed client.root (and its .pk8) logs in ---------------------------

@pytest.fixture(scope="module")
def pg_renewed(stages: Stages) -> Iterator[Cluster]:
    """PostgreSQL with the renewed node pair, trusting only the new CA (stage 3)."""
    with cluster(stages.certs(3), ["root"]) as running:
        yield running


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_renewed_client_root_logs_in_with_psql(pg_renewed: Cluster, stages: Stages,
                                               host: str) -> None:
    code, out = psql(pg_renewed, host, stages.certs(3), "client.root", user="root")
    assert (code, out) == (0, "root")


def test_the_old_client_root_is_refused_after_prune(pg_renewed: Cluster,
                                                    stages: Stages) -> None:
    code, out = psql(pg_renewed, "localhost", stages.certs(0), "client.root", user="root",
                     ca=stages.certs(3) / "ca.crt")
    assert code != 0
    assert "unknown ca" in out.lower() or "certificate verify failed" in out.lower(), out


def test_renewed_pk8_logs_in_with_jdbc(jdbc_check: list[str],  # noqa: F811 - the fixture
                                       pg_renewed: Cluster, stages: Stages) -> None:
    code, out = connect(jdbc_check, pg_renewed, "localhost", stages.certs(3), "client.root",
                        user="root")
    assert (code, out) == (0, "root")
