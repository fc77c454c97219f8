"""The extra renderings of `list --format` (cockroach's table-format names) and JSON.

table and tsv are `listing`'s; csv and records follow cockroach's SQL shell formats;
json and ndjson carry one `report.record` per certificate.
"""

from __future__ import annotations

import json
from typing import Any

from pycert.listing import HEADERS, go_csv_field, render_table, render_tsv


def render_rows(fmt: str, table: list[tuple[str, ...]]) -> str:
    """The per-file rows in one of the row formats."""
    if fmt == "table":
        return render_table(table)
    if fmt == "tsv":
        return render_tsv(table)
    if fmt == "csv":
        return "".join(",".join(go_csv_field(c, ",") for c in row) + "\n"
                       for row in [HEADERS, *table])
    return render_records(table)


def render_records(table: list[tuple[str, ...]]) -> str:
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
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def render_ndjson(records: list[dict[str, Any]]) -> str:
    """One compact JSON object per line, for `jq -c`, log shippers and line tools."""
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)


def check_json(result: Any, records: list[dict[str, Any]], now: str) -> dict[str, Any]:
    """The `check --format=json` document (docs/schema/check-report.schema.json)."""
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
        "certificates": records,
    }


def check_text(result: Any) -> str:
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
    count = sum(e.cert is not None for e in result.entries)
    verdict = {0: "OK", 1: "WARNINGS", 2: "FAILED"}[result.exit_code]
    lines.append(f"{verdict}: {count} certificate{'' if count == 1 else 's'} checked, "
                 f"{fails} failure{'' if fails == 1 else 's'}, "
                 f"{warns} warning{'' if warns == 1 else 's'} (exit {result.exit_code})")
    return "\n".join(lines) + "\n"
