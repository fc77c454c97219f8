"""`revoke <file> | <kind> [<name>] | --serial=HEX`: mark a certificate revoked in the
ledger (pycert extension; docs/revoke.md)."""

from __future__ import annotations

import json
import os
import shlex
from typing import TYPE_CHECKING, Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.cobra import command, write_out
from pycert.errors import CertError
from pycert.kinds import BY_NAME

if TYPE_CHECKING:
    from pycert.certdir.revocation import Revocation

# pycert.pki.revocation.REVOKE_REASONS, without importing cryptography for --help
REASONS = ("unspecified", "keyCompromise", "CACompromise", "affiliationChanged", "superseded",
           "cessationOfOperation")
USAGE = ("--certs-dir=<path> --ca-key=<path> <cert file> | <kind> [<name>] | --serial=<hex> "
         "[--reason=<reason>]")


@flags.common
@flags.ledger
@flags.ledger_key
@click.option("--serial", default=None, metavar="<hex>",
              help="Revoke by serial number (hex, as pycert list or openssl x509 -serial "
              "print it) instead of by file.")
@click.option("--reason", type=flagtypes.Choice(REASONS, "revocation reason", ignore_case=True),
              default=None, help=f"Why (RFC 5280), in any case. One of: {', '.join(REASONS)}. "
              "[default: none given]")
@click.option("--json", "json_out", is_flag=True, help="Print what was revoked as JSON.")
@click.argument("args", nargs=-1)
def _revoke(args: tuple[str, ...], **opts: Any) -> None:
    flags.setup(opts)
    certs = flags.directory(opts)
    kind, name, file = _target(args, opts["serial"])
    done = certs.revoke(kind, name, file=file, serial=opts["serial"], reason=opts["reason"],
                        ca_key=flags.ca_key(opts), ledger=opts["ledger"] or "")
    if opts["json_out"]:
        write_out(json.dumps(revocation_json(done), indent=2) + "\n")
    else:
        write_out(revocation_text(done, certs.path, flags.ca_key(opts), opts["ledger"]))


def _target(args: tuple[str, ...], serial: str | None) -> tuple[str, str, str]:
    """(kind, name, file) from the arguments: a kind (and name) or a certificate file."""
    if serial is not None:
        if args:
            raise CertError("give a certificate (file, or kind and name) or --serial, not both",
                            prefixed=False)
        return "", "", ""
    if not args:
        raise CertError("revoke needs what to revoke: a certificate file, <kind> [<name>] "
                        "(node, client <user>, tenant-client <id>, ui) or --serial=<hex>",
                        prefixed=False)
    if args[0] in BY_NAME:
        if len(args) > 2:
            raise CertError(f"revoke {args[0]} takes at most one name, got {len(args) - 1}",
                            prefixed=False)
        return args[0], args[1] if len(args) > 1 else "", ""
    if len(args) > 1:
        raise CertError(f"revoke takes one certificate file at a time, got {len(args)}",
                        prefixed=False)
    if not os.path.lexists(args[0]):
        raise CertError(f"cannot revoke {args[0]!r}: no such certificate file, and not a kind",
                        prefixed=False, hint="give a certificate file, <kind> [<name>] (node, "
                        "client <user>, tenant-client <id>, ui) or --serial=<hex>")
    return "", "", args[0]


def revocation_json(done: Revocation) -> dict[str, Any]:
    from pycert.pki.describe import rfc3339

    return {"ledger": done.ledger, "serial": done.serial_hex, "subject": done.subject,
            "file": done.file or None, "revoked_at": rfc3339(done.revoked_at),
            "reason": done.reason, "recorded": done.recorded,
            "same_subject_still_valid": done.others_hex}


def revocation_text(done: Revocation, certs_dir: str, ca_key: str, ledger: str | None) -> str:
    """What was revoked, then how the revocation reaches the servers."""
    from pycert.pki.describe import rfc3339

    what = f"{done.file} (serial {done.serial_hex}, {done.subject})" if done.file else \
        f"serial {done.serial_hex} ({done.subject})"
    lines = [f"revoked {what} at {rfc3339(done.revoked_at)}"
             + (f", reason {done.reason}" if done.reason else "") + f", in {done.ledger}"]
    if done.recorded:
        lines.append("  (it was not in the ledger yet: recorded and revoked at once)")
    if done.others:
        lines.append(f"  the ledger holds {len(done.others)} more unexpired certificate"
                     f"{'' if len(done.others) == 1 else 's'} of {done.subject}, still valid: "
                     f"{', '.join(done.others_hex)}; revoke each with --serial if its key may "
                     "be lost too")
    where = f"--certs-dir={shlex.quote(certs_dir)} --ca-key={shlex.quote(ca_key or '<ca key>')}"
    if ledger:
        where += f" --ledger={shlex.quote(ledger)}"
    lines += [
        "next:",
        "  OCSP: a running pycert ocsp-responder on this ledger answers \"revoked\" from now on",
        f"  CRL:  pycert create-crl {where} --out=<crl file>, then reload what reads it "
        "(PostgreSQL: pg_ctl reload)",
    ]
    return "\n".join(lines) + "\n"


COMMANDS = [command(_revoke, "revoke", USAGE,
                    long="revoke a certificate: its ledger line becomes R (time, reason), which "
                    "pycert ocsp-responder answers and pycert create-crl lists; by file, by "
                    "kind and name, or by --serial; a CA certificate, a serial the ledger does "
                    "not hold and a second revocation are refused")]
