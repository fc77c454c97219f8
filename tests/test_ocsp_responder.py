"""`pycert ocsp-responder`: RFC 6960 over HTTP from the ledger, as OpenSSL's client and
CockroachDB's (POST, SHA-256 CertID, exact Content-Type) ask; reloads what changes;
survives malformed, oversized, slow and concurrent clients; stops cleanly on SIGTERM."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import http.client
import random
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509 import ocsp

from conftest import need_tool
from ocsputil import (
    CA,
    FAST,
    cert,
    make_pki,
    ok,
    post,
    request,
    responder,
    status_of,
    wait_until,
)


@pytest.fixture
def pki(tmp_path: Path) -> Path:
    """alice (good), bob (revoked, keyCompromise), and mallory: signed by the CA but
    recorded in another ledger, so this one does not know her (unknown)."""
    make_pki(tmp_path, "alice", "bob")
    ok(tmp_path, "create-client", "mallory", *CA, *FAST, "--ledger=other.txt")
    ok(tmp_path, "revoke", "client", "bob", "--reason=keyCompromise", *CA)
    return tmp_path


EXPECTED = {"alice": "good", "bob": "revoked", "mallory": "unknown", "node": "good"}


def _leaf(work: Path, name: str) -> x509.Certificate:
    return cert(work / "certs" / ("node.crt" if name == "node" else f"client.{name}.crt"))


def _openssl_status(openssl: str, work: Path, url: str, name: str, *extra: str) -> str:
    path = "certs/node.crt" if name == "node" else f"certs/client.{name}.crt"
    res = subprocess.run([openssl, "ocsp", *extra, "-issuer", "certs/ca.crt", "-cert", path,
                          "-url", url, "-CAfile", "certs/ca.crt"], cwd=work,
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    assert "Response verify OK" in res.stderr, res.stderr
    return res.stdout.split(f"{path}: ", 1)[1].split()[0]


def test_openssl_client_reads_good_revoked_and_unknown(pki: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    with responder(pki) as running:
        for name, want in EXPECTED.items():
            assert _openssl_status(openssl, pki, running.url, name) == want, name
        res = subprocess.run([openssl, "ocsp", "-sha256", "-issuer", "certs/ca.crt", "-cert",
                              "certs/client.bob.crt", "-url", running.url + "/ocsp", "-CAfile",
                              "certs/ca.crt", "-resp_text"], cwd=pki, capture_output=True,
                             text=True, timeout=30)
        assert "Response verify OK" in res.stderr
        assert "Hash Algorithm: sha256" in res.stdout
        assert "Revocation Reason: keyCompromise (0x1)" in res.stdout
        assert "OCSP Nonce" in res.stdout  # openssl sends one; it comes back


def test_openssls_own_responder_on_the_same_ledger_agrees(pki: Path) -> None:
    """`openssl ocsp -index` (OpenSSL's reference responder) reads pycert's ledger and signs
    with pycert's signer file: the same status for every certificate."""
    openssl = need_tool("openssl", "openssl")
    proc = subprocess.Popen([openssl, "ocsp", "-index", "safe/index.txt", "-CA", "certs/ca.crt",
                             "-rsigner", "safe/ca.ocsp.pem", "-rkey", "safe/ca.ocsp.pem",
                             "-port", "0", "-nrequest", str(len(EXPECTED))], cwd=pki,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("ACCEPT "), line
        port = line.split()[1].rsplit(":", 1)[1]
        theirs = {name: _openssl_status(openssl, pki, f"http://127.0.0.1:{port}", name)
                  for name in EXPECTED}
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with responder(pki) as running:
        ours = {name: _openssl_status(openssl, pki, running.url, name) for name in EXPECTED}
    assert ours == theirs == EXPECTED


@pytest.mark.parametrize("algorithm", [hashes.SHA1(), hashes.SHA256(), hashes.SHA384(),
                                       hashes.SHA512()], ids=lambda a: a.name)
def test_post_get_every_certid_hash_and_the_nonce(pki: Path,
                                                  algorithm: hashes.HashAlgorithm) -> None:
    issuer = cert(pki / "certs/ca.crt")
    with responder(pki) as running:
        for name, want in EXPECTED.items():
            body = request(_leaf(pki, name), issuer, algorithm, nonce=b"n" * 16)
            code, ctype, answer = post(running.url + "/ocsp", body)
            assert (code, ctype) == (200, "application/ocsp-response")
            assert status_of(answer, issuer) == want
            resp = ocsp.load_der_ocsp_response(answer)
            assert resp.hash_algorithm.name == algorithm.name
            assert resp.serial_number == _leaf(pki, name).serial_number
            assert resp.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == \
                b"n" * 16
            assert resp.next_update_utc is not None
            assert resp.next_update_utc - resp.this_update_utc == dt.timedelta(hours=1)
            if want == "revoked":
                assert resp.revocation_reason == x509.ReasonFlags.key_compromise
            # GET: the base64 of the request, URL-encoded, after whatever path the URL has
            encoded = quote(base64.b64encode(body).decode(), safe="")
            for path in (f"/{encoded}", f"/ocsp/{encoded}",
                         "/" + base64.b64encode(body).decode()):  # '/' and '+' left raw
                host = urlsplit(running.url).netloc
                conn = http.client.HTTPConnection(host, timeout=10)
                conn.request("GET", path)
                got = conn.getresponse()
                assert got.status == 200
                assert status_of(got.read(), issuer) == want
                conn.close()


def test_a_ca_without_a_signer_gets_unauthorized(pki: Path) -> None:
    """After rotate-ca the new CA has no signer yet: its certificates are `unauthorized`
    (CockroachDB treats that as an unreachable responder); the old CA's are answered."""
    ok(pki, "rotate-ca", "--certs-dir=certs", "--ca-key=safe/ca-2.key", *FAST)
    ok(pki, "create-client", "zed", "--certs-dir=certs", "--ca-key=safe/ca-2.key", *FAST)
    new_ca = x509.load_pem_x509_certificates((pki / "certs/ca.crt").read_bytes())
    with responder(pki) as running:
        assert "no signer for 'Cockroach CA'" in running.banner
        code, _, body = post(running.url, request(cert(pki / "certs/client.zed.crt"), new_ca[0]))
        assert code == 200 and status_of(body, new_ca[0]) == "UNAUTHORIZED"
        code, _, body = post(running.url, request(_leaf(pki, "alice"), new_ca[1]))
        assert status_of(body, new_ca[1]) == "good"
        ok(pki, "create-ocsp-signer", "--certs-dir=certs", "--ca-key=safe/ca-2.key")
        assert wait_until(lambda: status_of(post(running.url, request(
            cert(pki / "certs/client.zed.crt"), new_ca[0]))[2], new_ca[0]) == "good")


def test_it_reloads_the_ledger_and_the_signer(pki: Path) -> None:
    issuer = cert(pki / "certs/ca.crt")
    body = request(_leaf(pki, "alice"), issuer)
    with responder(pki) as running:
        first = ocsp.load_der_ocsp_response(post(running.url, body)[2])
        assert first.certificate_status == ocsp.OCSPCertStatus.GOOD
        ok(pki, "revoke", "client", "alice", "--reason=superseded", *CA)
        time.sleep(0.3)  # the responder looks at its files every 0.2 s
        answer = ocsp.load_der_ocsp_response(post(running.url, body)[2])
        assert answer.certificate_status == ocsp.OCSPCertStatus.REVOKED
        assert answer.revocation_reason == x509.ReasonFlags.superseded
        ok(pki, "create-ocsp-signer", *CA)
        renewed = cert(pki / "safe/ca.ocsp.pem")
        time.sleep(0.3)
        again = ocsp.load_der_ocsp_response(post(running.url, body)[2])
        assert again.certificates[0].serial_number == renewed.serial_number
        assert again.certificates[0].serial_number != first.certificates[0].serial_number
        (pki / "elsewhere").mkdir()
        ok(pki, "create-ocsp-signer", *CA, "--out-dir=elsewhere")
        time.sleep(0.3)  # the ledger's new line is seen; the signer in use is unchanged
        post(running.url, body)
        fresh = pki / "elsewhere/ca.ocsp.pem"
        with open(pki / "safe/ca.ocsp.pem", "r+b") as in_place:  # as cp or scp would copy it
            in_place.write(fresh.read_bytes())
            in_place.truncate()
        time.sleep(0.3)
        copied = ocsp.load_der_ocsp_response(post(running.url, body)[2])
        assert copied.certificates[0].serial_number == cert(fresh).serial_number
        (pki / "safe/index.txt").write_text("this is not a ledger\n")  # a bad edit by hand
        time.sleep(0.3)
        kept = ocsp.load_der_ocsp_response(post(running.url, body)[2])
        assert kept.certificate_status == ocsp.OCSPCertStatus.REVOKED  # the last good one
    assert "keeping what it had" in (pki / "responder.err").read_text()


def test_an_expired_signer_gets_try_later(pki: Path) -> None:
    ok(pki, "create-ocsp-signer", *CA, "--lifetime=1s")
    time.sleep(1.5)
    issuer = cert(pki / "certs/ca.crt")
    with responder(pki) as running:
        assert " - EXPIRED: its CA's answers are tryLater until pycert create-ocsp-signer " \
            "makes a new one" in running.banner, running.banner
        code, _, body = post(running.url, request(_leaf(pki, "alice"), issuer))
        assert code == 200 and status_of(body, issuer) == "TRY_LATER"
    assert "renew it with pycert create-ocsp-signer" in (pki / "responder.err").read_text()


def test_no_signer_no_ledger_and_a_busy_port_are_clear_errors(pki: Path) -> None:
    from conftest import pycert

    res = pycert("ocsp-responder", *CA, "--signer-dir=certs", "--listen=127.0.0.1:0",
                 cwd=pki)
    assert res.code == 1 and "no usable OCSP signer" in res.err
    assert "HINT: make one with pycert create-ocsp-signer" in res.err
    res = pycert("ocsp-responder", *CA, "--ledger=nope.txt", "--listen=127.0.0.1:0", cwd=pki)
    assert res.code == 1 and "no ledger at nope.txt" in res.err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = pycert("ocsp-responder", *CA, f"--listen=127.0.0.1:{port}", cwd=pki)
    assert res.code == 1 and f"could not listen on 127.0.0.1:{port}" in res.err
    res = pycert("ocsp-responder", *CA, "--listen=localhost", cwd=pki)
    assert res.code == 4 and "want host:port" in res.err


def test_2000_requests_from_16_clients_all_answered_right(pki: Path) -> None:
    issuer = cert(pki / "certs/ca.crt")
    bodies = {name: request(_leaf(pki, name), issuer) for name in EXPECTED}
    names = list(EXPECTED)
    wrong: list[str] = []
    done = [0]
    lock = threading.Lock()

    def client(index: int, url: str) -> None:
        host = urlsplit(url).netloc
        conn = http.client.HTTPConnection(host, timeout=30)  # keep-alive, as Go's client
        for i in range(125):
            name = names[(index + i) % len(names)]
            try:
                conn.request("POST", "/", bodies[name],
                             {"Content-Type": "application/ocsp-request"})
                got = conn.getresponse()
                status = status_of(got.read(), issuer) if got.status == 200 else got.status
            except (OSError, http.client.HTTPException) as exc:
                status = repr(exc)
                conn.close()
                conn = http.client.HTTPConnection(host, timeout=30)
            with lock:
                done[0] += 1
                if status != EXPECTED[name]:
                    wrong.append(f"{name}: {status}")
        conn.close()

    with responder(pki) as running:
        threads = [threading.Thread(target=client, args=(i, running.url)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    assert done[0] == 2000 and wrong == []


def _raw(url: str, payload: bytes, *, wait: float = 10) -> bytes:
    host, port = urlsplit(url).hostname, urlsplit(url).port
    with socket.create_connection((host, port), timeout=wait) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError:
            pass
    return b"".join(chunks)


def _post_raw(body: bytes, headers: str = "") -> bytes:
    return (f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/ocsp-request\r\n"
            f"Content-Length: {len(body)}\r\n{headers}\r\n").encode() + body


def test_malformed_oversized_and_odd_requests_never_stop_it(pki: Path) -> None:
    """Each bad request gets an HTTP error or OCSP malformedRequest; afterwards the server
    still answers right. Random mutations of a valid request: never a crash, never an
    HTTP 5xx, and only well-formed OCSP responses."""
    issuer = cert(pki / "certs/ca.crt")
    good = request(_leaf(pki, "bob"), issuer)
    cases: list[tuple[bytes, str]] = [
        (_post_raw(b"not der at all"), "malformed"),
        (_post_raw(good[:-3]), "malformed"),
        (_post_raw(b""), "malformed"),
        (_post_raw(b"\x30\x82\xff\xff" + b"\x00" * 100), "malformed"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", "413"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", "413"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n", "411"),
        (b"POST / HTTP/1.1\r\nHost: x\r\n\r\n", "411"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
         "411"),
        (b"GET /%%%notbase64 HTTP/1.1\r\nHost: x\r\n\r\n", "malformed"),
        (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "malformed"),
        (b"GET /" + b"A" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", "414"),
        (b"GET /" + b"A" * 70000 + b" HTTP/1.1\r\n\r\n", "414"),
        (b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", "501"),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(200), "0.9"),  # TLS hello
        (b"POST / HTTP/1.1\r\n" + b"X-A: b\r\n" * 200 + b"\r\n", "431"),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", ""),  # short body
    ]
    with responder(pki, "--read-timeout=1s") as running:
        for payload, want in cases:
            reply = _raw(running.url, payload)
            head = reply.split(b"\r\n", 1)[0].decode(errors="replace")
            if want == "malformed":
                assert head == "HTTP/1.1 200 OK", (payload[:60], head)
                assert b"\r\nServer: pycert-ocsp\r\n" in reply, reply[:300]
                body = reply.split(b"\r\n\r\n", 1)[1]
                assert ocsp.load_der_ocsp_response(body).response_status == \
                    ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            elif want == "0.9":  # no HTTP version: http.server answers as HTTP/0.9 does
                assert b"Error code: 400" in reply and not reply.startswith(b"HTTP/"), reply
            elif want:
                assert head.split()[1:2] == [want], (payload[:60], head)
            else:
                assert reply == b"", reply[:100]
        rng = random.Random(22)
        for _ in range(300):
            mutated = bytearray(good)
            for _ in range(rng.randint(1, 4)):
                mutated[rng.randrange(len(mutated))] = rng.randrange(256)
            if rng.random() < 0.2:
                mutated = mutated[: rng.randrange(len(mutated))]
            code, ctype, body = post(running.url, bytes(mutated))
            assert code == 200 and ctype == "application/ocsp-response"
            ocsp.load_der_ocsp_response(body)  # well-formed, whatever it says
        # a client that sends a byte at a time is cut off by --read-timeout, not waited for
        with socket.create_connection((urlsplit(running.url).hostname,
                                       urlsplit(running.url).port), timeout=10) as slow:
            start = time.monotonic()
            closed = False
            for byte in b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" * 4:
                try:
                    slow.sendall(bytes([byte]))
                    time.sleep(0.05)
                except OSError:
                    closed = True
                    break
                if time.monotonic() - start > 4:
                    break
            if not closed:
                slow.settimeout(5)
                closed = slow.recv(100) == b""
            assert closed and time.monotonic() - start < 6
        code, _, body = post(running.url, good)
        assert code == 200 and status_of(body, issuer) == "revoked"
        assert running.proc.poll() is None


def test_connections_beyond_the_limit_are_closed_not_queued(pki: Path) -> None:
    issuer = cert(pki / "certs/ca.crt")
    with responder(pki, "--max-connections=4", "--read-timeout=3s") as running:
        host, port = urlsplit(running.url).hostname, urlsplit(running.url).port
        idle = [socket.create_connection((host, port), timeout=5) for _ in range(4)]
        time.sleep(0.3)
        with socket.create_connection((host, port), timeout=5) as extra:
            extra.settimeout(5)
            assert extra.recv(10) == b""  # closed at once
        for sock in idle:
            sock.close()
        assert wait_until(lambda: post(running.url, request(_leaf(pki, "alice"), issuer))[0]
                          == 200)


def test_sigterm_while_busy_stops_it_cleanly(pki: Path) -> None:
    issuer = cert(pki / "certs/ca.crt")
    body = request(_leaf(pki, "alice"), issuer)
    with responder(pki) as running:
        stop = threading.Event()

        def hammer() -> None:
            while not stop.is_set():
                with contextlib.suppress(OSError):
                    post(running.url, body, timeout=2)

        threads = [threading.Thread(target=hammer) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        start = time.monotonic()
        running.proc.terminate()
        assert running.proc.wait(timeout=10) == 0
        assert time.monotonic() - start < 5
        stop.set()
        for t in threads:
            t.join()
    assert "ocsp-responder: stopped" in (pki / "responder.err").read_text()
