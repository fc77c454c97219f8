"""`renew`: re-issue certificates from what they already say (pycert extension).

    pycert renew node | client <user>... | tenant-client <id>... | --all [<kind>...]
"""

from __future__ import annotations

from typing import Any

import click

from pycert.cli import flags
from pycert.cli.cobra import command, write_err, write_out
from pycert.errors import CertError

USAGE = ("--certs-dir=<path> --ca-key=<path> node | client <user>... | tenant-client <id>... "
         "| --all [<kind>...]")


def named(args: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """`node`, `client alice bob`, `tenant-client 10`: the kind and the names given."""
    from pycert.certdir.renew import renewable_kind

    if not args:
        raise CertError("renew needs what to renew: node, client <user>, tenant-client <id>, "
                        "or --all", prefixed=False)
    kind = renewable_kind(args[0])
    if kind.named and len(args) < 2:
        raise CertError(f"renew {kind.name} needs at least one name "
                        f"({kind.cert_file('<name>')})", prefixed=False)
    if not kind.named and len(args) > 1:
        raise CertError(f"renew {kind.name} takes no name, got {args[1]!r}", prefixed=False)
    return kind.name, args[1:]


@flags.renew
@click.argument("args", nargs=-1)
def _renew(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.cli import render_lifecycle as render

    flags.setup(opts)
    certs = flags.directory(opts)
    how: dict[str, Any] = {
        "ca_key": flags.ca_key(opts), "within": opts["within"], "reuse_key": opts["reuse_key"],
        "strict": opts["strict"], "lifetime": flags.lifetime(opts), "out_dir": opts["out_dir"],
        "dry_run": opts["dry_run"], "backup": opts["backup"],
        "pkcs8": opts["also_generate_pkcs8_key"]}
    if opts["every"]:
        result = certs.renew_all(*args, **how)
    else:
        kind, names = named(args)
        result = certs.renew(kind, *names, **how)
    for renewal in result.renewed:
        for warning in renewal.warnings:
            write_err(f"warning: {renewal.path}: {warning}\n")
    if not result.renewed:
        write_err(render.nothing_to_renew(result, opts["within"], certs.path) + "\n")
    if opts["json_out"]:
        write_out(render.renew_json(result))
    elif result.renewed:
        write_out(render.renew_text(result))


COMMANDS = [command(_renew, "renew", USAGE,
                    long="renew certificates from what they already say: same subject, SANs, "
                    "tenant scopes and key type, a new key (unless --reuse-key), signed by the "
                    "first certificate of the kind's CA file; every file in one commit")]
