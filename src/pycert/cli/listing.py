"""`list`: cockroach's table on a terminal, TSV when piped; pycert's --format and --show-all."""

from __future__ import annotations

import sys
from typing import Any

import click

from pycert.cli import flags
from pycert.cli.cobra import command, write_out
from pycert.cli.create import CERTS, no_args
from pycert.cli.progress import Progress
from pycert.errors import CertError

ROW_FORMATS = ("table", "tsv", "csv", "records")
LIST_FORMATS = ("table", "tsv", "csv", "json", "ndjson", "records")


@flags.common
@click.option("--format", default=None, type=flags.Choice(LIST_FORMATS, "table display format"),
              help="Output format: table, tsv, csv, records (one row per file) or json, "
              "ndjson (one object per certificate). [default: table on a terminal, "
              "else tsv] (pycert extension)")
@click.option("--show-all", is_flag=True,
              help="Also show tenant CA, tenant client and tenant signing "
              "certificates. (pycert extension)")
@click.argument("args", nargs=-1)
def _list(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.certdir.listing import rows

    no_args("list", args)
    flags.setup(opts)
    directory = flags.directory(opts)
    with Progress() as progress:
        try:
            files = directory.load(tick=progress.callback)
        except CertError as exc:
            raise exc.wrap("cannot load certificates") from exc
        progress.done()
        fmt = opts["format"] or ("table" if sys.stdout.isatty() else "tsv")
        if fmt in ROW_FORMATS:
            table = rows(files, show_all=opts["show_all"])
            del files  # the certificates' DER (~9 MB for 10,000) is freed before the text
            from pycert.cli import render

            return write_out(f"Certificate directory: {directory.path}\n"
                             + render.render_rows(fmt, table))
        from pycert.certdir.records import entries_from_dir
        from pycert.cli.streaming import write_bytes, write_records
        from pycert.pki.certs import utcnow

        entries = entries_from_dir(files)
        del files
        write_records(entries, utcnow(), fmt, tick=progress.callback)
        if fmt == "json":
            write_bytes(b"\n")
        return None


COMMANDS = [command(_list, "list", CERTS)]
