"""Work over many certificates on two cores: a forked child does the second half.

Reading 10,000 certificates for `list --format=json` or `check` is CPU-bound Python, and
threads would take turns on one interpreter lock. After the directory is loaded, a child
forked with everything in memory takes items [mid, n) while this process does [0, mid);
its answer comes back through an anonymous in-memory file. If the child fails for any
reason, this process does its half too: the answer is the same either way, only slower.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
MIN_ITEMS = 500  # below this, forking costs more than it saves


def split_point(count: int) -> int:
    """Where the child's half starts; `count` (no child) when it is not worth one."""
    if count < MIN_ITEMS or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork") \
            or not hasattr(os, "memfd_create"):
        return count
    return count // 2


def map_halves(compute: Callable[[int, int], list[T]], count: int) -> list[T]:
    """compute(0, count), with compute(mid, count) run in a child; results are pickled."""
    mid = split_point(count)
    if mid == count:
        return compute(0, count)

    def child(fd: int) -> None:
        _write_all(fd, pickle.dumps(compute(mid, count), pickle.HIGHEST_PROTOCOL))

    with _Child(child) as job:
        mine = compute(0, mid)
        theirs: list[T] = pickle.loads(b"".join(job.chunks())) if job.succeeded() \
            else compute(mid, count)
    return mine + theirs


def text_halves(render: Callable[[int, int], Iterable[bytes]], count: int,
                write: Callable[[bytes], None]) -> None:
    """Writes render(0, count) in order, with render(mid, count) made by a child."""
    mid = split_point(count)
    if mid == count:
        for chunk in render(0, count):
            write(chunk)
        return

    def child(fd: int) -> None:
        for chunk in render(mid, count):
            _write_all(fd, chunk)

    with _Child(child) as job:
        for chunk in render(0, mid):
            write(chunk)
        for chunk in job.chunks() if job.succeeded() else render(mid, count):
            write(chunk)


class _Child:
    """A forked child writing into an in-memory file (not counted in anyone's RSS);
    leaving the block before `succeeded()` kills and reaps it."""

    def __init__(self, body: Callable[[int], None]) -> None:
        self.body = body
        self.fd = -1
        self.pid = 0

    def __enter__(self) -> _Child:
        self.fd = os.memfd_create("pycert-half", os.MFD_CLOEXEC)
        for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        # The collector would write into every object both processes share, copying each
        # page on both sides; what exists now is never garbage here (short-lived command).
        gc.freeze()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns into the caller's code
            code = 1
            try:
                self.body(self.fd)
                code = 0
            finally:
                os._exit(code)
        return self

    def succeeded(self) -> bool:
        """Waits for the child; True if it finished its half."""
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return os.waitstatus_to_exitcode(status) == 0

    def chunks(self) -> Iterator[bytes]:
        """What the child wrote, a mebibyte at a time."""
        os.lseek(self.fd, 0, os.SEEK_SET)
        while True:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return
            yield chunk

    def __exit__(self, *exc: object) -> None:
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        os.close(self.fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
