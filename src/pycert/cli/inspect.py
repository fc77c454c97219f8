"""`inspect FILE...`: describe the certificates in PEM or DER files, like
`step certificate inspect`: text for people, the records' JSON for scripts."""

from __future__ import annotations

import sys
from typing import Any

import click

from pycert.cli import flagtypes
from pycert.cli.cobra import command, write_out
from pycert.cli.tables import columns
from pycert.errors import CertError


@click.option("--format", default="text", type=flagtypes.Choice(("text", "json"), "inspect format"),
              show_default=True, help="text (human readable) or json (the list schema). "
              "One of: text, json.")
@click.argument("files", nargs=-1)
def _inspect(files: tuple[str, ...], **opts: Any) -> None:
    from pycert.certdir.inspect import read_certificates
    from pycert.cli import render
    from pycert.pki.certs import utcnow

    if not files:
        raise CertError("requires at least 1 arg(s), only received 0", prefixed=False)
    now = utcnow()
    records = read_certificates(list(files))
    if opts["format"] == "json":
        write_out("".join(render.record_texts(records, now, "json",
                                              pretty=sys.stdout.isatty())) + "\n")
    else:
        write_out(inspect_text([r.to_json(now) for r in records]))


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


COMMANDS = [command(_inspect, "inspect", "[--format=text|json] <file>...",
                    long="describe certificates in PEM or DER files (`-` = stdin)")]
