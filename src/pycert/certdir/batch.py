"""`create-nodes --from FILE`: read a node list, issue one directory per node.

Every row is checked (name, hosts) before the first certificate is issued, so a typo in
row 40 does not leave 39 directories behind.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from pycert.certdir.files import read_text_file
from pycert.certdir.install import Outcome, Target
from pycert.certdir.issue import create_leaf
from pycert.errors import CertError
from pycert.hosts import clean_hosts
from pycert.kinds import NODE
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
        where = f"node list {path}, node {i} ({row.name!r})"
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
              progress: Callable[[int, Row], None]) -> list[Outcome]:
    """One `create-node --out-dir=<base>/<name>` per row, in order."""
    if not target.dry_run and not os.path.isdir(base):
        try:
            os.makedirs(base, 0o700)
        except OSError as exc:
            raise CertError(f"could not create output directory {base}: {exc}") from exc
    if not target.overwrite:  # refuse before the first node, not half-way through the list
        for row in rows:
            for name in (NODE.cert_file(), NODE.key_file()):
                path = os.path.join(base, row.name, name)
                if os.path.lexists(path):
                    raise CertError(f"{path} exists; rerun with --overwrite to replace it")
    out = []
    for i, row in enumerate(rows):
        progress(i, row)
        one = dataclasses.replace(target, out_dir=os.path.join(base, row.name))
        out.append(create_leaf(dataclasses.replace(spec, hosts=tuple(row.hosts)), one))
    return out
