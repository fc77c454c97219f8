"""click, bent to parse and fail like cobra/pflag, so cockroach scripts run unchanged.

cobra lets flags come before the subcommand and between arguments, takes `--flag=false`
for booleans, parses ints with base prefixes, and reports flag errors with exit code 4.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, TextIO

import click

from pycert.cli.helptext import Context
from pycert.errors import EXIT_FLAG, CertError
from pycert.gocompat import GoSyntaxError, go_quote, parse_bool

# The cobra path of the command being run, for the closing `Failed running "…"` line.
current_path = ["cert"]


def shared(flags: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A stack of click.option decorators built once, its Options reused by every command.

    Options only describe a flag, so commands can share them; building the ~170 that
    pycert's commands declare took half of the start-up pycert adds to click's own.
    """
    made: list[click.Parameter] = []

    def deco(f: Any) -> Any:
        if not made:
            def probe() -> None: ...

            made.extend(flags(probe).__click_params__)
        f.__click_params__ = [*getattr(f, "__click_params__", []), *made]
        return f

    return deco


class FlagError(click.UsageError):
    """A flag that cannot be parsed: cobra prints usage first and exits with 4."""


def flag_error(value: str, flag: str, why: str) -> FlagError:
    """pflag's `invalid argument %q for %q flag: %v`: the value quoted as Go's %q does."""
    return FlagError(f"invalid argument {go_quote(value)} for {go_quote(flag)} flag: {why}")


def _flag_kinds(command: click.Command) -> tuple[set[str], set[str]]:
    """(boolean flag names, value-taking flag names) of a command."""
    bools: set[str] = set()
    values: set[str] = set()
    for param in command.params:
        if isinstance(param, click.Option):
            names = [n for n in param.opts if n.startswith("--")]
            (bools if param.is_flag else values).update(names)
    return bools, values


def normalize_bools(args: list[str], bools: set[str]) -> list[str]:
    """`--flag=false` / `--flag=true` as pflag allows; the last occurrence wins."""
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        name, eq, value = arg.partition("=")
        if name not in bools:
            out.append(arg)
            continue
        try:
            on = parse_bool(value) if eq else True
        except GoSyntaxError as exc:
            raise flag_error(value, name, str(exc)) from None
        out = [a for a in out if a != name]
        if on:
            out.append(name)
    return out


class OptionalValue(click.Option):
    """pflag's NoOptDefVal: `--flag` alone means `--flag=<no_opt_value>` and never takes
    the next word, while `--flag=-7` is the value `-7`."""

    def __init__(self, *args: Any, no_opt_value: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.no_opt_value = no_opt_value


def _optional_values(command: click.Command, args: list[str]) -> list[str]:
    """Bare optional-value flags spelled out with their NoOptDefVal (see OptionalValue)."""
    defaults = {name: p.no_opt_value for p in command.params
                if isinstance(p, OptionalValue) for name in p.opts}
    out: list[str] = []
    for i, arg in enumerate(args):
        if arg == "--":
            return out + args[i:]
        out.append(f"{arg}={defaults[arg]}" if arg in defaults else arg)
    return out


def _with_usage(ctx: click.Context, parse: Callable[[], list[str]]) -> list[str]:
    """Runs a parse step; a usage error raised without its command (click's "requires an
    argument") gets it, so the command's usage is printed first like every flag error."""
    try:
        return parse()
    except click.UsageError as exc:
        if exc.ctx is None:
            exc.ctx = ctx
        raise


class CobraCommand(click.Command):
    """A leaf command: cobra path for messages, pflag-style booleans."""

    context_class = Context

    def __init__(self, *args: Any, cobra_path: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
        super().__init__(*args, **kwargs)
        self.cobra_path = cobra_path

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        current_path[0] = self.cobra_path
        bools, _ = _flag_kinds(self)
        args = _optional_values(self, normalize_bools(args, bools))
        return _with_usage(ctx, lambda: super(CobraCommand, self).parse_args(ctx, args))

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [self.options_metavar or ""]  # the metavar already spells out the arguments

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Flags sorted by name, as pflag lists them."""
        records = [(_sort_key(p), p.get_help_record(ctx)) for p in self.get_params(ctx)
                   if isinstance(p, click.Option)]
        rows = [rec for _, rec in sorted(records, key=lambda r: r[0]) if rec is not None]
        if rows:
            with formatter.section("Flags"):
                formatter.write_dl(rows)


def _sort_key(param: click.Parameter) -> str:
    return str(max(getattr(param, "opts", [""]), key=len)).lstrip("-")


class CobraGroup(click.Group):
    """A command group that finds its subcommand even when flags come first."""

    context_class = Context

    def __init__(self, *args: Any, cobra_path: str = "", strict: bool = False,
                 bare_is_error: bool | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
        super().__init__(*args, **kwargs)
        self.cobra_path = cobra_path
        self.strict = strict  # cockroach's `cert`: an unknown subcommand is an error, exit 1
        # cockroach's `cert` alone: usage, then `unknown sub-command: ""`, exit 1
        self.bare_is_error = strict if bare_is_error is None else bare_is_error

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # cockroach's order, not sorted

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        current_path[0] = self.cobra_path
        if not args and not ctx.resilient_parsing:
            if self.bare_is_error:
                write_err(ctx.get_help() + "\n")
                raise CertError('unknown sub-command: ""', prefixed=False)
            click.echo(ctx.get_help())  # cobra: a bare command group prints its help, exit 0
            raise click.exceptions.Exit(0)
        args = self._command_first(ctx, args)
        return _with_usage(ctx, lambda: super(CobraGroup, self).parse_args(ctx, args))

    def _command_first(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Moves the subcommand name in front of any flags that precede it."""
        values: set[str] | None = None  # value-taking flags of every command, when needed
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "--" or arg in ("-h", "--help", "--version"):
                return args
            if not arg.startswith("-") or arg == "-":
                return [arg, *args[:i], *args[i + 1 :]]
            if values is None:
                values = set()
                for name in self.list_commands(ctx):
                    command = self.get_command(ctx, name)
                    values |= _flag_kinds(command)[1] if command else set()
            i += 2 if arg in values else 1
        return args

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        if args and self.get_command(ctx, args[0]) is not None:
            return super().resolve_command(ctx, args)
        if ctx.resilient_parsing:  # shell completion: let click offer the commands
            return super().resolve_command(ctx, args)
        current_path[0] = self.cobra_path
        write_err(ctx.get_help() + "\n")
        if self.strict:
            raise CertError(f"unknown sub-command: {go_quote(' '.join(args))}", prefixed=False)
        raise CertError(f"unknown command {go_quote(args[0] if args else '')} for "
                        f"{go_quote(ctx.command_path)}", prefixed=False)


def help_width() -> int:
    """The width click would pick for help text, by shutil.get_terminal_size's rules.

    Handing it to click up front spares every `--help` and usage error the import of
    shutil (with zlib, bz2 and lzma) that click's HelpFormatter would otherwise do.
    """
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        stdout = sys.__stdout__
        try:
            columns = os.get_terminal_size(stdout.fileno()).columns if stdout else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return max(min(columns, 80) - 2, 50)


DECORATION = (
    "cannot load certificates.\n"
    "Check your certificate settings, set --certs-dir, or use --insecure for insecure clusters.\n"
    "\n"
)


def print_error(err: CertError) -> None:
    """ERROR/HINT/Failed running, as cockroach prints a failed command."""
    text = DECORATION + err.message if err.decorated else err.message
    lines = [f"ERROR: {text}"]
    if err.hint:
        lines.append(f"HINT: {err.hint}")
    lines.append(f'Failed running "{current_path[0]}"')
    write_err("\n".join(lines) + "\n")


def flag_failure(message: str, ctx: click.Context | None) -> CertError:
    """Prints the usage of the failing command, as cobra does, and builds the error."""
    if ctx is not None:
        write_err(ctx.get_help() + "\n\n")
    return CertError(message, exit_code=EXIT_FLAG, prefixed=False)


def write_out(text: str) -> None:
    """stdout as bytes, so non-UTF-8 file names print as they are on disk."""
    _write_all(sys.stdout, text)


def write_err(text: str) -> None:
    _write_all(sys.stderr, text)


def _write_all(stream: TextIO, text: str) -> None:
    """Every byte, or an error: unbuffered (`python -u`) writes may take only part of it."""
    data = memoryview(text.encode("utf-8", "surrogateescape"))
    while data:
        data = data[stream.buffer.write(data) or 0 :]
    stream.flush()


def translate_click_error(exc: click.ClickException) -> CertError:
    """Rewords click's parse errors in pflag's words."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, FlagError):
        return flag_failure(exc.message, ctx)
    if isinstance(exc, click.NoSuchOption):
        name = exc.option_name
        if name.startswith("--"):
            return flag_failure(f"unknown flag: {name}", ctx)
        return flag_failure(f"unknown shorthand flag: '{name[1:2]}' in {name}", ctx)
    if isinstance(exc, click.BadOptionUsage) and "requires an argument" in exc.message:
        return flag_failure(f"flag needs an argument: {exc.option_name}", ctx)
    if isinstance(exc, click.MissingParameter) and isinstance(exc.param, click.Option):
        name = max(exc.param.opts, key=len).lstrip("-")
        return flag_failure(f'required flag(s) "{name}" not set', ctx)
    return flag_failure(exc.format_message(), ctx)


def command(fn: Callable[..., Any], name: str, usage: str, path: str = "cert",
            cls: type[CobraCommand] = CobraCommand, long: str = "") -> CobraCommand:
    """A leaf command from a callback decorated with click options; its one-line help is
    the catalog's."""
    from pycert.cli.catalog import SHORT

    short = SHORT[name]
    return cls(name, callback=fn, params=list(getattr(fn, "__click_params__", [])),
               help=long or short, short_help=short, cobra_path=f"{path} {name}".strip(),
               options_metavar=usage)


class LazyGroup(CobraGroup):
    """A group whose commands are imported when first used; its help needs none of them."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy  # name -> (module, short help), see pycert.cli.catalog
        self.order = list(lazy)

    def add_command(self, cmd: click.Command, name: str | None = None, *,
                    after: str = "") -> None:
        """Adds a loaded command, listed after `after` (else last)."""
        super().add_command(cmd, name)
        name = name or cmd.name or ""
        if name not in self.order:
            self.order.insert(self.order.index(after) + 1 if after else len(self.order), name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.order)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in self.lazy:
            import importlib

            module = importlib.import_module(self.lazy[name][0])
            self.commands[name] = next(c for c in module.COMMANDS if c.name == name)
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.commands[name].get_short_help_str() if name in self.commands
                 else self.lazy[name][1]) for name in self.order]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
