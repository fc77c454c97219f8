"""Aligned text for people, drawn by tabulate with wcwidth counting display columns (East
Asian wide characters 2, combining marks 0, as go-runewidth counts them for cockroach).

Everything is passed per call: pycert is also a library, so tabulate's module settings
(MIN_PADDING, PRESERVE_WHITESPACE, …) stay the host program's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

# Zero-width characters that are not white space; one absent from the table marks cell
# edges, since tabulate strips a cell's outer white space (preserve_whitespace is 0.10+).
_MARKS = ("\u2060", "\u200b", "\ufeff", *map(chr, range(0xE0100, 0xE01F0)))
_CONTROL = {c: "?" for c in [*range(0x20), *range(0x7F, 0xA0)]}


def cockroach_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """cockroach's border-less table (tablewriter, border mode 0): centred headers, a `-+-`
    rule, left-aligned cells, one space at each edge, trailing spaces trimmed.

    Control characters show as `?`, as `ls` shows them on a terminal.
    """
    import tabulate  # lazy: only a table drawn for a person needs it

    cells = [tuple(cell.translate(_CONTROL) for cell in row) for row in rows]
    keep, strip = _edges([*headers, *(c for row in cells for c in row)])
    # " " + " cell " + "|" + " cell " …, written with padding 0: tabulate 0.9 (Python 3.9)
    # misses a SEPARATING_LINE row once cells are padded.
    fmt = tabulate.TableFormat(
        lineabove=None, linebelowheader=tabulate.Line("--", "-", "-+-", "--"),
        linebetweenrows=None, linebelow=None, headerrow=None,
        datarow=tabulate.DataRow("  ", " | ", ""), padding=0, with_header_hide=None)
    # The headers go in as the first row, not as headers=: tabulate widens a column that
    # is as wide as its header by MIN_PADDING, which cockroach does not.
    drawn = tabulate.tabulate(
        [tuple(headers), [tabulate.SEPARATING_LINE], *(tuple(map(keep, r)) for r in cells)],
        tablefmt=fmt, disable_numparse=True, colalign=("left",) * len(headers))
    lines = drawn.split("\n")
    widths = [len(dashes) - 2 for dashes in lines[1][1:-1].split("+")]
    lines[0] = (" " + "|".join(f" {h:^{w}} " for h, w in zip(headers, widths))).rstrip(" ")
    return [strip(line) for line in lines]


def columns(rows: Sequence[Sequence[str]], gap: str = " ", indent: str = "") -> list[str]:
    """Rows as left-aligned columns `gap` apart, each line `indent`ed, trailing spaces
    trimmed: the label/value blocks of `--dry-run`, `inspect` and `check`."""
    import tabulate  # lazy: only a table drawn for a person needs it

    keep, strip = _edges([c for row in rows for c in row])
    fmt = tabulate.TableFormat(
        lineabove=None, linebelowheader=None, linebetweenrows=None, linebelow=None,
        headerrow=None, datarow=tabulate.DataRow(indent, gap, ""), padding=0,
        with_header_hide=None)
    width = max((len(row) for row in rows), default=0)
    drawn = tabulate.tabulate([tuple(map(keep, row)) for row in rows], tablefmt=fmt,
                              disable_numparse=True, colalign=("left",) * width)
    return [strip(line) for line in drawn.split("\n")] if rows else []


def _edges(cells: Sequence[str]) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """(guard, unguard): guard marks a cell whose edges are white space with a zero-width
    character absent from the table, so tabulate keeps them; unguard removes the marks."""
    text = "".join(cells)
    mark = next((m for m in _MARKS if m not in text), "")
    if not mark:  # pragma: no cover - a table holding all 243 marks
        return (lambda cell: cell), (lambda line: line)

    def guard(cell: str) -> str:
        return f"{mark}{cell}{mark}" if cell != cell.strip() else cell

    def unguard(line: str) -> str:
        return line.replace(mark, "").rstrip(" ")

    return guard, unguard

