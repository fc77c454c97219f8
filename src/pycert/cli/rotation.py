"""`rotate-*` (stage 1) and `prune-*` (stage 3) of a CA rotation, one pair per CA kind
(pycert extension; stage 2 is `renew`, docs/lifecycle.md)."""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING, Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.cobra import CobraCommand, command, shared, write_err, write_out
from pycert.cli.create import no_args
from pycert.cli.flags import Fn
from pycert.cli.render import dry_run_text, manifest_doc
from pycert.kinds import CA_LIFETIME, KINDS, Kind
from pycert.pki.describe import rfc3339

if TYPE_CHECKING:
    from pycert.certdir.prune import Pruning
    from pycert.certdir.rotate import Rotation


@shared
def rotate_flags(f: Fn) -> Fn:
    """rotate-*: a new CA key and certificate, prepended to the bundle."""
    f = flags.ca_key_option(flags.common(f), "Path for the NEW CA key (must not exist yet "
                            "unless --allow-ca-key-reuse); the old key is never touched.")
    f = click.option("--key-type", type=flagtypes.Choice(flags.KEY_TYPES, "key type"), default=None,
                     help="Key algorithm of the new CA. One of: rsa, ecdsa, ed25519. "
                     "[default: the current CA's]")(f)
    f = click.option("--key-size", type=flagtypes.GoInt(), default=None,
                     help="Key size in bits (ecdsa: the curve). [default: the current CA's]")(f)
    f = click.option("--not-after", type=flagtypes.Rfc3339(), default=None, metavar="<RFC3339>",
                     help="End of the new CA certificate as a date; replaces --lifetime.")(f)
    f = click.option("--allow-ca-key-reuse", is_flag=True,
                     help="Sign the new CA certificate with the key at --ca-key if it "
                     "exists.")(f)
    f = click.option("--crl-sign", is_flag=True,
                     help="Add cRLSign to the new CA's key usage, so that it can sign the CRLs "
                     "of create-crl. [default: as the current CA]")(f)
    f = flags.ledger_option(f)
    return flags.backup_option(flags.report_options(flags.lifetime_option(f, CA_LIFETIME)))



@shared
def prune_flags(f: Fn) -> Fn:
    """prune-*: remove CA certificates from a bundle."""
    f = click.option("--unused", is_flag=True,
                     help="Also remove the CA certificates that sign none of the certificates "
                     "in --certs-dir.")(f)
    return flags.backup_option(flags.report_options(flags.common(f)))

def _rotate_command(kind: Kind) -> CobraCommand:
    @rotate_flags
    @click.argument("args", nargs=-1)
    def rotate(args: tuple[str, ...], **opts: Any) -> None:
        no_args(kind.rotate_command, args)
        flags.setup(opts)
        certs = flags.directory(opts)
        rotation = certs.rotate_ca(
            flags.ca_key(opts), kind=kind.name, key_type=opts["key_type"],
            key_size=opts["key_size"],
            lifetime=flags.lifetime(opts),
            reuse_key=opts["allow_ca_key_reuse"], dry_run=opts["dry_run"],
            backup=opts["backup"], crl_sign=opts["crl_sign"], ledger=opts["ledger"] or "",
            ca_key_password=flags.ca_key_password(opts))
        if rotation.ca is None:
            write_err(f"nothing to rotate: {rotation.key_path} already signs the first "
                      f"certificate of {rotation.bundle}\n")
        if opts["json_out"]:
            write_out(rotate_json(rotation, certs.path))
        else:
            write_out(rotate_text(rotation, certs.path))

    what = kind.cert_file()
    return command(rotate, kind.rotate_command, "--certs-dir=<path> --ca-key=<new-ca-key>",
                   long=f"stage 1 of a rotation: a new CA key at --ca-key (a path that does not "
                   f"exist yet; the old key is never touched) and its certificate prepended to "
                   f"{what}; prints the next steps")


def _prune_command(kind: Kind) -> CobraCommand:
    @prune_flags
    @click.argument("args", nargs=-1)
    def prune(args: tuple[str, ...], **opts: Any) -> None:
        no_args(kind.prune_command, args)
        flags.setup(opts)
        pruning = flags.directory(opts).prune_ca(kind=kind.name, unused=opts["unused"],
                                                 dry_run=opts["dry_run"],
                                                 backup=opts["backup"])
        if not pruning.removed:
            write_err(nothing_to_prune(pruning, opts["unused"]) + "\n")
        if opts["json_out"]:
            write_out(prune_json(pruning))
        elif pruning.removed or opts["dry_run"]:
            write_out(prune_text(pruning))

    return command(prune, kind.prune_command, "--certs-dir=<path> [--unused] [--dry-run]",
                   long=f"stage 3 of a rotation: remove from {kind.cert_file()} the CA "
                   "certificates that are expired and, with --unused, those that sign nothing "
                   "in --certs-dir; never the first one")


def _cmd(*parts: str) -> str:
    return " ".join(shlex.quote(p) if i else p for i, p in enumerate(parts))


def stage_two(rotation: Rotation, certs_dir: str) -> tuple[str, str]:
    """The exact `pycert renew …` (stage 2) and `pycert prune-…` (stage 3) command lines."""
    kinds = [] if rotation.signs_all else [k.name for k in rotation.signs]
    renew = _cmd("pycert", "renew", "--all", *kinds, "--within=30d", f"--certs-dir={certs_dir}",
                 f"--ca-key={rotation.key_path}")
    prune = _cmd("pycert", rotation.kind.prune_command, "--unused", f"--certs-dir={certs_dir}")
    return renew, prune


def rotate_text(rotation: Rotation, certs_dir: str) -> str:
    """What stage 1 did (or, in a dry run, would do), then the runbook's next steps."""
    renew, prune = stage_two(rotation, certs_dir)
    lines = []
    if rotation.dry_run and rotation.outcome is not None:
        lines.append(dry_run_text(rotation.outcome, True).rstrip("\n"))
    elif rotation.ca is not None:
        lines.append(f"rotated {rotation.bundle}: a new CA certificate (serial "
                     f"{rotation.ca.serial_number:x}, until "
                     f"{rfc3339(rotation.ca.not_valid_after_utc)}) now comes first, before the "
                     f"{rotation.previous - rotation.duplicates} it held"
                     + (f" ({rotation.duplicates} duplicate(s) written once)"
                        if rotation.duplicates else ""))
        lines.append(f"{'new' if rotation.new_key else 'reused'} CA key: {rotation.key_path}; "
                     "the old CA key was not touched: keep it until stage 3 is done")
        lines += [f"kept {path}" for path in rotation.backups]
    lines += [
        "next steps:",
        f"  1. distribute {rotation.bundle} to {rotation.kind.trusted_by}, and reload it there "
        "(SIGHUP or restart); both CAs are trusted now, so today's certificates keep working",
        "  2. once every one of them has it, renew the certificates with the new CA, then "
        "distribute the renewed files:",
        f"       {renew}",
        "  3. once nothing uses the old CA any more, remove it from the bundle (--dry-run "
        "first shows what goes and why), and distribute the bundle again:",
        f"       {prune}",
    ]
    return "\n".join(lines) + "\n"


def rotate_json(rotation: Rotation, certs_dir: str) -> str:
    outcomes = [rotation.outcome] if rotation.outcome is not None else []
    doc = manifest_doc(outcomes, rotation.dry_run)
    renew, prune = stage_two(rotation, certs_dir)
    doc["rotated"] = rotation.ca is not None
    doc["bundle"], doc["ca_key"] = rotation.bundle, rotation.key_path
    doc["new_key"] = rotation.new_key
    doc["certificates_before"] = rotation.previous
    doc["backups"] = rotation.backups
    doc["next"] = {"distribute": [rotation.bundle], "renew": renew, "prune": prune}
    return json.dumps(doc, indent=2) + "\n"


def prune_text(pruning: Pruning) -> str:
    """Every certificate of the bundle, kept or removed, and why."""
    total, gone = len(pruning.verdicts), len(pruning.removed)
    head = f"{'would remove' if pruning.dry_run else 'removed'} {gone} of {total} " \
        f"certificate{'' if total == 1 else 's'} from {pruning.bundle}"
    lines = (["dry run: nothing was written"] if pruning.dry_run else []) + [head]
    for v in pruning.verdicts:
        lines.append(f"  {'keep  ' if v.keep else 'remove'} #{v.index} serial "
                     f"{v.cert.serial_hex} (until {rfc3339(v.cert.not_after)}): "
                     f"{v.reason}")
    lines += [f"kept {path}" for path in pruning.backups]
    return "\n".join(lines) + "\n"


def prune_json(pruning: Pruning) -> str:
    outcomes = [pruning.outcome] if pruning.outcome is not None else []
    doc = manifest_doc(outcomes, pruning.dry_run)
    doc["bundle"] = pruning.bundle
    doc["certificates"] = [
        {"index": v.index, "serial": v.cert.serial_hex, "keep": v.keep,
         "not_after": rfc3339(v.cert.not_after), "reason": v.reason,
         "signs": v.signs} for v in pruning.verdicts]
    doc["backups"] = pruning.backups
    return json.dumps(doc, indent=2) + "\n"


def nothing_to_prune(pruning: Pruning, unused: bool) -> str:
    total = len(pruning.verdicts)
    if total == 1:
        return f"nothing to prune: {pruning.bundle} holds one certificate, the current CA"
    why = "is expired or unused" if unused else \
        "is expired (--unused also removes those that sign nothing here)"
    return f"nothing to prune: no certificate of {pruning.bundle} after the first {why}"


COMMANDS = [make(kind) for kind in KINDS if kind.rotate_command
            for make in (_rotate_command, _prune_command)]
