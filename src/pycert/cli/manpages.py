"""man(7) pages for every command, drawn from the same click tree as `--help`.

One page per command path, named like cobra's: `pycert-cert-create-node.1`. The text is
escaped for roff (backslashes, leading dots, non-ASCII as `\\[uXXXX]`), so `mandoc -T lint`
and `groff -ww` render it without a warning.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass

import click


@dataclass(frozen=True)
class Page:
    """One command's page: its file name and roff source."""

    name: str
    text: str


def pages(root: click.Context, version: str) -> list[Page]:
    """A page for the root and for every command below it, in help order."""
    date = _date()
    return [_page(ctx, version, date) for ctx in _walk(root)]


def _walk(ctx: click.Context) -> Iterator[click.Context]:
    yield ctx
    group = ctx.command
    if isinstance(group, click.Group):
        for name in group.list_commands(ctx):
            sub = group.get_command(ctx, name)
            if sub is not None:
                yield from _walk(sub.context_class(sub, info_name=name, parent=ctx))


def _slug(ctx: click.Context) -> str:
    return ctx.command_path.replace(" ", "-")


def _date() -> str:
    """Today, or SOURCE_DATE_EPOCH's day for reproducible builds; ISO 8601 as mandoc likes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit() \
        else dt.datetime.now(dt.timezone.utc)
    return when.strftime("%Y-%m-%d")


def _page(ctx: click.Context, version: str, date: str) -> Page:
    command, slug = ctx.command, _slug(ctx)
    prog = ctx.find_root().info_name or "pycert"
    usage = " ".join(command.collect_usage_pieces(ctx))
    lines = [f'.TH "{_text(slug.upper())}" "1" "{date}" "{_text(prog)} {version}" '
             f'"{_text(prog)} Manual"',
             ".SH NAME", _text(f"{slug} - {command.get_short_help_str(limit=1000)}"),
             ".SH SYNOPSIS", f".B {_text(ctx.command_path)}", _text(usage),
             ".SH DESCRIPTION", _text(command.help or "")]
    options = [rec for p in command.get_params(ctx) if isinstance(p, click.Option)
               for rec in [p.get_help_record(ctx)] if rec is not None]
    if options:
        lines.append(".SH OPTIONS")
        for term, text in sorted(options, key=lambda r: r[0].lstrip("-").lower()):
            lines += [".TP", f"\\fB{_text(term)}\\fR", _text(text) or "\\&"]
    if isinstance(command, click.Group):
        lines.append(".SH COMMANDS")
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                lines += [".TP", f"\\fB{_text(name)}\\fR",
                          _text(sub.get_short_help_str(limit=1000))]
    lines += _see_also(ctx)
    return Page(f"{slug}.1", "\n".join(lines) + "\n")


def _see_also(ctx: click.Context) -> list[str]:
    """The parent's page and the children's, as cobra links them."""
    refs = [_slug(ctx.parent)] if ctx.parent is not None else []
    group = ctx.command
    if isinstance(group, click.Group):
        refs += [f"{_slug(ctx)}-{name}" for name in group.list_commands(ctx)]
    if not refs:
        return []
    last = len(refs) - 1
    return [".SH SEE ALSO", *(f".BR {_text(ref)} (1){',' if i < last else ''}"
                              for i, ref in enumerate(refs))]


def _text(text: str) -> str:
    """Text safe in roff: `\\` as `\\e`, `-` as `\\-`, non-ASCII as `\\[uXXXX]`, no line
    starting with a control character, source lines under 80 bytes."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\e")
        elif ch == "-":
            out.append("\\-")
        elif ch == "\n":
            out.append("\n")
        elif code < 0x20 or code == 0x7F:
            out.append(" ")
        elif 0xD800 <= code <= 0xDFFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append("?")
        elif code > 0x7F:
            out.append(f"\\[u{code:04X}]" if code <= 0xFFFF else f"\\[u{code:X}]")
        else:
            out.append(ch)
    import textwrap  # lazy: only `gen man` wraps roff source

    lines = [wrapped for line in "".join(out).split("\n")
             for wrapped in textwrap.wrap(line, 78, break_long_words=False,
                                          break_on_hyphens=False)]
    return "\n".join(("\\&" + line) if line[:1] in (".", "'") else line for line in lines)
