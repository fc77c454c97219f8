"""`rotate-*` (stage 1) and `prune-*` (stage 3) of a CA rotation, one pair per CA kind
(pycert extension; stage 2 is `renew`, docs/lifecycle.md)."""

from __future__ import annotations

from typing import Any

import click

from pycert.cli import flags
from pycert.cli.cobra import CobraCommand, command, write_err, write_out
from pycert.cli.create import no_args
from pycert.kinds import KINDS, Kind


def _rotate_command(kind: Kind) -> CobraCommand:
    @flags.rotate
    @click.argument("args", nargs=-1)
    def rotate(args: tuple[str, ...], **opts: Any) -> None:
        from pycert.cli import render_lifecycle as render

        no_args(kind.rotate_command, args)
        flags.setup(opts)
        certs = flags.directory(opts)
        rotation = certs.rotate_ca(
            flags.ca_key(opts), kind=kind.name, key_type=opts["key_type"],
            key_size=opts["key_size"],
            lifetime=flags.lifetime(opts),
            reuse_key=opts["allow_ca_key_reuse"], dry_run=opts["dry_run"],
            backup=opts["backup"])
        if rotation.ca is None:
            write_err(f"nothing to rotate: {rotation.key_path} already signs the first "
                      f"certificate of {rotation.bundle}\n")
        if opts["json_out"]:
            write_out(render.rotate_json(rotation, certs.path))
        else:
            write_out(render.rotate_text(rotation, certs.path))

    what = kind.cert_file()
    return command(rotate, kind.rotate_command, "--certs-dir=<path> --ca-key=<new-ca-key>",
                   long=f"stage 1 of a rotation: a new CA key at --ca-key (a path that does not "
                   f"exist yet; the old key is never touched) and its certificate prepended to "
                   f"{what}; prints the next steps")


def _prune_command(kind: Kind) -> CobraCommand:
    @flags.prune
    @click.argument("args", nargs=-1)
    def prune(args: tuple[str, ...], **opts: Any) -> None:
        from pycert.cli import render_lifecycle as render

        no_args(kind.prune_command, args)
        flags.setup(opts)
        pruning = flags.directory(opts).prune_ca(kind=kind.name, unused=opts["unused"],
                                                 dry_run=opts["dry_run"],
                                                 backup=opts["backup"])
        if not pruning.removed:
            write_err(render.nothing_to_prune(pruning, opts["unused"]) + "\n")
        if opts["json_out"]:
            write_out(render.prune_json(pruning))
        elif pruning.removed or opts["dry_run"]:
            write_out(render.prune_text(pruning))

    return command(prune, kind.prune_command, "--certs-dir=<path> [--unused] [--dry-run]",
                   long=f"stage 3 of a rotation: remove from {kind.cert_file()} the CA "
                   "certificates that are expired and, with --unused, those that sign nothing "
                   "in --certs-dir; never the first one")


COMMANDS = [make(kind) for kind in KINDS if kind.rotate_command
            for make in (_rotate_command, _prune_command)]
