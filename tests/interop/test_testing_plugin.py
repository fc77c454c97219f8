"""The pytest plugin's certificates work with real peers: PostgreSQL `cert` auth and Go's
crypto/tls. Each check is a small test file run by a real pytest with the plugin loaded
(`-p pycert.testing`, or `pytest_plugins` in the module), reusing the suite's peers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import IN_CI, need_tool

from .conftest import HERE
from .gopeer import Peer

POSTGRES_TEST = '''
from interop.pgserver import cluster
from interop.test_postgres import psql


def test_postgres_logs_in_with_fixture_certs(cockroach_certs_dir, cockroach_issue):
    certs = cockroach_certs_dir
    cockroach_issue.client("alice")
    with cluster(certs, ["root", "alice"]) as pg:
        assert psql(pg, "localhost", certs, "client.root", user="root") == (0, "root")
        assert psql(pg, "127.0.0.1", certs, "client.alice", user="alice") == (0, "alice")
        code, out = psql(pg, "localhost", certs, "client.root", user="alice")
        assert code != 0 and 'certificate authentication failed for user "alice"' in out, out
'''

GO_TEST = '''
import os
from pathlib import Path

from interop.gopeer import Peer

pytest_plugins = ["pycert.testing"]


def test_go_tls_handshakes_with_fixture_certs(cockroach_certs_dir, cockroach_issue, tmp_path):
    peer, certs = Peer(Path(os.environ["PYCERT_TLSPEER"])), cockroach_certs_dir
    ca = certs / "ca.crt"
    alice = cockroach_issue.client("alice")
    tenant = cockroach_issue.tenant_client(10)
    with peer.server(certs, tmp_path / "server.log") as server:
        for name in ("localhost", "127.0.0.1"):
            assert peer.client(server.addr, name, ca, certs / "client.root.crt",
                               certs / "client.root.key") == (True, "OK root")
        assert peer.client(server.addr, "localhost", ca, alice.cert, alice.key) == (
            True, "OK alice")
        assert peer.client(server.addr, "localhost", ca, tenant.cert, tenant.key) == (
            True, "OK 10")
        ok, out = peer.client(server.addr, "db.test", ca, alice.cert, alice.key)
        assert not ok and "certificate is valid for" in out, out
    node = cockroach_issue.node("db.test", "127.0.0.1")
    with peer.server(certs, tmp_path / "server2.log") as server:
        assert peer.client(server.addr, "db.test", ca, alice.cert, alice.key) == (
            True, "OK alice")
        ok, out = peer.client(server.addr, "localhost", ca, alice.cert, alice.key)
        assert not ok, out
    assert node.cert == certs / "node.crt"
'''


def run_inner(tmp_path: Path, name: str, code: str, *args: str,
              env: dict[str, str] | None = None) -> None:
    """Runs one test file under a real pytest with the interop helpers importable; it must
    pass (a skip for a missing peer skips here too, and fails under CI=true)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / name).write_text(code)
    full_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("COCKROACH_", "PYTEST_"))}
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(HERE.parent), *filter(None, [os.environ.get("PYTHONPATH")])])
    full_env.update(env or {})
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                          *args, name], cwd=tmp_path, env=full_env, capture_output=True,
                         text=True, timeout=600)
    out = res.stdout + res.stderr
    skipped = re.search(r"^SKIPPED \[\d+\] (.*)$", res.stdout, re.MULTILINE)
    if skipped and not IN_CI:
        pytest.skip(skipped.group(1))
    assert res.returncode == 0, out
    assert re.search(r"\b1 passed\b", res.stdout) and not skipped, out


def test_postgres_accepts_plugin_made_client_certs(tmp_path: Path) -> None:
    need_tool("psql", "postgresql")
    run_inner(tmp_path, "test_plugin_postgres.py", POSTGRES_TEST, "-p", "pycert.testing")


def test_go_crypto_tls_accepts_plugin_made_node_and_client_certs(tmp_path: Path,
                                                                peer: Peer) -> None:
    run_inner(tmp_path, "test_plugin_go.py", GO_TEST,
              env={"PYCERT_TLSPEER": str(peer.binary)})
