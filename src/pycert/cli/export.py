"""`export node | client <user>`: a key as PKCS#8, or key + chain as PKCS#12."""

from __future__ import annotations

import os
from typing import Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.cobra import command, flag_error
from pycert.cli.create import report
from pycert.kinds import CLIENT, NODE

PASSWORD_ENV = "PYCERT_PKCS12_PASSWORD"


@flags.common
@flags.backup
@click.option("--json", "json_out", is_flag=True, help="Print a JSON manifest.")
@click.option("--dry-run", is_flag=True, help="Show the files; write nothing.")
@click.option("--overwrite", is_flag=True, help="Replace existing export files.")
@click.option("--out-dir", default="", metavar="<path>",
              help="Write the exports here instead of --certs-dir.")
@click.option("--friendly-name", default="", metavar="<name>",
              help="PKCS#12 friendly name (the Java keystore alias). "
              "[default: node, or client.<user>]")
@click.option("--password-env", default=PASSWORD_ENV, metavar="<VAR>", show_default=True,
              help="Environment variable holding the PKCS#12 password.")
@click.option("--password-file", default="", metavar="<path>",
              help="File whose first line is the PKCS#12 password.")
@click.option("--pkcs12", is_flag=True,
              help="Write <name>.p12: key, cert and CA chain, AES-256/PBKDF2.")
@click.option("--pkcs8", type=flagtypes.Choice(("pem", "der"), "PKCS#8 encoding"), default=None,
              help="Write the key as unencrypted PKCS#8: <key>.pk8 (der) or "
              "<key>.pk8.pem (pem). One of: pem, der.")
@click.argument("args", nargs=-1)
def _export(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.certdir.export import ExportSpec, read_password
    from pycert.identities import normalize_username

    if args[:1] == ("node",) and len(args) == 1:
        kind, name = NODE, ""
    elif args[:1] == ("client",) and len(args) == 2:
        kind, name = CLIENT, normalize_username(args[1])
    else:
        raise flag_error(" ".join(args), "<what>", "want `export node` or "
                         "`export client <user>`")
    flags.setup(opts)
    password = b""
    if opts["pkcs12"]:
        env = opts["password_env"]
        password = read_password(opts["password_file"], os.environ.get(env), env)
    spec = ExportSpec(kind, name, opts["pkcs8"] or "", opts["pkcs12"], password,
                      opts["friendly_name"] or kind.stem(name))
    report([flags.directory(opts).export(spec, flags.target(opts))], opts)


COMMANDS = [command(_export, "export",
                    "--certs-dir=<path> [--pkcs8=pem|der] [--pkcs12 --password-file=<path>] "
                    "node | client <user>")]
