"""The ledger: every certificate pycert signs, in OpenSSL's CA database format.

`index.txt` beside the CA key (or `--ledger`): a line per certificate, six TAB-separated
fields (status V/R/E, expiry, revocation time[,reason], serial in upper-case hex, file,
subject in OpenSSL's one-line form), so `openssl ca`, `openssl ocsp -index` and easy-rsa
read it unchanged. Every change is one atomic rewrite under the ledger directory's lock,
installed in the same `files.commit` as the certificates it records (`held`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Iterable, Iterator
from typing import Literal

from cryptography import x509
from cryptography.x509.name import _ASN1Type  # noqa: PLC2701 - no public way to read it
from cryptography.x509.oid import NameOID

from pycert import log
from pycert.certdir import files
from pycert.errors import CertError
from pycert.gocompat import errno_text
from pycert.pki.describe import rfc3339
from pycert.pki.revocation import reason_name

LEDGER_NAME = "index.txt"
ATTR_TEXT = b"unique_subject = no\n"  # renew and rotate re-issue a subject: let openssl ca too
MAX_BYTES = 256 << 20  # ~2.5 million certificates
SIGNER_SUFFIX = ".ocsp.pem"  # create-ocsp-signer's file: the certificate, then its key
LEDGER_MODE = 0o644  # serials and subjects, no secret: a responder may run as another user
_SHORT_NAMES = {
    NameOID.COMMON_NAME: "CN", NameOID.COUNTRY_NAME: "C", NameOID.LOCALITY_NAME: "L",
    NameOID.STATE_OR_PROVINCE_NAME: "ST", NameOID.STREET_ADDRESS: "street",
    NameOID.ORGANIZATION_NAME: "O", NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.SERIAL_NUMBER: "serialNumber", NameOID.SURNAME: "SN", NameOID.GIVEN_NAME: "GN",
    NameOID.TITLE: "title", NameOID.GENERATION_QUALIFIER: "generationQualifier",
    NameOID.DN_QUALIFIER: "dnQualifier", NameOID.PSEUDONYM: "pseudonym",
    NameOID.USER_ID: "UID", NameOID.DOMAIN_COMPONENT: "DC",
    NameOID.EMAIL_ADDRESS: "emailAddress", NameOID.POSTAL_CODE: "postalCode",
    NameOID.BUSINESS_CATEGORY: "businessCategory", NameOID.INITIALS: "initials",
}
State = Literal["good", "revoked", "unknown"]
_ENCODINGS = {_ASN1Type.BMPString: "utf-16-be", _ASN1Type.UniversalString: "utf-32-be",
              _ASN1Type.T61String: "latin-1"}


def default_path(ca_key: str) -> str:
    """`index.txt` in the CA key's directory (the path as given, links not followed)."""
    return os.path.join(os.path.dirname(ca_key), LEDGER_NAME)


def path_for(ca_key: str, ledger: str | None) -> str:
    """The ledger a command uses: `ledger` if given, else beside `ca_key`; "" for none."""
    if ledger is None:
        return ""
    return ledger or (default_path(ca_key) if ca_key else "")


def find(ca_key: str, ledger: str) -> str:
    """The ledger a reader consults: `ledger` if given (it must exist), else the one beside
    `ca_key` if there is one; "" for none."""
    if ledger:
        return ledger
    path = default_path(ca_key) if ca_key else ""
    return path if path and os.path.exists(path) else ""


def ocsp_signer_path(ca_key: str, directory: str = "") -> str:
    """The OCSP signer of a CA key, beside it like the ledger: `safe/ca.key` ->
    `safe/ca.ocsp.pem` (in `directory` instead, if given). Never *.crt, so cockroach's
    loader never takes it for a certificate of a certs dir."""
    stem = ca_key[: -len(".key")] if ca_key.endswith(".key") else ca_key
    if directory:
        stem = os.path.join(directory, os.path.basename(stem))
    return stem + SIGNER_SUFFIX


def attr_path(path: str) -> str:
    return path + ".attr"


# --- the format ------------------------------------------------------------------------

def openssl_time(when: dt.datetime) -> str:
    """UTCTime text (`YYMMDDHHMMSSZ`) for 1950-2049, else GeneralizedTime, as X.509 encodes
    them and `openssl ca` copies them."""
    when = when.astimezone(dt.timezone.utc)
    if 1950 <= when.year < 2050:
        return when.strftime("%y%m%d%H%M%SZ")
    return f"{when.year:04d}{when:%m%d%H%M%S}Z"


def parse_time(text: str) -> dt.datetime:
    """The inverse of `openssl_time`; ValueError for anything else."""
    if len(text) == 13 and text.endswith("Z") and text[:12].isdigit():
        year = int(text[:2])
        full = f"{1900 + year if year >= 50 else 2000 + year}{text[2:12]}"
    elif len(text) == 15 and text.endswith("Z") and text[:14].isdigit():
        full = text[:14]
    else:
        raise ValueError(f"bad time {text!r}")
    return dt.datetime.strptime(full, "%Y%m%d%H%M%S").replace(tzinfo=dt.timezone.utc)


def serial_text(serial: int) -> str:
    """Upper-case hex, whole bytes: what `openssl ca` writes and `openssl x509 -serial` prints
    (OpenSSL compares serials as text: a lower-case one would never match)."""
    digits = format(serial, "X")
    return "0" + digits if len(digits) % 2 else digits


def oneline(name: x509.Name) -> str:
    """OpenSSL's X509_NAME_oneline: `/O=Cockroach/CN=alice`, bytes outside printable ASCII
    as `\\xHH` (so a TAB or newline in a name never breaks a line)."""
    out = []
    for attr in name:
        short = _SHORT_NAMES.get(attr.oid, attr.oid.dotted_string)
        raw = attr.value if isinstance(attr.value, bytes) else attr.value.encode(
            _ENCODINGS.get(attr._type, "utf-8"))  # noqa: SLF001 - the string type, as written
        text = "".join(chr(b) if 0x20 <= b <= 0x7E else f"\\x{b:02X}" for b in raw)
        out.append(f"/{short}={text}")
    return "".join(out)


class Entry:
    """One line of the ledger, each field as written (a class with slots: 10,000 lines)."""

    __slots__ = ("expires", "file", "revocation", "serial", "status", "subject")

    def __init__(self, status: str, expires: str, revocation: str, serial: int, file: str,
                 subject: str) -> None:
        self.status, self.expires, self.revocation = status, expires, revocation
        self.serial, self.file, self.subject = serial, file, subject

    def __repr__(self) -> str:
        return f"Entry({self.status} {serial_text(self.serial)} {self.subject})"

    @property
    def revoked(self) -> bool:
        return self.status == "R"

    @property
    def revoked_at(self) -> dt.datetime | None:
        return parse_time(self.revocation.split(",")[0]) if self.revoked else None

    @property
    def reason(self) -> str | None:
        """OpenSSL's name of the revocation reason (None when the line gives none)."""
        parts = self.revocation.split(",")
        return reason_name(parts[1]) if self.revoked and len(parts) > 1 else None

    @property
    def not_after(self) -> dt.datetime:
        return parse_time(self.expires)

    def line(self) -> str:
        return "\t".join((self.status, self.expires, self.revocation, serial_text(self.serial),
                          self.file, self.subject)) + "\n"


class Verdict:
    """A serial as the ledger (or a CRL) has it: good, revoked (when, why) or unknown.

    This module's records are plain classes: it is loaded by every create command, and
    generating a dataclass costs start-up (as kinds.Kind's docstring says).
    """

    __slots__ = ("reason", "revoked_at", "status")

    def __init__(self, status: State, revoked_at: dt.datetime | None = None,
                 reason: str | None = None) -> None:
        self.status, self.revoked_at, self.reason = status, revoked_at, reason

    def __repr__(self) -> str:
        return f"Verdict({self.status!r}, {self.revoked_at!r}, {self.reason!r})"

    def to_json(self) -> dict[str, str | None]:
        return {"status": self.status,
                "revoked_at": rfc3339(self.revoked_at) if self.revoked_at else None,
                "reason": self.reason}


def status_of(entry: Entry | None) -> Verdict:
    """V (and E: expired, not revoked) is good, R revoked, a serial not recorded unknown."""
    if entry is None:
        return Verdict("unknown")
    if entry.revoked:
        return Verdict("revoked", entry.revoked_at, entry.reason)
    return Verdict("good")


def entry_for(cert: x509.Certificate) -> Entry:
    """The V line `openssl ca` would write for a certificate it just signed."""
    return Entry("V", openssl_time(cert.not_valid_after_utc), "", cert.serial_number,
                 "unknown", oneline(cert.subject))


def parse_line(line: str) -> Entry:
    """One line, checked as OpenSSL's tools read it; ValueError naming what is wrong."""
    fields = line.split("\t")
    if len(fields) != 6:
        raise ValueError(f"{len(fields)} TAB-separated fields, want 6")
    status, expires, revocation, serial, file, subject = fields
    if status not in ("V", "R", "E"):
        raise ValueError(f"status {status!r} is not V, R or E")
    parse_time(expires)
    if status == "R":
        parts = revocation.split(",")
        parse_time(parts[0])
        if len(parts) > 1:
            reason_name(parts[1])
    elif revocation:
        raise ValueError(f"a {status} line has a revocation time ({revocation!r})")
    if not serial or not all(c in "0123456789ABCDEFabcdef" for c in serial):
        raise ValueError(f"serial {serial!r} is not hexadecimal")
    return Entry(status, expires, revocation, int(serial, 16), file, subject)


class Ledger:
    """A ledger as read: its lines in file order, and the line that counts for each serial
    (a revoked one, else the last)."""

    __slots__ = ("by_serial", "entries", "path")

    def __init__(self, path: str, entries: list[Entry], by_serial: dict[int, Entry]) -> None:
        self.path, self.entries, self.by_serial = path, entries, by_serial

    def __repr__(self) -> str:
        return f"Ledger({self.path!r}, {len(self.entries)} lines)"

    @classmethod
    def parse(cls, path: str, data: bytes) -> Ledger:
        try:
            text = data.decode("utf-8", "surrogateescape")
        except UnicodeDecodeError as exc:  # pragma: no cover - surrogateescape decodes all
            raise CertError(f"could not read the ledger {path}: {exc}") from exc
        entries: list[Entry] = []
        by_serial: dict[int, Entry] = {}
        for number, line in enumerate(text.split("\n"), 1):
            if not line:
                continue
            try:
                entry = parse_line(line)
            except ValueError as exc:
                raise CertError(f"the ledger {path} is damaged at line {number}: {exc}",
                                hint="fix or remove that line (it is OpenSSL's index.txt "
                                "format); `pycert ledger import` adds the certificates of a "
                                "certs dir again") from None
            entries.append(entry)
            old = by_serial.get(entry.serial)
            if old is None or not old.revoked:  # a revoked line is never hidden by another
                by_serial[entry.serial] = entry
        return cls(path, entries, by_serial)

    def text(self) -> bytes:
        return "".join(e.line() for e in self.entries).encode("utf-8", "surrogateescape")


def ledger_bytes(path: str) -> bytes | None:
    """The ledger's bytes, None if there is none yet."""
    try:
        return files.read_regular(path, MAX_BYTES)
    except FileNotFoundError:
        return None
    except files.TooLarge:
        raise CertError(f"could not read the ledger {path}: larger than {MAX_BYTES} bytes") \
            from None
    except OSError as exc:
        raise CertError(f"could not read the ledger {path}: {errno_text(exc)}") from exc


def read(path: str, *, missing_ok: bool = False) -> Ledger:
    """The ledger at `path`; a missing one is empty with `missing_ok`, else an error."""
    data = ledger_bytes(path)
    if data is None:
        if not missing_ok:
            raise CertError(f"no ledger at {path}",
                            hint="pycert records what it signs there from now on; `pycert "
                            "ledger import` records the certificates of an existing certs dir")
        data = b""
    return Ledger.parse(path, data)


# --- locking and writing ---------------------------------------------------------------

@contextlib.contextmanager
def locked(path: str, held: Iterable[str] = ()) -> Iterator[None]:
    """The ledger directory's exclusive lock, unless the caller holds it already (`held`:
    directories this process has locked, e.g. the certs dir when the CA key lives in it)."""
    directory = os.path.dirname(path) or "."
    if any(_same(directory, other) for other in held):  # flock twice: a deadlock
        yield
        return
    with files.dir_lock(directory, what=f"the ledger's directory (for {path})"):
        yield


def _same(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def planned(path: str, data: bytes) -> list[files.Planned]:
    """The ledger's new text (its mode kept) and, the first time, OpenSSL's `.attr` file."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except OSError:
        mode = LEDGER_MODE
    items = [files.Planned(path, data, mode, "could not write the ledger", replace=True)]
    if not os.path.lexists(attr_path(path)):
        items.append(files.Planned(attr_path(path), ATTR_TEXT, LEDGER_MODE,
                                   "could not write the ledger's attributes", exclusive=True))
    return items


class Recording:
    """Certificates about to be installed, and the ledger that records them; `required`:
    the ledger was named (--ledger), so not recording them is an error."""

    __slots__ = ("certs", "path", "required")

    def __init__(self, path: str, certs: tuple[x509.Certificate, ...], required: bool) -> None:
        self.path, self.certs, self.required = path, certs, required


def recording(ledger: str | None, ca_key: str, certs: Iterable[x509.Certificate],
              cert_dirs: Iterable[str] = ()) -> Recording | None:
    """What recording `certs` takes: None when there is no ledger (`ledger=None`, no CA key).

    The default ledger is never started in a directory that holds certificates for
    cockroach (`cert_dirs`: a CA key kept in the certs dir, as cockroach's own test
    fixtures do): cockroach's commands must leave the same files there. One that exists
    there already (put there by `ledger import` or `--ledger`) is used.
    """
    certs = tuple(certs)
    path = path_for(ca_key, ledger)
    if not path or not certs:
        return None
    if not ledger and not os.path.exists(path) and \
            any(_same(os.path.dirname(path) or ".", d) for d in cert_dirs if d):
        log.info("not starting a ledger in the certs directory %s (the CA key is there): "
                 "pass --ledger, or keep the CA key elsewhere", os.path.dirname(path) or ".")
        return None
    return Recording(path, certs, bool(ledger))


@contextlib.contextmanager
def held(record: Recording | None, held_dirs: Iterable[str] = ()) -> Iterator[list[files.Planned]]:
    """THE hook of every issuing path: under the ledger's lock, the ledger with a V line per
    certificate, to install in the same commit as the certificates (ledger first: a kill
    between the two leaves a line whose certificate never appeared, never the reverse).

    The default ledger in a directory pycert may not write (a read-only CA key mount) is
    skipped with a warning, so cockroach's commands keep working there.
    """
    if record is None:
        yield []
        return
    directory = os.path.dirname(record.path) or "."
    if not record.required and not os.path.isdir(directory):
        yield []  # the CA key's own write fails there, in cockroach's words: nothing to add
        return
    if not record.required and not os.access(directory, os.W_OK):
        log.warning("%s is not writable: %d certificate(s) not recorded in the ledger %s; "
                    "record them later with pycert ledger import", directory,
                    len(record.certs), record.path)
        yield []
        return
    with locked(record.path, held_dirs):
        try:
            old = ledger_bytes(record.path) or b""  # a rewrite: ~0.5 ms a 1,000 lines
        except CertError as exc:
            if record.required:
                raise
            log.warning("%s: %d certificate(s) not recorded; fix the ledger, then record them "
                        "with pycert ledger import", exc.message, len(record.certs))
            yield []
            return
        lines = [entry_for(cert).line() for cert in record.certs
                 if f"\t{serial_text(cert.serial_number)}\t".encode() not in old]
        if old and not old.endswith(b"\n"):
            old += b"\n"
        yield planned(record.path, old + "".join(lines).encode("utf-8", "surrogateescape"))
