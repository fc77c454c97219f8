"""`list`: cockroach's table on a terminal, TSV when piped; pycert's --format and --show-all."""

from __future__ import annotations

import sys
from typing import Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.cobra import command, write_out
from pycert.cli.create import CERTS, no_args
from pycert.cli.progress import Progress
from pycert.errors import CertError

ROW_FORMATS = ("table", "tsv", "csv", "records")
LIST_FORMATS = ("table", "tsv", "csv", "json", "ndjson", "records")


@flags.common
@click.option("--format", default=None, type=flagtypes.Choice(LIST_FORMATS, "table display format"),
              help="Output format: table, tsv, csv, records (one row per file) or json, "
              "ndjson (one object per certificate). One of: table, tsv, csv, json, ndjson, "
              "records. [default: table on a terminal, else tsv] (pycert extension)")
@click.option("--show-all", is_flag=True,
              help="Also show tenant CA, tenant client and tenant signing "
              "certificates. (pycert extension)")
@flags.ledger
@click.argument("args", nargs=-1)
def _list(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.certdir.listing import HEADERS
    from pycert.cli import render
    from pycert.pki.certs import utcnow

    no_args("list", args)
    flags.setup(opts)
    directory = flags.directory(opts)
    fmt = opts["format"] or ("table" if sys.stdout.isatty() else "tsv")
    with Progress() as progress:
        try:
            if fmt in ROW_FORMATS:
                table = directory.rows(show_all=opts["show_all"], tick=progress.callback)
            else:
                records = directory.records(tick=progress.callback,
                                            ledger=opts["ledger"] or "")
        except CertError as exc:
            raise exc.wrap("cannot load certificates") from exc
        progress.done()
        if fmt in ROW_FORMATS:
            write_out(f"Certificate directory: {directory.path}\n"
                      + render.render_rows(fmt, HEADERS, table))
            return
        pieces = render.record_texts(progress.each("writing", records), utcnow(), fmt,
                                     pretty=sys.stdout.isatty())
        for text in render.batched(pieces):
            write_out(text)
    if fmt == "json":
        write_out("\n")


COMMANDS = [command(_list, "list", CERTS)]
