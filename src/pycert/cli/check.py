"""`check` and `inspect`: pycert's readers, for people (text) and scripts (JSON, exit codes)."""

from __future__ import annotations

import sys
from typing import Any

import click

from pycert.cli import flags
from pycert.cli.cobra import CobraCommand, command, translate_click_error, write_out
from pycert.cli.progress import Progress
from pycert.errors import CertError
from pycert.gocompat import go_quote

EXIT_USAGE = 3  # pycert.certdir.check.EXIT_USAGE, without importing the checker


class UsageExit3(CobraCommand):
    """`check` promises exit 3 for every usage error, so flag errors map to 3, not 4."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.ClickException as exc:
            err = translate_click_error(exc)
            err.exit_code = EXIT_USAGE
            raise err from exc


@flags.common
@click.option("--host", "hosts", multiple=True, metavar="<name>",
              help="A host name or IP the node certificate must cover (repeatable).")
@click.option("--warn-within", type=flags.Threshold(), default="30d", show_default=True,
              help="Warn when a chain expires within this time (`30d`, `720h`) or "
              "share of its lifetime (`10%`).")
@click.option("--fail-within", type=flags.Threshold(), default="7d", show_default=True,
              help="Fail when a chain expires within this time or share of its lifetime.")
@click.option("--ca-key", default=None, metavar="<path>",
              help="CA key path to put into the suggested fix commands. "
              "Environment variable: COCKROACH_CA_KEY")
@click.option("--format", default="text", type=flags.Choice(("text", "json"), "check format"),
              show_default=True, help="Report format.")
@click.argument("args", nargs=-1)
def _check(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.certdir import check
    from pycert.cli import render
    from pycert.identities import parse_principal_map
    from pycert.pki.certs import utcnow
    from pycert.pki.fields import rfc3339

    if args:
        raise CertError(f'unknown command {go_quote(args[0])} for "pycert check"',
                        exit_code=EXIT_USAGE, prefixed=False)
    flags.setup(opts)
    directory = flags.directory(opts)
    options = check.Options(directory.path, list(opts["hosts"]), opts["warn_within"],
                            opts["fail_within"], parse_principal_map(opts["cert_principal_map"]),
                            flags.ca_key(opts), directory.node_user, directory.key_permissions)
    now = utcnow()
    with Progress() as progress:
        result = check.run(options, now, progress.callback)
        progress.done()
        if opts["format"] == "json":
            from pycert.cli.streaming import write_bytes, write_records

            write_out(render.json_head(render.check_json(result, rfc3339(now)), "certificates"))
            write_records(result.entries, now, "json", "  ", progress.callback)
            write_bytes(b"\n}\n")
        else:
            write_out(render.check_text(result))
    sys.exit(result.exit_code)  # click would swallow its own Exit in non-standalone mode


@click.option("--format", default="text", type=flags.Choice(("text", "json"), "inspect format"),
              show_default=True, help="text (human readable) or json (the list schema).")
@click.argument("files", nargs=-1)
def _inspect(files: tuple[str, ...], **opts: Any) -> None:
    from pycert.certdir.inspect import load_inputs
    from pycert.certdir.records import record
    from pycert.cli import render
    from pycert.pki.certs import utcnow

    if not files:
        raise CertError("requires at least 1 arg(s), only received 0", prefixed=False)
    now = utcnow()
    records = [record(e, now) for e in load_inputs(list(files))]
    write_out(render.render_json(records) if opts["format"] == "json"
              else render.inspect_text(records))


CHECK = command(_check, "check", "--certs-dir=<path> [--host=<name>]...", cls=UsageExit3,
                long="check a certs dir: exit 0 good, 1 warnings, 2 failures, 3 usage/unreadable")
INSPECT = command(_inspect, "inspect", "[--format=text|json] <file>...",
                  long="describe certificates in PEM or DER files (`-` = stdin)")
COMMANDS = [CHECK, INSPECT]
