"""Revocation against real peers: PostgreSQL enforcing `pycert create-crl` as its
ssl_crl_file over a real TLS handshake; Go reading and verifying the CRL; CockroachDB's own
OCSP client code (golang.org/x/crypto/ocsp, as pkg/security/ocsp.go calls it) asking
`pycert ocsp-responder`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from conftest import IN_CI, need_tool
from ocsputil import CA, cert, make_pki, ok, responder, serial_text

from .conftest import eventually, run
from .gopeer import build
from .pgserver import cluster, use_crl
from .test_postgres import psql

GOCODE = Path("/usr/share/gocode")  # Debian's golang-golang-x-crypto-dev puts x/crypto here


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA with cRLSign, a node for localhost, alice, bob and carol, all with the OCSP
    URL of a responder that the OCSP test starts on a free port; bob revoked."""
    base = tmp_path_factory.mktemp("revocation")
    make_pki(base, "alice", "bob", "carol", url="http://127.0.0.1:1/")
    ok(base, "revoke", "client", "bob", "--reason=keyCompromise", *CA)
    ok(base, "create-crl", *CA, "--out=crl.pem")
    return base


@pytest.fixture(scope="module")
def gobuild(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    return need_tool("go", "golang-go"), tmp_path_factory.mktemp("gobuild")


def test_postgres_refuses_the_revoked_client_through_the_crl(work: Path) -> None:
    """alice connects, bob is refused with `certificate revoked`; revoking carol and
    replacing the same ssl_crl_file, then `pg_ctl reload`, refuses her too."""
    with cluster(work / "certs", ["alice", "bob", "carol"]) as pg:
        assert psql(pg, "localhost", work / "certs", "client.bob", user="bob") == (0, "bob")
        use_crl(pg, work / "crl.pem")
        assert eventually(lambda: psql(pg, "localhost", work / "certs", "client.bob",
                                       user="bob")[0] != 0, timeout=10)
        code, out = psql(pg, "localhost", work / "certs", "client.bob", user="bob")
        assert code != 0 and "certificate revoked" in out, out
        assert psql(pg, "localhost", work / "certs", "client.alice") == (0, "alice")
        assert psql(pg, "localhost", work / "certs", "client.carol", user="carol") == \
            (0, "carol")
        ok(work, "revoke", "client", "carol", *CA)
        ok(work, "create-crl", *CA, "--out=crl.pem")
        use_crl(pg, work / "crl.pem")
        assert eventually(lambda: "certificate revoked" in psql(
            pg, "localhost", work / "certs", "client.carol", user="carol")[1], timeout=10)
        assert psql(pg, "localhost", work / "certs", "client.alice") == (0, "alice")


def test_go_parses_and_verifies_the_crl(work: Path, gobuild: tuple[str, Path]) -> None:
    """Go's x509.ParseRevocationList + CheckSignatureFrom accept pycert's CRL (its CA has
    cRLSign) and list the revoked serials; a CRL from cockroach's CA profile, without
    cRLSign, is refused by Go: why create-crl refuses to make one."""
    binary = build(*gobuild, program="crlcheck")
    ok(work, "create-crl", *CA, "--out=go.crl")
    res = run([str(binary), str(work / "go.crl"), str(work / "certs/ca.crt")])
    assert res.returncode == 0, res.stdout
    lines = res.stdout.splitlines()
    assert lines[0] == f"{work / 'certs/ca.crt'}: ok"
    revoked = {line.split()[1] for line in lines if line.startswith("revoked ")}
    assert serial_text(cert(work / "certs/client.bob.crt")).lstrip("0") in revoked
    number = x509.load_pem_x509_crl((work / "go.crl").read_bytes()).extensions \
        .get_extension_for_class(x509.CRLNumber).value.crl_number
    assert f"number {number}" in lines

    plain = work / "plain"
    plain.mkdir(exist_ok=True)
    make_pki(plain, crl_sign=False, signer=False)
    ca = cert(plain / "certs/ca.crt")
    key = serialization.load_pem_private_key((plain / "safe/ca.key").read_bytes(), None)
    now = dt.datetime.now(dt.timezone.utc)
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca.subject).last_update(now)
           .next_update(now + dt.timedelta(days=1))
           .add_extension(x509.CRLNumber(1), critical=False)
           .sign(key, hashes.SHA256()))  # type: ignore[arg-type]
    (plain / "crl.pem").write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    res = run([str(binary), str(plain / "crl.pem"), str(plain / "certs/ca.crt")])
    assert "parent certificate cannot sign this kind of certificate" in res.stdout


def test_cockroachs_ocsp_client_gets_good_revoked_and_unknown(
        work: Path, gobuild: tuple[str, Path], tmp_path: Path) -> None:
    """The responder as CockroachDB's `security.ocsp.mode` asks it: SHA-256 CertID, POST,
    Content-Type compared exactly, ocsp.ParseResponseForCert against the issuer (which
    checks the embedded responder certificate was signed by the CA)."""
    if not (GOCODE / "src/golang.org/x/crypto/ocsp").is_dir():
        if IN_CI:
            pytest.fail("golang.org/x/crypto/ocsp is missing in CI: install the Debian "
                        "package golang-golang-x-crypto-dev")
        pytest.skip("golang.org/x/crypto/ocsp not installed: apt-get install "
                    "golang-golang-x-crypto-dev")
    binary = build(*gobuild, program="ocspcheck", gopath=(str(GOCODE),))
    with responder(work) as running:
        url = running.url + "/ocsp"
        for name in ("node", "client.alice", "client.bob", "client.carol", "client.dave"):
            if name == "client.dave":  # signed by the CA, recorded elsewhere: unknown here
                ok(work, "create-client", "dave", *CA, "--key-type=ecdsa",
                   f"--ocsp-url={url}", "--ledger=other.txt")
            else:
                ok(work, "renew", *name.split("."), *CA, f"--ocsp-url={url}")
        ok(work, "revoke", "client", "bob", "--reason=keyCompromise", *CA)  # the renewed one
        paths = [str(work / "certs" / f"{n}.crt") for n in
                 ("node", "client.alice", "client.bob", "client.dave")]
        res = run([str(binary), str(work / "certs/ca.crt"), *paths])
    assert res.returncode == 0, res.stdout + res.stderr
    answers = dict(line.split(" ", 1) for line in res.stdout.splitlines())
    assert answers[paths[0]] == "good" and answers[paths[1]] == "good"
    assert answers[paths[2]].startswith("revoked ") and answers[paths[2]].endswith(" 1")
    assert answers[paths[3]] == "unknown"
