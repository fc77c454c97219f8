"""Reads and classifies a certs directory the way cockroach's certificate loader does.

Every create-* command and `list` go through `load_dir`, so a directory that would stop
a CockroachDB node stops them too, with the same messages.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import NamedTuple

from pycert import log
from pycert.certdir.files import MAX_FILE_BYTES, READ_FLAGS, TEMP_MARK, TooLarge, read_regular
from pycert.errors import CertError
from pycert.gocompat import errno_text, file_mode, go_quote
from pycert.kinds import BY_PREFIX, CLIENT, NODE, Kind
from pycert.pki.pem import blocks
from pycert.pki.reading import CertFields, Shared, Unreadable, read


class CertFile:
    """One accepted certificate file and what was found about it (a class with slots:
    a directory holds thousands)."""

    __slots__ = ("certs", "error", "filename", "key_filename", "kind", "name", "prefix")

    def __init__(self, kind: Kind, name: str, filename: str, prefix: str) -> None:
        self.kind = kind
        self.name = name  # the <user>/<id> part of named kinds, "" otherwise
        self.filename = filename
        self.prefix = prefix  # what joining the directory puts before a file name
        self.certs: list[CertFields] = []  # empty when the file failed
        self.key_filename = ""  # set only when the key passed every check
        self.error = ""

    @property
    def path(self) -> str:
        return self.prefix + self.filename

    def __repr__(self) -> str:
        return f"CertFile({self.path!r}, error={self.error!r})"


def classify(filename: str) -> tuple[Kind, str] | str | None:
    """(kind, name) for an accepted name, a `bad filename` reason, or None to skip silently."""
    if not filename.endswith(".crt") or TEMP_MARK in filename:
        return None
    parts = filename.split(".")
    if len(parts) < 2:
        return "not enough parts found"
    kind = BY_PREFIX.get(parts[0])
    if kind is None:
        return f"unknown prefix {go_quote(parts[0])}"
    if not kind.named:
        return (kind, "") if len(parts) == 2 else kind.bad_name
    name = ".".join(parts[1:-1])
    return (kind, name) if name else kind.bad_name


Tick = Callable[[str, int, int], None]  # (what is being done, steps since the last call, total)


def load_dir(directory: str, *, strict: bool = True, key_permissions: bool = True,
             tick: Tick | None = None) -> list[CertFile]:
    """All accepted certificate files, sorted by name; raises on whole-load failures.

    `strict=False` (for `check`) skips the whole-load failures so each can be reported;
    `key_permissions=False` is COCKROACH_SKIP_KEY_PERMISSION_CHECK; `tick` hears of
    progress ("reading", files, total), for a bar over big directories.
    """
    try:
        with os.scandir(directory) as entries:
            # d_type from the directory listing: no lstat per file to skip directories.
            names = sorted(e.name for e in entries
                           if e.name.endswith(".crt") and not e.is_dir(follow_symlinks=False))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CertError(
            f"problem loading certs directory {directory}: open {directory}: {errno_text(exc)}",
            decorated=True,
        ) from None
    prefix = join_prefix(directory)
    shared = Shared()  # what this directory's certificates have in common, held once
    files: list[CertFile] = []
    for start in range(0, len(names), 64):
        chunk = [_read_file(prefix, n, key_permissions) for n in names[start : start + 64]]
        files += [f for f in (_parse_file(*read, shared) for read in chunk) if f is not None]
        if tick is not None:
            tick("reading", len(chunk), len(names))
    if strict:
        _check_whole(files)
    return files


def join_prefix(directory: str) -> str:
    """What gocompat.join(directory, name) puts before a plain file name, computed once per dir."""
    head = os.path.normpath(directory)
    return "" if head == "." else head if head.endswith("/") else head + "/"


class _Read(NamedTuple):
    """A file as read, before it is parsed: files are read a chunk at a time, then parsed
    (a file's system calls between two parses cost ~18 us more, measured on 10,000)."""

    prefix: str
    filename: str
    verdict: tuple[Kind, str] | str | None
    data: bytes | None  # None: over the size cap
    read_error: str
    key_error: str


def _read_file(prefix: str, filename: str, key_permissions: bool) -> _Read:
    verdict = classify(filename)
    if not isinstance(verdict, tuple):
        return _Read(prefix, filename, verdict, b"", "", "")
    kind, name = verdict
    data, read_error = read_capped(prefix + filename)
    key_error = "" if kind.is_ca else check_key_file(prefix + kind.key_file(name),
                                                     key_permissions)
    return _Read(prefix, filename, verdict, data, read_error, key_error)


def _parse_file(prefix: str, filename: str, verdict: tuple[Kind, str] | str | None,
                data: bytes | None, read_error: str, key_error: str,
                shared: Shared) -> CertFile | None:
    """The file's certificates, then its key's verdict, logged in cockroach's words."""
    path = prefix + filename  # == gocompat.join(directory, filename): names hold no "/"
    if verdict is None:
        return None
    if isinstance(verdict, str):
        log.warning("bad filename %s: %s", path, verdict)
        return None
    kind, name = verdict
    entry = CertFile(kind, name, filename, prefix)
    if read_error:  # read failures only count as empty, as in cockroach's loader
        log.warning("could not read certificate file %s: %s", path, read_error)
    entry.certs, entry.error = parse_data(data, filename, shared)
    if entry.error:
        log.warning("could not parse certificate for %s: %s", path, entry.error)
    if not kind.is_ca and not entry.error:
        entry.error = key_error
        if entry.error:
            log.warning("error finding key for %s: %s", path, entry.error)
        else:
            entry.key_filename = kind.key_file(name)
    return entry


def parse_file(path: str, filename: str) -> tuple[list[CertFields], str]:
    """Each certificate of a file, read as Go reads it, or the error cockroach's loader
    reports (every certificate must read, as in cockroach's loader)."""
    data, read_error = read_capped(path)
    if read_error:
        log.warning("could not read certificate file %s: %s", path, read_error)
    return parse_data(data, filename)


def parse_data(data: bytes | None, filename: str,
               shared: Shared | None = None) -> tuple[list[CertFields], str]:
    """`parse_file` on a file's bytes (None: over the size cap)."""
    if data is None:
        return [], f"certificate file {filename} is larger than {MAX_FILE_BYTES} bytes"
    if not data:
        return [], f"empty certificate file: {filename}"
    certs: list[CertFields] = []
    for block in blocks(data):
        if block.type != "CERTIFICATE":
            return [], (
                f"failed to parse certificate file {filename} as PEM: block #{len(certs)} "
                f"is of type {block.type}, not CERTIFICATE"
            )
        try:
            certs.append(read(block.der, shared))
        except Unreadable as exc:
            return [], f"failed to parse certificate {len(certs)} in file {filename}: {exc}"
    if not certs:
        return [], f"no certificates found in {filename}"
    return certs, ""


def read_capped(path: str) -> tuple[bytes | None, str]:
    """(contents, why it could not be read): b"" when unreadable, None over the size cap."""
    try:
        return read_regular(path), ""
    except TooLarge:
        return None, ""
    except OSError as exc:
        return b"", errno_text(exc)


def check_key_file(path: str, key_permissions: bool = True) -> str:
    """cockroach's key checks (spec §6): exists, regular, permissions, readable."""
    try:
        info = os.stat(path)
    except OSError as exc:
        return f"could not stat key file {path}: stat {path}: {errno_text(exc)}"
    if not stat.S_ISREG(info.st_mode):
        return f"key file {path} is not a regular file"
    problem = permission_problem(path, info) if key_permissions else ""
    if problem:
        return problem
    try:  # non-blocking: a FIFO swapped in after the stat must not hang the open
        os.close(os.open(path, READ_FLAGS))
    except OSError as exc:
        return f"could not read key file {path}: open {path}: {errno_text(exc)}"
    return ""


def permission_problem(path: str, info: os.stat_result) -> str:
    """0700 at most; 0740 when root owns the key and its group is our real gid."""
    allowed = 0o740 if info.st_uid == 0 and info.st_gid == os.getgid() else 0o700
    perm = info.st_mode & 0o777
    if perm & ~allowed:
        return f"key file {path} has permissions {file_mode(perm)}, exceeds {file_mode(allowed)}"
    return ""


def bad_tenant_id(entry: CertFile) -> bool:
    """A tenant file whose <id> is no unsigned 64-bit decimal: cockroach's loader stops."""
    return entry.kind.name_is_tenant_id and not (
        entry.name.isascii() and entry.name.isdigit() and int(entry.name) < 2**64)


def _check_whole(files: list[CertFile]) -> None:
    """Failures that abort the whole load, as cockroach's loader does."""
    for entry in files:
        if bad_tenant_id(entry):
            raise CertError(f"invalid tenant id {entry.name}")
    node = next((f for f in files if f.kind is NODE), None)
    has_client_node = any(f.kind is CLIENT and f.name == "node" for f in files)
    if node is not None and node.error and not has_client_node:
        raise CertError(f"validating node cert: {node.error}", decorated=True)
