"""`pycert gen autocomplete [bash|zsh|fish]`: cockroach's command for shell completion.

The scripts are click's own; they call back into pycert (`_<PROG>_COMPLETE=…`), so the
completions always match the installed commands and flags, including the cobra-style
flags-before-subcommand order.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from pycert.cli.cobra import CobraCommand, CobraGroup
from pycert.errors import CertError
from pycert.gocompat import errno_text, go_quote

SHELLS = ("bash", "zsh", "fish")


def default_out(shell: str, prog: str) -> str:
    """cockroach writes ./cockroach.bash, ./cockroach.fish or ./_cockroach by default."""
    return f"_{prog}" if shell == "zsh" else f"{prog}.{shell}"


def script(shell: str, root: click.Command, prog: str) -> str:
    """The completion script for `prog` (the name the user types: pycert or cockroach)."""
    from click.shell_completion import ShellComplete, get_completion_class

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - click ships all three
        raise CertError(f"invalid argument {go_quote(shell)} for "
                        f"{go_quote(prog + ' gen autocomplete')}", prefixed=False)
    var = f"_{prog}_COMPLETE".replace("-", "_").replace(".", "_").upper()
    comp = cls(root, {}, prog, var)
    return ShellComplete.source(comp)  # skips click's bash-version probe (a subprocess)


def _autocomplete(args: tuple[str, ...], out: str | None, **_: Any) -> None:
    from pycert.certdir import files

    ctx = click.get_current_context()
    prog = ctx.find_root().info_name or "pycert"
    for arg in args:
        if arg not in SHELLS:
            raise CertError(f"invalid argument {go_quote(arg)} for "
                            f"{go_quote(prog + ' gen autocomplete')}",
                            prefixed=False)
    shell = args[0] if args else "bash"
    text = script(shell, ctx.find_root().command, prog)
    if out == "-":
        click.echo(text, nl=False)
        return
    path = out or default_out(shell, prog)
    files.commit([files.Planned(path, text.encode(), 0o644, "could not write")],
                 overwrite=True)
    sys.stdout.write(f"Generated {shell} completion file: {path}\n")


def _man(args: tuple[str, ...], path: str, **_: Any) -> None:
    """cockroach's `gen man`: a page per command into --path, created 0755 if missing."""
    import os

    import pycert
    from pycert.certdir import files
    from pycert.cli.manpages import pages

    if args:
        raise CertError(f"unknown command {go_quote(args[0])} for \"cockroach gen man\"",
                        prefixed=False)
    ctx = click.get_current_context()
    prog = ctx.find_root().info_name or "pycert"
    folder = path if path.endswith(os.sep) else path + os.sep
    try:
        os.makedirs(folder, 0o755, exist_ok=True)
    except OSError as exc:
        raise CertError(f"mkdir {path}: {errno_text(exc)}", prefixed=False) from None
    made = pages(ctx.find_root(), pycert.__version__)
    files.commit([files.Planned(os.path.join(folder, page.name), page.text.encode(), 0o644,
                                "could not write") for page in made], overwrite=True)
    sys.stdout.write(f"Generated {prog} man pages in {folder}\n")


def _man_command() -> CobraCommand:
    return CobraCommand(
        "man",
        callback=_man,
        params=[click.Argument(["args"], nargs=-1),
                click.Option(["--path"], default="man/man1", metavar="<path>",
                             show_default=True, shell_complete=complete_dir,
                             help="path where man pages will be outputted")],
        help="Generate man pages for pycert, one per command, into the \"man/man1\" "
        "directory under the current directory. Use \"--path=PATH\" to write them "
        "elsewhere, e.g. \"--path=/usr/local/share/man/man1\".",
        short_help="generate man pages for pycert",
        cobra_path="gen man",
        options_metavar="[flags]",
    )


def gen_group() -> CobraGroup:
    """`gen` with the subcommands pycert has: `man` and `autocomplete`."""
    command = CobraCommand(
        "autocomplete",
        callback=_autocomplete,
        params=[
            click.Argument(["args"], nargs=-1,
                           shell_complete=lambda c, p, i: [s for s in SHELLS if s.startswith(i)]),
            click.Option(["--out"], default=None, metavar="<path>",
                         help="path to generated autocomplete file ('-' = stdout, a pycert "
                         "extension); default ./pycert.bash, ./pycert.fish or ./_pycert",
                         shell_complete=complete_file),
        ],
        help="Generate autocompletion script for pycert. With no argument or 'bash', "
        "writes ./<prog>.bash; 'fish' writes ./<prog>.fish; 'zsh' writes ./_<prog>.",
        short_help="generate autocompletion script for pycert",
        cobra_path="gen autocomplete",
        options_metavar="[shell]",
    )
    short = "generate auxiliary files"
    group = CobraGroup("gen", help=short, short_help=short, cobra_path="gen", strict=True,
                       invoke_without_command=True)
    group.add_command(_man_command())
    group.add_command(command)
    return group


def complete_dir(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """Directory-name completion for --certs-dir and --log-dir (done by the shell)."""
    from click.shell_completion import CompletionItem

    return [CompletionItem(incomplete, type="dir")]


def complete_file(ctx: Any, param: Any, incomplete: str) -> list[Any]:
    """File-name completion for --ca-key and friends (done by the shell)."""
    from click.shell_completion import CompletionItem

    return [CompletionItem(incomplete, type="file")]
