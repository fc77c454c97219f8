"""Opt-in issuance flags beyond cockroach (issue 8): parsed here, acted on in certdir.

Every flag defaults to "off", so without them each command behaves byte for byte as
cockroach's. This module parses and prints only; it holds no crypto and no file rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click

from pycert import cli_export
from pycert.cobra import flag_error, write_out

Fn = Callable[..., Any]


class Rfc3339(click.ParamType):
    """An RFC 3339 instant with an explicit zone, e.g. `2027-01-01T00:00:00Z`."""

    name = "time"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value)
        try:
            when = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
        except ValueError:
            when = None
        if when is None or when.tzinfo is None or "T" not in text.upper():
            raise flag_error(text, "--not-after",
                             "want an RFC 3339 time such as 2027-01-01T00:00:00Z")
        return when.astimezone(dt.timezone.utc)


def options(f: Fn) -> Fn:
    """Flags every create-* command gains (issue 8)."""
    f = click.option("--json", "json_out", is_flag=True,
                     help="Print a JSON manifest of the files written (path, mode, SHA-256, "
                     "serial, not_after). (pycert extension)")(f)
    f = click.option("--dry-run", is_flag=True,
                     help="Show what would be issued and written; write nothing. "
                     "(pycert extension)")(f)
    f = click.option("--key-type", type=click.Choice(["rsa", "ecdsa", "ed25519"]),
                     default="rsa", show_default=True,
                     help="Key algorithm; for ecdsa --key-size names the curve "
                     "(256, 384, 521; default 256). (pycert extension)")(f)
    f = click.option("--not-after", type=Rfc3339(), default=None, metavar="<RFC3339>",
                     help="Certificate end as a date, e.g. 2027-01-01T00:00:00Z; "
                     "replaces --lifetime. (pycert extension)")(f)
    return click.option("--lifetime-policy", type=click.Choice(["error", "clamp"]),
                        default="error", show_default=True,
                        help="When a certificate would outlive its CA: fail (as cockroach) "
                        "or end it with the CA. (pycert extension)")(f)


def leaf_options(f: Fn) -> Fn:
    """Flags of the commands that issue a leaf with host names (issue 8)."""
    f = click.option("--csr-only", is_flag=True,
                     help="Write the key and a certificate signing request (.csr) for an "
                     "offline CA to sign with sign-csr; no CA needed. (pycert extension)")(f)
    f = click.option("--out-dir", default="", metavar="<path>",
                     help="Write the certificate and key (and a copy of ca.crt) into this "
                     "directory, created 0700, instead of --certs-dir. (pycert extension)")(f)
    return click.option("--san", multiple=True, metavar="<host[,host...]>",
                        help="Extra host names or addresses for the certificate, added after "
                        "the positional hosts; repeatable. (pycert extension)")(f)


def extend(req: Any, opts: dict[str, Any]) -> Any:
    """A certdir.Request with the extension flags set; checks flag combinations."""
    import dataclasses

    return dataclasses.replace(req, **_fields(opts))


def _fields(opts: dict[str, Any]) -> dict[str, Any]:
    if opts.get("not_after") is not None and _given("lifetime"):
        raise flag_error(opts["not_after"].strftime("%Y-%m-%dT%H:%M:%SZ"), "--not-after",
                         "cannot be combined with --lifetime")
    key_type = opts.get("key_type") or "rsa"
    extra: dict[str, Any] = {}
    if key_type == "ecdsa" and not _given("key_size"):
        extra["key_size"] = 256
    return {
        **extra,
        "key_type": key_type,
        "dry_run": bool(opts.get("dry_run")),
        "csr_only": bool(opts.get("csr_only")),
        "json": bool(opts.get("json_out")),
        "out_dir": opts.get("out_dir") or "",
        "not_after": opts.get("not_after"),
        "lifetime_policy": opts.get("lifetime_policy") or "error",
        "extra_sans": [h for v in opts.get("san") or () for h in v.split(",")],
    }


def _given(param: str) -> bool:
    """True if the user typed the flag (not its default): some pairs conflict."""
    ctx = click.get_current_context(silent=True)
    source = ctx.get_parameter_source(param) if ctx else None
    return source is not None and source.name not in ("DEFAULT", "DEFAULT_MAP")


def report(outcome: Any, req: Any) -> None:
    """--json manifest and/or --dry-run plan on stdout; silent otherwise, as cockroach."""
    if req.json:
        _print_json(manifest([outcome], req.dry_run))
    elif req.dry_run:
        write_out(dry_run_text(outcome, req.overwrite))


def manifest(outcomes: list[Any], dry_run: bool) -> dict[str, Any]:
    from pycert.describe import file_entry

    files = [file_entry(i.path, i.data, i.mode) for o in outcomes for i in o.items]
    return {"dry_run": dry_run, "files": files}


def dry_run_text(outcome: Any, overwrite: bool) -> str:
    """What a person checks before running the command for real."""
    from pycert.describe import cert_info, changes

    lines = ["dry run: nothing was written"]
    if outcome.cert is not None:
        info = cert_info(outcome.cert)
        lines += [f"subject:   {info['subject']}",
                  f"SANs:      {', '.join(info['sans']) or '(none)'}",
                  f"validity:  {info['not_before']} to {info['not_after']}",
                  f"key:       {info['key']}"]
    if outcome.signer is not None:
        ca = cert_info(outcome.signer)
        lines.append(f"signed by: {outcome.signer_path} ({ca['subject']}, serial {ca['serial']}, "
                     f"expires {ca['not_after']})")
    lines.append("would write:")
    for item in outcome.items:
        old = outcome.existing.get(item.path)
        state = "new" if old is None else "replaces existing"
        lines.append(f"  {item.path} ({item.mode:04o}, {state})")
        if old is not None and overwrite and outcome.cert is not None \
                and item.path.endswith(".crt") and b"PRIVATE" not in item.data:
            lines += [f"    {c}" for c in changes(old, outcome.cert)]
    return "\n".join(lines) + "\n"


def _print_json(data: dict[str, Any]) -> None:
    import json

    write_out(json.dumps(data, indent=2) + "\n")


def commands(create: Callable[[Fn], Fn], request: Callable[[dict[str, Any]], Any],
             leaf: Callable[..., click.Command],
             common: Callable[[Fn], Fn]) -> list[click.Command]:
    """The new commands, built with cli.py's flag and request helpers (no import cycle)."""

    @create
    @click.option("--out-dir", default="", metavar="<path>",
                  help="Parent directory: each node's files go into <out-dir>/<name>/ "
                  "(created 0700).")
    @click.option("--from", "source", default="", metavar="<nodes.csv|nodes.json>",
                  help="Node list: CSV rows `name,host,host…` or JSON "
                  '[{"name": …, "hosts": […]}].')
    @click.argument("args", nargs=-1)
    def create_nodes(args: tuple[str, ...], **opts: Any) -> None:
        from pycert import batch

        if args:
            raise click.UsageError(f"unexpected argument {args[0]!r}: hosts come from --from")
        if not opts["source"] or not opts["out_dir"]:
            raise flag_error("", "--from" if not opts["source"] else "--out-dir",
                             "create-nodes needs --from=<file> and --out-dir=<dir>")
        req = request({**opts, "out_dir": ""})
        rows = batch.read_rows(opts["source"])
        outcomes = batch.issue_all(req, rows, opts["out_dir"], _progress(len(rows)))
        if req.json:
            _print_json(manifest(outcomes, req.dry_run))
        elif req.dry_run:
            write_out("".join(dry_run_text(o, req.overwrite) for o in outcomes))
        else:
            write_out(f"issued {len(rows)} node certificates into {opts['out_dir']}/"
                  f"{{{','.join(r.name for r in rows)}}}\n")

    @create
    @click.option("--out-dir", default="", metavar="<path>",
                  help="Write the certificate here instead of --certs-dir.")
    @click.option("--profile", type=click.Choice(["node", "client"]), required=True,
                  help="Certificate profile to issue; the CSR must suit it.")
    @click.argument("args", nargs=-1)
    def sign_csr(args: tuple[str, ...], **opts: Any) -> None:
        from pycert.csrflow import sign_csr

        if len(args) != 1:
            raise flag_error(" ".join(args), "<csr-file>", "sign-csr takes exactly one CSR file")
        req = request(opts)
        report(sign_csr(req, opts["profile"], args[0]), req)

    return [leaf(sign_csr, "sign-csr",
                 "sign a certificate signing request as a node or client cert (pycert)",
                 "--certs-dir=<path> --ca-key=<path> --profile=node|client <file.csr>"),
            leaf(create_nodes, "create-nodes",
                 "create node certificates and keys, one directory per node (pycert)",
                 "--certs-dir=<path> --ca-key=<path> --from=<nodes.csv|json> --out-dir=<dir>"),
            cli_export.command(common, leaf, report)]


def _progress(total: int) -> Callable[[int, Any], None]:
    """A progress bar on a terminal's stderr; nothing when stderr is a file or pipe."""
    import sys

    def show(done: int, row: Any) -> None:
        if not sys.stderr.isatty():
            return
        width = 30
        filled = width * (done + 1) // total
        end = "\n" if done + 1 == total else ""
        sys.stderr.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done + 1}/{total} "
                         f"{row.name[:30]:<30}{end}")
        sys.stderr.flush()

    return show
