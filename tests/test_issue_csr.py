"""Issue 8 item 2: --csr-only writes key + CSR; sign-csr signs or refuses with a reason."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import need_tool, pycert, snapshot
from tlsutil import handshake

CA = ("--certs-dir=certs", "--ca-key=safe/ca.key")


def _csr(path: Path, cn: str | None, eku: list | None = None, ca: bool = False,  # type: ignore[type-arg]
         sans: list | None = None) -> None:  # type: ignore[type-arg]
    key = ec.generate_private_key(ec.SECP256R1())
    name = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cockroach")]
    if cn is not None:
        name.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    builder = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(name))
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    path.write_bytes(builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM))


def test_csr_only_writes_key_and_request_without_ca(tmp_path: Path) -> None:
    res = pycert("create-node", "localhost", "127.0.0.1", "--certs-dir=node1", "--csr-only",
                 cwd=tmp_path)
    assert res.code == 0, res.err
    names = sorted(p.name for p in (tmp_path / "node1").iterdir())
    assert names == ["node.csr", "node.key"]
    assert stat.S_IMODE((tmp_path / "node1/node.key").stat().st_mode) == 0o600
    req = x509.load_pem_x509_csr((tmp_path / "node1/node.csr").read_bytes())
    assert req.is_signature_valid
    assert req.subject.rfc4514_string() == "CN=node,O=Cockroach"
    eku = req.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    san = req.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(v.value) for v in san] == ["localhost", "127.0.0.1"]
    ku = req.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and ku.value.key_encipherment


def test_round_trip_node_and_client_then_mutual_tls(ca_dir: Path) -> None:
    for args in (("create-node", "localhost", "--out-dir=n1"),
                 ("create-client", "alice", "--key-type=ecdsa", "--out-dir=alice")):
        assert pycert(*args, "--certs-dir=certs", "--csr-only", cwd=ca_dir).code == 0
    key_before = (ca_dir / "n1/node.key").read_bytes()
    res = pycert("sign-csr", "n1/node.csr", "--profile=node", *CA, "--out-dir=n1", cwd=ca_dir)
    assert res.code == 0, res.err
    res = pycert("sign-csr", "alice/client.alice.csr", "--profile=client", *CA,
                 "--out-dir=alice", cwd=ca_dir)
    assert res.code == 0, res.err
    assert (ca_dir / "n1/node.key").read_bytes() == key_before
    node = x509.load_pem_x509_certificate((ca_dir / "n1/node.crt").read_bytes())
    made = x509.load_pem_x509_certificate((ca_dir / "certs/ca.crt").read_bytes())
    node.verify_directly_issued_by(made)
    assert node.subject.rfc4514_string() == "CN=node,O=Cockroach"
    ca = ca_dir / "certs/ca.crt"
    handshake(ca, ca_dir / "n1/node.crt", ca_dir / "n1/node.key", "localhost",
              ca_dir / "alice/client.alice.crt", ca_dir / "alice/client.alice.key")


def test_sign_csr_made_by_openssl(ca_dir: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    subprocess.run([openssl, "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.key",
                    "-subj", "/O=Cockroach/CN=node",
                    "-addext", "subjectAltName=DNS:db1,IP:10.1.1.1",
                    "-out", "n.csr"], cwd=ca_dir, check=True, capture_output=True)
    res = pycert("sign-csr", "n.csr", "--profile=node", *CA, cwd=ca_dir)
    assert res.code == 0, res.err
    proc = subprocess.run([openssl, "verify", "-purpose", "sslserver", "-CAfile",
                           "certs/ca.crt", "certs/node.crt"], cwd=ca_dir, capture_output=True)
    assert proc.returncode == 0


@pytest.mark.parametrize(("profile", "cn", "eku", "ca", "why"), [
    ("node", "root", None, False, 'a node certificate needs CN=node, the CSR has CN="root"'),
    ("node", None, None, False, "the CSR must have exactly one CN, it has 0"),
    ("node", "node", [ExtendedKeyUsageOID.CLIENT_AUTH], False,
     "extended key usage lacks serverAuth"),
    ("client", "bob", [ExtendedKeyUsageOID.SERVER_AUTH], False,
     "extended key usage lacks clientAuth"),
    ("node", "node", None, True, "the CSR requests CA:TRUE"),
    ("client", "bob", None, True, "the CSR requests CA:TRUE"),
    ("client", "a/b", None, False, "is not a valid SQL username"),
])
def test_sign_csr_refuses_what_cockroach_would_reject(ca_dir: Path, profile: str,
                                                     cn: str | None, eku: list,  # type: ignore[type-arg]
                                                     ca: bool, why: str) -> None:
    _csr(ca_dir / "x.csr", cn, eku, ca, [x509.DNSName("db1")])
    before = snapshot(ca_dir)
    res = pycert("sign-csr", "x.csr", f"--profile={profile}", *CA, cwd=ca_dir)
    assert res.code == 1, res.err
    assert res.err.startswith(f"ERROR: failed to sign CSR x.csr as a {profile} certificate: ")
    assert why in res.err
    assert snapshot(ca_dir) == before


def test_sign_csr_node_without_hosts_refused(ca_dir: Path) -> None:
    _csr(ca_dir / "x.csr", "node")
    res = pycert("sign-csr", "x.csr", "--profile=node", *CA, cwd=ca_dir)
    assert res.code == 1 and "names no host" in res.err


def test_sign_csr_refuses_tampered_request(ca_dir: Path) -> None:
    _csr(ca_dir / "x.csr", "node", sans=[x509.DNSName("db1")])
    req = x509.load_pem_x509_csr((ca_dir / "x.csr").read_bytes())
    der = bytearray(req.public_bytes(serialization.Encoding.DER))
    i = der.find(b"db1")
    der[i:i + 3] = b"db2"
    (ca_dir / "x.csr").write_bytes(bytes(der))
    res = pycert("sign-csr", "x.csr", "--profile=node", *CA, cwd=ca_dir)
    assert res.code == 1 and "signature does not verify" in res.err


def test_sign_csr_refuses_garbage_and_missing_file(ca_dir: Path) -> None:
    (ca_dir / "x.csr").write_text("hello")
    res = pycert("sign-csr", "x.csr", "--profile=node", *CA, cwd=ca_dir)
    assert res.code == 1 and "not a certificate signing request" in res.err
    res = pycert("sign-csr", "nope.csr", "--profile=node", *CA, cwd=ca_dir)
    assert res.code == 1 and "open nope.csr: no such file or directory" in res.err
    assert "Traceback" not in res.err


def test_sign_csr_dry_run_and_json(ca_dir: Path) -> None:
    _csr(ca_dir / "x.csr", "node", sans=[x509.DNSName("db1")])
    before = snapshot(ca_dir)
    res = pycert("sign-csr", "x.csr", "--profile=node", *CA, "--dry-run", cwd=ca_dir)
    assert res.code == 0 and "SANs:      DNS:db1" in res.out and "key:       ecdsa secp256r1" \
        in res.out
    assert snapshot(ca_dir) == before
    res = pycert("sign-csr", "x.csr", "--profile=node", *CA, "--json", cwd=ca_dir)
    assert res.code == 0 and '"path": "certs/node.crt"' in res.out
