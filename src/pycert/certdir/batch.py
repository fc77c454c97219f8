"""`create-nodes --from FILE`: read a node list, issue one directory per node.

Every row is checked (name, hosts) before the first certificate is issued, so a typo in
row 40 does not leave 39 directories behind; keys are made on every core, and all the
nodes' files are installed together or not at all (`install_all`).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from pycert import log
from pycert.certdir import files
from pycert.certdir.files import read_text_file
from pycert.certdir.install import Outcome, Target, failing_as, note_existing, planned, prepare_dir
from pycert.certdir.signers import ca_copies, load_ca, signer_path
from pycert.certdir.staging import install_all
from pycert.errors import CertError
from pycert.gocompat import join
from pycert.hosts import clean_hosts
from pycert.kinds import NODE
from pycert.pki import keys
from pycert.pki.authority import CA, Issued
from pycert.pki.keys import PrivateKey
from pycert.pki.reading import CertFields
from pycert.pki.specs import LeafSpec

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")


@dataclass
class Row:
    name: str
    hosts: list[str]


def read_rows(path: str) -> list[Row]:
    """CSV (`name,host,host…`, `#` comments, optional `name,…` header) or a JSON list."""
    text = read_text_file(path, "node list")
    rows = _json_rows(path, text) if text.lstrip().startswith(("[", "{")) else _csv_rows(text)
    if not rows:
        raise CertError(f"node list {path} names no nodes")
    _check(path, rows)
    return rows


def _csv_rows(text: str) -> list[Row]:
    rows: list[Row] = []
    for cells in csv.reader(text.splitlines()):
        cells = [c.strip() for c in cells]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if not rows and cells[0].lower() == "name":
            continue  # header
        rows.append(Row(cells[0], [h for c in cells[1:] for h in c.split()]))
    return rows


def _json_rows(path: str, text: str) -> list[Row]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CertError(f"could not parse node list {path}: {exc}") from None
    if isinstance(data, dict):
        data = data.get("nodes")
    ok = isinstance(data, list) and all(
        isinstance(d, dict) and isinstance(d.get("name"), str) and isinstance(d.get("hosts"), list)
        and all(isinstance(h, str) for h in d["hosts"]) for d in data)
    if not ok:
        raise CertError(f'node list {path}: want [{{"name": "...", "hosts": ["...", ...]}}, ...]')
    return [Row(d["name"], list(d["hosts"])) for d in data]


def _check(path: str, rows: list[Row]) -> None:
    seen: set[str] = set()
    for i, row in enumerate(rows, 1):
        where = _where(path, i, row)
        if not _NAME.fullmatch(row.name):
            raise CertError(f"{where}: a node name must be letters, digits, '.', '_' or '-' "
                            "(it names the node's directory)")
        if row.name in seen:
            raise CertError(f"{where}: duplicate node name")
        seen.add(row.name)
        if not row.hosts:
            raise CertError(f"{where}: no hosts")
        try:
            clean_hosts(row.hosts)
        except CertError as exc:
            raise exc.wrap(where) from None


def issue_all(spec: LeafSpec, target: Target, rows: list[Row], base: str,
              progress: Callable[[int, Row], None], source: str = "") -> list[Outcome]:
    """`create-node --out-dir=<base>/<name>` for every row: keys made on every core,
    everything installed in one all-or-nothing commit; outcomes in row order."""
    if not target.overwrite:  # refuse before the first key, not half-way through the list
        for row in rows:
            for name in (NODE.cert_file(), NODE.key_file()):
                path = os.path.join(base, row.name, name)
                if os.path.lexists(path):
                    raise CertError(f"{path} exists; rerun with --overwrite to replace it")
    with failing_as(NODE.texts["failed"]), _KeyMaker(spec, len(rows)) as made:
        prepare_dir(target.certs_dir, key_permissions=target.key_permissions)
        signer_kind, signer = signer_path(NODE, target.certs_dir)
        ca = load_ca(signer_kind, signer, target.ca_key, target.ca_key_password)
        issued = [_sign(ca, spec, row, made.key(i), _where(source, i + 1, row), progress, i)
                  for i, row in enumerate(rows)]
    outcomes = [_outcome(target, one, join(base, row.name), signer, ca)
                for row, one in zip(rows, issued)]
    if target.dry_run:
        files.precheck([i for o in outcomes for i in o.items], target.overwrite)
        return [note_existing(o, target) for o in outcomes]
    with failing_as(NODE.texts["failed"]):
        install_all(base, [row.name for row in rows],
                    lambda where: [i for row, one in zip(rows, issued)
                                   for i in _items(target, one, join(where, row.name))[0]],
                    target.overwrite)
    own = ("log cert", "log key", "log pk8") if target.pkcs8 else ("log cert", "log key")
    for outcome in outcomes:
        for what, item in zip(own, outcome.items):
            log.info("%s %s", NODE.texts[what], item.path)  # cockroach's INFO wording
    return outcomes


class _KeyMaker:
    """One key per node, made by a thread per core: OpenSSL releases the interpreter lock
    while it searches for primes, so the CA is loaded and each node signed meanwhile."""

    def __init__(self, spec: LeafSpec, count: int) -> None:
        # lazy: concurrent.futures imports logging, ~15 ms that only create-nodes needs
        from concurrent.futures import Future, ThreadPoolExecutor

        self.pool = ThreadPoolExecutor(max(1, min(count, os.cpu_count() or 1)),
                                       thread_name_prefix="pycert-key")
        self.futures: list[Future[PrivateKey]] = [self.pool.submit(keys.generate, spec.key)
                                                  for _ in range(count)]

    def __enter__(self) -> _KeyMaker:
        return self

    def key(self, i: int) -> PrivateKey:
        try:
            return self.futures[i].result()
        except ValueError as exc:
            raise CertError(f"{NODE.texts['keygen']}: {exc}") from exc

    def __exit__(self, *exc: object) -> None:
        for future in self.futures:
            future.cancel()  # a failed batch does not wait for keys nobody will use
        self.pool.shutdown(wait=True)


def _sign(ca: CA, spec: LeafSpec, row: Row, key: PrivateKey, where: str,
          progress: Callable[[int, Row], None], i: int) -> Issued:
    try:
        issued = ca.issue(dataclasses.replace(spec, hosts=tuple(row.hosts)), key=key)
    except CertError as exc:
        raise exc.wrap(where) from exc
    for warning in issued.warnings:
        log.warning("%s", warning)
    progress(i, row)
    return issued


def _items(target: Target, issued: Issued,
           directory: str) -> tuple[list[files.Planned], dict[str, CertFields]]:
    """The files of one node directory, as `create-node --out-dir` writes them, and the
    certificate each certificate file leads with."""
    items = [planned(NODE, "cert", directory, NODE.cert_file(), issued.cert_pem, 0o644),
             planned(NODE, "key", directory, NODE.key_file(), issued.key_pem, 0o600)]
    if target.pkcs8:
        items.append(planned(NODE, "pk8", directory, NODE.key_file() + ".pk8",
                             issued.key_pkcs8, 0o600))
    copies, copied = ca_copies(NODE, target.certs_dir, directory)
    return items + copies, {items[0].path: issued.fields, **copied}


def _outcome(target: Target, issued: Issued, directory: str, signer: str, ca: CA) -> Outcome:
    items, certs = _items(target, issued, directory)
    return Outcome(NODE, items, issued.cert, signer, ca.fields, issued.fields, certs)


def _where(source: str, number: int, row: Row) -> str:
    return f"node list {source}, node {number} ({row.name!r})"
