"""`list` rows: one per certificate file, in cockroach's order, with cockroach's notes.

Rendering them (TSV, table, CSV, records) is the CLI's job; these are plain tuples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pycert.kinds import LIST_ORDER

if TYPE_CHECKING:
    from cryptography import x509

    from pycert.certdir.loader import CertFile

HEADERS = ("Usage", "Certificate File", "Key File", "Expires", "Notes", "Error")
ZERO_DATE = "0001/01/01"  # Go's zero time, shown for rows whose certificate did not parse
Row = tuple[str, str, str, str, str, str]


def rows(files: list[CertFile], show_all: bool = False) -> list[Row]:
    """One row per listed file, CA first and clients (sorted by file name) last.

    `show_all` (a pycert extension) appends the tenant files cockroach loads but hides.
    """
    from pycert.kinds import BY_NAME

    shown_kinds = [n for n in LIST_ORDER if show_all or BY_NAME[n].listed]
    rank = {name: i for i, name in enumerate(shown_kinds)}
    shown = [f for f in files if f.kind.name in rank]
    shown.sort(key=lambda f: (rank[f.kind.name], f.filename))
    return [_row(f) for f in shown]


def _row(entry: CertFile) -> Row:
    quick = _from_der(entry)
    first = None if quick else entry.first()
    expires = quick[0] if quick else ZERO_DATE
    if first is not None:
        after = first.not_valid_after_utc
        expires = f"{after.year:04d}/{after.month:02d}/{after.day:02d}"
    return (entry.kind.label, entry.filename, entry.key_filename, expires,
            _notes(entry, first, quick[1] if quick else None), entry.error)


def _from_der(entry: CertFile) -> tuple[str, str] | None:
    """Expiry and CN read straight from the DER: several times cheaper than cryptography's
    `subject`, which matters for 10,000 client rows (docs/performance.md)."""
    if not entry.ders or entry.kind.note == "addresses":
        return None  # address rows need the SANs: cryptography reads those
    from pycert.pki.der import expiry_and_cn

    return expiry_and_cn(entry.ders[0])


def _notes(entry: CertFile, first: x509.Certificate | None, cn: str | None = None) -> str:
    note = entry.kind.note
    if note == "num-certs":
        return "" if entry.error else f"num certs: {len(entry.ders)}"
    if note == "tenant":
        return "tenant: " + entry.name
    if note == "addresses":
        return "addresses: " + ("<unknown>" if entry.error or first is None else _addresses(first))
    if cn is None and first is not None:
        from pycert.pki.fields import common_name

        cn = common_name(first)
    return "user: " + ("<unknown>" if entry.error or cn is None else cn)


def _addresses(cert: x509.Certificate) -> str:
    """DNS SANs then IP SANs, IPs in Go's text form (mapped IPv6 shown as IPv4)."""
    from pycert.pki.fields import sans

    names = sans(cert)
    return ",".join(names["dns"] + names["ip"])
