"""OCSP (RFC 6960) in memory: a request read, an answer built and signed, by cryptography.

The responder (`certdir.responder`) finds the status; this module turns a request's bytes
into what it asks, and a status into the signed response bytes. Nothing is hand-encoded.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from pycert.pki.certs import hash_for
from pycert.pki.keys import PrivateKey
from pycert.pki.revocation import reason_flag

# The CertID hash algorithms answered: OpenSSL's clients send SHA-1, CockroachDB SHA-256.
HASHES: tuple[type[hashes.HashAlgorithm], ...] = (hashes.SHA1, hashes.SHA224, hashes.SHA256,
                                                  hashes.SHA384, hashes.SHA512)
Failure = Literal["malformedRequest", "internalError", "tryLater", "unauthorized"]
_FAILURES = {"malformedRequest": ocsp.OCSPResponseStatus.MALFORMED_REQUEST,
             "internalError": ocsp.OCSPResponseStatus.INTERNAL_ERROR,
             "tryLater": ocsp.OCSPResponseStatus.TRY_LATER,
             "unauthorized": ocsp.OCSPResponseStatus.UNAUTHORIZED}


class Malformed(ValueError):
    """A request that is not one OCSP request for one certificate."""


@dataclass(frozen=True)
class Request:
    """What an OCSP request asks: the CertID (hash algorithm, issuer hashes, serial)."""

    algorithm: hashes.HashAlgorithm
    name_hash: bytes
    key_hash: bytes
    serial: int
    nonce: bytes | None  # echoed in the answer when present (OpenSSL's clients send one)

    @property
    def issuer_id(self) -> tuple[str, bytes, bytes]:
        """The issuer as the request names it: (hash algorithm, name hash, key hash)."""
        return self.algorithm.name, self.name_hash, self.key_hash


@dataclass(frozen=True)
class Status:
    """good, revoked (when, and OpenSSL's name of the reason, if any) or unknown."""

    state: Literal["good", "revoked", "unknown"]
    revoked_at: dt.datetime | None = None
    reason: str | None = None


GOOD, UNKNOWN = Status("good"), Status("unknown")


def parse_request(der: bytes) -> Request:
    """The request's CertID and nonce; Malformed for anything else (several certificates
    in one request included: cryptography, like CockroachDB, handles one)."""
    try:
        request = ocsp.load_der_ocsp_request(der)
        algorithm = request.hash_algorithm
        serial = request.serial_number
        try:
            nonce: bytes | None = request.extensions.get_extension_for_class(
                x509.OCSPNonce).value.nonce
        except x509.ExtensionNotFound:
            nonce = None
    except (ValueError, NotImplementedError, UnsupportedAlgorithm) as exc:
        raise Malformed(str(exc)) from exc
    return Request(algorithm, request.issuer_name_hash, request.issuer_key_hash, serial, nonce)


def issuer_ids(ca: x509.Certificate) -> list[tuple[str, bytes, bytes]]:
    """Every (hash algorithm, name hash, key hash) a request may name `ca` by, computed by
    cryptography's own request builder."""
    out = []
    for algorithm in HASHES:
        hash_ = algorithm()
        built = ocsp.OCSPRequestBuilder().add_certificate(ca, ca, hash_).build()
        out.append((hash_.name, built.issuer_name_hash, built.issuer_key_hash))
    return out


def respond(request: Request, status: Status, signer: x509.Certificate, key: PrivateKey,
            this_update: dt.datetime, next_update: dt.datetime) -> bytes:
    """The signed answer for one CertID, naming the responder by key hash and carrying
    exactly its certificate (what Go's ocsp.ParseResponseForCert checks against the CA)."""
    cert_status = {"good": ocsp.OCSPCertStatus.GOOD, "revoked": ocsp.OCSPCertStatus.REVOKED,
                   "unknown": ocsp.OCSPCertStatus.UNKNOWN}[status.state]
    revoked = status.state == "revoked"
    builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
        request.name_hash, request.key_hash, request.serial, request.algorithm, cert_status,
        this_update, next_update, status.revoked_at if revoked else None,
        reason_flag(status.reason) if revoked else None,
    ).responder_id(ocsp.OCSPResponderEncoding.HASH, signer).certificates([signer])
    if request.nonce is not None:
        builder = builder.add_extension(x509.OCSPNonce(request.nonce), critical=False)
    response = builder.sign(key, hash_for(key))
    return response.public_bytes(serialization.Encoding.DER)


def failure(status: Failure) -> bytes:
    """An unsigned error answer (RFC 6960 2.3)."""
    return ocsp.OCSPResponseBuilder.build_unsuccessful(_FAILURES[status]).public_bytes(
        serialization.Encoding.DER)


def request_from_path(path: str) -> bytes | None:
    """The DER request of a GET (RFC 6960 A.1: `{url}/{url-encoded base64 of the DER}`),
    whatever path the responder's URL has; None when no part of the path is one."""
    text = unquote(path.split("?", 1)[0])
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "/"]
    for start in starts:
        candidate = text[start:].strip()
        if not candidate:
            continue
        try:
            der = base64.b64decode(candidate + "=" * (-len(candidate) % 4), validate=True)
            parse_request(der)
        except (binascii.Error, ValueError):
            continue
        return der
    return None
