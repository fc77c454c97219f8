"""`trust install|uninstall|status`: a CA in the stores browsers, curl, openssl and Java
read, so the DB Console opens without a warning (pycert extension, like mkcert -install)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from pycert.cli import flags, flagtypes
from pycert.cli.cobra import CobraCommand, CobraGroup, write_out
from pycert.cli.gen import complete_file
from pycert.errors import CertError
from pycert.gocompat import go_quote

if TYPE_CHECKING:
    from pycert.certdir.trust.model import Action, StoreReport, TrustResult

STORES = ("system", "nss", "java")  # pycert.certdir.trust.model.STORES, without its imports
ACTIONS: tuple[Action, ...] = ("install", "uninstall", "status")
ENVIRONMENT = (
    "Where the stores are comes from the environment: HOME (the NSS databases: "
    "~/.pki/nssdb, which install creates if no browser has, and every Firefox profile), "
    "JAVA_HOME (the JDK whose lib/security/cacerts changes; unset, the java store is "
    "skipped) and PYCERT_TRUST_ROOT (a directory put in front of every system path read or "
    "written for the system store, as DESTDIR does; unset, /)."
)
WHAT = ("The CA is ca-ui.crt in --certs-dir if it exists, else ca.crt, or the file named by "
        "--ca-cert; every certificate in that file.")
SHORT = {"install": "put the CA into the trust stores",
         "uninstall": "take out what install put in",
         "status": "say where the CA is trusted"}
HELP = {
    "install": "Put the CA into the trust stores (idempotent): system (Debian's "
    "/usr/local/share/ca-certificates and update-ca-certificates; needs root), nss "
    "(Chromium and Firefox, through certutil) and java (keytool). Exit 0 done, 1 a store "
    "left undone (it says what to run).",
    "uninstall": "Take out exactly what install put in (pycert's own entries, named "
    "pycert-ca-<fingerprint>); entries that others added stay. Exit 0 done, 1 a store left "
    "undone.",
    "status": "Say, store by store, whether the CA is trusted and by which entry. Exit 0 "
    "trusted in every store found, 1 a store could not be read, 2 not trusted somewhere.",
}


def _options(f: Any, action: Action) -> Any:
    f = flags.common(f)
    f = click.option("--store", type=flagtypes.ChoiceList(STORES, "trust store"),
                     multiple=True, metavar="<system,nss,java>",
                     help="Trust stores to act on, comma-separated (repeatable; default all "
                     "three). One of: system, nss, java.")(f)
    f = click.option("--ca-cert", default=None, metavar="<file>", shell_complete=complete_file,
                     help="CA certificate file to trust instead of ca-ui.crt (else ca.crt) "
                     "in --certs-dir.")(f)
    f = click.option("--json", "json_out", is_flag=True,
                     help="Print the report as JSON, a member per store location.")(f)
    if action == "status":
        return f
    return click.option("--dry-run", is_flag=True,
                        help="Say what would change in each store; change nothing.")(f)


def _command(action: Action) -> CobraCommand:
    def run(args: tuple[str, ...], **opts: Any) -> None:
        if args:
            raise CertError(f"unknown command {go_quote(args[0])} for "
                            f"\"pycert trust {action}\"", prefixed=False)
        flags.setup(opts)
        stores = tuple(s for value in opts["store"] for s in value) or STORES
        directory = flags.directory(opts)
        result = directory.trust(action, stores=stores, paths=flags.trust_paths(),
                                 ca_cert=opts["ca_cert"] or "",
                                 dry_run=bool(opts.get("dry_run")))
        if opts["json_out"]:
            import json

            write_out(json.dumps(result.to_json(), indent=2) + "\n")
        else:
            write_out(result_text(result))
        sys.exit(result.exit_code)  # click would swallow its own Exit in non-standalone mode

    run = click.argument("args", nargs=-1)(_options(run, action))
    return CobraCommand(action, callback=run, params=list(getattr(run, "__click_params__", [])),
                        help=f"{HELP[action]}\n\n{WHAT}\n\n{ENVIRONMENT}",
                        short_help=SHORT[action],
                        cobra_path=f"cert trust {action}",
                        options_metavar="[--store=system,nss,java] [--ca-cert=<file>]")


def result_text(result: TrustResult) -> str:
    """The CA, then a line per store location with what it holds now, its note below."""
    from pycert.cli.tables import columns

    lines = [f"CA {ca.source}: CN={ca.subject}, SHA-256 {ca.fingerprint}, entry name "
             f"{ca.name}" for ca in result.cas]
    rows: list[tuple[str, str, str]] = []
    for report in result.reports:
        rows.append((report.store, _label(report, result.dry_run),
                     report.location or "-"))
        note = report.note
        if report.entry and report.entry not in note:
            note = f"{note} (entry {report.entry})" if note else f"entry {report.entry}"
        if note:
            rows.append(("", "", note))
        fix = _fix(report, result)
        if fix:
            rows.append(("", "", f"run: {fix}"))
    lines += columns(rows, gap="  ")
    lines.append(_verdict(result))
    return "\n".join(lines) + "\n"


def _label(report: StoreReport, dry_run: bool) -> str:
    if report.state == "trusted":
        return ("would install" if dry_run else "installed") if report.changed else "trusted"
    if report.state == "not-trusted":
        return ("would remove" if dry_run else "removed") if report.changed else "not trusted"
    return {"absent": "skipped", "needs-root": "NEEDS ROOT", "needs-tool": "NEEDS TOOL",
            "unsupported": "UNSUPPORTED", "failed": "FAILED"}[report.state]


def _fix(report: StoreReport, result: TrustResult) -> str:
    """The store's own steps, or the pycert line to rerun as root for this store."""
    if report.state != "needs-root":
        return report.fix
    ca_file = os.path.abspath(result.ca_file)
    return (f"sudo {flags.trust_env(report.store)}pycert trust {result.action} "
            f"--store={report.store} --ca-cert={ca_file}")


def _verdict(result: TrustResult) -> str:
    counts: dict[str, int] = {}
    for report in result.reports:
        key: str = "undone" if report.state in ("needs-root", "needs-tool", "unsupported",
                                                "failed") else report.state
        if result.dry_run and report.changed:
            key = f"would-{key}"
        counts[key] = counts.get(key, 0) + 1
    parts = [f"{counts[k]} {label}" for k, label in (
        ("would-trusted", "would install"), ("would-not-trusted", "would remove"),
        ("trusted", "trusted"), ("not-trusted", "not trusted"), ("absent", "skipped"),
        ("undone", "left undone")) if counts.get(k)]
    return f"{', '.join(parts) or 'no store'} (exit {result.exit_code})"


def _group() -> CobraGroup:
    short = "put a CA into trust stores, or take it out"
    group = CobraGroup("trust", help=f"Put a CA into the trust stores browsers, curl, openssl "
                       f"and Java read, take it out again, or see where it is trusted. {WHAT}"
                       f"\n\n{ENVIRONMENT}", short_help=short, cobra_path="cert trust",
                       invoke_without_command=True)
    for action in ACTIONS:
        group.add_command(_command(action))
    return group


COMMANDS = [_group()]
