"""`inspect FILE...`: read certificates from files or stdin, as records with signers.

Key blocks in an input are parsed and checked too, so a corrupt key is named here
rather than by the TLS peer that later refuses it.
"""

from __future__ import annotations

import os
import sys

from pycert.certdir.files import MAX_FILE_BYTES, TooLarge, read_regular
from pycert.certdir.loader import classify
from pycert.certdir.records import Record, link
from pycert.errors import CertError
from pycert.gocompat import errno_text
from pycert.pki import keys
from pycert.pki.pem import blocks
from pycert.pki.reading import CertFields, Unreadable, read


def read_certificates(paths: list[str]) -> list[Record]:
    """Every certificate of every input (PEM bundle or one DER cert), signers linked."""
    records: list[Record] = []
    for path in paths:
        verdict = classify(os.path.basename(path)) if path != "-" else None
        kind, name = verdict if isinstance(verdict, tuple) else (None, "")
        records += [Record(path, i, kind, name, "", "", cert)
                    for i, cert in enumerate(_parse(path, read_input(path)))]
    link(records)
    return records


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


def _parse(path: str, data: bytes) -> list[CertFields]:
    """Each certificate, read as Go reads it; key blocks are checked too."""
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
    if not ders:
        types = ", ".join(sorted({b.type for b in found})) or "none"
        raise CertError(f"no certificates found in {path} (PEM blocks: {types})")
    try:
        return [read(der) for der in ders]
    except Unreadable as exc:
        raise CertError(f"could not parse a certificate in {path}: {exc}") from exc
