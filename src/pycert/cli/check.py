"""`check`: will a CockroachDB node accept this certs dir? For people (text) and scripts
(JSON, exit codes 0 good, 1 warnings, 2 failures, 3 usage or unreadable)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.cobra import CobraCommand, command, translate_click_error, write_out
from pycert.cli.progress import Progress
from pycert.errors import CertError
from pycert.gocompat import go_quote

if TYPE_CHECKING:
    from pycert.certdir.check import Result

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
@flags.check_options
@click.option("--ca-key", default=None, metavar="<path>",
              help="CA key path to put into the suggested fix commands; the ledger beside "
              "it (index.txt), if any, is checked for revocations. "
              "Environment variable: COCKROACH_CA_KEY")
@flags.ledger
@click.option("--crl", default="", metavar="<path>",
              help="Also fail the certificates this CRL (PEM or DER) revokes, and the CRL "
              "itself if TLS peers would refuse it. (pycert extension)")
@click.option("--format", default="text", type=flagtypes.Choice(("text", "json"), "check format"),
              show_default=True, help="Report format: text (for people) or json (docs/schema). "
              "One of: text, json.")
@click.argument("args", nargs=-1)
def _check(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.cli import render
    from pycert.identities import parse_principal_map

    if args:
        raise CertError(f'unknown command {go_quote(args[0])} for "pycert check"',
                        exit_code=EXIT_USAGE, prefixed=False)
    flags.setup(opts)
    directory = flags.directory(opts)
    with Progress() as progress:
        result = directory.check(
            hosts=opts["hosts"], warn_within=opts["warn_within"],
            fail_within=opts["fail_within"],
            principal_map=parse_principal_map(opts["cert_principal_map"]),
            ca_key=flags.ca_key(opts), tick=progress.callback, ledger=opts["ledger"] or "",
            crl=opts["crl"])
        progress.done()
        if opts["format"] == "json":
            records = progress.each("writing", result.records)
            pieces = render.document_texts(result.to_json(certificates=False), "certificates",
                                           records, result.checked_at,
                                           pretty=sys.stdout.isatty())
            for text in render.batched(pieces):
                write_out(text)
        else:
            write_out(check_text(result))
    sys.exit(result.exit_code)  # click would swallow its own Exit in non-standalone mode


def check_text(result: Result) -> str:
    """One line per problem, its fix below it, and a closing verdict with the exit code."""
    from pycert.cli.tables import columns

    order = {"fail": 0, "warn": 1, "info": 2}
    lines = [f"Certificate directory: {result.certs_dir}"]
    rows: list[tuple[str, str]] = []
    for p in sorted(result.problems, key=lambda p: order[p.severity]):
        where = p.file if p.index in (None, 0) else f"{p.file} #{p.index}"
        rows.append((p.severity.upper(), f"{where}: [{p.check}] {p.message}"))
        if p.fix:
            rows.append(("", f"fix: {p.fix}"))
    if rows:
        lines += columns(rows, gap="  ")
    fails = sum(p.severity == "fail" for p in result.problems)
    warns = sum(p.severity == "warn" for p in result.problems)
    count = sum(r.cert is not None for r in result.records)
    verdict = {0: "OK", 1: "WARNINGS", 2: "FAILED"}[result.exit_code]
    lines.append(f"{verdict}: {count} certificate{'' if count == 1 else 's'} checked, "
                 f"{fails} failure{'' if fails == 1 else 's'}, "
                 f"{warns} warning{'' if warns == 1 else 's'} (exit {result.exit_code})")
    return "\n".join(lines) + "\n"


COMMANDS = [command(_check, "check", "--certs-dir=<path> [--host=<name>]...", cls=UsageExit3,
                    long="check a certs dir: exit 0 good, 1 warnings, 2 failures, "
                    "3 usage/unreadable")]
