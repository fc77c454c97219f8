"""Go crypto/tls, the TLS stack of CockroachDB itself, accepts (and refuses) pycert's files."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import need_tool

from .conftest import HERE, make, read_line, run, spawned

NODE_SANS = ["localhost", "node1.example.com", "127.0.0.1", "::1", "*.local"]


@pytest.fixture(scope="session")
def tlspeer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Builds tests/interop/go/tlspeer with the stdlib only: no network, no module download."""
    go = need_tool("go", "golang-go")
    out = tmp_path_factory.mktemp("gobuild")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(GO111MODULE="off", GOCACHE=str(out / "cache"), GOPATH=str(out / "gopath"),
               GOFLAGS="", CGO_ENABLED="0", GOPROXY="off", GOTOOLCHAIN="local")
    res = run([go, "build", "-o", str(out / "tlspeer"), str(HERE / "go/tlspeer/main.go")],
              timeout=120, env=env, cwd=out)
    assert res.returncode == 0, res.stderr
    return out / "tlspeer"


@dataclass
class GoServer:
    """A running `tlspeer server`: where it listens and where its rejections are logged."""
    addr: str
    log: Path

    def rejections(self) -> str:
        return self.log.read_text()


@dataclass
class Peer:
    """Helpers bound to one built tlspeer binary."""
    binary: Path

    def client(self, addr: str, name: str, ca: Path, cert: Path | None = None,
               key: Path | None = None) -> tuple[bool, str]:
        """One client handshake; returns (accepted, server line or error)."""
        cmd = [str(self.binary), "client", "-addr", addr, "-servername", name, "-ca", str(ca)]
        if cert is not None:
            cmd += ["-cert", str(cert), "-key", str(key)]
        res = run(cmd, timeout=20)
        return res.returncode == 0, (res.stdout + res.stderr).strip()


@pytest.fixture(scope="session")
def peer(tlspeer: Path) -> Peer:
    return Peer(tlspeer)


def serve(binary: Path, certs: Path, log: Path, host: str = "127.0.0.1",
          node: str = "node", ca: str = "ca.crt") -> Iterator[GoServer]:
    """Runs a Go server with certs/<node>.crt requiring clients verified by certs/<ca>."""
    cmd = [str(binary), "server", "-cert", str(certs / f"{node}.crt"),
           "-key", str(certs / f"{node}.key"), "-ca", str(certs / ca),
           "-addr", f"[{host}]:0" if ":" in host else f"{host}:0"]
    with spawned(cmd, log) as proc:
        line = read_line(proc)
        assert line.startswith("LISTEN "), line + log.read_text()
        yield GoServer(line.split()[1], log)


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
def server(pki: Path, tlspeer: Path) -> Iterator[GoServer]:
    yield from serve(tlspeer, pki / "certs", pki / "server.log")


@pytest.fixture(scope="module")
def server6(pki: Path, tlspeer: Path) -> Iterator[GoServer]:
    yield from serve(tlspeer, pki / "certs", pki / "server6.log", host="::1")


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
    assert _eventually(lambda: "unknown authority" in server.rejections()), \
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
    assert _eventually(lambda: "expired" in server.rejections()), server.rejections()


def test_rotated_ca_bundle_verifies_old_and_new_node_certs(tmp_path: Path,
                                                           tlspeer: Path, peer: Peer) -> None:
    make(tmp_path, "create-ca")
    make(tmp_path, "create-node", "localhost", "127.0.0.1")
    make(tmp_path, "create-client", "root")
    old = tmp_path / "certs"
    for name in ("node.crt", "node.key", "client.root.crt", "client.root.key"):
        shutil.copy2(old / name, tmp_path / f"old-{name}")
    make(tmp_path, "create-ca", "--overwrite", ca_key="safe/ca-new.key")
    make(tmp_path, "create-node", "localhost", "127.0.0.1", "--overwrite",
         ca_key="safe/ca-new.key")
    make(tmp_path, "create-client", "root", "--overwrite", ca_key="safe/ca-new.key")
    assert (old / "ca.crt").read_text().count("BEGIN CERTIFICATE") == 2
    for name in ("node.crt", "node.key"):
        shutil.copy2(tmp_path / f"old-{name}", old / f"oldnode.{name.split('.')[1]}")
    for node in ("node", "oldnode"):
        servers = serve(tlspeer, old, tmp_path / f"{node}.log", node=node)
        srv = next(servers)
        try:
            for cert in ("client.root", "old-client.root"):
                where = old if cert == "client.root" else tmp_path
                ok, out = peer.client(srv.addr, "localhost", old / "ca.crt",
                                      where / f"{cert}.crt", where / f"{cert}.key")
                assert (ok, out) == (True, "OK root"), (node, cert, out)
        finally:
            servers.close()


def _eventually(check: object, timeout: float = 3) -> bool:
    """Server-side logs land just after the client sees the close; poll briefly."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False
