"""`pycert export` (issue 8): a node or client key as PKCS#8, or key+chain as PKCS#12.

Parses and prints only; formats live in `pkcs`, files in `exportdir`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from pycert.cobra import flag_error

Fn = Callable[..., Any]
PASSWORD_ENV = "PYCERT_PKCS12_PASSWORD"


def command(common: Callable[[Fn], Fn], leaf: Callable[..., click.Command],
            report: Callable[[Any, Any], None]) -> click.Command:
    @common
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
    @click.option("--pkcs8", type=click.Choice(["pem", "der"]), default=None,
                  help="Write the key as unencrypted PKCS#8: <key>.pk8 (der) or "
                  "<key>.pk8.pem (pem).")
    @click.argument("args", nargs=-1)
    def export(args: tuple[str, ...], **opts: Any) -> None:
        from pycert import cli, exportdir, logsetup
        from pycert.names import normalize_username

        if args[:1] == ("node",) and len(args) == 1:
            kind, name = "node", ""
        elif args[:1] == ("client",) and len(args) == 2:
            kind, name = "client", normalize_username(args[1])
        else:
            raise flag_error(" ".join(args), "<what>", "want `export node` or "
                             "`export client <user>`")
        logsetup.configure(opts)
        password = b""
        if opts["pkcs12"]:
            password = exportdir.read_password(opts["password_file"], opts["password_env"],
                                               dict(os.environ))
        req = exportdir.ExportRequest(
            certs_dir=cli._env_or(opts["certs_dir"], "COCKROACH_CERTS_DIR",
                                  cli.default_certs_dir()),
            kind=kind, name=name, pkcs8=opts["pkcs8"] or "", pkcs12=opts["pkcs12"],
            password=password, out_dir=opts["out_dir"], overwrite=opts["overwrite"],
            friendly_name=opts["friendly_name"] or (f"client.{name}" if name else "node"),
            dry_run=opts["dry_run"])
        outcome = exportdir.run(req)
        report(outcome, _Shown(opts["json_out"], opts["dry_run"], opts["overwrite"]))

    return leaf(export, "export",
                "export a node or client key as PKCS#8 or PKCS#12 (pycert)",
                "--certs-dir=<path> [--pkcs8=pem|der] [--pkcs12 --password-file=<path>] "
                "node | client <user>")


class _Shown:
    """The report switches `cli_issue.report` reads."""

    def __init__(self, json: bool, dry_run: bool, overwrite: bool) -> None:
        self.json, self.dry_run, self.overwrite = json, dry_run, overwrite
