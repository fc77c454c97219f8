"""pycert's log calls, which import `logging` only when a message is due somewhere.

By default nothing under WARNING is shown, and most commands log nothing else: importing
`logging` for them cost ~4 ms of every create command (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable

INFO, WARNING, ERROR = 20, 30, 40  # logging's numeric levels

_threshold = WARNING  # the lowest level a sink takes (stderr, or the --log-dir file)
_setup: list[Callable[[], None]] = []  # installs the handlers, once, on the first message


def configure(threshold: int, setup: Callable[[], None]) -> None:
    """Called by logsetup once the flags are known; `setup` runs before the first message."""
    global _threshold
    _threshold = threshold
    _setup[:] = [setup]


def info(msg: str, *args: object) -> None:
    _emit(INFO, msg, args)


def warning(msg: str, *args: object) -> None:
    _emit(WARNING, msg, args)


def error(msg: str, *args: object) -> None:
    _emit(ERROR, msg, args)


def _emit(level: int, msg: str, args: tuple[object, ...]) -> None:
    if level < _threshold:
        return
    import logging  # lazy: ~10 ms of start-up that a command printing nothing never pays

    while _setup:
        _setup.pop()()
    # stacklevel 3: the record names the caller of info/warning/error, not this module
    logging.getLogger("pycert").log(level, msg, *args, stacklevel=3)
