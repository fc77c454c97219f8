"""Text for people and scripts: `list`'s row formats, JSON, and the reports of `check`,
`inspect`, `--dry-run` and `--json`. Plain data in, strings out.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from pycert.certdir.listing import HEADERS
from pycert.certdir.records import RECORD_KEYS

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
    return (text[:-2] + ",\n" if head else "{\n") + f"  {_string(key)}: "


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


_string = json.encoder.encode_basestring  # C-accelerated; ensure_ascii=False
_KEYS: dict[tuple[str, str], str] = {}  # (indent, key) -> the member's opening text


def indented(value: Any, indent: str = "") -> str:
    """json.dumps(value, indent=2, ensure_ascii=False) nested at `indent`, several times
    faster: with an indent, json.dumps takes its pure-Python encoder."""
    text = _scalar(value)
    if text is not None:
        return text
    inner = indent + "  "
    kind = type(value)
    if kind is dict:
        if not value:
            return "{}"
        parts = []
        for key, item in value.items():
            opening = _KEYS.get((inner, key)) if type(key) is str else None
            if opening is None:
                if type(key) is not str:
                    return _dumps(value, indent)
                opening = _KEYS.setdefault((inner, key), f"{inner}{_string(key)}: ")
            text = _scalar(item)
            parts.append(opening + (indented(item, inner) if text is None else text))
        return "{\n" + ",\n".join(parts) + "\n" + indent + "}"
    if kind is list:
        if not value:
            return "[]"
        items = [_scalar(v) for v in value]
        body = ",\n".join([inner + (indented(v, inner) if t is None else t)
                           for v, t in zip(value, items)])
        return "[\n" + body + "\n" + indent + "]"
    return _dumps(value, indent)


def _scalar(value: Any) -> str | None:
    """The JSON text of a string, integer, boolean or null; None for anything else."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return None


_NAMES, _SANS, _KEY, _SIGNER = ("cn", "o", "ou"), ("dns", "ip", "uri"), \
    ("type", "size", "curve"), ("file", "index")


def cert_record(r: dict[str, Any], indent: str) -> str:
    """`indented(r, indent)` for a certificate record (docs/schema/cert-report.schema.json):
    the schema's members go into a template; anything else the generic way."""
    if tuple(r) != RECORD_KEYS:
        return indented(r, indent)
    return record_text(tuple(r.values()), indent) or indented(r, indent)


def record_text(v: tuple[Any, ...], indent: str) -> str | None:
    """The text of a record from its values in RECORD_KEYS order, written into a template
    (a third of the generic walk's cost for 10,000 records); None when a value is not of
    the schema's type, for the generic walk to write."""
    i1 = indent + "  "
    i2 = i1 + "  "
    try:
        parts = (_int(v[0]), _str(v[1]), _str(v[2]), _str(v[3]), _str(v[4]), _str(v[5]),
                 _int(v[6]), _names(v[7], i1, i2), _names(v[8], i1, i2), _sans(v[9], i1, i2),
                 _str(v[10]), _key(v[11], i1, i2), _str(v[12]), _str(v[13]), _str(v[14]),
                 _int(v[15]), _str(v[16]), _bool(v[17]), _bool(v[18]), _strs(v[19], i1),
                 _signer(v[20], i1, i2), _str(v[21]), _int(v[22]), _str(v[23]))
    except _NotTheSchema:
        return None
    return _template(indent) % parts


class _NotTheSchema(Exception):
    """A member of another type than the schema's: the record goes the generic way."""


def _str(value: Any) -> str:
    if type(value) is str:
        return _string(value)
    if value is None:
        return "null"
    raise _NotTheSchema


def _int(value: Any) -> str:
    if type(value) is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    raise _NotTheSchema


def _bool(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is bool:
        return "true" if value else "false"
    raise _NotTheSchema


def _strs(value: Any, indent: str) -> str:
    """A list of strings (or null) whose items sit one level deeper than `indent`."""
    if value is None:
        return "null"
    if type(value) is not list or not all(type(v) is str for v in value):
        raise _NotTheSchema
    if not value:
        return "[]"
    inner = indent + "  "
    return "[\n" + ",\n".join([inner + _string(v) for v in value]) + "\n" + indent + "]"


def _names(value: Any, i1: str, i2: str) -> str:
    if value is None:
        return "null"
    if type(value) is not dict or tuple(value) != _NAMES:
        raise _NotTheSchema
    return (f'{{\n{i2}"cn": {_str(value["cn"])},\n{i2}"o": {_strs(value["o"], i2)},\n'
            f'{i2}"ou": {_strs(value["ou"], i2)}\n{i1}}}')


def _sans(value: Any, i1: str, i2: str) -> str:
    if value is None:
        return "null"
    if type(value) is not dict or tuple(value) != _SANS:
        raise _NotTheSchema
    return (f'{{\n{i2}"dns": {_strs(value["dns"], i2)},\n{i2}"ip": {_strs(value["ip"], i2)},'
            f'\n{i2}"uri": {_strs(value["uri"], i2)}\n{i1}}}')


def _key(value: Any, i1: str, i2: str) -> str:
    if value is None:
        return "null"
    if type(value) is not dict or tuple(value) != _KEY:
        raise _NotTheSchema
    return (f'{{\n{i2}"type": {_str(value["type"])},\n{i2}"size": {_int(value["size"])},\n'
            f'{i2}"curve": {_str(value["curve"])}\n{i1}}}')


def _signer(value: Any, i1: str, i2: str) -> str:
    if value is None:
        return "null"
    if type(value) is not dict or tuple(value) != _SIGNER:
        raise _NotTheSchema
    return f'{{\n{i2}"file": {_str(value["file"])},\n{i2}"index": {_int(value["index"])}\n{i1}}}'


_TEMPLATES: dict[str, str] = {}


def _template(indent: str) -> str:
    found = _TEMPLATES.get(indent)
    if found is None:
        members = ",\n".join(f"{indent}  {_string(k)}: %s" for k in RECORD_KEYS)
        found = _TEMPLATES[indent] = "{\n" + members.replace("%", "%%").replace("%%s", "%s") \
            + "\n" + indent + "}"
    return found


def _dumps(value: Any, indent: str) -> str:
    """json.dumps itself, for what `indented` leaves to it (floats, tuples, subclasses)."""
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)


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
    for p in sorted(result.problems, key=lambda p: order[p.severity]):
        where = p.file if p.index in (None, 0) else f"{p.file} #{p.index}"
        lines.append(f"{p.severity.upper():4}  {where}: [{p.check}] {p.message}")
        if p.fix:
            lines.append(f"      fix: {p.fix}")
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
        f"        Not Before: {r['not_before']}",
        f"        Not After:  {r['not_after']} ({r['days_left']} days left)",
        f"        Effective:  {r['effective_not_after']} ({r['effective_days_left']} days left,"
        " earliest NotAfter along the signer chain)",
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
    from pycert.pki.fields import changes, summary

    lines = ["dry run: nothing was written"]
    if outcome.cert is not None:
        info = summary(outcome.cert)
        lines += [f"subject:   {info['subject']}",
                  f"SANs:      {', '.join(info['sans']) or '(none)'}",
                  f"validity:  {info['not_before']} to {info['not_after']}",
                  f"key:       {info['key']}"]
    if outcome.signer is not None:
        ca = summary(outcome.signer)
        lines.append(f"signed by: {outcome.signer_path} ({ca['subject']}, serial {ca['serial']}, "
                     f"expires {ca['not_after']})")
    lines.append("would write:")
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
