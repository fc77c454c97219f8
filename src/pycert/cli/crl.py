"""`create-crl --out=PATH`: the ledger's revocations as a CRL signed by the CA key
(pycert extension; docs/create-crl.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.cobra import command, flag_error, write_out

if TYPE_CHECKING:
    from pycert.certdir.crls import Crl

FORMATS = ("pem", "der")


@flags.common
@flags.ledger
@flags.issuer_option
@flags.ca_key_option
@click.option("--out", default="", metavar="<path>",
              help="Where to write the CRL (replaced atomically); e.g. PostgreSQL's "
              "ssl_crl_file.")
@click.option("--next-update", type=flagtypes.GoDuration(), default="168h",
              help="How long the CRL is good for; re-run before then (peers refuse every "
              "certificate once it is past). [default: 168h0m0s]")
@click.option("--format", "fmt", type=flagtypes.Choice(FORMATS, "CRL format"), default="pem",
              show_default=True, help="Encoding of the CRL file. One of: pem, der.")
@click.option("--json", "json_out", is_flag=True, help="Print what was written as JSON.")
@click.argument("args", nargs=-1)
def _create_crl(args: tuple[str, ...], **opts: Any) -> None:
    import datetime as dt

    from pycert.cli.create import no_args

    no_args("create-crl", args)
    if not opts["out"]:
        raise flag_error("", "--out", "create-crl needs --out=<path> for the CRL")
    flags.positive_duration(opts, "next_update")
    flags.setup(opts)
    crl = flags.directory(opts).create_crl(
        opts["out"], ca_key=flags.ca_key(opts), issuer=opts["issuer"],
        next_update=dt.timedelta(microseconds=opts["next_update"] // 1000),
        der=opts["fmt"] == "der", ledger=opts["ledger"] or "",
        ca_key_password=flags.ca_key_password(opts))
    write_out(json.dumps(crl_json(crl), indent=2) + "\n" if opts["json_out"] else crl_text(crl))


def crl_json(crl: Crl) -> dict[str, Any]:
    from pycert.pki.describe import rfc3339

    return {"path": crl.path, "number": crl.number, "issuer": crl.issuer,
            "this_update": rfc3339(crl.this_update), "next_update": rfc3339(crl.next_update),
            "revoked": crl.revoked, "ledger": crl.ledger}


def crl_text(crl: Crl) -> str:
    from pycert.pki.describe import rfc3339

    return (f"wrote CRL number {crl.number} to {crl.path}: {crl.revoked} revoked "
            f"serial{'' if crl.revoked == 1 else 's'} from {crl.ledger}, signed by the CA key's "
            f"certificate in {crl.issuer}; valid until {rfc3339(crl.next_update)}: make the "
            "next one before then\n")


COMMANDS = [command(_create_crl, "create-crl",
                    "--certs-dir=<path> --ca-key=<path> --out=<crl file> [--next-update=168h]",
                    long="write a CRL of the ledger's revocations, signed by the CA key (the "
                    "CA needs cRLSign: create-ca --crl-sign); its number goes up every time "
                    "and the file is replaced atomically")]
