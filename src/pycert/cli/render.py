"""Text for people and scripts: `list`'s row formats, JSON, and the reports of `check`,
`inspect`, `--dry-run` and `--json`. Plain data in, strings out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from pycert.certdir.listing import HEADERS
from pycert.certdir.records import RECORD_KEYS
from pycert.cli.jsontext import cert_record, indented, json_string, record_text

if TYPE_CHECKING:
    from pycert.certdir.check import Result
    from pycert.certdir.install import Outcome

Rows = Sequence[tuple[str, ...]]


def render_rows(fmt: str, table: Rows) -> str:
    """The per-file rows in one of the row formats: table, tsv, csv or records."""
    if fmt == "table":
        return render_table(table)
    if fmt == "tsv":
        return render_tsv(table)
    if fmt == "csv":
        return "".join(",".join(go_csv_field(c, ",") for c in row) + "\n"
                       for row in [HEADERS, *table])
    return render_records(table)


def render_tsv(table: Rows) -> str:
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


def render_table(table: Rows) -> str:
    """cockroach's border-less table (spec §7.3), drawn by tabulate, then the row count."""
    from pycert.cli.tables import cockroach_table

    lines = cockroach_table(HEADERS, table)
    lines.append(f"({len(table)} row{'' if len(table) == 1 else 's'})")
    return "".join(line + "\n" for line in lines)


def render_records(table: Rows) -> str:
    """cockroach's `records` format: `-[ RECORD n ]` then `name | value` lines."""
    width = max(len(h) for h in HEADERS)
    out = []
    for n, row in enumerate(table, 1):
        out.append(f"-[ RECORD {n} ]\n")
        for head, cell in zip(HEADERS, row):
            lines = cell.split("\n")
            out.append(f"{head.ljust(width)} | {lines[0]}".rstrip(" ") + "\n")
            out += [f"{'':{width}} | {line}".rstrip(" ") + "\n" for line in lines[1:]]
    return "".join(out)


def render_json(records: Any) -> str:
    """Two-space indented JSON: `list` gives an array of certificate records."""
    return indented(records) + "\n"


def ndjson_line(record: dict[str, Any]) -> str:
    """One compact JSON object per line, for `jq -c`, log shippers and line tools."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def json_item(record: Any, position: int, indent: str = "") -> str:
    """Item `position` of an indented JSON array nested at `indent`, with what comes
    before it: items go out as they are made, and `json_close` ends the array. A tuple
    is a certificate record's values (records.record_values)."""
    inner = indent + "  "
    if type(record) is tuple:
        text = record_text(record, inner) or indented(dict(zip(RECORD_KEYS, record)), inner)
    elif type(record) is dict:
        text = cert_record(record, inner)
    else:
        text = indented(record, inner)
    return ("[\n" if position == 0 else ",\n") + inner + text


def json_close(count: int, indent: str = "") -> str:
    return "[]" if count == 0 else "\n" + indent + "]"


def json_head(head: dict[str, Any], key: str) -> str:
    """The text of `render_json({**head, key: ...})` up to that last member's value."""
    text = indented(head)
    return (text[:-2] + ",\n" if head else "{\n") + f"  {json_string(key)}: "


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


# --- check ------------------------------------------------------------------------------

def check_json(result: Result, now: str) -> dict[str, Any]:
    """The `check --format=json` document (docs/schema/check-report.schema.json) but its
    last member, `certificates`, whose records follow `json_head(...)` one by one."""
    return {
        "schema_version": 1,
        "certs_dir": result.certs_dir,
        "checked_at": now,
        "status": {0: "ok", 1: "warn", 2: "fail"}[result.exit_code],
        "exit_code": result.exit_code,
        "problems": [
            {"severity": p.severity, "check": p.check, "file": p.file, "index": p.index,
             "message": p.message, "fix": p.fix or None}
            for p in result.problems
        ],
    }


def check_text(result: Result) -> str:
    """One line per problem, its fix below it, and a closing verdict with the exit code."""
    order = {"fail": 0, "warn": 1, "info": 2}
    lines = [f"Certificate directory: {result.certs_dir}"]
    rows: list[tuple[str, str]] = []
    for p in sorted(result.problems, key=lambda p: order[p.severity]):
        where = p.file if p.index in (None, 0) else f"{p.file} #{p.index}"
        rows.append((p.severity.upper(), f"{where}: [{p.check}] {p.message}"))
        if p.fix:
            rows.append(("", f"fix: {p.fix}"))
    if rows:
        from pycert.cli.tables import columns

        lines += columns(rows, gap="  ")
    fails = sum(p.severity == "fail" for p in result.problems)
    warns = sum(p.severity == "warn" for p in result.problems)
    count = sum(e.der is not None for e in result.entries)
    verdict = {0: "OK", 1: "WARNINGS", 2: "FAILED"}[result.exit_code]
    lines.append(f"{verdict}: {count} certificate{'' if count == 1 else 's'} checked, "
                 f"{fails} failure{'' if fails == 1 else 's'}, "
                 f"{warns} warning{'' if warns == 1 else 's'} (exit {result.exit_code})")
    return "\n".join(lines) + "\n"


# --- inspect ----------------------------------------------------------------------------

def inspect_text(records: list[dict[str, Any]]) -> str:
    """A step-cli-like dump, one block per certificate."""
    return "\n".join(_inspect_one(r) for r in records)


def _name(fields: dict[str, Any] | None) -> str:
    if not fields:
        return ""
    parts = [f"CN={fields['cn']}"] if fields.get("cn") is not None else []
    parts += [f"O={o}" for o in fields.get("o", [])] + [f"OU={u}" for u in fields.get("ou", [])]
    return ", ".join(parts)


def _inspect_one(r: dict[str, Any]) -> str:
    from pycert.cli.tables import columns

    where = r["file"] if r["index"] is None else f"{r['file']} #{r['index']}"
    lines = [f"Certificate ({where}):"]
    if r["usage"]:
        lines.append(f"    Usage: {r['usage']}")
    if r["error"]:
        lines.append(f"    Error: {r['error']}")
    if r["subject"] is None:
        return "\n".join(lines) + "\n"
    key = r["key"]
    lines += [
        f"    Subject: {_name(r['subject'])}",
        f"    Issuer: {_name(r['issuer'])}",
        f"    Serial Number: {r['serial']}",
        "    Validity:",
        *columns([("Not Before:", r["not_before"]),
                  ("Not After:", f"{r['not_after']} ({r['days_left']} days left)"),
                  ("Effective:", f"{r['effective_not_after']} ({r['effective_days_left']} "
                   "days left, earliest NotAfter along the signer chain)")], indent=" " * 8),
        f"    Public Key: {key['type']} {key['size']} bits"
        + (f" ({key['curve']})" if key["curve"] else ""),
        f"    Signature Algorithm: {r['signature_algorithm']}",
        f"    CA: {str(r['is_ca']).lower()}    Self-signed: {str(r['self_signed']).lower()}",
        "    Extended Key Usage: " + (", ".join(r["eku"]) if r["eku"] is not None else "(any)"),
    ]
    sans = r["sans"]
    if any(sans.values()):
        lines.append("    Subject Alternative Names:")
        lines += [f"        {label}: {v}" for label, field in (("DNS", "dns"), ("IP", "ip"),
                                                                 ("URI", "uri"))
                  for v in sans[field]]
    signer = r["signed_by"]
    signed = "itself" if r["self_signed"] else "unknown (issuer not among the inputs)"
    if signer:
        signed = f"{signer['file']} #{signer['index']}"
    lines.append(f"    Signed By: {signed}")
    lines.append(f"    SHA-256 Fingerprint: {r['fingerprint_sha256']}")
    return "\n".join(lines) + "\n"


# --- --json and --dry-run of the commands that write ------------------------------------

def manifest(outcomes: list[Outcome], dry_run: bool) -> str:
    """The --json manifest: every file's path, mode and SHA-256, and its certificate."""
    import hashlib

    from pycert.pki.fields import first_cert, summary

    files = []
    for item in (i for o in outcomes for i in o.items):
        entry: dict[str, Any] = {"path": item.path, "mode": f"{item.mode:04o}",
                                 "sha256": hashlib.sha256(item.data).hexdigest()}
        cert = first_cert(item.data)
        if cert is not None:
            info = summary(cert)
            entry.update(fingerprint=info["fingerprint"], serial=info["serial"],
                         not_after=info["not_after"], subject=info["subject"])
        files.append(entry)
    return json.dumps({"dry_run": dry_run, "files": files}, indent=2) + "\n"


def dry_run_text(outcome: Outcome, overwrite: bool) -> str:
    """What a person checks before running the command for real."""
    from pycert.cli.tables import columns
    from pycert.pki.fields import changes, summary

    fields: list[tuple[str, str]] = []
    if outcome.cert is not None:
        info = summary(outcome.cert)
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
        old = outcome.existing.get(item.path)
        state = "new" if old is None else "replaces existing"
        lines.append(f"  {item.path} ({item.mode:04o}, {state})")
        if old is not None and overwrite and outcome.cert is not None \
                and item.path.endswith(".crt") and b"PRIVATE" not in item.data:
            lines += [f"    {c}" for c in changes(old, outcome.cert)]
    return "\n".join(lines) + "\n"


def outcome_report(outcomes: list[Outcome], *, json_out: bool, dry_run: bool,
                   overwrite: bool) -> str:
    """--json manifest and/or --dry-run plan; "" otherwise (cockroach prints nothing)."""
    if json_out:
        return manifest(outcomes, dry_run)
    if dry_run:
        return "".join(dry_run_text(o, overwrite) for o in outcomes)
    return ""
