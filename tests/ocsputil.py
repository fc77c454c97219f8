"""Helpers of the revocation tests: a small PKI made by the real CLI, the ledger as text,
a running `pycert ocsp-responder`, and OCSP requests built and read by cryptography."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from conftest import pycert

CA = ("--certs-dir=certs", "--ca-key=safe/ca.key")
FAST = ("--key-type=ecdsa",)


def ok(work: Path, *args: str) -> str:
    """Runs one pycert command in `work`; it must succeed. Returns its stdout."""
    res = pycert(*args, cwd=work)
    assert res.code == 0, f"pycert {' '.join(args)}: {res.err}"
    return res.out


def make_pki(work: Path, *clients: str, url: str = "http://127.0.0.1:9/ocsp",
             crl_sign: bool = True, signer: bool = True) -> Path:
    """certs/ (CA with cRLSign unless told, node for localhost, the clients, all with the
    OCSP URL `url`), safe/ca.key, the ledger beside it and, if `signer`, safe/ca.ocsp.pem."""
    (work / "safe").mkdir(exist_ok=True)
    ok(work, "create-ca", *CA, *FAST, *(["--crl-sign"] if crl_sign else []))
    ok(work, "create-node", "localhost", "127.0.0.1", *CA, *FAST, f"--ocsp-url={url}")
    for user in clients:
        ok(work, "create-client", user, *CA, *FAST, f"--ocsp-url={url}")
    if signer:
        ok(work, "create-ocsp-signer", *CA)
    return work


def cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def serial_text(certificate: x509.Certificate) -> str:
    """How `openssl x509 -serial` prints it: upper-case hex, whole bytes."""
    digits = format(certificate.serial_number, "X")
    return "0" + digits if len(digits) % 2 else digits


def ledger_lines(path: Path) -> list[list[str]]:
    """The ledger's lines, split into their six fields (each line must have them)."""
    text = path.read_text()
    assert text.endswith("\n") or not text
    lines = [line.split("\t") for line in text.splitlines()]
    assert all(len(fields) == 6 for fields in lines), text
    return lines


def by_serial(path: Path) -> dict[str, list[str]]:
    return {fields[3]: fields for fields in ledger_lines(path)}


@dataclass
class Running:
    """A started responder: its base URL and process."""

    url: str
    proc: subprocess.Popen[bytes]
    banner: str


@contextmanager
def responder(work: Path, *args: str) -> Iterator[Running]:
    """`pycert ocsp-responder --listen=127.0.0.1:0 ...` in `work`; SIGTERMed on exit, which
    must stop it with status 0 within 10 s."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    with open(work / "responder.err", "ab") as err:  # a file: a full pipe would block it
        proc = subprocess.Popen([sys.executable, "-m", "pycert", "ocsp-responder",
                                 "--listen=127.0.0.1:0", *CA, *args], cwd=work, env=env,
                                stdout=subprocess.PIPE, stderr=err, start_new_session=True,
                                bufsize=0)  # unbuffered: select() sees every line
    proc.err_path = work / "responder.err"  # type: ignore[attr-defined]
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "the responder printed nothing within 30 s"
        first = proc.stdout.readline().decode()
        assert first.startswith("listening on http://"), first + _err(proc)
        banner = first
        while True:  # the banner's indented lines
            ready, _, _ = select.select([proc.stdout], [], [], 0.3)
            if not ready:
                break
            line = proc.stdout.readline().decode()
            if not line:
                break
            banner += line
        yield Running(first.split()[-1], proc, banner)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM: the responder must exit 0 promptly; killed (and the test failed) if not."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise AssertionError("the responder did not stop on SIGTERM") from None
    assert proc.returncode == 0, f"responder exit {proc.returncode}: {_err(proc)}"


def _err(proc: subprocess.Popen[bytes]) -> str:
    path = getattr(proc, "err_path", None)
    return path.read_text(errors="replace") if path is not None and path.exists() else ""


def request(subject: x509.Certificate, issuer: x509.Certificate,
            algorithm: hashes.HashAlgorithm | None = None, nonce: bytes | None = None) -> bytes:
    """A DER OCSP request for one certificate (SHA-256 CertID by default, as cockroach)."""
    builder = ocsp.OCSPRequestBuilder().add_certificate(subject, issuer,
                                                        algorithm or hashes.SHA256())
    if nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(nonce), critical=False)
    return builder.build().public_bytes(serialization.Encoding.DER)


def post(url: str, body: bytes, timeout: float = 10) -> tuple[int, str, bytes]:
    """POSTs an OCSP request; (HTTP status, Content-Type, body)."""
    req = urllib.request.Request(url, data=body,
                                 headers={"Content-Type": "application/ocsp-request"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def status_of(body: bytes, issuer: x509.Certificate) -> str:
    """good / revoked / unknown of a successful response whose signature verifies with its
    embedded responder certificate, itself signed by `issuer`; else the response status."""
    resp = ocsp.load_der_ocsp_response(body)
    if resp.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        return resp.response_status.name
    (signer,) = resp.certificates
    signer.verify_directly_issued_by(issuer)
    key = signer.public_key()
    from cryptography.hazmat.primitives.asymmetric import ec

    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert resp.signature_hash_algorithm is not None
    key.verify(resp.signature, resp.tbs_response_bytes, ec.ECDSA(resp.signature_hash_algorithm))
    return resp.certificate_status.name.lower()


def wait_until(check: object, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False
