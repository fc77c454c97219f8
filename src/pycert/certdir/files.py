"""The one safe reader and the one atomic writer of pycert's files, and the dir lock.

Reads never block and never read without bound: a FIFO or device named `node.crt`, or a
`--ca-key` pointing at `/dev/zero`, gives an error, not a hang. Writes are all-or-nothing:
a temp file with its final mode, fsync, link or rename, so a reader (or a crash) sees the
old file or the new one, never a torn file, and a key is never readable by others, not
even for an instant.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shlex
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from pycert.errors import CertError
from pycert.gocompat import errno_text
from pycert.interrupt import installing

MAX_FILE_BYTES = 1 << 20  # a certs file larger than this is hostile or a mistake
FIRST_READ = 16 << 10  # holds a whole chain of ordinary certificates
TEMP_MARK = ".pycert-tmp"  # names of pycert's temp files contain this; never *.crt
BACKUP_SUFFIX = ".bak"  # `<name>.<UTC stamp>.bak`: never *.crt, so no loader reads it

READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
# `.<target>.pycert-tmp[.old].<pid>.<8 hex>`: only names of exactly this shape are ever removed
_TEMP_RE = re.compile(r"\..+" + re.escape(TEMP_MARK) + r"(?:\.old)?\.(\d+)\.[0-9a-f]{8}")


class TooLarge(OSError):
    """The file is larger than the cap; callers turn this into their own message."""


def read_regular(path: str, cap: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file (following links), at most `cap`; OSError otherwise."""
    fd = os.open(path, READ_FLAGS)
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
def dir_lock(directory: str, *, shared: bool = False,
             what: str = "certs directory") -> Iterator[None]:
    """flock on a certs dir (or the ledger's, `what`): writers exclusive, readers shared, so
    no reader sees half a pair.

    A reader that cannot open the directory proceeds unlocked and lets the load report it.
    """
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        if not shared:
            missing = exc.errno == errno.ENOENT
            raise CertError(f"could not lock {what} {directory}: open {directory}: "
                            f"{errno_text(exc)}", hint=f"create the directory first: mkdir -p "
                            f"{shlex.quote(directory)}" if missing else "") from None
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@dataclass
class Planned:
    """A file to install; `what` starts the error text, e.g. `error writing client key to`."""

    path: str
    data: bytes = field(repr=False)  # may be a private key: never in a repr or a log line
    mode: int
    what: str
    exclusive: bool = False  # never replaces an existing file, whatever `overwrite` says
    replace: bool = False  # always replaces (the ledger), whatever `overwrite` says; no backup
    exists_hint: str = ""  # what to do when the file exists already

    def fail(self, exc: OSError) -> CertError:
        """cockroach's error text, and the fix for the two a newcomer meets."""
        hint = ""
        parent = os.path.dirname(self.path)
        if exc.errno == errno.EEXIST:
            hint = self.exists_hint
        elif exc.errno == errno.ENOENT and parent and not os.path.isdir(parent):
            hint = f"create the directory first: mkdir -p {shlex.quote(parent)}"
        return CertError(f"{self.what} {self.path}: open {self.path}: {errno_text(exc)}",
                         hint=hint)


def _temp_name(path: str, tag: str = "") -> str:
    head, tail = os.path.split(path)
    return os.path.join(head, f".{tail}{TEMP_MARK}{tag}.{os.getpid()}.{os.urandom(4).hex()}")


def _write_temp(item: Planned) -> str:
    tmp = _temp_name(item.path)
    try:
        fd = os.open(tmp, _OPEN_FLAGS, 0o600)
    except OSError as exc:
        raise item.fail(exc) from None
    try:
        os.fchmod(fd, item.mode)  # exact mode whatever the umask; 0600 from the first byte
        view = memoryview(item.data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError as exc:
        os.close(fd)
        os.unlink(tmp)
        raise item.fail(exc) from None
    os.close(fd)
    return tmp


def clean_stale(directory: str) -> None:
    """Removes temp files left by pycert processes that died (SIGKILL, power loss)."""
    with contextlib.suppress(OSError):
        for name in os.listdir(directory):
            match = _TEMP_RE.fullmatch(name)
            if match and not owner_alive(int(match.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(directory, name))


def owner_alive(pid: int) -> bool:
    """Whether the process that named a temp file may still be writing it."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def precheck(items: list[Planned], overwrite: bool) -> None:
    """Fails before anything is written if a target exists and may not be replaced."""
    for item in items:
        if (item.exclusive or not (overwrite or item.replace)) and os.path.lexists(item.path):
            raise item.fail(FileExistsError(17, os.strerror(17)))


def commit(items: list[Planned], *, overwrite: bool, backup: bool = False) -> list[str]:
    """Installs every file or none: on any failure, files already installed are undone.

    `backup` keeps each replaced file beside it as `<name>.<UTC stamp>.bak` (same mode as
    its replacement: keys 0600), installed in the same commit; returns the backups' paths.
    """
    with installing():  # Ctrl-C raises inside, so the rollback below runs
        return _commit(items, overwrite, backup)


def backup_stamp(when: float | None = None) -> str:
    """`20261201T101500Z`: the UTC second a backup was taken, sortable as text."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(when))


def plan_backups(items: list[Planned], stamp: str) -> dict[str, Planned]:
    """A copy of every existing file `items` replace (by the path it saves), all named
    with one stamp that no file has yet."""
    present = [item for item in items
               if not (item.exclusive or item.replace) and os.path.exists(item.path)]
    for n in range(1, 1000):
        tag = stamp if n == 1 else f"{stamp}-{n}"
        names = [f"{item.path}.{tag}{BACKUP_SUFFIX}" for item in present]
        if not any(os.path.lexists(name) for name in names):
            break
    out = {}
    for item, name in zip(present, names):
        try:
            old = read_regular(item.path)
        except OSError as exc:
            raise CertError(f"could not back up {item.path}: {errno_text(exc)}; nothing was "
                            "written") from exc
        out[item.path] = Planned(name, old, item.mode, "could not write backup", exclusive=True)
    return out


def _commit(items: list[Planned], overwrite: bool, backup: bool) -> list[str]:
    precheck(items, overwrite)
    backups = plan_backups(items, backup_stamp()) if backup and overwrite else {}
    # Each backup goes in just before the file it saves: a replaced file always has one.
    ordered = [x for item in items
               for x in ([backups[item.path]] if item.path in backups else []) + [item]]
    directories = {os.path.dirname(item.path) or "." for item in ordered}
    for directory in directories:
        clean_stale(directory)
    temps: list[str] = []
    undo: list[tuple[str, str | None]] = []  # (path, backup or None if it was new)
    try:
        for item in ordered:
            temps.append(_write_temp(item))
        for item, tmp in zip(ordered, temps):
            undo.append(_install(item, tmp, (overwrite or item.replace) and not item.exclusive))
    except BaseException:
        _rollback(undo)
        raise
    finally:
        for tmp in temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    for _, old in undo:
        if old:
            with contextlib.suppress(OSError):
                os.unlink(old)
    for directory in directories:
        fsync_dir(directory)
    return [b.path for b in backups.values()]


def _install(item: Planned, tmp: str, overwrite: bool) -> tuple[str, str | None]:
    if not overwrite or not os.path.lexists(item.path):
        try:
            os.link(tmp, item.path)  # exclusive: never replaces, never follows a symlink
        except OSError as exc:
            raise item.fail(exc) from None
        return item.path, None
    backup = _temp_name(item.path, ".old")
    try:
        os.link(item.path, backup)  # keeps the old file for rollback (a link, not a copy)
        os.replace(tmp, item.path)  # replaces a symlink itself, never its target
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(backup)
        raise item.fail(exc) from None
    return item.path, backup


def _rollback(undo: list[tuple[str, str | None]]) -> None:
    for path, backup in reversed(undo):
        with contextlib.suppress(OSError):
            if backup:
                os.replace(backup, path)
            else:
                os.unlink(path)


def fsync_dir(directory: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_text_file(path: str, what: str) -> str:
    """A small UTF-8 text file (node list, password, logging config) through the safe reader."""
    try:
        return read_regular(path).decode("utf-8")
    except TooLarge:
        raise CertError(f"could not read {what} {path}: larger than {MAX_FILE_BYTES} bytes") \
            from None
    except OSError as exc:
        raise CertError(f"could not read {what} {path}: {errno_text(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise CertError(f"could not read {what} {path}: not UTF-8 text ({exc})") from exc


def same_content(path: str, data: bytes) -> bool:
    """True if `path` is a regular file holding exactly `data`."""
    try:
        return read_regular(path) == data
    except OSError:
        return False
