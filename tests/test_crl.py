"""`create-crl` and `--crl-sign`: the CRL OpenSSL and Go accept, numbered upwards, written
atomically; a CA with cockroach's profile (no cRLSign) is refused with the way out."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from conftest import need_tool, pycert, snapshot
from ocsputil import CA, FAST, cert, make_pki, ok


def _ku(c: x509.Certificate) -> x509.Extension[x509.KeyUsage]:
    return c.extensions.get_extension_for_class(x509.KeyUsage)


def _crl(path: Path) -> x509.CertificateRevocationList:
    return x509.load_pem_x509_crl(path.read_bytes())


@pytest.mark.parametrize("command", ["create-ca", "create-client-ca", "create-tenant-client-ca"])
def test_crl_sign_adds_exactly_one_bit(tmp_path: Path, command: str) -> None:
    """Default: cockroach's CA key usage, byte for byte as before; --crl-sign: the same
    plus cRLSign, and nothing else differs in the profile."""
    ok(tmp_path, command, "--certs-dir=a", "--ca-key=a.key")
    ok(tmp_path, command, "--certs-dir=b", "--ca-key=b.key", "--crl-sign")
    name = {"create-ca": "ca.crt", "create-client-ca": "ca-client.crt",
            "create-tenant-client-ca": "ca-client-tenant.crt"}[command]
    plain, signing = cert(tmp_path / "a" / name), cert(tmp_path / "b" / name)
    assert _ku(plain).value.public_bytes() == bytes.fromhex("030202e4")  # cockroach's 4 bits
    assert _ku(signing).value.public_bytes() == bytes.fromhex("030201e6")  # ... and cRLSign
    assert _ku(signing).critical
    assert [e.oid for e in plain.extensions] == [e.oid for e in signing.extensions]


def test_create_crl_refuses_a_ca_without_crl_sign(tmp_path: Path) -> None:
    work = make_pki(tmp_path, "alice", crl_sign=False, signer=False)
    ok(work, "revoke", "client", "alice", *CA)
    before = snapshot(work)
    res = pycert("create-crl", *CA, "--out=crl.pem", cwd=work)
    assert res.code == 1
    assert "may not sign CRLs: its key usage lacks cRLSign" in res.err
    hint = next(line for line in res.err.splitlines() if line.startswith("HINT: "))
    assert "pycert create-ca --crl-sign" in hint and "pycert rotate-ca --crl-sign" in hint
    assert "docs/revocation.md" in hint
    assert snapshot(work) == before


def test_the_way_out_is_a_rotation_with_crl_sign(tmp_path: Path) -> None:
    work = make_pki(tmp_path, "alice", crl_sign=False, signer=False)
    ok(work, "rotate-ca", "--certs-dir=certs", "--ca-key=safe/ca-2.key", "--crl-sign")
    assert _ku(cert(work / "certs/ca.crt")).value.crl_sign
    ok(work, "rotate-ca", "--certs-dir=certs", "--ca-key=safe/ca-3.key")  # carried over
    assert _ku(cert(work / "certs/ca.crt")).value.crl_sign
    ok(work, "renew", "--all", "--certs-dir=certs", "--ca-key=safe/ca-3.key")
    ok(work, "revoke", "client", "alice", "--certs-dir=certs", "--ca-key=safe/ca-3.key")
    ok(work, "create-crl", "--certs-dir=certs", "--ca-key=safe/ca-3.key", "--out=crl.pem")
    crl = _crl(work / "crl.pem")
    assert crl.get_revoked_certificate_by_serial_number(
        cert(work / "certs/client.alice.crt").serial_number) is not None


def test_create_crl_lists_the_revoked_with_their_reasons(tmp_path: Path) -> None:
    work = make_pki(tmp_path, "alice", "bob", "carol", signer=False)
    ok(work, "revoke", "client", "alice", "--reason=keyCompromise", *CA)
    ok(work, "revoke", "client", "bob", *CA)
    ok(work, "revoke", "client", "carol", "--reason=unspecified", *CA)
    (work / "out").mkdir()
    out = ok(work, "create-crl", *CA, "--out=out/crl.pem", "--next-update=48h", "--json")
    doc = json.loads(out)
    assert doc["number"] == 1 and doc["revoked"] == 3 and doc["path"] == "out/crl.pem"
    crl = _crl(work / "out/crl.pem")
    ca = cert(work / "certs/ca.crt")
    assert crl.is_signature_valid(ca.public_key())
    assert crl.issuer == ca.subject
    assert crl.next_update_utc is not None and crl.last_update_utc is not None
    assert crl.next_update_utc - crl.last_update_utc == dt.timedelta(hours=48)
    akid = crl.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    skid = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert akid.key_identifier == skid.digest
    reasons = {}
    for name in ("alice", "bob", "carol"):
        entry = crl.get_revoked_certificate_by_serial_number(
            cert(work / f"certs/client.{name}.crt").serial_number)
        assert entry is not None
        try:
            reasons[name] = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        except x509.ExtensionNotFound:
            reasons[name] = None
    # RFC 5280 5.3.1: unspecified is left out rather than written
    assert reasons == {"alice": x509.ReasonFlags.key_compromise, "bob": None, "carol": None}
    assert (work / "out/crl.pem").stat().st_mode & 0o777 == 0o644


def test_crl_numbers_only_go_up(tmp_path: Path) -> None:
    work = make_pki(tmp_path, "alice", signer=False)
    numbers = []
    for _ in range(3):
        ok(work, "create-crl", *CA, "--out=crl.pem")
        numbers.append(_crl(work / "crl.pem").extensions.get_extension_for_class(
            x509.CRLNumber).value.crl_number)
    assert numbers == [1, 2, 3]
    assert (work / "safe/crlnumber").read_text() == "04\n"  # OpenSSL's file: the next one
    (work / "safe/crlnumber").unlink()  # lost: the CRL being replaced still counts
    ok(work, "create-crl", *CA, "--out=crl.pem", "--format=der")
    der = x509.load_der_x509_crl((work / "crl.pem").read_bytes())
    assert der.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 4


def test_flags_of_create_crl(tmp_path: Path) -> None:
    work = make_pki(tmp_path, signer=False)
    res = pycert("create-crl", *CA, cwd=work)
    assert res.code == 4 and "--out" in res.err
    res = pycert("create-crl", *CA, "--out=x", "--format=txt", cwd=work)
    assert res.code == 4 and "(possible values: pem, der)" in res.err
    res = pycert("create-crl", *CA, "--out=x", "--issuer=node", cwd=work)
    assert res.code == 4 and "(possible values: ca, client-ca, ui-ca, tenant-client-ca)" in res.err
    res = pycert("create-crl", *CA, "--out=x", "--issuer=client-ca", cwd=work)
    assert res.code == 1 and "ca-client.crt" in res.err
    res = pycert("create-crl", *CA, "--out=x", "--next-update=0s", cwd=work)
    assert res.code == 4, res.err
    assert 'invalid argument "0s" for "--next-update" flag: must be positive' in res.err
    res = pycert("create-ocsp-signer", *CA, "--lifetime=-5h", cwd=work)
    assert res.code == 4, res.err
    assert 'invalid argument "-5h0m0s" for "--lifetime" flag: must be positive' in res.err
    assert not (work / "safe/ca.ocsp.pem").exists()


def test_openssl_verifies_the_crl_and_enforces_it(tmp_path: Path) -> None:
    """`openssl crl -verify` only checks the signature; `openssl verify -crl_check` is what
    TLS peers do: the revoked client fails with error 23, the other passes."""
    openssl = need_tool("openssl", "openssl")
    work = make_pki(tmp_path, "alice", "bob", signer=False)
    ok(work, "revoke", "client", "bob", "--reason=keyCompromise", *CA)
    ok(work, "create-crl", *CA, "--out=crl.pem")
    res = subprocess.run([openssl, "crl", "-in", "crl.pem", "-CAfile", "certs/ca.crt", "-noout",
                          "-verify"], cwd=work, capture_output=True, text=True)
    assert res.returncode == 0 and "verify OK" in res.stdout + res.stderr
    for user, code, words in (("alice", 0, "client.alice.crt: OK"),
                              ("bob", 2, "error 23 at 0 depth lookup: certificate revoked")):
        res = subprocess.run([openssl, "verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile",
                              "certs/ca.crt", f"certs/client.{user}.crt"], cwd=work,
                             capture_output=True, text=True)
        assert res.returncode == code and words in res.stdout + res.stderr, res


def test_during_a_rotation_the_old_ca_key_still_signs_its_crl_and_signer(
        tmp_path: Path) -> None:
    """Stage 1 puts the new CA first in ca.crt; the old key still signs a CRL and an OCSP
    signer for the old CA's certificates. openssl, trusting both CAs with both CRLs, refuses
    the revoked old-CA client and accepts the others."""
    openssl = need_tool("openssl", "openssl")
    work = make_pki(tmp_path, "alice", "bob", signer=False)
    ok(work, "rotate-ca", "--certs-dir=certs", "--ca-key=safe/ca-2.key", "--crl-sign", *FAST)
    new = ("--certs-dir=certs", "--ca-key=safe/ca-2.key")
    ok(work, "create-client", "carol", *new, *FAST)
    ok(work, "revoke", "client", "bob", *CA)
    ok(work, "create-crl", *CA, "--out=old.crl")
    ok(work, "create-crl", *new, "--out=new.crl")
    old_ca, new_ca = x509.load_pem_x509_certificates((work / "certs/ca.crt").read_bytes())[::-1]
    assert _crl(work / "old.crl").is_signature_valid(old_ca.public_key())
    assert _crl(work / "new.crl").is_signature_valid(new_ca.public_key())
    ok(work, "create-ocsp-signer", *CA)
    signer = x509.load_pem_x509_certificates((work / "safe/ca.ocsp.pem").read_bytes())[0]
    signer.verify_directly_issued_by(old_ca)
    (work / "both.crl").write_bytes((work / "new.crl").read_bytes() +
                                    (work / "old.crl").read_bytes())
    for user, code, words in (("alice", 0, ": OK"), ("carol", 0, ": OK"),
                              ("bob", 2, "error 23 at 0 depth lookup: certificate revoked")):
        res = subprocess.run([openssl, "verify", "-crl_check", "-CRLfile", "both.crl",
                              "-CAfile", "certs/ca.crt", f"certs/client.{user}.crt"],
                             cwd=work, capture_output=True, text=True)
        assert res.returncode == code and words in res.stdout + res.stderr, (user, res)
    res = pycert("create-crl", "--certs-dir=certs", "--ca-key=safe/stray.key", "--out=x.crl",
                 cwd=work)
    assert res.code == 1 and "no such file" in res.err.lower()
    ok(work, "create-ca", "--certs-dir=other", "--ca-key=safe/other.key", *FAST)
    res = pycert("create-crl", "--certs-dir=certs", "--ca-key=safe/other.key", "--out=x.crl",
                 cwd=work)
    assert res.code == 1 and "private key does not match public key" in res.err
    assert "HINT: --ca-key must be the key of one of the CA certificates in certs/ca.crt" \
        in res.err


def test_out_replaces_only_a_crl(tmp_path: Path) -> None:
    """A typo in --out must not destroy the CA key, the ledger, ca.crt, a device or a link:
    create-crl replaces nothing but a regular file holding a CRL."""
    work = make_pki(tmp_path, "alice", signer=False)
    ok(work, "create-crl", *CA, "--out=good.crl")
    (work / "link.crl").symlink_to("good.crl")
    before = snapshot(work)
    for out, why in (("safe/ca.key", "it holds no CRL"), ("safe/index.txt", "it holds no CRL"),
                     ("certs/ca.crt", "it holds no CRL"), ("safe/crlnumber", "it holds no CRL"),
                     ("certs", "not a regular file"), ("/dev/null", "not a regular file"),
                     ("link.crl", "it is a symbolic link")):
        res = pycert("create-crl", *CA, f"--out={out}", cwd=work)
        assert res.code == 1 and f"will not write the CRL to {out}: {why}" in res.err, res.err
        assert "HINT: give --out a new path or an existing CRL file" in res.err
    assert snapshot(work) == before
    ok(work, "create-crl", *CA, "--out=good.crl", "--format=der")  # a CRL: replaced
    crl = x509.load_der_x509_crl((work / "good.crl").read_bytes())
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2


def test_check_with_a_crl(tmp_path: Path) -> None:
    """check --crl: the revoked client fails [revoked]; a CRL signed by a CA without cRLSign,
    or past its next update, fails [crl-unusable], as PostgreSQL would refuse it."""
    work = make_pki(tmp_path, "alice", "bob", signer=False)
    ok(work, "revoke", "client", "bob", *CA)
    ok(work, "create-crl", *CA, "--out=crl.pem")
    res = pycert("check", "--certs-dir=certs", "--crl=crl.pem", "--format=json", cwd=work)
    assert res.code == 2
    problems = json.loads(res.out)["problems"]
    assert [(p["check"], p["file"]) for p in problems] == [("revoked", "client.bob.crt")]
    other = tmp_path / "plain"
    other.mkdir()
    make_pki(other, "bob", crl_sign=False, signer=False)
    ca = cert(other / "certs/ca.crt")
    key = serialization.load_pem_private_key((other / "safe/ca.key").read_bytes(), None)
    now = dt.datetime.now(dt.timezone.utc)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca.subject)
           .last_update(now - dt.timedelta(days=9)).next_update(now - dt.timedelta(days=2))
           .add_extension(x509.CRLNumber(1), critical=False)
           .sign(key, hashes.SHA256()))
    (other / "crl.pem").write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    res = pycert("check", "--certs-dir=certs", "--crl=crl.pem", "--format=json", cwd=other)
    messages = [p["message"] for p in json.loads(res.out)["problems"]
                if p["check"] == "crl-unusable"]
    assert res.code == 2 and len(messages) == 2, res.out
    assert "lacks cRLSign" in messages[0] and "expired at" in messages[1]
    assert pycert("check", "--certs-dir=certs", "--crl=nope.pem", cwd=other).code == 3


def test_the_crl_of_a_client_ca(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", *CA, *FAST)
    ok(tmp_path, "create-client-ca", "--certs-dir=certs", "--ca-key=safe/ca-client.key",
       "--crl-sign", *FAST)
    cc = ("--certs-dir=certs", "--ca-key=safe/ca-client.key")
    ok(tmp_path, "create-client", "alice", *cc, *FAST)
    ok(tmp_path, "revoke", "client", "alice", *cc)
    ok(tmp_path, "create-crl", *cc, "--issuer=client-ca", "--out=client.crl")
    crl = _crl(tmp_path / "client.crl")
    assert crl.issuer == cert(tmp_path / "certs/ca-client.crt").subject
    assert [r.serial_number for r in crl] == [cert(tmp_path / "certs/client.alice.crt").serial_number]


def test_an_encrypted_ca_key_signs_crls_and_the_ocsp_signer(tmp_path: Path) -> None:
    """create-crl and create-ocsp-signer open the CA key through signers.load_ca, so an
    encrypted key works with --ca-key-password-file as for every command that signs."""
    (tmp_path / "safe").mkdir()
    pw = tmp_path / "pw"
    pw.write_text("s3cret\n")
    pw.chmod(0o600)
    flag = f"--ca-key-password-file={pw}"
    ok(tmp_path, "create-ca", *CA, *FAST, "--crl-sign", flag)
    assert (tmp_path / "safe/ca.key").read_bytes().startswith(b"-----BEGIN ENCRYPTED")
    ok(tmp_path, "create-client", "alice", *CA, *FAST, flag)
    ok(tmp_path, "revoke", "client", "alice", *CA)  # the ledger only: no password asked
    ok(tmp_path, "create-crl", *CA, "--out=crl.pem", flag)
    assert len(list(_crl(tmp_path / "crl.pem"))) == 1
    ok(tmp_path, "create-ocsp-signer", *CA, flag)
    res = pycert("create-crl", *CA, "--out=crl2.pem", cwd=tmp_path)
    assert res.code == 1 and not (tmp_path / "crl2.pem").exists()
