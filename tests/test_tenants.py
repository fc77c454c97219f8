"""Tenant commands through the real CLI: files, fields, CA fallback, errors, a TLS handshake."""

from __future__ import annotations

import shutil
import socket
import ssl
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import ExtensionOID, NameOID

from conftest import FIXTURES, pycert, snapshot
from test_pki import shape

DEFAULT_HOSTS_WARNING = (
    "Warning: no server address specified. Using [127.0.0.1 ::1 localhost *.local].\n"
)
KEY = "--ca-key=safe/ca.key"
TKEY = "--ca-key=safe/tenant.key"


def cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def skid(c: x509.Certificate) -> bytes:
    return c.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest


def akid(c: x509.Certificate) -> bytes | None:
    return c.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier


def ok(*args: str, cwd: Path) -> str:
    res = pycert(*args, cwd=cwd)
    assert res.code == 0, res.err
    return res.err


@pytest.fixture
def tenant_dir(ca_dir: Path) -> Path:
    ok("create-tenant-client-ca", "--certs-dir=certs", TKEY, cwd=ca_dir)
    return ca_dir


def test_tenant_client_ca_matches_cockroach_fixture_field_by_field(tenant_dir: Path) -> None:
    ours = cert(tenant_dir / "certs/ca-client-tenant.crt")
    assert shape(ours) == shape(cert(FIXTURES / "ca-client-tenant.crt"))
    assert (tenant_dir / "certs/ca-client-tenant.crt").stat().st_mode & 0o777 == 0o644
    assert (tenant_dir / "safe/tenant.key").stat().st_mode & 0o777 == 0o600


def test_tenant_client_matches_fixture_except_newer_eku_and_hosts(tenant_dir: Path) -> None:
    """The 2021 fixture predates serverAuth and hosts (spec §4.4, docs/compatibility.md)."""
    err = ok("create-tenant-client", "10", "--certs-dir=certs", TKEY, cwd=tenant_dir)
    assert err == DEFAULT_HOSTS_WARNING
    ours = cert(tenant_dir / "certs/client-tenant.10.crt")
    theirs = cert(FIXTURES / "client-tenant.10.crt")
    mine, fixture = shape(ours), shape(theirs)
    drop = ("2.5.29.37", "2.5.29.17")
    mine["extensions"] = [e for e in mine["extensions"] if e[0] not in drop]  # type: ignore[attr-defined]
    fixture["extensions"] = [e for e in fixture["extensions"] if e[0] not in drop]  # type: ignore[attr-defined]
    assert mine == fixture
    assert [(a.oid, a.value) for a in ours.subject] == [
        (NameOID.ORGANIZATION_NAME, "Cockroach"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "Tenants"),
        (NameOID.COMMON_NAME, "10"),
    ]
    eku = ours.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE).value
    assert [o.dotted_string for o in eku] == ["1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"]
    san = ours.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(v.value) for v in san] == ["localhost", "*.local", "127.0.0.1", "::1"]
    assert akid(ours) == skid(cert(tenant_dir / "certs/ca-client-tenant.crt"))
    assert (tenant_dir / "certs/client-tenant.10.key").stat().st_mode & 0o777 == 0o600


def test_explicit_hosts_print_no_warning(tenant_dir: Path) -> None:
    err = ok("create-tenant-client", "11", "db.example", "10.0.0.1", "--certs-dir=certs", TKEY,
             cwd=tenant_dir)
    assert err == ""
    san = cert(tenant_dir / "certs/client-tenant.11.crt").extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    assert [str(v.value) for v in san] == ["db.example", "10.0.0.1"]


def test_leading_zeros_are_rendered_decimal_in_file_names(tenant_dir: Path) -> None:
    ok("create-tenant-client", "007", "h", "--certs-dir=certs", TKEY, cwd=tenant_dir)
    assert (tenant_dir / "certs/client-tenant.7.crt").exists()
    assert (tenant_dir / "certs/client-tenant.7.key").exists()
    assert cert(tenant_dir / "certs/client-tenant.7.crt").subject.get_attributes_for_oid(
        NameOID.COMMON_NAME)[0].value == "7"


@pytest.mark.parametrize("arg,why", [
    ("abc", "invalid syntax"), ("+1", "invalid syntax"),
    ("0x10", "invalid syntax"), (" 1", "invalid syntax"), ("", "invalid syntax"),
    ("18446744073709551616", "value out of range"),
])
def test_bad_tenant_ids_are_refused_without_prefix(tenant_dir: Path, arg: str, why: str) -> None:
    before = snapshot(tenant_dir)
    for cmd in (["create-tenant-client", arg, "h", TKEY], ["create-tenant-signing", arg]):
        res = pycert(*cmd, "--certs-dir=certs", cwd=tenant_dir)
        assert res.code == 1
        assert res.err.splitlines()[0] == (
            f'ERROR: {arg} is invalid uint64: strconv.ParseUint: parsing "{arg}": {why}')
        assert res.err.splitlines()[-1] == f'Failed running "mt cert {cmd[0]}"'
    assert snapshot(tenant_dir) == before


def test_tenant_id_zero_is_refused(tenant_dir: Path) -> None:
    before = snapshot(tenant_dir)
    res = pycert("create-tenant-client", "0", "--certs-dir=certs", TKEY, cwd=tenant_dir)
    assert res.code == 1
    assert res.err == DEFAULT_HOSTS_WARNING + (
        "ERROR: failed to generate tenant client certificate and key: error creating tenant "
        "certificate and key: tenantId 0 is invalid (requires != 0)\n"
        'Failed running "mt cert create-tenant-client"\n')
    res = pycert("create-tenant-signing", "0", "--certs-dir=fresh", cwd=tenant_dir)
    assert res.code == 1
    assert res.err.startswith("ERROR: tenantId 0 is invalid (requires != 0)\n")
    assert not (tenant_dir / "fresh").exists()  # checked before the certs dir is touched
    assert snapshot(tenant_dir) == before


def test_tenant_client_without_args_is_an_arg_count_error(tenant_dir: Path) -> None:
    res = pycert("create-tenant-client", "--certs-dir=certs", TKEY, cwd=tenant_dir)
    assert (res.code, res.err.splitlines()[0]) == (
        1, "ERROR: requires at least 1 arg(s), only received 0")


def test_ca_fallback_order_is_tenant_then_client_then_main(ca_dir: Path) -> None:
    certs = ca_dir / "certs"
    ok("create-tenant-client", "1", "h", "--certs-dir=certs", KEY, cwd=ca_dir)
    assert akid(cert(certs / "client-tenant.1.crt")) == skid(cert(certs / "ca.crt"))
    ok("create-client-ca", "--certs-dir=certs", "--ca-key=safe/client.key", cwd=ca_dir)
    ok("create-tenant-client", "2", "h", "--certs-dir=certs", "--ca-key=safe/client.key",
       cwd=ca_dir)
    assert akid(cert(certs / "client-tenant.2.crt")) == skid(cert(certs / "ca-client.crt"))
    ok("create-tenant-client-ca", "--certs-dir=certs", TKEY, cwd=ca_dir)
    ok("create-tenant-client", "3", "h", "--certs-dir=certs", TKEY, cwd=ca_dir)
    assert akid(cert(certs / "client-tenant.3.crt")) == skid(cert(certs / "ca-client-tenant.crt"))
    # With the tenant CA present, the client CA's key no longer fits: cockroach's TLS error.
    res = pycert("create-tenant-client", "4", "h", "--certs-dir=certs", "--ca-key=safe/client.key",
                 cwd=ca_dir)
    assert res.code == 1 and "private key does not match public key" in res.err


def test_tenant_client_without_any_ca_is_decorated_not_found(tmp_path: Path) -> None:
    (tmp_path / "k.key").write_bytes(b"")
    res = pycert("create-tenant-client", "5", "h", "--certs-dir=certs", "--ca-key=k.key",
                 cwd=tmp_path)
    assert res.code == 1
    assert res.err.startswith("ERROR: cannot load certificates.\n")
    assert "problem with CA certificate: not found" in res.err


def test_mt_cert_path_runs_the_same_commands(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    ok("mt", "cert", "--certs-dir=c", "--ca-key=safe/t.key", "create-tenant-client-ca",
       cwd=tmp_path)
    ok("mt", "cert", "create-tenant-client", "12", "localhost", "--certs-dir=c",
       "--ca-key=safe/t.key", cwd=tmp_path)
    ok("mt", "cert", "--certs-dir=c", "create-tenant-signing", "12", cwd=tmp_path)
    names = sorted(p.name for p in (tmp_path / "c").iterdir())
    assert names == ["ca-client-tenant.crt", "client-tenant.12.crt", "client-tenant.12.key",
                     "tenant-signing.12.crt", "tenant-signing.12.key"]


def test_tenant_signing_pair(tmp_path: Path) -> None:
    ok("create-tenant-signing", "42", "--certs-dir=c", "--key-size=1", cwd=tmp_path)
    key_path, crt_path = tmp_path / "c/tenant-signing.42.key", tmp_path / "c/tenant-signing.42.crt"
    key_pem = key_path.read_bytes()
    assert key_pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")  # PKCS#8 PEM, --key-size ignored
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert crt_path.stat().st_mode & 0o777 == 0o644
    assert key_path.stat().st_ctime_ns <= crt_path.stat().st_ctime_ns  # key written first
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(key_pem, None)
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    c = cert(crt_path)
    assert c.serial_number == 1
    assert c.subject.rfc4514_string() == "CN=Tenant 42 Token Signing Certificate"
    assert c.issuer == c.subject
    c.public_key().verify(c.signature, c.tbs_certificate_bytes)  # type: ignore[call-arg,union-attr]
    assert key.public_key().public_bytes_raw() == c.public_key().public_bytes_raw()  # type: ignore[union-attr]
    exts = [(e.oid, e.critical) for e in c.extensions]
    assert exts == [(ExtensionOID.KEY_USAGE, True), (ExtensionOID.BASIC_CONSTRAINTS, True)]
    bc = c.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert (bc.ca, bc.path_length) == (False, None)
    ku = c.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and not ku.key_encipherment and not ku.key_cert_sign
    hours = (c.not_valid_after_utc - c.not_valid_before_utc).total_seconds() / 3600
    assert hours == pytest.approx(43920 + 24, abs=0.01)


def test_tenant_signing_refuses_to_overwrite_without_flag(tmp_path: Path) -> None:
    ok("create-tenant-signing", "3", "--certs-dir=c", cwd=tmp_path)
    before = snapshot(tmp_path)
    res = pycert("create-tenant-signing", "3", "--certs-dir=c", cwd=tmp_path)
    assert res.code == 1
    assert res.err.splitlines()[0] == (
        "ERROR: failed to generate tenant signing cert and key: could not write tenant signing "
        "key to file c/tenant-signing.3.key: open c/tenant-signing.3.key: file exists")
    assert snapshot(tmp_path) == before
    ok("create-tenant-signing", "3", "--certs-dir=c", "--overwrite", cwd=tmp_path)
    assert snapshot(tmp_path) != before


def test_tls_handshake_with_tenant_client_cert(tenant_dir: Path) -> None:
    """A server trusting the tenant CA accepts the tenant cert; the client checks the node."""
    ok("create-node", "localhost", "--certs-dir=certs", KEY, cwd=tenant_dir)
    ok("create-tenant-client", "10", "--certs-dir=certs", TKEY, cwd=tenant_dir)
    c = tenant_dir / "certs"
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(c / "node.crt", c / "node.key")
    server.load_verify_locations(c / "ca-client-tenant.crt")
    server.verify_mode = ssl.CERT_REQUIRED
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_cert_chain(c / "client-tenant.10.crt", c / "client-tenant.10.key")
    client.load_verify_locations(c / "ca.crt")
    seen: dict[str, object] = {}
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = listener.accept()
        with server.wrap_socket(conn, server_side=True) as tls:
            seen["peer"] = tls.getpeercert()
            tls.sendall(b"ok")

    thread = threading.Thread(target=serve)
    thread.start()
    with socket.create_connection(listener.getsockname()) as raw, client.wrap_socket(
            raw, server_hostname="localhost") as tls:
        assert tls.recv(2) == b"ok"
    thread.join(10)
    listener.close()
    subject = dict(x[0] for x in seen["peer"]["subject"])  # type: ignore[index]
    assert subject == {"organizationName": "Cockroach", "organizationalUnitName": "Tenants",
                       "commonName": "10"}


def test_fixture_tenant_files_are_loaded_but_not_listed(fixture_copy: Path) -> None:
    shutil.copy(fixture_copy / "ca.crt", fixture_copy / "ca-ui.crt")
    res = pycert("list", f"--certs-dir={fixture_copy}")
    assert res.code == 0, res.err
    usages = [line.split("\t")[0] for line in res.out.splitlines()[2:]]
    assert usages == ["CA", "UI CA", "Node", "Client", "Client", "Client"]
    files = [line.split("\t")[1] for line in res.out.splitlines()[2:]]
    assert not any("tenant" in f for f in files)
