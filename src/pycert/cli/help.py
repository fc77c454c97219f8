"""`pycert help [command...]`: cobra's built-in help command, which cockroach keeps.

`cockroach help cert create-node` prints create-node's help on stdout and exits 0; an
unknown topic prints `Unknown help topic [`x`]` and the root usage on stderr, still 0.
"""

from __future__ import annotations

import click

from pycert.cli.cobra import command, write_err, write_out


def _topic(args: tuple[str, ...]) -> str:
    """Go's `%#q` of a []string: each word back-quoted where Go can, else double-quoted."""
    from pycert.gocompat import go_quote

    def one(word: str) -> str:
        plain = "`" not in word and all(c == "\t" or c.isprintable() for c in word) \
            and "\ufeff" not in word and not any(0xDC80 <= ord(c) <= 0xDCFF for c in word)
        return f"`{word}`" if plain else go_quote(word)

    return "[" + " ".join(one(w) for w in args) + "]"


def _find(root: click.Context, args: tuple[str, ...]) -> click.Context | None:
    """cobra's Find: walk the subcommands named; stop at a leaf (its extra words are its
    arguments); an unknown word right under the root is an unknown topic."""
    ctx = root
    for word in args:
        group = ctx.command
        if not isinstance(group, click.Group):
            return ctx
        sub = group.get_command(ctx, word)
        if sub is None:
            return None if ctx is root else ctx
        ctx = sub.context_class(sub, info_name=word, parent=ctx)
    return ctx


@click.argument("args", nargs=-1)
def _help(args: tuple[str, ...]) -> None:
    root = click.get_current_context().find_root()
    found = _find(root, args)
    if found is None:
        write_err(f"Unknown help topic {_topic(args)}\n{root.get_help()}\n")
        return
    write_out(found.get_help() + "\n")


COMMANDS = [command(_help, "help", "[command]", path="",
                    long="Help provides help for any command in the application. Simply type "
                    "pycert help [path to command] for full details.")]
