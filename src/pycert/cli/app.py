"""The `pycert` command tree and the process around it: exit codes, errors, teardown.

Each command lives in the module of its family; this module only assembles them under
cockroach's paths (`cert …`, `mt cert …`) and pycert's top level.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from pycert.cli import catalog, cobra
from pycert.cli.cobra import CobraGroup, LazyGroup
from pycert.cli.gen import gen_group
from pycert.errors import EXIT_ERROR, EXIT_INTERRUPTED, CertError

_CERT_HELP = "create ca, node, and client certs"


def _group(name: str, short: str, path: str, strict: bool,
           groups: Sequence[click.Command] = (), **how: Any) -> LazyGroup:
    """A group of the catalog's commands under `path`; sub-groups come after `list`."""
    how.setdefault("cobra_path", path)
    group = LazyGroup(name, help=short, short_help=short, strict=strict,
                      invoke_without_command=True, no_args_is_help=False,
                      lazy=catalog.in_group(path), **how)
    after = "list"
    for sub in groups:
        group.add_command(sub, after=after)
        after = sub.name or ""
    return group


cert_group = _group("cert", _CERT_HELP, catalog.CERT, True)
mt_group = CobraGroup("mt", help="commands that manage multi-tenant clusters",
                      short_help="commands that manage multi-tenant clusters", cobra_path="mt",
                      invoke_without_command=True, no_args_is_help=False)
mt_group.add_command(_group("cert", _CERT_HELP, catalog.MT, True))
# pycert's own commands live at the top level only, so `cert --help` stays cockroach's.
# Bare `pycert` stands for `cockroach cert`, so it fails as `cert` alone does (spec §1.10).
ledger_group = _group("ledger", f"the ledger of issued certificates {catalog.EXTENSION}",
                      catalog.LEDGER, True)
root = _group("pycert", "pycert: cockroach's `cert` commands, in Python.", catalog.TOP, False,
              [cert_group, mt_group, gen_group()], cobra_path="cert", bare_is_error=True)
root.add_command(ledger_group, after="ocsp-responder")


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """`--version`: the `version` command's text; cryptography is imported only here."""
    if value and not ctx.resilient_parsing:
        from pycert.cli.version import version_text

        cobra.write_out(version_text())
        ctx.exit(0)


root.params.append(click.Option(["--version"], is_flag=True, expose_value=False,
                                is_eager=True, callback=_print_version,
                                help="Show the versions of pycert, cryptography and OpenSSL."))


def main(argv: list[str] | None = None) -> None:
    """Runs the CLI; every failure becomes cockroach's ERROR lines and exit code."""
    if argv is not None:  # called from Python: leave the interpreter to its caller
        sys.exit(run(argv))
    _exit_now(run(sys.argv[1:]))


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


def run(args: list[str]) -> int:
    """Runs one command line in this process and returns its exit code."""
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
    except click.Abort as exc:  # click turns Ctrl-C (and EOF on a prompt) into Abort
        return EXIT_INTERRUPTED if isinstance(exc.__context__, KeyboardInterrupt) else EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # never a traceback: say what broke and how to see more
        if os.environ.get("PYCERT_DEBUG"):
            raise
        cobra.print_error(CertError(f"internal error: {type(exc).__name__}: {exc}",
                                    hint="rerun with PYCERT_DEBUG=1 for a traceback and report it"))
        return EXIT_ERROR
    return 0


def _prog_name() -> str:
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "pycert" if name in ("", "__main__.py", "-c") else name
