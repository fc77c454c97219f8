"""`sign-csr FILE --profile=node|client|ui`: the CA host's half of the offline CSR flow."""

from __future__ import annotations

from typing import Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.cobra import command, flag_error
from pycert.cli.create import report


@flags.create_leaf
@flags.ocsp_url
@flags.ledger
@click.option("--out-dir", default="", metavar="<path>",
              help="Write the certificate here instead of --certs-dir.")
@click.option("--profile", type=flagtypes.Choice(("node", "client", "ui"), "profile"),
              required=True, help="Certificate profile to issue; the CSR must suit it. "
              "One of: node, client, ui.")
@click.argument("args", nargs=-1)
def _sign_csr(args: tuple[str, ...], **opts: Any) -> None:
    if len(args) != 1:
        raise flag_error(" ".join(args), "<csr-file>", "sign-csr takes exactly one CSR file")
    flags.setup(opts)
    outcome = flags.directory(opts).sign_csr(args[0], opts["profile"], flags.target(opts),
                                             flags.lifetime(opts),
                                             ocsp_urls=tuple(opts["ocsp_url"]))
    report([outcome], opts)


COMMANDS = [command(_sign_csr, "sign-csr",
                    "--certs-dir=<path> --ca-key=<path> --profile=node|client|ui <file.csr>")]
