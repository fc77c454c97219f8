"""Help text wrapped only between words: a path, flag name, environment variable,
`<placeholder>` or `[default: …]` is never split across lines, so `--help | grep` finds it.

click's own wrapping breaks long words and at hyphens (`.cockroach-` / `certs`);
scripts such as CockroachDB's test helpers grep help text for flag names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import click

_GLUE = "\x00"  # stands for a space that must not break a line; help text never holds NUL
_UNBROKEN = re.compile(r"\[default: [^\]]*\]|<[^<>\n]*>|\(pycert extension\)")


def _glue(text: str) -> str:
    """`text` with each space inside a `<placeholder>`, `[default: …]` or the extension
    label turned into _GLUE."""
    return _UNBROKEN.sub(lambda m: m.group(0).replace(" ", _GLUE), text)


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """Fills `text` to `width`, breaking at spaces only; a longer word overflows whole."""
    import textwrap  # lazy: only help text is wrapped

    wrapper = textwrap.TextWrapper(width, initial_indent=initial_indent,
                                   subsequent_indent=subsequent_indent,
                                   replace_whitespace=False, break_long_words=False,
                                   break_on_hyphens=False)
    return wrapper.fill(_glue(text)).replace(_GLUE, " ")


def paragraphs(text: str, width: int, indent: str = "") -> str:
    """Each blank-line-separated paragraph filled on its own."""
    parts = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip())]
    return "\n\n".join(wrap(p, width, indent, indent) for p in parts if p)


class HelpFormatter(click.HelpFormatter):
    """click's help layout (usage, text, definition lists), with `wrap` doing the filling."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        head = f"{'Usage: ' if prefix is None else prefix:>{self.current_indent}}{prog} "
        text_width = self.width - self.current_indent
        if text_width >= len(head) + 20:
            self.write(wrap(args, text_width, head, " " * len(head)) + "\n")
            return
        indent = " " * (max(self.current_indent, len("Usage: ")) + 4)
        self.write(head + "\n" + wrap(args, text_width, indent, indent) + "\n")

    def write_text(self, text: str) -> None:
        self.write(paragraphs(text, self.width, " " * self.current_indent) + "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30,
                 col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((len(term) for term, _ in rows), default=0), col_max) + col_spacing
        pad = " " * (first_col + self.current_indent)
        text_width = max(self.width - first_col - 2, 10)
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if len(term) <= first_col - col_spacing:
                self.write(" " * (first_col - len(term)))
            else:
                self.write("\n" + pad)
            lines = paragraphs(text, text_width).splitlines() or [""]
            self.write(lines[0] + "\n" + "".join(f"{pad}{line}\n" if line else "\n"
                                                 for line in lines[1:]))


class Context(click.Context):
    """A click context whose help is filled by `HelpFormatter`."""

    formatter_class = HelpFormatter
