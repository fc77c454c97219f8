"""`create-nodes --from=FILE --out-dir=DIR`: one node directory per row of a node list."""

from __future__ import annotations

from typing import Any

import click

from pycert.cli import flags
from pycert.cli.cobra import command, flag_error, write_out
from pycert.cli.create import report
from pycert.cli.progress import Progress
from pycert.kinds import NODE


@flags.create_leaf
@click.option("--out-dir", default="", metavar="<path>",
              help="Parent directory: each node's files go into <out-dir>/<name>/ "
              "(created 0700).")
@click.option("--from", "source", default="", metavar="<nodes.csv|nodes.json>",
              help="Node list: CSV rows `name,host,host…` or JSON "
              '[{"name": …, "hosts": […]}].')
@click.argument("args", nargs=-1)
def _create_nodes(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.pki.specs import LeafSpec

    if args:
        raise click.UsageError(f"unexpected argument {args[0]!r}: hosts come from --from")
    if not opts["source"] or not opts["out_dir"]:
        raise flag_error("", "--from" if not opts["source"] else "--out-dir",
                         "create-nodes needs --from=<file> and --out-dir=<dir>")
    flags.setup(opts)
    base = opts["out_dir"]
    spec = LeafSpec(NODE, key=flags.key_spec(opts), lifetime=flags.lifetime(opts),
                    node_user=flags.node_user())
    directory = flags.directory(opts)
    rows = directory.node_list(opts["source"])
    with Progress(at_least=1, enabled=not opts["json_out"]) as progress:
        outcomes = directory.create_nodes(
            spec, rows, base, flags.target({**opts, "out_dir": ""}),
            lambda i, row: progress.tick("issuing", 1, len(rows)), source=opts["source"])
    if opts["json_out"] or opts["dry_run"]:
        report(outcomes, opts)
    else:
        plural = "" if len(rows) == 1 else "s"
        write_out(f"issued {len(rows)} node certificate{plural} into {base}/"
                  f"{{{','.join(r.name for r in rows)}}}\n")


COMMANDS = [command(_create_nodes, "create-nodes",
                    "--certs-dir=<path> --ca-key=<path> --from=<nodes.csv|json> --out-dir=<dir>")]
