"""`ledger import`: record in the ledger the certificates made before it existed, or by
cockroach (pycert extension; docs/ledger.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from pycert.cli import flags
from pycert.cli.cobra import command, write_out

if TYPE_CHECKING:
    from pycert.certdir.revocation import Imported


@flags.common
@flags.ledger
@flags.ledger_key
@click.option("--json", "json_out", is_flag=True, help="Print what was recorded as JSON.")
@click.argument("paths", nargs=-1)
def _import(paths: tuple[str, ...], **opts: Any) -> None:
    flags.setup(opts)
    done = flags.directory(opts).import_ledger(*paths, ca_key=flags.ca_key(opts),
                                               ledger=opts["ledger"] or "")
    write_out(json.dumps(imported_json(done), indent=2) + "\n" if opts["json_out"]
              else imported_text(done))


def imported_json(done: Imported) -> dict[str, Any]:
    return {"ledger": done.ledger, "known": done.known,
            "added": [{"file": path, "serial": cert.serial_hex} for path, cert in done.added],
            "skipped": [{"file": path, "reason": why} for path, why in done.skipped]}


def imported_text(done: Imported) -> str:
    lines = [f"recorded {len(done.added)} certificate{'' if len(done.added) == 1 else 's'} "
             f"in {done.ledger} ({done.known} already there)"]
    lines += [f"  recorded {path} (serial {cert.serial_hex})" for path, cert in done.added]
    lines += [f"  skipped {path}: {why}" for path, why in done.skipped]
    return "\n".join(lines) + "\n"


COMMANDS = [command(_import, "import", "--certs-dir=<path> --ca-key=<path> [<file or dir>...]",
                    path="ledger",
                    long="record in the ledger every certificate that a CA of --certs-dir "
                    "signed (the CA certificates too), from --certs-dir and from the files or "
                    "directories given (e.g. create-nodes' node directories), that it does not "
                    "hold yet")]
