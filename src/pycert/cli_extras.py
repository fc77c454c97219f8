"""CLI for what cockroach lacks: `list --format/--show-all`, `check` and `inspect`.

Parses and prints only; the work is in report, check, inspection and formats. Kept out
of cli.py so the cockroach-compatible commands stay as they are.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

import click

from pycert import cobra
from pycert.cobra import CobraCommand, flag_error
from pycert.errors import CertError

Fn = Callable[..., Any]
_ROW_FORMATS = ("table", "tsv", "csv", "records")


class Choice(click.ParamType):
    """A fixed set of values, failing in pflag's words (a flag error)."""

    name = "string"

    def __init__(self, values: tuple[str, ...], what: str) -> None:
        self.values, self.what = values, what

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        if value not in self.values:
            raise flag_error(str(value), "--" + param.name.replace("_", "-"),
                             f"invalid {self.what}: {value} (possible values: "
                             f"{', '.join(self.values)})")
        return str(value)


class Threshold(click.ParamType):
    name = "duration|percent"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        from pycert.check import parse_threshold

        try:
            return parse_threshold(str(value))
        except ValueError as exc:
            raise flag_error(str(value), "--" + param.name.replace("_", "-"), str(exc)) from None


LIST_FORMATS = ("table", "tsv", "csv", "json", "ndjson", "records")  # renderers: formats.py


def list_options(f: Fn) -> Fn:
    """`--format` and `--show-all` for `list` (pycert extensions; cockroach has neither)."""
    f = click.option("--format", default=None, type=Choice(LIST_FORMATS, "table display format"),
                     help="Output format: table, tsv, csv, records (one row per file) or json, "
                     "ndjson (one object per certificate). [default: table on a terminal, "
                     "else tsv] (pycert extension)")(f)
    return click.option("--show-all", is_flag=True,
                        help="Also show tenant CA, tenant client and tenant signing "
                        "certificates. (pycert extension)")(f)


def list_output(files: list[Any], certs_dir: str, opts: dict[str, Any]) -> str:
    """What `list --format=…`/`--show-all` prints; row formats keep the directory line."""
    from pycert import formats
    from pycert.listing import rows

    fmt = opts["format"] or ("table" if sys.stdout.isatty() else "tsv")
    if fmt in _ROW_FORMATS:
        body = formats.render_rows(fmt, rows(files, show_all=opts["show_all"]))
        return f"Certificate directory: {certs_dir}\n" + body
    records = _records_from_files(files)
    return formats.render_json(records) if fmt == "json" else formats.render_ndjson(records)


def _records_from_files(files: list[Any]) -> list[dict[str, Any]]:
    from pycert.report import entries_from_dir, record

    now = dt.datetime.now(dt.timezone.utc)
    return [record(e, now) for e in entries_from_dir(files)]


class UsageExit3(CobraCommand):
    """`check` promises exit 3 for every usage error, so flag errors map to 3, not 4."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        from pycert.check import EXIT_USAGE

        try:
            return super().parse_args(ctx, args)
        except click.ClickException as exc:
            err = cobra.translate_click_error(exc)
            err.exit_code = EXIT_USAGE
            raise err from None


def register(root: click.Group, common: Callable[[Fn], Fn], request: Callable[..., Any]) -> None:
    """Adds `check` and `inspect` to the top-level group (not to cockroach's `cert`)."""

    @common
    @click.option("--host", "hosts", multiple=True, metavar="<name>",
                  help="A host name or IP the node certificate must cover (repeatable).")
    @click.option("--warn-within", type=Threshold(), default="30d", show_default=True,
                  help="Warn when a chain expires within this time (`30d`, `720h`) or "
                  "share of its lifetime (`10%`).")
    @click.option("--fail-within", type=Threshold(), default="7d", show_default=True,
                  help="Fail when a chain expires within this time or share of its lifetime.")
    @click.option("--ca-key", default=None, metavar="<path>",
                  help="CA key path to put into the suggested fix commands. "
                  "Environment variable: COCKROACH_CA_KEY")
    @click.option("--format", default="text", type=Choice(("text", "json"), "check format"),
                  show_default=True, help="Report format.")
    @click.argument("args", nargs=-1)
    def check(args: tuple[str, ...], **opts: Any) -> None:
        from pycert import check as checks
        from pycert import formats
        from pycert.names import parse_principal_map
        from pycert.report import record, rfc3339

        if args:
            raise CertError(f'unknown command "{args[0]}" for "pycert check"',
                            exit_code=checks.EXIT_USAGE, prefixed=False)
        req = request(opts)
        options = checks.Options(req.certs_dir, list(opts["hosts"]), opts["warn_within"],
                                 opts["fail_within"],
                                 parse_principal_map(opts["cert_principal_map"]), req.ca_key)
        now = dt.datetime.now(dt.timezone.utc)
        result = checks.run(options, now)
        if opts["format"] == "json":
            records = [record(e, now) for e in result.entries]
            text = formats.render_json(formats.check_json(result, records, rfc3339(now) or ""))
        else:
            text = formats.check_text(result)
        cobra.write_out(text)
        sys.exit(result.exit_code)  # click would swallow its own Exit in non-standalone mode

    @click.option("--format", default="text", type=Choice(("text", "json"), "inspect format"),
                  show_default=True, help="text (human readable) or json (the list schema).")
    @click.argument("files", nargs=-1)
    def inspect(files: tuple[str, ...], **opts: Any) -> None:
        from pycert import formats, inspection
        from pycert.report import record

        if not files:
            raise CertError("requires at least 1 arg(s), only received 0", prefixed=False)
        now = dt.datetime.now(dt.timezone.utc)
        records = [record(e, now) for e in inspection.load_inputs(list(files))]
        cobra.write_out(formats.render_json(records) if opts["format"] == "json"
             else inspection.render_text(records))

    root.add_command(UsageExit3(
        "check", callback=check, params=check.__click_params__,  # type: ignore[attr-defined]
        help="check a certs dir: exit 0 good, 1 warnings, 2 failures, 3 usage/unreadable",
        short_help="check a certs dir as a node would load it (pycert extension)",
        cobra_path="cert check", options_metavar="--certs-dir=<path> [--host=<name>]..."))
    root.add_command(CobraCommand(
        "inspect", callback=inspect, params=inspect.__click_params__,  # type: ignore[attr-defined]
        help="describe certificates in PEM or DER files (`-` = stdin)",
        short_help="describe certificate files (pycert extension)",
        cobra_path="cert inspect", options_metavar="[--format=text|json] <file>..."))

