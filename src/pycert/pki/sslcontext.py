"""Certificates and keys handed to Python's `ssl` without writing them anywhere a person
or another process could find them.

`ssl.SSLContext.load_verify_locations` takes PEM text, but `load_cert_chain` only takes
file names: on Linux the chain goes through an anonymous in-memory file (memfd, never on
disk, gone when closed); elsewhere through a private temporary directory, removed at once.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl  # the caller's context: pycert itself never loads ssl (~18 ms)


def trust(ctx: ssl.SSLContext, cert_pem: bytes) -> None:
    """`ctx` verifies peers against this CA certificate."""
    ctx.load_verify_locations(cadata=cert_pem.decode("ascii"))


def present(ctx: ssl.SSLContext, chain_pem: bytes) -> None:
    """`ctx` presents this certificate (and key) to its peers: `chain_pem` holds both."""
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("pycert-chain", os.MFD_CLOEXEC)
        try:
            _write_all(fd, chain_pem)
            ctx.load_cert_chain(f"/proc/self/fd/{fd}")
        finally:
            os.close(fd)
        return
    import tempfile  # lazy: ~4 ms of every command's start-up, and only non-Linux needs it

    with tempfile.TemporaryDirectory() as private:  # 0700: only this user can look in
        path = os.path.join(private, "chain.pem")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_all(fd, chain_pem)
        finally:
            os.close(fd)
        ctx.load_cert_chain(path)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
