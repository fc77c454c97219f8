"""Getting a certs dir ready and installing planned files into it, all or nothing.

Every command that writes (create-*, sign-csr, export) checks the directory the way
cockroach does, then installs all of its files in one `files.commit` under the lock, so
a failed command leaves the directory as it found it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pycert.certdir import files
from pycert.certdir.loader import load_dir, parse_file
from pycert.certdir.passwords import Password
from pycert.errors import CertError
from pycert.gocompat import errno_text, join
from pycert.interrupt import installing
from pycert.kinds import Kind
from pycert.pki.reading import CertFields

if TYPE_CHECKING:
    from cryptography import x509


@dataclass(frozen=True)
class Target:
    """How to write: the certs dir, the CA key, where the files go and what may change."""

    certs_dir: str
    ca_key: str = ""
    out_dir: str = ""  # write the new files here instead of certs_dir
    overwrite: bool = False
    dry_run: bool = False  # check everything, write nothing
    pkcs8: bool = False  # also write a client key as `.pk8` (DER PKCS#8)
    key_permissions: bool = True  # False: COCKROACH_SKIP_KEY_PERMISSION_CHECK
    backup: bool = False  # keep each replaced file as `<name>.<UTC stamp>.bak`
    # Opens an encrypted CA key (bytes, or a way to ask); bytes also encrypt a new one.
    ca_key_password: Password = field(default=None, repr=False, compare=False)

    @property
    def directory(self) -> str:
        return self.out_dir or self.certs_dir


@dataclass
class Outcome:
    """What a command wrote (or, with dry_run, would write), for reports and manifests."""

    kind: Kind
    items: list[files.Planned]
    cert: x509.Certificate | None = None  # the certificate issued, for Python callers
    signer_path: str = ""
    signer: CertFields | None = None  # the CA certificate that signed it
    fields: CertFields | None = None  # `cert` as list, check and the records read it
    # path -> the certificate a written certificate file leads with, as issued or copied
    certs: dict[str, CertFields] = field(default_factory=dict, repr=False)
    # dry run: each file that would be replaced -> the certificate it leads with, if any
    existing: dict[str, CertFields | None] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"Outcome({self.kind.name}, {self.paths})"

    @property
    def paths(self) -> list[str]:
        """The files written (or, with dry_run, that would be), in writing order."""
        return [item.path for item in self.items]


def planned(kind: Kind, what: str, directory: str, filename: str, data: bytes,
            mode: int) -> files.Planned:
    """A file of `kind`, whose write error starts with the kind's cockroach text."""
    text = kind.texts.get(what) or f"error writing {kind.name} {what} to"  # e.g. a node's .pk8
    renew = f"pycert renew {kind.name}" + (f" {filename.split('.')[1]}" if kind.named else "")
    hint = "rerun with --overwrite to replace it" + (
        f", or renew the certificate from what it says: {renew}" if kind.renewable else "")
    return files.Planned(join(directory, filename), data, mode, text, exists_hint=hint)


def prepare_dir(certs_dir: str, *, key_permissions: bool = True) -> None:
    """Validates the certs dir and loads it as cockroach does; creation waits for commit."""
    if not certs_dir:
        raise CertError("the path to the certs directory is required")
    try:
        os.stat(certs_dir)
    except FileNotFoundError:
        parent = os.path.dirname(os.path.normpath(certs_dir)) or "."
        if not os.path.isdir(parent):
            raise CertError(
                f"could not create certs directory {certs_dir}: mkdir {certs_dir}: "
                "no such file or directory",
                hint=f"create its parent first: mkdir -p {parent}", decorated=True,
            ) from None
        return
    except OSError as exc:
        raise CertError(
            f"could not stat certs directory {certs_dir}: stat {certs_dir}: {errno_text(exc)}",
            decorated=True,
        ) from exc
    if not os.path.isdir(certs_dir):
        raise CertError(f"certs directory {certs_dir} exists but is not a directory")
    with files.dir_lock(certs_dir, shared=True):  # never see a pair half-installed
        load_dir(certs_dir, key_permissions=key_permissions)


@contextlib.contextmanager
def locked_dir(directory: str) -> Iterator[None]:
    """Creates the directory (0700) if needed, locks it, and removes it again on failure."""
    created = False
    if not os.path.isdir(directory):
        try:
            os.mkdir(directory, 0o700)
            created = True
        except FileExistsError:
            pass
        except OSError as exc:
            raise CertError(
                f"could not create certs directory {directory}: mkdir {directory}: "
                f"{errno_text(exc)}",
                decorated=True,
            ) from exc
    try:
        with files.dir_lock(directory):
            yield
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(directory)
        raise


def install(target: Target, build: Callable[[], list[files.Planned]]) -> list[str]:
    """Installs the files all-or-nothing; a dry run only checks that it could.

    Returns the backups written (`target.backup`), for reports.
    """
    if target.dry_run:
        files.precheck(build(), target.overwrite)
        return []
    directory = target.directory
    parent = os.path.dirname(os.path.normpath(directory))
    if target.out_dir and parent and not os.path.isdir(parent):
        try:
            os.makedirs(parent, 0o700)
        except OSError as exc:
            raise CertError(f"could not create output directory {parent}: {exc}") from exc
    with installing(), locked_dir(directory):  # Ctrl-C raises: a new directory is removed
        return files.commit(build(), overwrite=target.overwrite, backup=target.backup)


def note_existing(outcome: Outcome, target: Target) -> Outcome:
    """Dry run: notes the files that would be replaced and what they hold, for the diff."""
    if target.dry_run:
        for item in outcome.items:
            if os.path.lexists(item.path):
                found = parse_file(item.path, os.path.basename(item.path))[0] \
                    if item.path.endswith(".crt") else []
                outcome.existing[item.path] = found[0] if found else None
    return outcome


@contextlib.contextmanager
def failing_as(prefix: str) -> Iterator[None]:
    """Puts cockroach's `failed to generate … :` in front of an error, once."""
    try:
        yield
    except CertError as exc:
        if not exc.prefixed:
            raise
        raise exc.wrap(prefix, final=True) from exc
