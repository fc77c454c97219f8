"""`pycert inspect FILE...`: read certificates from files or stdin and describe them.

The text form is rendered from the same records as `--format=json`, so both always agree.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from pycert.errors import CertError
from pycert.report import Entry

MAX_INPUT_BYTES = 1 << 20


def load_inputs(paths: list[str]) -> list[Entry]:
    """Every certificate of every input (PEM bundle or one DER cert), signers resolved."""
    from pycert.loader import classify
    from pycert.report import resolve_signers

    entries: list[Entry] = []
    for path in paths:
        verdict = classify(os.path.basename(path)) if path != "-" else None
        kind, name = verdict if isinstance(verdict, tuple) else (None, "")
        for i, cert in enumerate(_parse(path, _read(path))):
            entries.append(Entry(path, i, cert, kind, name))
    resolve_signers(entries)
    return entries


def _read(path: str) -> bytes:
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise CertError(f"could not read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise CertError(f"{path} is larger than {MAX_INPUT_BYTES} bytes")
    return data


def _parse(path: str, data: bytes) -> list[Any]:
    from cryptography import x509

    from pycert.pem import blocks

    found = blocks(data)
    try:
        if found:
            ders = [b.der for b in found if b.type == "CERTIFICATE"]
            certs = [x509.load_der_x509_certificate(der) for der in ders]
        elif data.lstrip().startswith(b"-----BEGIN"):
            certs = []
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError as exc:
        raise CertError(f"could not parse a certificate in {path}: {exc}") from None
    if not certs:
        types = ", ".join(sorted({b.type for b in found})) or "none"
        raise CertError(f"no certificates found in {path} (PEM blocks: {types})")
    return certs


def render_text(records: list[dict[str, Any]]) -> str:
    """A step-cli-like dump, one block per certificate."""
    return "\n".join(_one(r) for r in records)


def _name(fields: dict[str, Any] | None) -> str:
    if not fields:
        return ""
    parts = [f"CN={fields['cn']}"] if fields.get("cn") is not None else []
    parts += [f"O={o}" for o in fields.get("o", [])] + [f"OU={u}" for u in fields.get("ou", [])]
    return ", ".join(parts)


def _one(r: dict[str, Any]) -> str:
    where = r["file"] if r["index"] is None else f"{r['file']} #{r['index']}"
    lines = [f"Certificate ({where}):"]
    if r["usage"]:
        lines.append(f"    Usage: {r['usage']}")
    if r["error"]:
        lines.append(f"    Error: {r['error']}")
    if r["subject"] is None:
        return "\n".join(lines) + "\n"
    key = r["key"]
    signer = r["signed_by"]
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
        lines += [f"        {label}: {v}" for label, key_ in (("DNS", "dns"), ("IP", "ip"),
                                                                ("URI", "uri"))
                  for v in sans[key_]]
    signed = "itself" if r["self_signed"] else "unknown (issuer not among the inputs)"
    if signer:
        signed = f"{signer['file']} #{signer['index']}"
    lines.append(f"    Signed By: {signed}")
    lines.append(f"    SHA-256 Fingerprint: {r['fingerprint_sha256']}")
    return "\n".join(lines) + "\n"
