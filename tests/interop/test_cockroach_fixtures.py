"""pycert signs with a CA made by the real `cockroach cert`, and Go accepts the result."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import eventually, make
from .gopeer import Peer

LIFETIME = "--lifetime=8760h"  # the fixture CA ends in 2031: leaves must end before it


def test_pycert_leaves_from_cockroach_ca_handshake(fixture_copy: Path, tmp_path: Path,
                                                   peer: Peer) -> None:
    certs = tmp_path / "certs"
    certs.mkdir()
    for name in ("ca.crt", "ca-client-tenant.crt"):
        shutil.copy(fixture_copy / name, certs / name)
    ca_key, tenant_key = str(fixture_copy / "ca.key"), str(fixture_copy / "ca-client-tenant.key")
    make(tmp_path, "create-node", "localhost", "127.0.0.1", LIFETIME, ca_key=ca_key)
    make(tmp_path, "create-client", "pyuser", LIFETIME, ca_key=ca_key)
    make(tmp_path, "create-tenant-client", "10", "127.0.0.1", LIFETIME, ca_key=tenant_key)
    assert (certs / "ca.crt").read_bytes() == (fixture_copy / "ca.crt").read_bytes()
    bundle = tmp_path / "client-cas.crt"
    bundle.write_bytes((certs / "ca.crt").read_bytes() +
                       (certs / "ca-client-tenant.crt").read_bytes())
    with peer.server(certs, tmp_path / "server.log", ca=bundle) as srv:
        for stem, cn in (("client.pyuser", "pyuser"), ("node", "node"),
                         ("client-tenant.10", "10")):
            for name in ("localhost", "127.0.0.1"):
                ok, out = peer.client(srv.addr, name, fixture_copy / "ca.crt",
                                      certs / f"{stem}.crt", certs / f"{stem}.key")
                assert (ok, out) == (True, f"OK {cn}"), (stem, name, out)


def test_cockroach_client_cert_is_judged_by_the_same_rules(fixture_copy: Path, tmp_path: Path,
                                                           peer: Peer) -> None:
    """cockroach's own client.root (expired since 2026-08) is refused for its age, not its
    signature: proof that the server side checks the CA and the clock, like cockroach."""
    certs = tmp_path / "certs"
    certs.mkdir()
    shutil.copy(fixture_copy / "ca.crt", certs / "ca.crt")
    make(tmp_path, "create-node", "localhost", LIFETIME, ca_key=str(fixture_copy / "ca.key"))
    with peer.server(certs, tmp_path / "server.log") as srv:
        ok, out = peer.client(srv.addr, "localhost", certs / "ca.crt",
                              fixture_copy / "client.root.crt", fixture_copy / "client.root.key")
        assert not ok, out
        assert eventually(lambda: "expired" in srv.rejections()), srv.rejections()
