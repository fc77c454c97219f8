"""The `pycert` command line: cockroach's `cert` commands, flags, output and exit codes.

This layer parses and prints. Building certificates lives in `pki`, files in `certdir`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from pycert import cli_extras, cli_issue, cobra, logsetup
from pycert.cobra import CobraCommand, CobraGroup, GoDuration, GoInt
from pycert.completion import complete_dir, complete_file, gen_group
from pycert.errors import CertError

_CERTS = "--certs-dir=<path to cockroach certs dir>"
_KEY = "--ca-key=<path-to-ca-key>"
CA_LIFETIME = "87840h"  # 10 years of 366 days, so leap years never shorten a cert
LEAF_LIFETIME = "43920h"  # 5 years of 366 days
Fn = Callable[..., Any]


def default_certs_dir() -> str:
    return os.environ.get("HOME", "") + "/.cockroach-certs"


def _env_or(value: str | None, env: str, default: str) -> str:
    """cockroach's env override: a set-but-empty variable still counts as set."""
    if value is not None:
        return value
    return os.environ.get(env, default)


@cobra.shared
def _common(f: Fn) -> Fn:
    """Flags every cert command accepts (cert flags plus cockroach's logging flags)."""
    f = click.option("--certs-dir", default=None, metavar="<path>", shell_complete=complete_dir,
                     help="Path to the directory containing SSL certificates and keys. "
                     f"[default: {default_certs_dir()}] "
                     "Environment variable: COCKROACH_CERTS_DIR")(f)
    f = click.option("--cert-principal-map", multiple=True, metavar="<cert:db>",
                     help="A comma-separated list of <cert-principal>:<db-principal> mappings; "
                     "only its syntax is checked by cert commands.")(f)
    f = click.option("--root-cert-distinguished-name", default="", metavar="<dn>",
                     help="Accepted for compatibility; no effect on cert commands.")(f)
    f = click.option("--node-cert-distinguished-name", default="", metavar="<dn>",
                     help="Accepted for compatibility; no effect on cert commands.")(f)
    return logsetup.options(f)


def _create(lifetime: str) -> Callable[[Fn], Fn]:
    return _CREATE[lifetime]


def _create_flags(lifetime: str) -> Callable[[Fn], Fn]:
    def deco(f: Fn) -> Fn:
        f = _common(f)
        f = click.option("--ca-key", default=None, metavar="<path>", shell_complete=complete_file,
                         help="Path to the CA key. Environment variable: COCKROACH_CA_KEY")(f)
        f = click.option("--key-size", type=GoInt(), default=2048, show_default=True,
                         help="Key size in bits for CA/Node/Client certificates.")(f)
        f = click.option("--overwrite", is_flag=True,
                         help="Certificate and key files are overwritten if they exist.")(f)
        f = cli_issue.options(f)
        f = click.option("--lifetime", type=GoDuration(extended=True), default=lifetime,
                         help=f"Certificate lifetime. [default: {lifetime}0m0s]")(f)
        return f
    return deco


_CREATE = {t: cobra.shared(_create_flags(t)) for t in (CA_LIFETIME, LEAF_LIFETIME)}


@cobra.shared
def _ca(f: Fn) -> Fn:
    f = _create(CA_LIFETIME)(f)
    return click.option("--allow-ca-key-reuse", is_flag=True,
                        help="Use the CA key if it exists.")(f)


class TenantList(click.ParamType):
    """A comma-separated tenant id/name list, checked per occurrence like a pflag Value."""

    name = "list"

    def __init__(self, parser: str) -> None:
        self.parser = parser.split(".")[1]

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, list):
            return value
        from pycert import names

        try:
            return getattr(names, self.parser)(str(value))
        except CertError as exc:
            raise cobra.FlagError(exc.message) from None


def _request(opts: dict[str, Any]) -> Any:
    """Builds a certdir.Request from the parsed flags (and the two env vars)."""
    from pycert.certdir import Request
    from pycert.names import parse_principal_map

    parse_principal_map(opts.get("cert_principal_map", ()))  # cert commands check syntax only
    logsetup.configure(opts)
    return cli_issue.extend(Request(
        certs_dir=_env_or(opts["certs_dir"], "COCKROACH_CERTS_DIR", default_certs_dir()),
        ca_key=_env_or(opts.get("ca_key"), "COCKROACH_CA_KEY", ""),
        key_size=opts.get("key_size", 2048),
        lifetime_ns=opts.get("lifetime", 0),
        overwrite=opts.get("overwrite", False),
        allow_ca_key_reuse=opts.get("allow_ca_key_reuse", False),
    ), opts)


def _no_args(name: str, args: tuple[str, ...]) -> None:
    if args:
        raise CertError(f'unknown command "{args[0]}" for "cockroach cert {name}"', prefixed=False)


def _exactly_one(args: tuple[str, ...]) -> str:
    if len(args) != 1:
        raise CertError(f"accepts 1 arg(s), received {len(args)}", prefixed=False)
    return args[0]


def _run(kind: str, req: Any, *args: Any) -> None:
    from pycert import certdir

    cli_issue.report(certdir.run(kind, req, *args), req)


def _ca_command(name: str, kind: str, short: str, path: str = "cert") -> click.Command:
    @_ca
    @click.argument("args", nargs=-1)
    def command(args: tuple[str, ...], **opts: Any) -> None:
        _no_args(name, args)
        _run(kind, _request(opts))

    return _leaf(command, name, short, f"{_CERTS} {_KEY}", path)


@_create(LEAF_LIFETIME)
@cli_issue.leaf_options
@click.argument("hosts", nargs=-1)
def _create_node(hosts: tuple[str, ...], **opts: Any) -> None:
    if not hosts and not opts["san"]:
        raise CertError("create-node requires at least one host name or address, "
                        "none was specified", prefixed=False)
    _run("node", _request(opts), "", list(hosts))


@_create(LEAF_LIFETIME)
@cli_issue.leaf_options
@click.option("--tenant-scope", type=TenantList("names.parse_tenant_scope"), multiple=True,
              metavar="<[]TenantID>",
              help="Tenant IDs the certificate is valid for (comma-separated); "
              "when omitted, valid for all tenants. Repeating the flag replaces the list.")
@click.option("--tenant-name-scope", type=TenantList("names.parse_tenant_name_scope"),
              multiple=True, metavar="<[]TenantName>",
              help="Tenant names the certificate is valid for (comma-separated). "
              "Repeating the flag replaces the list.")
@click.option("--also-generate-pkcs8-key", is_flag=True,
              help="Also write the key in pkcs8 format to <certs-dir>/client.<username>.key.pk8.")
@click.option("--disable-username-validation", is_flag=True,
              help="Do not validate that the identity is a valid SQL username; such a cert "
              "needs an identity map rule on the server.")
@click.argument("args", nargs=-1)
def _create_client(args: tuple[str, ...], **opts: Any) -> None:
    from pycert import names

    raw = _exactly_one(args)
    # pflag checks every occurrence as it parses (click did, via TenantList); the last wins.
    ids = opts["tenant_scope"][-1] if opts["tenant_scope"] else []
    tnames = opts["tenant_name_scope"][-1] if opts["tenant_name_scope"] else []
    user = names.normalize_username(raw)
    problem = names.username_problem(user)
    if problem and not opts["disable_username_validation"]:
        raise CertError(problem, hint=names.USERNAME_HINT, prefixed=False).wrap(
            "failed to generate client certificate and key")
    if problem:
        cobra.write_err(f"warning: the specified identity {names.go_quote(raw)} is not a valid "
                        "SQL username.\nBefore it can be used to log in, an identity map rule "
                        "will need to be set on the server.\n")
    req = _request(opts)
    req.pkcs8, req.tenant_scope, req.tenant_name_scope = (
        opts["also_generate_pkcs8_key"], ids, tnames)
    _run("client", req, user, [])


@_create(LEAF_LIFETIME)
@cli_issue.leaf_options
@click.argument("args", nargs=-1)
def _create_tenant_client(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.names import parse_tenant_id

    if not args:
        raise CertError("requires at least 1 arg(s), only received 0", prefixed=False)
    hosts = list(args[1:])
    if not hosts:
        hosts = ["127.0.0.1", "::1", "localhost", "*.local"]
        cobra.write_err("Warning: no server address specified. Using "
                        "[127.0.0.1 ::1 localhost *.local].\n")
    tenant = parse_tenant_id(args[0])
    _run("tenant-client", _request(opts), str(tenant), hosts)


@_create(LEAF_LIFETIME)
@click.argument("args", nargs=-1)
def _create_tenant_signing(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.names import parse_tenant_id

    tenant = parse_tenant_id(_exactly_one(args))
    if tenant == 0:
        raise CertError("tenantId 0 is invalid (requires != 0)", prefixed=False)
    _run("tenant-signing", _request(opts), tenant)


@_common
@cli_extras.list_options
@click.argument("args", nargs=-1)
def _list(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.fsread import dir_lock
    from pycert.listing import render_table, render_tsv, rows
    from pycert.loader import load_dir

    _no_args("list", args)
    req = _request(opts)
    try:
        with dir_lock(req.certs_dir, shared=True):
            files = load_dir(req.certs_dir)
    except CertError as exc:
        raise exc.wrap("cannot load certificates") from None
    if opts["format"] or opts["show_all"]:
        return cobra.write_out(cli_extras.list_output(files, req.certs_dir, opts))
    table = rows(files)
    del files  # the certificates' DER (~9 MB for 10,000) is freed before the text is built
    text = render_table(table) if sys.stdout.isatty() else render_tsv(table)
    cobra.write_out(f"Certificate directory: {req.certs_dir}\n" + text)



def _leaf(fn: Fn, name: str, short: str, usage: str, path: str = "cert") -> click.Command:
    params = fn.__click_params__  # type: ignore[attr-defined]
    return CobraCommand(name, callback=fn, params=params, help=short, short_help=short,
                        cobra_path=f"{path} {name}", options_metavar=usage)


COMMANDS = [
    _ca_command("create-ca", "ca", "create CA certificate and key"),
    _ca_command("create-client-ca", "client-ca", "create client CA certificate and key"),
    _ca_command("create-tenant-client-ca", "tenant-client-ca",
                "create tenant client CA certificate and key", "mt cert"),
    _leaf(_create_node, "create-node", "create node certificate and key",
          f"{_CERTS} {_KEY} <host 1> <host 2> ... <host N>"),
    _leaf(_create_client, "create-client", "create client certificate and key",
          f"{_CERTS} {_KEY} <username>"),
    _leaf(_create_tenant_client, "create-tenant-client",
          "create tenant client certificate and key",
          f"{_CERTS} {_KEY} <tenant-id> <host 1> <host 2> ... <host N>", "mt cert"),
    _leaf(_create_tenant_signing, "create-tenant-signing",
          "create tenant signing certificate and key", f"{_CERTS} <tenant-id>", "mt cert"),
    _leaf(_list, "list", "list certs in --certs-dir", _CERTS),
]
# pycert's own commands live at the top level only, so `cert --help` stays cockroach's.
EXTENSIONS = cli_issue.commands(_create(LEAF_LIFETIME), _request, _leaf, _common)


def _group(name: str, short: str, commands: list[click.Command], path: str,
           strict: bool) -> CobraGroup:
    group = CobraGroup(name, help=short, short_help=short, cobra_path=path, strict=strict,
                       invoke_without_command=True, no_args_is_help=False)
    for command in commands:
        group.add_command(command)
    return group


TENANT = [c for c in COMMANDS if "tenant" in (c.name or "")]
cert_group = _group("cert", "create ca, node, and client certs", COMMANDS, "cert", True)
mt_group = _group("mt", "commands that manage multi-tenant clusters",
                  [_group("cert", "create ca, node, and client certs", TENANT, "mt cert", True)],
                  "mt", False)
root = _group("pycert", "pycert: cockroach's `cert` commands, in Python.",
              [*COMMANDS, cert_group, mt_group, gen_group(), *EXTENSIONS], "cert", False)
cli_extras.register(root, _common, _request)


def main(argv: list[str] | None = None) -> None:
    """Runs the CLI; every failure becomes cockroach's ERROR lines and exit code."""
    if argv is not None:  # called from Python: leave the interpreter to its caller
        sys.exit(_main(argv))
    _exit_now(_main(sys.argv[1:]))


def _exit_now(code: int) -> None:
    """Ends the process without the interpreter's teardown once output is flushed.

    Tearing down click, cryptography and their modules took ~20 ms of a create command
    (docs/performance.md); every file pycert writes is fsynced and closed by then.
    """
    if "logging" in sys.modules:  # --log-dir's file handler is flushed and closed here
        sys.modules["logging"].shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: no reader is left
            stream.flush()
    os._exit(code)


def _main(args: list[str]) -> int:
    try:
        root.main(args=args, prog_name=_prog_name(), standalone_mode=False,
                  terminal_width=cobra.help_width())
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        err = cobra.translate_click_error(exc)
        cobra.print_error(err)
        return err.exit_code
    except CertError as exc:
        cobra.print_error(exc)
        return exc.exit_code
    except click.Abort:
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback: say what broke and how to see more
        if os.environ.get("PYCERT_DEBUG"):
            raise
        cobra.print_error(CertError(f"internal error: {type(exc).__name__}: {exc}",
                                    hint="rerun with PYCERT_DEBUG=1 for a traceback and report it"))
        return 1
    return 0


def _prog_name() -> str:
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "pycert" if name in ("", "__main__.py", "-c") else name
