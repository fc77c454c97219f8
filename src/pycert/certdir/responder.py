"""The OCSP responder's work: a request's bytes in, a signed answer out, from the ledger.

The CLI (`ocsp-responder`) carries the bytes over HTTP; this class finds the status and
signs with the delegated responder certificate of the request's CA (`<CA key>.ocsp.pem`,
made by `create-ocsp-signer`), so the CA key itself is never read. When the ledger, the
signer files or the CA files change on disk, requests see the new ones within
`RECHECK` seconds (their inode, size and mtime are looked at no more often).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography import x509

from pycert import log
from pycert.certdir import files, ledger
from pycert.certdir.ledger import SIGNER_SUFFIX, Ledger, status_of
from pycert.certdir.revocation import ca_certificates
from pycert.errors import CertError
from pycert.gocompat import errno_text, join
from pycert.kinds import KINDS
from pycert.pki import keys, ocsp
from pycert.pki.certs import utcnow
from pycert.pki.describe import rfc3339
from pycert.pki.keys import PrivateKey
from pycert.pki.pem import blocks
from pycert.pki.reading import CertFields, Unreadable, read
from pycert.pki.signatures import signed_by

RECHECK = 0.2  # seconds between looks at the files: six stat() calls cost ~30 us
IssuerId = tuple[str, bytes, bytes]  # (hash algorithm, issuer name hash, issuer key hash)


@dataclass(frozen=True)
class Signer:
    """A delegated responder certificate, its key, and the CA certificate that signed it."""

    path: str
    cert: x509.Certificate
    key: PrivateKey = field(repr=False)
    ca: CertFields

    def valid_at(self, when: dt.datetime) -> bool:
        return self.cert.not_valid_before_utc <= when <= self.cert.not_valid_after_utc


@dataclass(frozen=True)
class Snapshot:
    """Everything one answer needs, read together; replaced whole when a file changes."""

    book: Ledger
    signers: dict[IssuerId, Signer]
    unsigned: tuple[CertFields, ...]  # CA certificates of the certs dir without a signer
    stamp: tuple[object, ...]


@dataclass(frozen=True)
class Answer:
    """The response bytes and what they say (for logs and tests)."""

    body: bytes
    outcome: str  # good, revoked, unknown, or an OCSP error status


class Responder:
    """Answers RFC 6960 requests from a ledger; safe to call from many threads at once."""

    def __init__(self, certs_dir: str, ledger_path: str, signer_dir: str, *,
                 next_update: dt.timedelta = dt.timedelta(hours=1),
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.certs_dir, self.ledger_path, self.signer_dir = certs_dir, ledger_path, signer_dir
        self.next_update, self.clock = next_update, clock
        self._lock = threading.Lock()
        self._failed: tuple[object, ...] = ()
        self._warned: set[tuple[str, int]] = set()  # (signer, serial) said to be unusable
        self._inputs = [ledger_path, signer_dir] + [join(certs_dir, k.cert_file())
                                                    for k in KINDS if k.is_ca]
        self._looked = time.monotonic()
        self.snapshot = self._load(self._stamp())
        if not self.snapshot.signers:
            raise CertError(f"no usable OCSP signer (*{SIGNER_SUFFIX}) in {signer_dir} for "
                            f"the CA certificates of {certs_dir}",
                            hint=f"make one with pycert create-ocsp-signer "
                            f"--certs-dir={certs_dir} --ca-key=<CA key>; it is written beside "
                            "the CA key")

    # --- answering ----------------------------------------------------------------------

    def answer(self, der: bytes) -> Answer:
        """The DER response to a DER request; never raises for what a client sends."""
        try:
            request = ocsp.parse_request(der)
        except ocsp.Malformed:
            return Answer(ocsp.failure("malformedRequest"), "malformedRequest")
        try:
            return self._answer(request)
        except Exception as exc:  # a bug must cost one answer, not the server
            log.error("OCSP responder: internal error answering serial %x: %s: %s",
                      request.serial, type(exc).__name__, exc)
            return Answer(ocsp.failure("internalError"), "internalError")

    def _answer(self, request: ocsp.Request) -> Answer:
        snap = self.refresh()
        signer = snap.signers.get(request.issuer_id)
        if signer is None:
            return Answer(ocsp.failure("unauthorized"), "unauthorized")
        now = self.clock().replace(microsecond=0)
        if not signer.valid_at(now):
            seen = (signer.path, signer.cert.serial_number)
            if seen not in self._warned:  # once per signer, not once per request
                self._warned.add(seen)
                log.error("OCSP responder: the signer %s is not valid now (%s to %s): renew it "
                          "with pycert create-ocsp-signer; answering tryLater until then",
                          signer.path, rfc3339(signer.cert.not_valid_before_utc),
                          rfc3339(signer.cert.not_valid_after_utc))
            return Answer(ocsp.failure("tryLater"), "tryLater")
        verdict = status_of(snap.book.by_serial.get(request.serial))
        status = ocsp.Status(verdict.status, verdict.revoked_at, verdict.reason)
        body = ocsp.respond(request, status, signer.cert, signer.key, now,
                            now + self.next_update)
        return Answer(body, verdict.status)

    # --- reading the files ----------------------------------------------------------------

    def refresh(self, *, force: bool = False) -> Snapshot:
        """The current snapshot, re-read first if a file it came from changed (looked at
        every RECHECK seconds, or now with `force`); a change that does not load is logged
        once and the old snapshot kept."""
        now = time.monotonic()
        snap = self.snapshot
        if not force and now - self._looked < RECHECK:
            return snap
        self._looked = now
        stamp = self._stamp()
        if stamp == snap.stamp or stamp == self._failed:
            return snap
        with self._lock:
            if self.snapshot.stamp != stamp and stamp != self._failed:
                try:
                    self.snapshot = self._load(stamp)
                    log.info("OCSP responder: reloaded %s (%d lines)", self.ledger_path,
                             len(self.snapshot.book.entries))
                except CertError as exc:
                    self._failed = stamp
                    log.error("OCSP responder: keeping what it had: %s", exc.message)
            return self.snapshot

    def _stamp(self) -> tuple[object, ...]:
        """What changes when any input changes: inode, size and mtime of each file, the
        signers' too (a signer copied over in place leaves its directory unchanged)."""
        try:
            signers = sorted(n for n in os.listdir(self.signer_dir) if n.endswith(SIGNER_SUFFIX))
        except OSError:
            signers = []
        out: list[object] = []
        for path in [*self._inputs, *(join(self.signer_dir, n) for n in signers)]:
            try:
                st = os.stat(path)
                out.append((path, st.st_ino, st.st_size, st.st_mtime_ns))
            except OSError:
                out.append(None)
        return tuple(out)

    def _load(self, stamp: tuple[object, ...]) -> Snapshot:
        book = ledger.read(self.ledger_path)
        cas = ca_certificates(self.certs_dir)
        if not cas:
            raise CertError(f"no CA certificate in {self.certs_dir}: the responder answers "
                            "for the CAs of a certs dir")
        signers: dict[IssuerId, Signer] = {}
        for signer in self._signers(cas):  # the one that lasts longest, per CA name and key
            for issuer in ocsp.issuer_ids(signer.ca.certificate()):
                best = signers.get(issuer)
                if best is None or \
                        best.cert.not_valid_after_utc < signer.cert.not_valid_after_utc:
                    signers[issuer] = signer
        unsigned: dict[IssuerId, CertFields] = {}
        for ca in cas:
            ids = ocsp.issuer_ids(ca.certificate())
            if not any(i in signers for i in ids):
                unsigned.setdefault(ids[0], ca)
        return Snapshot(book, signers, tuple(unsigned.values()), stamp)

    def _signers(self, cas: list[CertFields]) -> list[Signer]:
        try:
            names = sorted(n for n in os.listdir(self.signer_dir) if n.endswith(SIGNER_SUFFIX))
        except OSError as exc:
            raise CertError(f"could not list the signer directory {self.signer_dir}: "
                            f"{errno_text(exc)}") from exc
        found = []
        for name in names:
            path = join(self.signer_dir, name)
            try:
                found.append(_read_signer(path, cas))
            except CertError as exc:
                log.warning("OCSP responder: skipping %s: %s", path, exc.message)
        return found


def _read_signer(path: str, cas: list[CertFields]) -> Signer:
    """A `*.ocsp.pem` file: the responder certificate, then its key, signed by a CA here."""
    try:
        data = files.read_regular(path)
    except OSError as exc:
        raise CertError(f"could not read it: {errno_text(exc)}") from exc
    found = blocks(data)
    certs = [b.der for b in found if b.type == "CERTIFICATE"]
    key_ders = [b.der for b in found if keys.is_key_block(b.type)]
    if len(certs) != 1 or len(key_ders) != 1:
        raise CertError("want one CERTIFICATE and one PRIVATE KEY block")
    try:
        cert = read(certs[0]).certificate()
        key = keys.parse_der(key_ders[0], validate=False)
    except (Unreadable, ValueError) as exc:
        raise CertError(f"does not parse: {exc}") from exc
    if not keys.same_public_key(cert, key):
        raise CertError("its key does not match its certificate")
    ca = next((ca for ca in cas if signed_by(cert, ca.certificate())), None)
    if ca is None:
        raise CertError("no CA certificate of the certs dir signed it")
    return Signer(path, cert, key, ca)
