"""Reads and classifies a certs directory the way cockroach's certificate loader does.

Every create-* command and `list` go through `load_dir`, so a directory that would stop
a CockroachDB node stops them too, with the same messages.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field

from pycert import log
from pycert.certdir.files import MAX_FILE_BYTES, READ_FLAGS, TEMP_MARK, TooLarge, read_regular
from pycert.errors import CertError
from pycert.gocompat import errno_text, file_mode, go_quote
from pycert.kinds import BY_PREFIX, CLIENT, NODE, Kind
from pycert.pki.pem import blocks
from pycert.pki.reading import CertFields, Name, Unreadable, read


@dataclass
class CertFile:
    """One accepted certificate file and what was found about it."""

    kind: Kind
    name: str  # the <user>/<id> part of named kinds, "" otherwise
    filename: str
    path: str
    certs: list[CertFields] = field(default_factory=list)  # empty when the file failed
    key_filename: str = ""  # set only when the key passed every check
    error: str = ""


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
    prefix = _join_prefix(directory)
    issuers: dict[bytes, Name] = {}  # this load's distinct issuer names, read once each
    found = []
    for start in range(0, len(names), 64):
        found += [_load_file(prefix, n, key_permissions, issuers)
                  for n in names[start : start + 64]]
        if tick is not None:
            tick("reading", len(names[start : start + 64]), len(names))
    files = [f for f in found if f is not None]
    if strict:
        _check_whole(files)
    return files


def _join_prefix(directory: str) -> str:
    """What gocompat.join(directory, name) puts before a plain file name, computed once per dir."""
    head = os.path.normpath(directory)
    return "" if head == "." else head if head.endswith("/") else head + "/"


def _load_file(prefix: str, filename: str, key_permissions: bool,
               issuers: dict[bytes, Name]) -> CertFile | None:
    verdict = classify(filename)
    path = prefix + filename  # == gocompat.join(directory, filename): names hold no "/"
    if verdict is None:
        return None
    if isinstance(verdict, str):
        log.warning("bad filename %s: %s", path, verdict)
        return None
    kind, name = verdict
    entry = CertFile(kind, name, filename, path)
    entry.certs, entry.error = parse_file(path, filename, issuers)
    if entry.error:
        log.warning("could not parse certificate for %s: %s", path, entry.error)
    if not kind.is_ca and not entry.error:
        key_name = kind.key_file(name)
        entry.error = check_key_file(prefix + key_name, key_permissions)
        if entry.error:
            log.warning("error finding key for %s: %s", path, entry.error)
        else:
            entry.key_filename = key_name
    return entry


def parse_file(path: str, filename: str,
               issuers: dict[bytes, Name] | None = None) -> tuple[list[CertFields], str]:
    """Each certificate of a file, read as Go reads it, or the error cockroach's loader
    reports (every certificate must read, as in cockroach's loader)."""
    data = read_capped(path)
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
            certs.append(read(block.der, issuers))
        except Unreadable as exc:
            return [], f"failed to parse certificate {len(certs)} in file {filename}: {exc}"
    if not certs:
        return [], f"no certificates found in {filename}"
    return certs, ""


def read_capped(path: str) -> bytes | None:
    """File contents, b"" when unreadable (logged), None when over the size cap."""
    try:
        return read_regular(path)
    except TooLarge:
        return None
    except OSError as exc:  # read failures only count as empty, as in cockroach's loader
        log.warning("could not read certificate file %s: %s", path, errno_text(exc))
        return b""


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


def _check_whole(files: list[CertFile]) -> None:
    """Failures that abort the whole load, as cockroach's loader does."""
    for entry in files:
        if entry.kind.name_is_tenant_id and not (
            entry.name.isascii() and entry.name.isdigit() and int(entry.name) < 2**64
        ):
            raise CertError(f"invalid tenant id {entry.name}")
    node = next((f for f in files if f.kind is NODE), None)
    has_client_node = any(f.kind is CLIENT and f.name == "node" for f in files)
    if node is not None and node.error and not has_client_node:
        raise CertError(f"validating node cert: {node.error}", decorated=True)
