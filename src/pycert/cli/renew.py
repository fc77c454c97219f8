"""`renew`: re-issue certificates from what they already say (pycert extension).

    pycert renew node | client <user>... | tenant-client <id>... | --all [<kind>...]
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.cobra import command, shared, write_err, write_out
from pycert.cli.flags import Fn
from pycert.cli.render import dry_run_text, manifest_doc
from pycert.errors import CertError
from pycert.kinds import LEAF_LIFETIME
from pycert.pki.describe import rfc3339

if TYPE_CHECKING:
    from pycert.certdir.renew import RenewResult

USAGE = ("--certs-dir=<path> --ca-key=<path> node | client <user>... | tenant-client <id>... "
         "| --all [<kind>...]")


@shared
def renew_flags(f: Fn) -> Fn:
    """renew: the create-* flags that still make sense when the certificate says the rest."""
    f = flags.ca_key_option(flags.common(f), "Path to the key of the current CA (the first "
                            "certificate of the signing CA file).")
    f = flags.report_options(flags.lifetime_option(f, LEAF_LIFETIME))
    f = flags.backup_option(flags.end_options(f))
    f = click.option("--out-dir", default="", metavar="<path>",
                     help="Write the renewed files (and a copy of ca.crt) into this directory, "
                     "created 0700, instead of replacing them in --certs-dir.")(f)
    f = click.option("--all", "every", is_flag=True,
                     help="Renew every node, client and tenant client certificate in "
                     "--certs-dir (or, after --all, only the kinds named), in one commit.")(f)
    f = click.option("--within", type=flagtypes.Threshold(), default=None,
                     metavar="<duration|percent>",
                     help="Renew only what expires within this time (`30d`) or share of its "
                     "lifetime (`10%`), or was signed by a CA that is not the current first "
                     "one. Default: renew what is named.")(f)
    f = click.option("--reuse-key", is_flag=True,
                     help="Keep each certificate's existing key instead of making a new one "
                     "(weaker: see docs/renew.md).")(f)
    f = click.option("--strict", is_flag=True,
                     help="Refuse a certificate that holds anything renewal cannot carry over "
                     "(unknown extensions, SAN types cockroach does not use).")(f)
    f = flags.ledger_option(f)
    f = click.option("--ocsp-url", multiple=True, metavar="<url>",
                     help="Put this OCSP responder URL (Authority Information Access) in the "
                     "renewed certificates instead of the ones they have; repeatable. "
                     "[default: each keeps its own]")(f)
    return click.option("--also-generate-pkcs8-key", is_flag=True,
                        help="Also write client keys as .pk8 (an existing .pk8 is always "
                        "renewed with its key).")(f)



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


@renew_flags
@click.argument("args", nargs=-1)
def _renew(args: tuple[str, ...], **opts: Any) -> None:
    flags.setup(opts)
    certs = flags.directory(opts)
    how: dict[str, Any] = {
        "ca_key": flags.ca_key(opts), "within": opts["within"], "reuse_key": opts["reuse_key"],
        "strict": opts["strict"], "lifetime": flags.lifetime(opts), "out_dir": opts["out_dir"],
        "dry_run": opts["dry_run"], "backup": opts["backup"],
        "pkcs8": opts["also_generate_pkcs8_key"], "ocsp_urls": tuple(opts["ocsp_url"]) or None,
        "ledger": opts["ledger"] or "", "ca_key_password": flags.ca_key_password(opts)}
    if opts["every"]:
        result = certs.renew_all(*args, **how)
    else:
        kind, names = named(args)
        result = certs.renew(kind, *names, **how)
    for renewal in result.renewed:
        for warning in renewal.warnings:
            write_err(f"warning: {renewal.path}: {warning}\n")
    if not result.renewed:
        write_err(nothing_to_renew(result, opts["within"], certs.path) + "\n")
    if opts["json_out"]:
        write_out(renew_json(result))
    elif result.renewed:
        write_out(renew_text(result))


def threshold_text(threshold: Any) -> str:
    """`30d`, `36h`, `10%`: a --within value as a person would have typed it."""
    if threshold.percent is not None:
        return f"{threshold.percent:g}%"
    seconds = int(threshold.seconds)
    if seconds and seconds % 86400 == 0:
        return f"{seconds // 86400}d"
    return f"{seconds // 3600}h" if seconds % 3600 == 0 else f"{seconds}s"


def renew_json(result: RenewResult) -> str:
    """The --json manifest of the files written, and what was renewed and why."""
    doc = manifest_doc(result.outcomes, result.dry_run)
    doc["renewed"] = [{"file": r.path, "reason": r.reason, "reused_key": r.reused_key,
                       "warnings": list(r.warnings)} for r in result.renewed]
    doc["not_due"] = [{"file": path, "reason": why} for path, why in result.not_due]
    doc["backups"] = result.backups
    return json.dumps(doc, indent=2) + "\n"


def renew_text(result: RenewResult) -> str:
    """A line per renewal (a dry run: the plan of each), then the backups kept."""
    if result.dry_run:
        return "".join(f"would renew {r.path} ({r.reason})\n"
                       + dry_run_text(r.outcome, True).split("\n", 1)[1]
                       for r in result.renewed)
    lines = []
    for r in result.renewed:
        cert = r.outcome.fields
        assert cert is not None
        lines.append(f"renewed {r.path} ({r.reason}): now until "
                     f"{rfc3339(cert.not_after)}, signed by {r.outcome.signer_path}, "
                     f"{'same' if r.reused_key else 'new'} key")
    lines += [f"kept {path}" for path in result.backups]
    return "".join(line + "\n" for line in lines)


def nothing_to_renew(result: RenewResult, within: Any, certs_dir: str) -> str:
    """The one-line note when nothing is due."""
    if not result.not_due:
        return f"nothing to renew: no node, client or tenant client certificates in {certs_dir}"
    if len(result.not_due) == 1:
        path, why = result.not_due[0]
        return f"nothing to renew: {path} {why}"
    window = f" within {threshold_text(within)}" if within is not None else ""
    return (f"nothing to renew: none of the {len(result.not_due)} certificates expires"
            f"{window}, and the current CA signed each")


COMMANDS = [command(_renew, "renew", USAGE,
                    long="renew certificates from what they already say: same subject, SANs, "
                    "tenant scopes and key type, a new key (unless --reuse-key), signed by the "
                    "first certificate of the kind's CA file; every file in one commit")]
