"""Installing the files of many directories under one parent, all of them or none.

`create-nodes` writes one directory per node. Every file goes in through one
`files.commit` with every directory locked, so an error or Ctrl-C leaves nothing. When
the parent directory is new, it is built aside under a temporary name and renamed into
place in one step: even a SIGKILL then leaves either every node or no directory at all.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
from collections.abc import Callable

from pycert.certdir import files, ledger
from pycert.certdir.install import locked_dir
from pycert.errors import CertError
from pycert.gocompat import errno_text, join
from pycert.interrupt import installing

Build = Callable[[str], list[files.Planned]]  # the parent's path -> every file below it
# `.<parent name>.pycert-tmp.<pid>.<8 hex>`: only directories of exactly this shape
_STAGE_RE = re.compile(r"\..+" + re.escape(files.TEMP_MARK) + r"\.(\d+)\.[0-9a-f]{8}")


def install_all(base: str, subdirs: list[str], build: Build, overwrite: bool,
                record: ledger.Recording | None = None) -> None:
    """Installs build(base), the files of `base/<subdir>` for every subdir, and records
    the certificates of `record` in its ledger in the same commit."""
    parent = os.path.dirname(os.path.normpath(base)) or "."
    if not os.path.isdir(parent):
        try:
            os.makedirs(parent, 0o700)
        except OSError as exc:
            raise CertError(f"could not create output directory {parent}: {exc}") from exc
    clean_stale_stages(parent)
    if os.path.lexists(base):
        _commit(base, subdirs, build, overwrite, record)
        return
    stage = join(parent, f".{os.path.basename(os.path.normpath(base))}{files.TEMP_MARK}."
                         f"{os.getpid()}.{os.urandom(4).hex()}")
    with installing():  # Ctrl-C raises inside, so the stage is removed below
        try:
            os.mkdir(stage, 0o700)
        except OSError as exc:
            raise CertError(f"could not create output directory {base}: {exc}") from exc
        try:
            _commit(stage, subdirs, build, False, record)
            os.rename(stage, base)  # the one step that makes every node appear at once
        except OSError as exc:
            shutil.rmtree(stage, ignore_errors=True)
            raise CertError(f"could not create output directory {base}: "
                            f"{errno_text(exc)}") from exc
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
    files.fsync_dir(parent)


def _commit(base: str, subdirs: list[str], build: Build, overwrite: bool,
            record: ledger.Recording | None) -> None:
    """One commit of every file, each directory created (0700) and locked first, the
    ledger's last (see ledger.held)."""
    with contextlib.ExitStack() as locks:
        dirs = [join(base, name) for name in subdirs]
        for directory in dirs:
            locks.enter_context(locked_dir(directory))
        recorded = locks.enter_context(ledger.held(record, dirs))
        files.commit(recorded + build(base), overwrite=overwrite)


def clean_stale_stages(parent: str) -> None:
    """Removes directories staged by pycert processes that died (SIGKILL, power loss)."""
    with contextlib.suppress(OSError):
        for name in os.listdir(parent):
            match = _STAGE_RE.fullmatch(name)
            if match is None or files.owner_alive(int(match.group(1))):
                continue
            path = join(parent, name)
            with contextlib.suppress(OSError):
                if stat.S_ISDIR(os.lstat(path).st_mode):
                    shutil.rmtree(path)
