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


def picks(args: tuple[str, ...]) -> list[Any]:
    """`node`, `client alice bob`, `tenant-client 10`: one Pick per certificate named."""
    from pycert.certdir.renew import pick, renewable_kind

    if not args:
        raise CertError("renew needs what to renew: node, client <user>, tenant-client <id>, "
                        "or --all", prefixed=False)
    kind = renewable_kind(args[0])
    if kind.named:
        if len(args) < 2:
            raise CertError(f"renew {kind.name} needs at least one name "
                            f"({kind.cert_file('<name>')})", prefixed=False)
        return [pick(kind.name, name) for name in args[1:]]
    if len(args) > 1:
        raise CertError(f"renew {kind.name} takes no name, got {args[1]!r}", prefixed=False)
    return [pick(kind.name)]


@flags.renew
@click.argument("args", nargs=-1)
def _renew(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.certdir import renew
    from pycert.cli import render_lifecycle as render

    flags.setup(opts)
    options = renew.RenewOptions(opts["within"], opts["reuse_key"], opts["strict"],
                                 flags.lifetime(opts))
    target = flags.target(opts, overwrite=True, pkcs8=opts["also_generate_pkcs8_key"])
    if opts["every"]:
        kinds = tuple(renew.renewable_kind(a) for a in args)
        result = renew.renew(target, None, options, kinds=kinds)
    else:
        result = renew.renew(target, picks(args), options)
    for renewal in result.renewed:
        for warning in renewal.warnings:
            write_err(f"warning: {renewal.path}: {warning}\n")
    if not result.renewed:
        write_err(render.nothing_to_renew(result, opts["within"], target.certs_dir) + "\n")
    if opts["json_out"]:
        write_out(render.renew_json(result))
    elif result.renewed:
        write_out(render.renew_text(result))


COMMANDS = [command(_renew, "renew", USAGE,
                    long="renew certificates from what they already say: same subject, SANs, "
                    "tenant scopes and key type, a new key (unless --reuse-key), signed by the "
                    "first certificate of the kind's CA file; every file in one commit")]
