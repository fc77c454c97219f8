"""Ctrl-C on the command line: exit 130 at once, except while files are being installed.

Python's own KeyboardInterrupt can be lost: raised inside a finalizer or an import lock's
weakref callback, it is printed as "Exception ignored" and the command runs on, writing
its files minutes later. The handler here cannot be lost: outside an install nothing is
written yet, so it ends the process; inside one it raises, so the install rolls back,
and `installing` raises again at its end if that exception was swallowed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from types import FrameType

from pycert.errors import EXIT_INTERRUPTED

_installing = 0  # depth of `installing` blocks now running
_pending = False  # a Ctrl-C arrived inside one


def handle_sigint() -> None:
    """Makes Ctrl-C unlosable for this process; only the console script calls this."""
    # lazy: `signal` would import enum first, with Python's own handler still in place
    # for those milliseconds; the C module `_signal` is loaded at start-up already.
    import _signal  # type: ignore[import-not-found]  # noqa: PLC2701 - no stub, no public twin

    _signal.signal(_signal.SIGINT, _on_sigint)


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _pending
    if not _installing:
        os._exit(EXIT_INTERRUPTED)  # nothing half-written to undo; a key thread dies with us
    _pending = True
    raise KeyboardInterrupt


@contextlib.contextmanager
def installing() -> Iterator[None]:
    """Marks files being written: Ctrl-C raises here so the write can roll back."""
    global _installing
    _installing += 1
    try:
        yield
    finally:
        _installing -= 1
    if _pending and not _installing:  # the KeyboardInterrupt was swallowed on the way
        raise KeyboardInterrupt
