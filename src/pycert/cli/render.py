"""Text for people and scripts: `list`'s row formats, JSON, and the reports of `check`,
`inspect`, `--dry-run` and `--json`. Plain data in, strings out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from pycert.cli.tables import cockroach_table, columns

if TYPE_CHECKING:
    import datetime as dt

    from pycert.certdir.install import Outcome
    from pycert.certdir.records import Record

Rows = Sequence[Sequence[str]]


def render_rows(fmt: str, headers: Sequence[str], table: Rows) -> str:
    """The per-file rows in one of the row formats: table, tsv, csv or records."""
    if fmt == "table":
        return render_table(headers, table)
    if fmt == "records":
        return render_records(headers, table)
    sep = "\t" if fmt == "tsv" else ","
    return "".join(sep.join(go_csv_field(c, sep) for c in row) + "\n"
                   for row in [headers, *table])


def go_csv_field(cell: str, sep: str) -> str:
    """Go's encoding/csv quoting (cockroach's TSV and CSV): only where a reader needs it."""
    if cell == "":
        return cell
    if cell == "\\." or any(c in cell for c in sep + '"\r\n') or cell[0].isspace():
        return '"' + cell.replace('"', '""') + '"'
    return cell


def render_table(headers: Sequence[str], table: Rows) -> str:
    """cockroach's border-less table (spec §7.3), drawn by tabulate, then the row count."""
    lines = cockroach_table(headers, table)
    lines.append(f"({len(table)} row{'' if len(table) == 1 else 's'})")
    return "".join(line + "\n" for line in lines)


def render_records(headers: Sequence[str], table: Rows) -> str:
    """cockroach's `records` format: `-[ RECORD n ]` then `name | value` lines."""
    width = max(len(h) for h in headers)
    out = []
    for n, row in enumerate(table, 1):
        out.append(f"-[ RECORD {n} ]\n")
        for head, cell in zip(headers, row):
            lines = cell.split("\n")
            out.append(f"{head.ljust(width)} | {lines[0]}".rstrip(" ") + "\n")
            out += [f"{'':{width}} | {line}".rstrip(" ") + "\n" for line in lines[1:]]
    return "".join(out)


def json_text(value: Any, indent: str = "") -> str:
    """`value` as two-space indented JSON (the standard library's), nested at `indent`."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)


def record_texts(records: Iterable[Record], now: dt.datetime, fmt: str, indent: str = "",
                 *, pretty: bool = True) -> Iterator[str]:
    """The records as a JSON array nested at `indent` (`json`: each record indented, or
    with `pretty=False` one record a line, 3x cheaper to write) or one compact object a
    line (`ndjson`), a piece at a time: 10,000 records are never held as one document."""
    if fmt == "ndjson":
        for record in records:
            yield json.dumps(record.to_json(now), ensure_ascii=False,
                             separators=(",", ":")) + "\n"
        return
    inner = indent + "  "
    opening = "[\n"
    for record in records:
        doc = record.to_json(now)
        text = json_text(doc, inner) if pretty else json.dumps(doc, ensure_ascii=False)
        yield opening + inner + text
        opening = ",\n"
    yield "[]" if opening == "[\n" else "\n" + indent + "]"


def document_texts(head: dict[str, Any], key: str, records: Iterable[Record],
                   now: dt.datetime, *, pretty: bool = True) -> Iterator[str]:
    """`head` with a last member `key` holding the records' array, indented as
    `json_text` would write the whole (records as `record_texts` writes them)."""
    text = json_text(head)
    yield (text[:-2] + ",\n" if head else "{\n") + f"  {json.dumps(key)}: "
    yield from record_texts(records, now, "json", "  ", pretty=pretty)
    yield "\n}\n"


def batched(pieces: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """The pieces joined into strings of about `size` characters: few writes, small memory."""
    buf: list[str] = []
    held = 0
    for piece in pieces:
        buf.append(piece)
        held += len(piece)
        if held >= size:
            yield "".join(buf)
            buf, held = [], 0
    if buf:
        yield "".join(buf)


# --- --json and --dry-run of the commands that write ------------------------------------

def manifest_doc(outcomes: list[Outcome], dry_run: bool) -> dict[str, Any]:
    """The --json manifest: every file's path, mode and SHA-256, and what certificate it
    holds (as issued, not read back from the bytes written)."""
    from pycert.pki.describe import fingerprint, rfc3339, subject_text

    files = []
    for outcome in outcomes:
        for item in outcome.items:
            entry: dict[str, Any] = {"path": item.path, "mode": f"{item.mode:04o}",
                                     "sha256": hashlib.sha256(item.data).hexdigest()}
            cert = outcome.certs.get(item.path)
            if cert is not None:
                entry.update(fingerprint=fingerprint(cert), serial=cert.serial_hex,
                             not_after=rfc3339(cert.not_after), subject=subject_text(cert))
            files.append(entry)
    return {"dry_run": dry_run, "files": files}


def manifest(outcomes: list[Outcome], dry_run: bool) -> str:
    return json.dumps(manifest_doc(outcomes, dry_run), indent=2) + "\n"


def dry_run_text(outcome: Outcome, overwrite: bool) -> str:
    """What a person checks before running the command for real."""
    from pycert.pki.describe import changes, summary

    fields: list[tuple[str, str]] = []
    if outcome.fields is not None:
        info = summary(outcome.fields)
        fields += [("subject:", str(info["subject"])),
                   ("SANs:", ", ".join(info["sans"]) or "(none)"),
                   ("validity:", f"{info['not_before']} to {info['not_after']}"),
                   ("key:", str(info["key"]))]
    if outcome.signer is not None:
        ca = summary(outcome.signer)
        fields.append(("signed by:", f"{outcome.signer_path} ({ca['subject']}, serial "
                       f"{ca['serial']}, expires {ca['not_after']})"))
    lines = ["dry run: nothing was written", *columns(fields), "would write:"]
    for item in outcome.items:
        state = "replaces existing" if item.path in outcome.existing else "new"
        lines.append(f"  {item.path} ({item.mode:04o}, {state})")
        if item.path in outcome.existing and overwrite and outcome.fields is not None \
                and item.path in outcome.certs:
            lines += [f"    {c}" for c in changes(outcome.existing[item.path], outcome.fields)]
    return "\n".join(lines) + "\n"


def outcome_report(outcomes: list[Outcome], *, json_out: bool, dry_run: bool,
                   overwrite: bool) -> str:
    """--json manifest and/or --dry-run plan; "" otherwise (cockroach prints nothing)."""
    if json_out:
        return manifest(outcomes, dry_run)
    if dry_run:
        return "".join(dry_run_text(o, overwrite) for o in outcomes)
    return ""
