"""`list` rows: one per certificate file, in cockroach's order, with cockroach's notes.

A row is a file's records seen as cockroach's table shows them (its first certificate's
expiry and names); rendering them (TSV, table, CSV, records) is the CLI's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from pycert.certdir.records import Record
from pycert.kinds import BY_NAME, LIST_ORDER, Kind

HEADERS = ("Usage", "Certificate File", "Key File", "Expires", "Notes", "Error")
ZERO_DATE = "0001/01/01"  # Go's zero time, shown for rows whose certificate did not parse


class Row(NamedTuple):
    usage: str
    certificate_file: str
    key_file: str
    expires: str
    notes: str
    error: str


def rows(records: Iterable[Record], show_all: bool = False) -> list[Row]:
    """One row per listed file, CA first and clients (sorted by file name) last.

    `show_all` (a pycert extension) appends the tenant files cockroach loads but hides.
    """
    shown_kinds = [n for n in LIST_ORDER if show_all or BY_NAME[n].listed]
    rank = {name: i for i, name in enumerate(shown_kinds)}
    by_file: dict[str, list[Record]] = {}
    for record in records:
        if record.kind is not None and record.kind.name in rank:
            by_file.setdefault(record.file, []).append(record)
    files = sorted(by_file.values(), key=lambda rs: (rank[_kind(rs).name], rs[0].file))
    return [_row(rs) for rs in files]


def _kind(records: list[Record]) -> Kind:
    kind = records[0].kind
    assert kind is not None
    return kind


def _row(records: list[Record]) -> Row:
    first = records[0]
    kind = _kind(records)
    cert = first.cert
    expires = ZERO_DATE
    if cert is not None:
        after = cert.not_after
        expires = f"{after.year:04d}/{after.month:02d}/{after.day:02d}"
    return Row(kind.label, first.file, first.key_file, expires, _notes(records), first.error)


def _notes(records: list[Record]) -> str:
    first = records[0]
    note = _kind(records).note
    cert = first.cert
    if note == "num-certs":
        return "" if first.error else f"num certs: {len(records)}"
    if note == "tenant":
        return "tenant: " + first.name
    if note == "addresses":
        if first.error or cert is None:
            return "addresses: <unknown>"
        return "addresses: " + ",".join(cert.dns + cert.ip)
    if first.error or cert is None:
        return "user: <unknown>"
    return "user: " + (cert.subject.cn or "")  # Go's CommonName: the last CN
