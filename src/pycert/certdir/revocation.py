"""Revoking through the ledger, importing a certs dir into it, and reading its verdicts.

`revoke` turns a ledger line from V to R (time and reason, as `openssl ca -revoke` writes
it); `import_certs` records certificates made before the ledger existed (or by cockroach);
`status_of` is what `list`, `check` and the OCSP responder say about one serial.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography import x509

from pycert.certdir import files, ledger
from pycert.certdir.inspect import read_certificates
from pycert.certdir.ledger import Entry, Ledger, entry_for, openssl_time, serial_text, status_of
from pycert.certdir.loader import load_dir
from pycert.certdir.records import Record
from pycert.certdir.signers import read_bundle
from pycert.errors import CertError
from pycert.gocompat import join
from pycert.kinds import BY_NAME, KINDS, Kind
from pycert.pki.certs import utcnow
from pycert.pki.describe import rfc3339
from pycert.pki.reading import CertFields
from pycert.pki.revocation import OPENSSL_REASONS, REVOKE_REASONS, reason_name
from pycert.pki.signatures import signed_by


def annotate(records: Iterable[Record], book: Ledger) -> None:
    """Sets each record's `revocation` from the ledger (records that did not read: none)."""
    for record in records:
        if record.cert is not None:
            record.revocation = status_of(book.by_serial.get(record.cert.serial))


def crl_reason(entry: x509.RevokedCertificate) -> str | None:
    """OpenSSL's name of a CRL entry's reason (None when it has none)."""
    try:
        flag = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except x509.ExtensionNotFound:
        return None
    return next((name for name, f in OPENSSL_REASONS.items() if f == flag), flag.name)


def ca_certificates(certs_dir: str) -> list[CertFields]:
    """Every certificate of the certs dir's CA files (ca.crt, ca-client.crt, ...)."""
    out: list[CertFields] = []
    for kind in KINDS:
        path = join(certs_dir, kind.cert_file())
        if kind.is_ca and os.path.lexists(path):
            out += read_bundle(kind, path, f"{path} does not exist")[1]
    return out


def issued_here(cert: CertFields, cas: list[CertFields]) -> bool:
    """Signed by one of the CA certificates `cas` (or one of them itself)."""
    if any(cert.der == ca.der for ca in cas):
        return True
    issued = cert.certificate()
    return any(signed_by(issued, ca.certificate()) for ca in cas)


# --- revoke ------------------------------------------------------------------------------

@dataclass
class Revocation:
    """What `revoke` did: which serial, in which ledger, when and why."""

    ledger: str
    serial: int
    subject: str  # the ledger's one-line subject
    revoked_at: dt.datetime
    reason: str | None
    file: str = ""  # the certificate file named, if one was
    recorded: bool = False  # it was not in the ledger yet: recorded and revoked at once
    others: tuple[int, ...] = ()  # serials of the same subject the ledger holds as valid

    @property
    def others_hex(self) -> list[str]:
        return [serial_text(number) for number in self.others]

    @property
    def serial_hex(self) -> str:
        return serial_text(self.serial)


def revocable_kind(name: str) -> Kind:
    """A kind `revoke <kind> [<name>]` takes: certificates a CA signs, never a CA."""
    kind = BY_NAME.get(name)
    if kind is not None and kind.is_ca:
        cure = (f"replace it with pycert {kind.rotate_command} and remove the old one with "
                f"pycert {kind.prune_command}") if kind.rotate_command else \
            f"replace it with pycert {kind.command} --overwrite and a new --ca-key"
        raise CertError(f"cannot revoke the CA itself ({kind.cert_file()}): a CA is trusted "
                        f"by its holders, not checked; {cure}")
    takes = [k for k in KINDS if k.signers and not k.is_ca]
    if kind is None or kind not in takes:
        raise CertError(f"cannot revoke {name!r}: revoke takes a certificate file, "
                        f"{', '.join(k.name + (' <name>' if k.named else '') for k in takes)}"
                        ", or --serial=HEX")
    return kind


def parse_serial(text: str) -> int:
    """`0A1B...`, `0a:1b:...` or `0x0A1B...`: a serial as openssl and list print it."""
    digits = text.strip().replace(":", "")
    if digits[:2].lower() == "0x":
        digits = digits[2:]
    if not digits or not all(c in "0123456789abcdefABCDEF" for c in digits):
        raise CertError(f"--serial {text!r} is not a hexadecimal serial number (as `pycert "
                        "list` or `openssl x509 -noout -serial` prints it)")
    return int(digits, 16)


def revoke(certs_dir: str, ledger_path: str, *, file: str = "", serial: int | None = None,
           reason: str | None = None, now: dt.datetime | None = None) -> Revocation:
    """Marks one certificate revoked in the ledger: by `file` (a certificate file) or by
    `serial`. Unknown serials, a second revocation and CA certificates are refused."""
    if reason is not None:
        reason = reason_name(reason)
        if reason not in REVOKE_REASONS:
            raise CertError(f"--reason {reason} is not accepted: use one of "
                            f"{', '.join(REVOKE_REASONS)}")
    cert = _certificate(file) if file else None
    number = cert.serial if cert is not None else serial
    if number is None:
        raise CertError("revoke needs a certificate file, a kind and name, or --serial")
    cas = ca_certificates(certs_dir)
    if (cert is not None and cert.is_ca) or any(ca.serial == number for ca in cas):
        raise CertError(f"cannot revoke serial {serial_text(number)}: it is a CA certificate; "
                        "rotate the CA instead (pycert rotate-ca, then renew and prune-ca)")
    when = (now or utcnow()).replace(microsecond=0)
    field_text = openssl_time(when) + (f",{reason}" if reason else "")
    with ledger.locked(ledger_path):
        book = ledger.read(ledger_path, missing_ok=True)
        entry = book.by_serial.get(number)
        recorded = entry is None
        if entry is None:
            entry = _unrecorded(cert, cas, number, ledger_path, certs_dir)
            book.entries.append(entry)
        elif entry.revoked:
            at = entry.revoked_at
            raise CertError(f"serial {serial_text(number)} ({entry.subject}) is already revoked "
                            f"in {ledger_path}, since {rfc3339(at) if at else '?'}"
                            + (f" ({entry.reason})" if entry.reason else ""))
        for line in book.entries:  # every line of that serial, should it appear twice
            if line.serial == number:
                line.status, line.revocation = "R", field_text
        files.commit(ledger.planned(ledger_path, book.text()), overwrite=True)
    others = tuple(e.serial for e in book.by_serial.values() if e.subject == entry.subject
                   and e.status == "V" and e.not_after > when)
    return Revocation(ledger_path, number, entry.subject, when, reason, file, recorded, others)


def _certificate(path: str) -> CertFields:
    records = read_certificates([path])
    first = records[0].cert
    assert first is not None  # read_certificates raises for what does not read
    return first


def _unrecorded(cert: CertFields | None, cas: list[CertFields], number: int, path: str,
                certs_dir: str) -> Entry:
    """A line for a certificate the ledger does not hold yet: only one a CA here signed."""
    if cert is None:
        raise CertError(f"serial {serial_text(number)} is not in the ledger {path}: nothing "
                        "was revoked",
                        hint="revoke it by its file (pycert revoke <file> or <kind> <name>), "
                        "which records it first, or record a certs dir with pycert ledger "
                        "import")
    if not issued_here(cert, cas):
        raise CertError(f"serial {serial_text(number)} is not in the ledger {path}, and no CA "
                        f"certificate in {certs_dir} signed it: nothing was revoked; pass the "
                        "--certs-dir (and --ca-key) of the CA that issued it")
    return entry_for(cert.certificate())


# --- import ------------------------------------------------------------------------------

@dataclass
class Imported:
    """What `ledger import` did: the certificates added, how many it knew, what it left."""

    ledger: str
    added: list[tuple[str, CertFields]] = field(default_factory=list)
    known: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, why)


def import_certs(certs_dir: str, ledger_path: str, paths: Iterable[str] = (), *,
                 key_permissions: bool = True) -> Imported:
    """Records every certificate of `certs_dir` (and of `paths`: files or directories, e.g.
    create-nodes' node directories) that one of its CA certificates signed, CAs included."""
    cas = ca_certificates(certs_dir)
    if not cas:
        raise CertError(f"no CA certificate in {certs_dir}: nothing to record (the ledger "
                        "records what a CA of that directory signed)")
    found: list[tuple[str, CertFields]] = []
    for where in (certs_dir, *paths):
        found += _certificates_in(where, key_permissions)
    done = Imported(ledger_path)
    with ledger.locked(ledger_path):
        book = ledger.read(ledger_path, missing_ok=True)
        seen = set(book.by_serial)
        for path, cert in found:
            if cert.serial in seen:
                done.known += 1
                continue
            if not issued_here(cert, cas):
                done.skipped.append((path, f"not signed by a CA certificate of {certs_dir}"))
                continue
            seen.add(cert.serial)
            book.entries.append(entry_for(cert.certificate()))
            done.added.append((path, cert))
        if done.added:
            files.commit(ledger.planned(ledger_path, book.text()), overwrite=True)
    return done


def _certificates_in(path: str, key_permissions: bool) -> list[tuple[str, CertFields]]:
    if not os.path.isdir(path):
        return [(path, r.cert) for r in read_certificates([path]) if r.cert is not None]
    with files.dir_lock(path, shared=True):
        loaded = load_dir(path, strict=False, key_permissions=key_permissions)
    return [(f.path, cert) for f in loaded for cert in f.certs]
