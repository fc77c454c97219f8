"""pgjdbc, the Java driver, logs in with the PKCS#8 key made by --also-generate-pkcs8-key."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest

from conftest import IN_CI, need_tool

from .conftest import HERE, run
from .pgserver import Cluster

JAR = Path(os.environ.get("PYCERT_PGJDBC_JAR", "/usr/share/java/postgresql.jar"))


@pytest.fixture(scope="session")
def jdbc_check(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Compiles JdbcCheck.java once; returns the java command line that runs it."""
    javac, java = need_tool("javac", "default-jdk-headless"), need_tool("java",
                                                                        "default-jdk-headless")
    if not JAR.is_file():
        message = f"{JAR} missing: apt-get install libpostgresql-jdbc-java"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    out = tmp_path_factory.mktemp("java")
    res = run([javac, "-d", str(out), "-cp", str(JAR), str(HERE / "java/JdbcCheck.java")],
              timeout=120)
    assert res.returncode == 0, res.stderr
    return [java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", f"{out}:{JAR}",
            "JdbcCheck"]


def connect(cmd: list[str], pg: Cluster, host: str, certs: Path, stem: str,
            user: str = "alice", key_ext: str = "key.pk8") -> tuple[int, str]:
    """One JDBC login with sslmode=verify-full; returns (status, current_user or error)."""
    query = urlencode({"user": user, "sslmode": "verify-full",
                       "sslcert": f"{certs / stem}.crt", "sslkey": f"{certs / stem}.{key_ext}",
                       "sslrootcert": str(certs / "ca.crt"), "connectTimeout": "10"})
    url = f"jdbc:postgresql://{host}:{pg.port}/postgres?{query}"
    res = run([*cmd, url], timeout=60)
    return res.returncode, (res.stdout + res.stderr).strip()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_pkcs8_key_logs_in_with_verify_full(jdbc_check: list[str], pg: Cluster,
                                            pg_pki: Path, host: str) -> None:
    code, out = connect(jdbc_check, pg, host, pg_pki / "certs", "client.alice")
    assert (code, out) == (0, "alice")


def test_cert_for_another_user_is_refused(jdbc_check: list[str], pg: Cluster,
                                          pg_pki: Path) -> None:
    code, out = connect(jdbc_check, pg, "localhost", pg_pki / "certs", "client.alice",
                        user="bob")
    assert code != 0
    assert 'certificate authentication failed for user "bob"' in out, out
