"""Reading files a hostile certs dir may hold: never block, never read without bound.

A FIFO or device named `node.crt`, or a `--ca-key` pointing at `/dev/zero`, must give an
error, not a hang or an unbounded read.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from collections.abc import Iterator

from pycert.errors import CertError

MAX_FILE_BYTES = 1 << 20  # a certs file larger than this is hostile or a mistake
FIRST_READ = 16 << 10  # holds a whole chain of ordinary certificates

_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)


def go_errno_text(exc: OSError) -> str:
    """`no such file or directory`: Go's lower-case syscall wording."""
    text = os.strerror(exc.errno) if exc.errno else (exc.strerror or str(exc))
    return text[:1].lower() + text[1:]


class TooLarge(OSError):
    """The file is larger than the cap; callers turn this into their own message."""


def read_regular(path: str, cap: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file (following links), at most `cap`; OSError otherwise."""
    fd = os.open(path, _READ_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file")
        chunks: list[bytes] = []
        size = 0
        want = min(FIRST_READ, cap + 1)  # os.read allocates what it is asked for: ask small
        while size <= cap:
            chunk = os.read(fd, want)
            chunks.append(chunk)
            size += len(chunk)
            if len(chunk) < want:
                return b"".join(chunks)  # a short read of a regular file is its end
            want = min(want * 8, cap + 1 - size)
        raise TooLarge(0, f"larger than {cap} bytes")
    finally:
        os.close(fd)


@contextlib.contextmanager
def dir_lock(directory: str, *, shared: bool = False) -> Iterator[None]:
    """flock on a certs dir: writers exclusive, readers shared, so no reader sees half a pair.

    A reader that cannot open the directory proceeds unlocked and lets the load report it.
    """
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        if not shared:
            raise CertError(f"could not lock certs directory {directory}: open {directory}: "
                            f"{go_errno_text(exc)}") from None
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
