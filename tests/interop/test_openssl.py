"""OpenSSL judges every kind pycert makes: chains, purposes, names, keys, and handshakes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import need_tool

from .conftest import make, read_line, run, spawned


@pytest.fixture(scope="module")
def openssl() -> str:
    return need_tool("openssl", "openssl")


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """certs/: CA, node, root, tenant client 10 (signed by ca.crt); split/: the separate
    client CA and tenant client CA with their leaves; plus a tenant signing cert."""
    work = tmp_path_factory.mktemp("openssl")
    make(work, "create-ca")
    make(work, "create-node", "localhost", "node.example.com", "127.0.0.1", "::1", "*.local",
         "*.db.example.com")
    make(work, "create-client", "root", "--also-generate-pkcs8-key")
    make(work, "create-tenant-client", "10", "127.0.0.1", "tenant.example.com")
    make(work, "create-tenant-signing", "10")
    make(work, "create-ca", certs="split", ca_key="safe/split-ca.key")
    make(work, "create-client-ca", certs="split", ca_key="safe/client-ca.key")
    make(work, "create-client", "carol", certs="split", ca_key="safe/client-ca.key")
    make(work, "create-tenant-client-ca", certs="split", ca_key="safe/tenant-ca.key")
    make(work, "create-tenant-client", "11", "127.0.0.1", certs="split",
         ca_key="safe/tenant-ca.key")
    return work


def verify(openssl: str, ca: Path, cert: Path, *extra: str) -> tuple[bool, str]:
    res = run([openssl, "verify", "-x509_strict", "-CAfile", str(ca), *extra, str(cert)])
    return res.returncode == 0, (res.stdout + res.stderr).strip()


CASES = [
    # (CA file, cert file, extra flags): every kind against its own CA, by purpose and name.
    ("certs/ca.crt", "certs/ca.crt", ["-purpose", "any"]),
    ("certs/ca.crt", "certs/node.crt", ["-purpose", "sslserver", "-verify_hostname",
                                        "localhost"]),
    ("certs/ca.crt", "certs/node.crt", ["-purpose", "sslserver", "-verify_hostname",
                                        "node.example.com"]),
    ("certs/ca.crt", "certs/node.crt", ["-purpose", "sslserver", "-verify_hostname",
                                        "n1.db.example.com"]),
    ("certs/ca.crt", "certs/node.crt", ["-purpose", "sslserver", "-verify_ip", "127.0.0.1"]),
    ("certs/ca.crt", "certs/node.crt", ["-purpose", "sslserver", "-verify_ip", "::1"]),
    ("certs/ca.crt", "certs/node.crt", ["-purpose", "sslclient"]),
    ("certs/ca.crt", "certs/client.root.crt", ["-purpose", "sslclient"]),
    ("certs/ca.crt", "certs/client-tenant.10.crt", ["-purpose", "sslclient"]),
    ("certs/ca.crt", "certs/client-tenant.10.crt", ["-purpose", "sslserver", "-verify_ip",
                                                    "127.0.0.1"]),
    ("split/ca.crt", "split/ca.crt", ["-purpose", "any"]),
    ("split/ca-client.crt", "split/ca-client.crt", ["-purpose", "any"]),
    ("split/ca-client.crt", "split/client.carol.crt", ["-purpose", "sslclient"]),
    ("split/ca-client-tenant.crt", "split/ca-client-tenant.crt", ["-purpose", "any"]),
    ("split/ca-client-tenant.crt", "split/client-tenant.11.crt", ["-purpose", "sslclient"]),
    ("certs/tenant-signing.10.crt", "certs/tenant-signing.10.crt",
     ["-partial_chain", "-check_ss_sig"]),
]

REFUSED = [
    ("certs/ca.crt", "certs/node.crt", ["-verify_hostname", "other.example.com"],
     "hostname mismatch"),
    ("certs/ca.crt", "certs/node.crt", ["-verify_hostname", "a.n1.db.example.com"],
     "hostname mismatch"),
    # OpenSSL (unlike Go and libpq) ignores a wildcard with a single label after it, so
    # cockroach's default `*.local` SAN never matches here: a peer policy, not a cert defect.
    ("certs/ca.crt", "certs/node.crt", ["-verify_hostname", "foo.local"], "hostname mismatch"),
    ("certs/ca.crt", "certs/node.crt", ["-verify_ip", "127.0.0.2"], "IP address mismatch"),
    ("certs/ca.crt", "certs/client.root.crt", ["-purpose", "sslserver"],
     "unsuitable certificate purpose"),
    ("split/ca.crt", "split/client.carol.crt", [], "unable to get local issuer"),
    ("split/ca.crt", "split/client-tenant.11.crt", [], "unable to get local issuer"),
    ("split/ca-client.crt", "certs/client.root.crt", [], "unable to get local issuer"),
]


@pytest.mark.parametrize(("ca", "cert", "extra"), CASES)
def test_verify_accepts(openssl: str, pki: Path, ca: str, cert: str, extra: list[str]) -> None:
    ok, out = verify(openssl, pki / ca, pki / cert, *extra)
    assert ok, out
    assert out.endswith(": OK")


@pytest.mark.parametrize(("ca", "cert", "extra", "why"), REFUSED)
def test_verify_refuses(openssl: str, pki: Path, ca: str, cert: str, extra: list[str],
                        why: str) -> None:
    ok, out = verify(openssl, pki / ca, pki / cert, *extra)
    assert not ok
    assert why in out, out


@pytest.mark.parametrize("stem", ["certs/node", "certs/client.root", "certs/client-tenant.10",
                                  "certs/tenant-signing.10", "split/client.carol"])
def test_key_matches_its_cert(openssl: str, pki: Path, stem: str) -> None:
    cert = run([openssl, "x509", "-noout", "-pubkey", "-in", str(pki / f"{stem}.crt")])
    key = run([openssl, "pkey", "-pubout", "-in", str(pki / f"{stem}.key")])
    assert cert.returncode == key.returncode == 0, cert.stderr + key.stderr
    assert cert.stdout == key.stdout


def test_pkcs8_der_key_is_the_same_key(openssl: str, pki: Path) -> None:
    pem = run([openssl, "pkey", "-pubout", "-in", str(pki / "certs/client.root.key")])
    der = run([openssl, "pkey", "-pubout", "-inform", "DER",
               "-in", str(pki / "certs/client.root.key.pk8")])
    assert der.returncode == 0, der.stderr
    assert der.stdout == pem.stdout


@pytest.fixture(scope="module")
def s_server(openssl: str, pki: Path) -> Iterator[str]:
    """`openssl s_server -Verify` with the node files; answers a GET with the client cert."""
    certs = pki / "certs"
    cmd = [openssl, "s_server", "-accept", "127.0.0.1:0", "-cert", str(certs / "node.crt"),
           "-key", str(certs / "node.key"), "-CAfile", str(certs / "ca.crt"), "-Verify", "2",
           "-verify_return_error", "-www"]
    with spawned(cmd, pki / "s_server.log") as proc:
        line = ""
        while not line.startswith("ACCEPT"):
            line = read_line(proc)
        yield line.split()[1]


def s_client(openssl: str, addr: str, ca: Path, name: str, stem: Path | None) -> str:
    """A GET through `openssl s_client` verifying the server; returns what the server said."""
    cmd = [openssl, "s_client", "-connect", addr, "-CAfile", str(ca), "-verify_return_error",
           "-quiet", "-verify_hostname", name]
    if stem is not None:
        cmd += ["-cert", f"{stem}.crt", "-key", f"{stem}.key"]
    res = run(cmd, input="GET / HTTP/1.0\r\n\r\n", timeout=20)
    return res.stdout + res.stderr


@pytest.mark.parametrize(("stem", "cn"), [("client.root", "root"), ("node", "node"),
                                          ("client-tenant.10", "10")])
def test_s_server_accepts_client(openssl: str, pki: Path, s_server: str, stem: str,
                                 cn: str) -> None:
    certs = pki / "certs"
    out = s_client(openssl, s_server, certs / "ca.crt", "localhost", certs / stem)
    assert "HTTP/1.0 200 ok" in out, out
    assert f"Subject: O = Cockroach, CN = {cn}" in out or f"CN={cn}" in out, out


def test_s_server_refuses_client_of_another_ca(openssl: str, pki: Path, s_server: str) -> None:
    out = s_client(openssl, s_server, pki / "certs/ca.crt", "localhost",
                   pki / "split/client.carol")
    assert "HTTP/1.0 200 ok" not in out
    assert "alert" in out, out


def test_s_server_refuses_client_without_cert(openssl: str, pki: Path, s_server: str) -> None:
    out = s_client(openssl, s_server, pki / "certs/ca.crt", "localhost", None)
    assert "HTTP/1.0 200 ok" not in out
    assert "alert" in out, out


def test_s_client_refuses_name_outside_sans(openssl: str, pki: Path, s_server: str) -> None:
    out = s_client(openssl, s_server, pki / "certs/ca.crt", "other.example.com",
                   pki / "certs/client.root")
    assert "HTTP/1.0 200 ok" not in out
    assert "hostname mismatch" in out, out
