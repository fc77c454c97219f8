"""Checked certs directories as Prometheus metric families: CockroachDB's own certificate
gauges, named and valued as a node exports them, then pycert's. Pure: no I/O.

A node reports what it has loaded; this reports what the directory holds, every client
certificate included (docs/metrics.md says where the two differ and why).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, Union

from pycert.certdir.check import EXIT_USAGE, Result
from pycert.certdir.records import Record
from pycert.kinds import BY_NAME, Kind

Labels = tuple[tuple[str, str], ...]
NODE_CLIENT_USER = "node"  # client.node.crt: the node's own client certificate
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)
Sample = tuple[Labels, float]  # one series: its labels, (name, value) in order, and value


@dataclass
class Family:
    """A metric family: one name, HELP and TYPE, and all of its samples."""

    name: str
    help: str
    samples: list[Sample] = field(default_factory=list)
    type: str = "gauge"


@dataclass(frozen=True)
class Unchecked:
    """A certs dir `check` could not read at all (missing, not a directory, unreadable)."""

    certs_dir: str
    error: str
    checked_at: dt.datetime

    @property
    def exit_code(self) -> int:
        return EXIT_USAGE


Checked = Union[Result, Unchecked]


class _Gauge(NamedTuple):
    """A cockroach certificate gauge: its name segment, the kind and (for node-client) the
    name of the file it reads, its HELP noun; `label` names the per-file label of the
    families a node fills per user or tenant (one series per file here)."""

    segment: str
    kind: Kind
    noun: str
    name: str = ""
    label: str = ""


# pkg/security/certificate_metrics.go: the order, names and HELP nouns of a node's gauges.
GAUGES = (
    _Gauge("ca", BY_NAME["ca"], "CA"),
    _Gauge("client_ca", BY_NAME["client-ca"], "client CA"),
    _Gauge("ui_ca", BY_NAME["ui-ca"], "UI CA"),
    _Gauge("node", BY_NAME["node"], "node"),
    _Gauge("node_client", BY_NAME["client"], "node's client", name=NODE_CLIENT_USER),
    _Gauge("ui", BY_NAME["ui"], "UI"),
    _Gauge("ca_client_tenant", BY_NAME["tenant-client-ca"], "Tenant Client CA"),
    _Gauge("client_tenant", BY_NAME["tenant-client"], "Tenant Client", label="tenant_id"),
    _Gauge("client", BY_NAME["client"], "client", label="sql_user"),
)
_EXPIRATION_HELP = "Expiration for the {} certificate. 0 means no certificate or error."
_TTL_HELP = ("Seconds till expiration for the {} certificate. 0 means expired, no certificate "
             "or error.")
_CLIENT_HELP = {  # cockroach's words for its per-user families, the trailing space its own
    "expiration": "Minimum expiration for client certificates, labeled by SQL user. 0 means "
                  "no certificate or error. ",
    "ttl": "Seconds till expiration for the client certificates, labeled by SQL user. 0 "
           "means expired, no certificate or error.",
}
PYCERT_FAMILIES = (
    ("pycert_certificate_not_before_timestamp_seconds",
     "NotBefore of each certificate in the certs dir (every certificate of a bundle), "
     "in Unix seconds."),
    ("pycert_certificate_not_after_timestamp_seconds",
     "NotAfter of each certificate in the certs dir (every certificate of a bundle), "
     "in Unix seconds."),
    ("pycert_check_problems",
     "Problems pycert check found in the certs dir, by rule and severity (fail, warn, info)."),
    ("pycert_check_exit_code",
     "Exit code of pycert check on the certs dir: 0 good, 1 warnings, 2 failures, "
     "3 missing or unreadable."),
    ("pycert_metrics_generated_timestamp_seconds",
     "When pycert metrics read the certs dir, in Unix seconds."),
)


def families(checks: Iterable[Checked]) -> list[Family]:
    """Every family, each with the series of every checked dir, in the given order; a
    `certs_dir` given twice is a ValueError (its series would repeat)."""
    expiration = [Family(f"security_certificate_expiration_{g.segment}",
                         _CLIENT_HELP["expiration"] if g.label == "sql_user"
                         else _EXPIRATION_HELP.format(g.noun)) for g in GAUGES]
    ttl = [Family(f"security_certificate_ttl_{g.segment}",
                  _CLIENT_HELP["ttl"] if g.label == "sql_user" else _TTL_HELP.format(g.noun))
           for g in GAUGES]
    own = [Family(name, text) for name, text in PYCERT_FAMILIES]
    seen: set[str] = set()
    for check in checks:
        if check.certs_dir in seen:
            raise ValueError(f"certs dir {check.certs_dir!r} given twice")
        seen.add(check.certs_dir)
        records = check.records if isinstance(check, Result) else []
        now_us = (check.checked_at - _EPOCH) // _MICROSECOND
        _cockroach_series(check.certs_dir, records, now_us, expiration, ttl)
        _pycert_series(check, records, now_us, own)
    return expiration + ttl + own


def _cockroach_series(certs_dir: str, records: list[Record], now_us: int,
                      expiration: list[Family], ttl: list[Family]) -> None:
    """A node's gauges, from the first certificate of each file (as its loader reads)."""
    where = (("certs_dir", certs_dir),)
    firsts = {(r.kind, r.name): r for r in records if not r.index}
    for gauge, exp_family, ttl_family in zip(GAUGES, expiration, ttl):
        chosen: list[tuple[Labels, Record | None]]
        if gauge.label:  # a series per file of the kind, labelled by its user or tenant
            chosen = [((*where, (gauge.label, name)), record)
                      for (kind, name), record in firsts.items() if kind is gauge.kind]
        else:
            chosen = [(where, firsts.get((gauge.kind, gauge.name)))]
        for labels, record in chosen:
            expires = expiry(record)
            exp_family.samples.append((labels, expires))
            ttl_family.samples.append((labels, seconds_left(expires, now_us)))


def _pycert_series(check: Checked, records: list[Record], now_us: int,
                   own: list[Family]) -> None:
    """Every certificate's dates, the problems by rule and severity, the exit code, when."""
    not_before, not_after, problems, exit_code, generated = own
    where = (("certs_dir", check.certs_dir),)
    for record in records:
        cert = record.cert
        if cert is not None and record.kind is not None:
            labels = (*where, ("file", record.file), ("index", str(record.index)),
                      ("kind", record.kind.name), ("name", record.name),
                      ("serial", cert.serial_hex))
            not_before.samples.append((labels, unix_seconds(cert.not_before)))
            not_after.samples.append((labels, unix_seconds(cert.not_after)))
    if isinstance(check, Result):
        counts = Counter((p.check, p.severity) for p in check.problems)
        problems.samples += [((*where, ("rule", rule), ("severity", severity)), n)
                             for (rule, severity), n in sorted(counts.items())]
    exit_code.samples.append((where, check.exit_code))
    generated.samples.append((where, now_us / 1e6))


def expiry(record: Record | None) -> int:
    """cockroach's expiration gauge: the first certificate's NotAfter in whole Unix
    seconds (expired or not); 0 for a missing file or one in error (its key included)."""
    if record is None or record.error or record.cert is None:
        return 0
    return unix_seconds(record.cert.not_after)


def seconds_left(expires: int, now_us: int) -> int:
    """cockroach's ttl gauge: whole seconds from now to `expires`, 0 once expired (or when
    `expires` is 0: no certificate or an error)."""
    return 0 if not expires else max(0, (expires * 1_000_000 - now_us) // 1_000_000)


def unix_seconds(when: dt.datetime) -> int:
    """Go's Time.Unix(): whole seconds since 1970, rounded down (an aware datetime)."""
    return math.floor(when.timestamp())

