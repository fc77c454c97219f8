"""`inspect FILE...`: read certificates from files or stdin, as records with signers.

Key blocks in an input are parsed and checked too, so a corrupt key is named here
rather than by the TLS peer that later refuses it.
"""

from __future__ import annotations

import os
import sys

from pycert.certdir.files import MAX_FILE_BYTES, TooLarge, read_regular
from pycert.certdir.loader import classify
from pycert.certdir.records import Entry, resolve_signers
from pycert.errors import CertError
from pycert.gocompat import errno_text
from pycert.pki.pem import blocks


def load_inputs(paths: list[str]) -> list[Entry]:
    """Every certificate of every input (PEM bundle or one DER cert), signers resolved."""
    entries: list[Entry] = []
    for path in paths:
        verdict = classify(os.path.basename(path)) if path != "-" else None
        kind, name = verdict if isinstance(verdict, tuple) else (None, "")
        for i, der in enumerate(_parse(path, read_input(path))):
            entries.append(Entry(path, i, der, kind, name))
    resolve_signers(entries)
    return entries


def read_input(path: str) -> bytes:
    """A file through the safe reader, or `-` for at most MAX_FILE_BYTES of stdin."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise TooLarge(0, "too large")
            return data
        return read_regular(path)
    except TooLarge:
        raise CertError(f"{path} is larger than {MAX_FILE_BYTES} bytes") from None
    except OSError as exc:
        raise CertError(f"could not read {path}: {exc.strerror or errno_text(exc)}") from exc


def _parse(path: str, data: bytes) -> list[bytes]:
    """Each certificate's DER, every one checked to parse; key blocks checked too."""
    from cryptography import x509

    from pycert.pki import keys

    found = blocks(data)
    for block in found:
        if keys.is_key_block(block.type):
            try:
                keys.parse_checked(block.der)  # all but primality (~40 ms a key)
            except ValueError as exc:
                raise CertError(f"{path} holds a private key that does not parse: {exc}; "
                                "generate a new key and certificate") from exc
    if found:
        ders = [b.der for b in found if b.type == "CERTIFICATE"]
    else:
        ders = [] if data.lstrip().startswith(b"-----BEGIN") else [data]
    try:
        for der in ders:
            x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise CertError(f"could not parse a certificate in {path}: {exc}") from exc
    if not ders:
        types = ", ".join(sorted({b.type for b in found})) or "none"
        raise CertError(f"no certificates found in {path} (PEM blocks: {types})")
    return ders
