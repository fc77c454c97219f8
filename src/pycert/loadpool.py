"""Loading a large certs directory on several cores, with the output of a serial load.

Reading and parsing 10,000 certificates is CPU-bound Python; forked workers each take a
contiguous slice of the sorted names. Their log records come back with their results and
are emitted by the parent in name order, so stderr is the same as a serial load's.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import TYPE_CHECKING

from pycert.kinds import BY_NAME

if TYPE_CHECKING:
    from pycert.loader import CertFile

MIN_FILES = 2000  # below this, starting workers costs more than it saves
MAX_WORKERS = 4  # past this the parent's unpickling is the bottleneck
Row = tuple[str, str, str, str, list[bytes], str, str]  # a CertFile, its kind by name
_records: list[logging.LogRecord] = []


def workers_for(count: int) -> int:
    """How many processes to load `count` files with; 1 = load in this process."""
    if count < MIN_FILES or not hasattr(os, "fork") or threading.active_count() > 1:
        return 1  # fork() with other threads running (e.g. a key being generated) is unsafe
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


def load_parallel(prefix: str, names: list[str], workers: int) -> list[CertFile | None]:
    """`[_load_file(prefix, n) for n in names]`, computed by `workers` forked processes."""
    import multiprocessing

    from pycert.loader import CertFile

    size = -(-len(names) // (workers * 4))  # a few slices per worker evens out the load
    slices = [(prefix, names[i : i + size]) for i in range(0, len(names), size)]
    out: list[CertFile | None] = []
    logger = logging.getLogger("pycert")
    with multiprocessing.get_context("fork").Pool(workers, initializer=_capture) as pool:
        for rows, records in pool.imap(_load_slice, slices):
            for record in records:
                record.process = os.getpid()  # as if logged here, which is what it replaces
                logger.handle(record)
            out += [None if r is None else CertFile(BY_NAME[r[0]], *r[1:]) for r in rows]
    return out


def _capture() -> None:
    """In a worker: keep log records for the parent instead of writing them."""
    logger = logging.getLogger("pycert")
    handler = logging.Handler()
    handler.emit = _records.append  # type: ignore[method-assign,assignment]
    logger.handlers[:] = [handler]


def _load_slice(job: tuple[str, list[str]]) -> tuple[list[Row | None], list[logging.LogRecord]]:
    from pycert.loader import _load_file

    prefix, names = job
    rows: list[Row | None] = []
    for name in names:
        entry = _load_file(prefix, name)
        rows.append(None if entry is None else (
            entry.kind.name, entry.name, entry.filename, entry.path, entry.ders,
            entry.key_filename, entry.error))
    records = _records[:]
    _records.clear()
    return rows, records
