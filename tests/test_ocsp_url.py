"""`--ocsp-url`: the AIA extension CockroachDB's `security.ocsp.mode` follows, where Go's
x509.CreateCertificate puts it and byte for byte Go's encoding; kept by renew; refused
where it makes no sense."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from conftest import pycert
from ocsputil import CA, FAST, cert, ok

URL = "http://127.0.0.1:8080/ocsp"
# Go 1.19's encoding of OCSPServer = [URL] (tests/interop notes: goaia/main.go)
GO_AIA = bytes.fromhex("3028302606082b06010505073001861a687474703a2f2f3132372e302e302e31"
                       "3a383038302f6f637370")


@pytest.fixture
def ca(tmp_path: Path) -> Path:
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", *CA, *FAST)
    return tmp_path


def _oids(c: x509.Certificate) -> list[x509.ObjectIdentifier]:
    return [e.oid for e in c.extensions]


@pytest.mark.parametrize(("args", "name"), [
    (("create-node", "localhost"), "node.crt"),
    (("create-client", "alice"), "client.alice.crt"),
    (("create-tenant-client", "10"), "client-tenant.10.crt"),
])
def test_aia_goes_where_go_puts_it(ca: Path, args: tuple[str, ...], name: str) -> None:
    ok(ca, *args, *CA, *FAST, f"--ocsp-url={URL}")
    c = cert(ca / "certs" / name)
    order = [ExtensionOID.KEY_USAGE, ExtensionOID.EXTENDED_KEY_USAGE,
             ExtensionOID.AUTHORITY_KEY_IDENTIFIER, ExtensionOID.AUTHORITY_INFORMATION_ACCESS,
             ExtensionOID.SUBJECT_ALTERNATIVE_NAME]
    assert _oids(c) == order[:4 if name == "client.alice.crt" else 5]  # a client: no SAN
    aia = c.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    assert not aia.critical and aia.value.public_bytes() == GO_AIA


def test_without_the_flag_nothing_changes(ca: Path) -> None:
    ok(ca, "create-node", "localhost", *CA, *FAST)
    assert ExtensionOID.AUTHORITY_INFORMATION_ACCESS not in _oids(cert(ca / "certs/node.crt"))


def test_several_urls_in_order_and_through_sign_csr_and_create_nodes(ca: Path) -> None:
    second = "https://ocsp2.example.com"
    (ca / "nodes.csv").write_text("n1,h1\n")
    ok(ca, "create-nodes", "--from=nodes.csv", "--out-dir=out", *CA, *FAST,
       f"--ocsp-url={URL}", f"--ocsp-url={second}")
    ok(ca, "create-node", "db", "--certs-dir=req", "--csr-only", *FAST)
    ok(ca, "sign-csr", "req/node.csr", "--profile=node", *CA, "--out-dir=req",
       f"--ocsp-url={second}")
    for path, want in ((ca / "out/n1/node.crt", [URL, second]), (ca / "req/node.crt", [second])):
        aia = cert(path).extensions.get_extension_for_class(x509.AuthorityInformationAccess)
        assert [d.access_location.value for d in aia.value] == want


def test_renew_keeps_the_url_or_replaces_it(ca: Path) -> None:
    ok(ca, "create-client", "alice", *CA, *FAST, f"--ocsp-url={URL}")
    res = pycert("renew", "client", "alice", *CA, cwd=ca)
    assert res.code == 0 and "not carried over" not in res.err, res.err
    aia = cert(ca / "certs/client.alice.crt").extensions.get_extension_for_class(
        x509.AuthorityInformationAccess)
    assert aia.value.public_bytes() == GO_AIA
    ok(ca, "renew", "client", "alice", *CA, "--ocsp-url=http://new.example.com")
    aia = cert(ca / "certs/client.alice.crt").extensions.get_extension_for_class(
        x509.AuthorityInformationAccess)
    assert [d.access_location.value for d in aia.value] == ["http://new.example.com"]


@pytest.mark.parametrize("url", ["ftp://x.example.com", "http://", "ocsp.example.com:80",
                                 "http://a b.example.com", "http://é.example.com"])
def test_a_url_go_could_not_post_to_is_refused(ca: Path, url: str) -> None:
    res = pycert("create-client", "alice", *CA, f"--ocsp-url={url}", cwd=ca)
    assert res.code == 1 and "is not an http:// or https:// URL with a host" in res.err
    assert not (ca / "certs/client.alice.crt").exists()


def test_a_csr_cannot_carry_it(ca: Path) -> None:
    res = pycert("create-node", "db", "--certs-dir=req", "--csr-only", f"--ocsp-url={URL}",
                 cwd=ca)
    assert res.code == 4 and "give it to sign-csr" in res.err
