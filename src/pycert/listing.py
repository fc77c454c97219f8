"""`list` rows and the two renderings cockroach picks between: TSV (piped) and table (TTY)."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from pycert.kinds import LIST_ORDER
from pycert.report import HIDDEN_USAGE

if TYPE_CHECKING:
    from cryptography import x509

    from pycert.loader import CertFile

HEADERS = ("Usage", "Certificate File", "Key File", "Expires", "Notes", "Error")
HIDDEN_ORDER = ("tenant-client-ca", "tenant-client", "tenant-signing")
ZERO_DATE = "0001/01/01"  # Go's zero time, shown for rows whose certificate did not parse


def rows(files: list[CertFile], show_all: bool = False) -> list[tuple[str, ...]]:
    """One row per listed file, CA first and clients (sorted by file name) last.

    `show_all` (a pycert extension) appends the tenant files cockroach loads but hides.
    """
    rank = {name: i for i, name in enumerate(LIST_ORDER + (HIDDEN_ORDER if show_all else ()))}
    shown = [f for f in files if f.kind.name in rank]
    shown.sort(key=lambda f: (rank[f.kind.name], f.filename))
    return [_row(f) for f in shown]


def _row(entry: CertFile) -> tuple[str, ...]:
    quick = _from_der(entry)
    first = None if quick else entry.first()
    expires = quick[0] if quick else ZERO_DATE
    if first is not None:
        after = first.not_valid_after_utc
        expires = f"{after.year:04d}/{after.month:02d}/{after.day:02d}"
    return (
        entry.kind.usage or HIDDEN_USAGE.get(entry.kind.name, ""),
        entry.filename,
        entry.key_filename,
        expires,
        _notes(entry, first, quick[1] if quick else None),
        entry.error,
    )


def _from_der(entry: CertFile) -> tuple[str, str] | None:
    """Expiry and CN read straight from the DER: several times cheaper than cryptography's
    `subject`, which matters for 10,000 client rows (docs/performance.md)."""
    if not entry.ders or entry.kind.name in ("node", "ui"):
        return None  # node and UI rows need the SANs: cryptography reads those
    from pycert.der import expiry_and_cn

    return expiry_and_cn(entry.ders[0])


def _notes(entry: CertFile, first: x509.Certificate | None, cn: str | None = None) -> str:
    if entry.kind.is_ca:
        return "" if entry.error else f"num certs: {len(entry.ders)}"
    if entry.kind.name in HIDDEN_USAGE:
        return "tenant: " + entry.name
    if entry.kind.name in ("node", "ui"):
        return "addresses: " + ("<unknown>" if entry.error or first is None else _addresses(first))
    if cn is None and first is not None:
        cn = common_name(first)
    return "user: " + ("<unknown>" if entry.error or cn is None else cn)


def common_name(cert: x509.Certificate) -> str:
    from cryptography.x509.oid import NameOID

    values = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else ""


def _addresses(cert: x509.Certificate) -> str:
    """DNS SANs then IP SANs, IPs in Go's text form (mapped IPv6 shown as IPv4)."""
    from cryptography import x509

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return ""
    ips = []
    for ip in san.get_values_for_type(x509.IPAddress):
        mapped = getattr(ip, "ipv4_mapped", None)
        ips.append(str(mapped or ip))
    return ",".join(list(san.get_values_for_type(x509.DNSName)) + ips)


def render_tsv(table: list[tuple[str, ...]]) -> str:
    """Header and rows, TAB-separated, quoted only where Go's csv writer would quote."""
    return "".join("\t".join(go_csv_field(c, "\t") for c in row) + "\n"
                   for row in [HEADERS, *table])


def go_csv_field(cell: str, sep: str) -> str:
    """Go's encoding/csv quoting (cockroach's TSV and CSV): only where a reader needs it."""
    if cell == "":
        return cell
    if cell == "\\." or any(c in cell for c in sep + '"\r\n') or cell[0].isspace():
        return '"' + cell.replace('"', '""') + '"'
    return cell


def render_table(table: list[tuple[str, ...]]) -> str:
    """cockroach's border-less table: centred headers, left-aligned cells, row count."""
    widths = [max([_width(h)] + [_width(r[i]) for r in table]) for i, h in enumerate(HEADERS)]
    lines = [_line([_centre(h, w) for h, w in zip(HEADERS, widths)])]
    lines.append("-" + "+".join("-" * (w + 2) for w in widths) + "-")
    lines += [_line([c + " " * (w - _width(c)) for c, w in zip(r, widths)]) for r in table]
    lines.append(f"({len(table)} row{'' if len(table) == 1 else 's'})")
    return "".join(line + "\n" for line in lines)


def _line(cells: list[str]) -> str:
    return (" " + "|".join(f" {c} " for c in cells)).rstrip(" ")


def _centre(text: str, width: int) -> str:
    gap = width - _width(text)
    return " " * (gap // 2) + text + " " * (gap - gap // 2)


def _width(text: str) -> int:
    """Display width: East Asian wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
