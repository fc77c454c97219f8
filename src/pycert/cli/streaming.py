"""Thousands of certificate records on stdout: made on two cores, written as they come.

`list --format=json|ndjson` and `check --format=json` print one record per certificate;
for 10,000 certificates building them is most of the command, so a forked child makes
the second half while this process writes the first (pycert.halves), and no more than
a few records are held in memory at a time.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, TypeVar

from pycert import halves
from pycert.cli import render

if TYPE_CHECKING:
    from pycert.certdir.loader import Tick
    from pycert.certdir.records import Entry

T = TypeVar("T")


def write_records(entries: list[Entry], now: dt.datetime, fmt: str, indent: str = "",
                  tick: Tick | None = None) -> None:
    """Every entry's record, in order: items of a JSON array nested at `indent` (closed
    here), or NDJSON lines. Only this process's half (the first) moves the bar, for both."""
    from pycert.certdir.records import RECORD_KEYS, stream_values

    def made(start: int, stop: int) -> Iterator[bytes]:
        records = stream_values(entries[start:stop], now)
        if tick is not None and start == 0:
            records = _ticking(records, tick, len(entries) / max(stop, 1), len(entries))
        if fmt == "ndjson":
            pieces = (render.ndjson_line(dict(zip(RECORD_KEYS, r))) for r in records)
        else:
            pieces = (render.json_item(r, start + k, indent) for k, r in enumerate(records))
        for text in render.batched(pieces):
            yield text.encode("utf-8", "surrogateescape")

    halves.text_halves(made, len(entries), write_bytes)
    if fmt != "ndjson":
        write_bytes(render.json_close(len(entries), indent).encode())


def _ticking(records: Iterator[T], tick: Tick, scale: float, total: int) -> Iterator[T]:
    for n, record in enumerate(records, 1):
        if n % 64 == 0:
            tick("writing", round(64 * scale), total)
        yield record


def write_bytes(data: bytes) -> None:
    """Every byte to stdout, as cobra.write_out does for text."""
    sys.stdout.flush()
    view = memoryview(data)
    while view:
        view = view[sys.stdout.buffer.write(view) or 0 :]
    sys.stdout.buffer.flush()
