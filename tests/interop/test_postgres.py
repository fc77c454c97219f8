"""PostgreSQL's `cert` auth (CN = user, the rule CockroachDB's SQL port follows) with psql."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import need_tool

from .conftest import need_ipv6, run
from .pgserver import Cluster


def psql(pg: Cluster, host: str, certs: Path, stem: str, user: str = "alice",
         ca: Path | None = None, hostaddr: str = "") -> tuple[int, str]:
    """`select current_user` through psql with sslmode=verify-full; returns (status, output)."""
    exe = need_tool("psql", "postgresql")
    dsn = (f"host={host} port={pg.port} dbname=postgres user={user} sslmode=verify-full "
           f"sslrootcert={ca or certs / 'ca.crt'} sslcert={certs / stem}.crt "
           f"sslkey={certs / stem}.key connect_timeout=10")
    if hostaddr:
        dsn += f" hostaddr={hostaddr}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    res = run([exe, "-X", "-w", "-tA", "-d", dsn, "-c", "select current_user"], env=env)
    return res.returncode, (res.stdout + res.stderr).strip()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1"])
def test_client_cert_logs_in_as_its_user(pg: Cluster, pg_pki: Path, host: str) -> None:
    if host == "::1":
        need_ipv6()
    code, out = psql(pg, host, pg_pki / "certs", "client.alice")
    assert (code, out) == (0, "alice")


def test_wildcard_san_matches_in_libpq(pg: Cluster, pg_pki: Path) -> None:
    code, out = psql(pg, "foo.local", pg_pki / "certs", "client.alice", hostaddr="127.0.0.1")
    assert (code, out) == (0, "alice")


def test_cert_for_another_user_is_refused(pg: Cluster, pg_pki: Path) -> None:
    code, out = psql(pg, "localhost", pg_pki / "certs", "client.bob", user="alice")
    assert code != 0
    assert 'certificate authentication failed for user "alice"' in out, out


def test_each_user_gets_only_its_own_role(pg: Cluster, pg_pki: Path) -> None:
    code, out = psql(pg, "127.0.0.1", pg_pki / "certs", "client.bob", user="bob")
    assert (code, out) == (0, "bob")


def test_cert_from_another_ca_is_refused(pg: Cluster, pg_pki: Path) -> None:
    code, out = psql(pg, "localhost", pg_pki / "other", "client.alice",
                     ca=pg_pki / "certs/ca.crt")
    assert code != 0
    assert "unknown ca" in out.lower() or "certificate verify failed" in out.lower(), out


def test_server_name_outside_sans_is_refused(pg: Cluster, pg_pki: Path) -> None:
    code, out = psql(pg, "db.example.com", pg_pki / "certs", "client.alice",
                     hostaddr="127.0.0.1")
    assert code != 0
    assert "does not match host name" in out, out
