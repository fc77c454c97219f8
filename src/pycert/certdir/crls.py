"""`create-crl`: the ledger's revocations as a CRL signed by the CA key.

The CRL number goes up with every CRL (OpenSSL's `crlnumber` file beside the ledger, and
never below the number of the CRL being replaced), and the file is replaced atomically,
so a server re-reading it (`pg_ctl reload`) sees the old CRL or the new one.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from pycert.certdir import files, ledger
from pycert.certdir.install import Target
from pycert.certdir.signers import load_ca
from pycert.errors import CertError
from pycert.gocompat import errno_text, join
from pycert.kinds import Kind
from pycert.pki.certs import utcnow
from pycert.pki.reading import CertFields
from pycert.pki.revocation import Revoked

NUMBER_FILE = "crlnumber"  # OpenSSL's name: the next CRL number, in hex


@dataclass
class Crl:
    """What `create-crl` wrote: where, its number, dates and how many serials it lists."""

    path: str
    number: int
    this_update: dt.datetime
    next_update: dt.datetime
    revoked: int
    ledger: str
    issuer: str  # the CA file whose certificate (the one the CA key matches) signed it
    crl: x509.CertificateRevocationList


def number_path(ledger_path: str) -> str:
    return os.path.join(os.path.dirname(ledger_path), NUMBER_FILE)


def create_crl(kind: Kind, target: Target, out: str, next_update: dt.timedelta, *,
               der: bool = False, now: dt.datetime | None = None) -> Crl:
    """A CRL of every revoked serial in the ledger, signed by the CA key and its certificate
    in `kind`'s CA file (an old CA's too, during a rotation); refused when that CA may not
    sign CRLs."""
    if not target.ca_key:
        raise CertError("the path to the CA key is required")
    if not out:
        raise CertError("create-crl needs --out=<path> for the CRL")
    if next_update <= dt.timedelta(0):
        raise CertError("--next-update must be positive")
    book_path = ledger.path_for(target.ca_key, target.ledger)
    if not book_path:
        raise CertError("create-crl lists the ledger's revocations: it needs a ledger")
    bundle = join(target.certs_dir, kind.cert_file())
    ca = load_ca(kind, bundle, target.ca_key, target.ca_key_password, any_certificate=True)
    if not ca.crl_sign:
        raise CertError(
            f"the CA certificate {bundle} may not sign CRLs: its key usage lacks cRLSign "
            "(cockroach's CA profile), and PostgreSQL, OpenSSL and Go would refuse every "
            "certificate it issued once they hold such a CRL",
            hint=f"a new CA: pycert {kind.command} --crl-sign; this CA: pycert "
            f"{kind.rotate_command} --crl-sign --ca-key=<new key>, then pycert renew --all and "
            f"pycert {kind.prune_command} (docs/revocation.md); OCSP (pycert ocsp-responder) "
            "needs no cRLSign")
    this_update = (now or utcnow()).replace(microsecond=0)
    with ledger.locked(book_path):
        book = ledger.read(book_path)
        revoked = [Revoked(e.serial, e.revoked_at, e.reason) for e in book.by_serial.values()
                   if e.revoked and e.revoked_at is not None]
        number = max(_stored_number(book_path), _number_of(out) + 1, 1)
        crl = ca.crl(revoked, number, next_update=next_update, now=this_update)
        data = crl.public_bytes(serialization.Encoding.DER if der else
                                serialization.Encoding.PEM)
        files.commit([
            files.Planned(number_path(book_path), (ledger.serial_text(number + 1) + "\n")
                          .encode(), ledger.LEDGER_MODE, "could not write the CRL number to",
                          replace=True),
            files.Planned(out, data, 0o644, "could not write the CRL to", replace=True),
        ], overwrite=True)
    return Crl(out, number, this_update, this_update + next_update, len(revoked), book_path,
               bundle, crl)


def _stored_number(book_path: str) -> int:
    """The next number OpenSSL's `crlnumber` file holds (0 when there is none)."""
    path = number_path(book_path)
    try:
        text = files.read_regular(path, 1024).decode("ascii").strip()
    except FileNotFoundError:
        return 0
    except (OSError, UnicodeDecodeError) as exc:
        raise CertError(f"could not read the CRL number {path}: "
                        f"{errno_text(exc) if isinstance(exc, OSError) else exc}") from exc
    try:
        return int(text, 16)
    except ValueError:
        raise CertError(f"the CRL number file {path} does not hold a hexadecimal number "
                        f"({text[:40]!r}): fix or remove it") from None


def _number_of(path: str) -> int:
    """The CRL number of the CRL `--out` replaces (-1 when there is no file, or a CRL
    without a number); anything else there is refused, never overwritten."""
    if os.path.islink(path):  # the atomic rename would replace the link, not its target
        raise _not_a_crl(path, "it is a symbolic link")
    try:
        data = files.read_regular(path, 64 << 20)
    except FileNotFoundError:
        return -1
    except OSError as exc:  # a directory, a device, a FIFO: read_regular refuses them
        raise _not_a_crl(path, errno_text(exc)) from None
    try:
        crl = x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----") else \
            x509.load_der_x509_crl(data)
    except ValueError:
        raise _not_a_crl(path, "it holds no CRL") from None
    try:
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except x509.ExtensionNotFound:
        return -1


def _not_a_crl(path: str, why: str) -> CertError:
    return CertError(f"will not write the CRL to {path}: {why}; create-crl replaces only a "
                     "regular file that holds a CRL",
                     hint="give --out a new path or an existing CRL file (e.g. PostgreSQL's "
                     "ssl_crl_file)")


def read_crl(path: str) -> x509.CertificateRevocationList:
    """A CRL file, PEM or DER, through the safe reader."""
    try:
        data = files.read_regular(path, 64 << 20)
    except OSError as exc:
        raise CertError(f"could not read the CRL {path}: {errno_text(exc)}") from exc
    try:
        return x509.load_pem_x509_crl(data) if data.lstrip().startswith(b"-----") else \
            x509.load_der_x509_crl(data)
    except ValueError as exc:
        raise CertError(f"{path} is not a CRL (PEM or DER): {exc}") from exc


def crl_signer(crl: x509.CertificateRevocationList,
               cas: list[CertFields]) -> CertFields | None:
    """The CA certificate among `cas` that signed the CRL (its name and key)."""
    for ca in cas:
        cert = ca.certificate()
        if cert.subject != crl.issuer:
            continue
        try:
            # A CA key that cannot sign (X25519, X448) is refused by the call, not the types.
            if crl.is_signature_valid(cert.public_key()):  # type: ignore[arg-type]
                return ca
        except (TypeError, ValueError):
            continue
    return None
