"""A progress bar on stderr for work that takes a second or more (create-nodes, list and
check of big directories): click's bar, drawn only when stderr is a terminal, so piped
or redirected output never contains it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import click

T = TypeVar("T")
BIG = 2000  # certificates: reading and describing this many takes about a second


class Progress:
    """A bar per phase of the work (`reading`, then `checking` or `writing`), each drawn
    once its total is known to be `at_least` steps, and only when stderr is a terminal."""

    def __init__(self, *, at_least: int = BIG, enabled: bool = True) -> None:
        self.at_least = at_least
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None  # click's ProgressBar, a generic class not worth spelling out
        self.phase = ""
        self.every = self.pending = 0

    def __enter__(self) -> Progress:
        return self

    @property
    def callback(self) -> Callable[[str, int, int], None] | None:
        """`tick`, or None when no bar can be drawn: the work then skips counting."""
        return self.tick if self.enabled else None

    def tick(self, phase: str, count: int, total: int) -> None:
        """`count` more steps of `total` in `phase`: the callback lower layers are given."""
        if not self.enabled:
            return
        if phase != self.phase:
            self.done()
            self.phase = phase
            if total >= self.at_least:
                self.bar = click.progressbar(length=total, label=phase, file=sys.stderr,
                                             show_pos=True)
                self.bar.__enter__()
                self.every, self.pending = max(1, total // 100), 0  # ~100 redraws a bar
        if self.bar is not None:
            self.pending += count
            if self.pending >= self.every:
                self._draw(min(self.pending, self.bar.length - self.bar.pos))

    def each(self, phase: str, items: Sequence[T]) -> Iterator[T]:
        """The items, one by one, moving a bar for `phase` as they are used."""
        if not self.enabled:
            yield from items
            return
        for n, item in enumerate(items, 1):
            if n % 64 == 0:
                self.tick(phase, 64, len(items))
            yield item
        self.done()

    def _draw(self, steps: int) -> None:
        self.pending = 0
        self.bar.update(steps)

    def done(self, complete: bool = True) -> None:
        """Ends the current bar (full, unless the work failed) with its newline."""
        if self.bar is not None:
            if complete:
                self._draw(self.bar.length - self.bar.pos)
            bar, self.bar = self.bar, None
            bar.__exit__(None, None, None)

    def __exit__(self, kind: object, *exc: object) -> None:
        self.done(complete=kind is None)
