"""The opt-in pytest plugin `pycert.testing`, run for real in a pytest subprocess."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

INNER = '''
import os
import stat
import subprocess
import sys

from cryptography.hazmat.primitives.asymmetric import ec, rsa

SEEN = []


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_layout(cockroach_certs_dir, cockroach_ca_key, cockroach_ca):
    SEEN.append(cockroach_certs_dir)
    files = {p.name: mode(p) for p in cockroach_certs_dir.iterdir()}
    assert files == {"ca.crt": 0o644, "node.crt": 0o644, "node.key": 0o600,
                     "client.root.crt": 0o644, "client.root.key": 0o600,
                     "client.root.key.pk8": 0o600}
    assert cockroach_ca_key.is_file() and mode(cockroach_ca_key) == 0o600
    assert cockroach_certs_dir not in cockroach_ca_key.parents
    assert isinstance(cockroach_ca.key, KEY_CLASS)
    res = subprocess.run([sys.executable, "-m", "pycert", "check", "--host=localhost",
                          "--host=127.0.0.1", "--host=::1",
                          f"--certs-dir={cockroach_certs_dir}"], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout
    (cockroach_certs_dir / "node.key").unlink()  # a test may spoil its own directory


def test_fresh_dir_per_test(cockroach_certs_dir):
    assert SEEN and SEEN[0] != cockroach_certs_dir
    assert (cockroach_certs_dir / "node.key").exists()


def test_issue_more(cockroach_certs_dir, cockroach_issue, cockroach_ca_key):
    alice = cockroach_issue.client("alice")
    assert (alice.cert.name, alice.key.name, alice.pk8.name) == (
        "client.alice.crt", "client.alice.key", "client.alice.key.pk8")
    assert mode(alice.key) == mode(alice.pk8) == 0o600
    bob = cockroach_issue.client("bob", pkcs8=False, tenant_scope=[4])
    assert bob.pk8 is None and not (cockroach_certs_dir / "client.bob.key.pk8").exists()
    old = (cockroach_certs_dir / "node.crt").read_bytes()
    node = cockroach_issue.node("db.test")
    assert node.cert == cockroach_certs_dir / "node.crt" and node.cert.read_bytes() != old
    tenant = cockroach_issue.tenant_client(9)
    assert tenant.cert.name == "client-tenant.9.crt"
    assert cockroach_issue.ca_key == cockroach_ca_key
    res = subprocess.run([sys.executable, "-m", "pycert", "check", "--host=db.test",
                          f"--certs-dir={cockroach_certs_dir}"], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout
    # The CLI can issue into the same directory with the fixture's CA key.
    res = subprocess.run([sys.executable, "-m", "pycert", "create-client", "carol",
                          f"--certs-dir={cockroach_certs_dir}", f"--ca-key={cockroach_ca_key}"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
'''


def run_inner(tmp_path: Path, ini: str = "", *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "pytest.ini").write_text(f"[pytest]\n{ini}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKROACH_", "PYTEST_"))}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *args, "test_inner.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


def test_fixtures_with_the_default_rsa_keys(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(INNER + "KEY_CLASS = rsa.RSAPrivateKey\n")
    res = run_inner(tmp_path, "", "-p", "pycert.testing")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "3 passed" in res.stdout


def test_ini_key_type_and_pytest_plugins_in_conftest(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["pycert.testing"]\n')
    (tmp_path / "test_inner.py").write_text(INNER + "KEY_CLASS = ec.EllipticCurvePrivateKey\n")
    res = run_inner(tmp_path, "pycert_key_type = ecdsa\n")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "3 passed" in res.stdout


def test_a_bad_key_type_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text("def test_x(cockroach_ca):\n    pass\n")
    res = run_inner(tmp_path, "pycert_key_type = dsa\n", "-p", "pycert.testing")
    assert res.returncode != 0
    assert "pycert_key_type = dsa: expected one of rsa, ecdsa, ed25519" in res.stdout + res.stderr


def test_the_plugin_is_opt_in(tmp_path: Path) -> None:
    found = importlib.metadata.entry_points()  # Python 3.9 has no group= argument yet
    eps = found.select(group="pytest11") if hasattr(found, "select") else \
        found.get("pytest11", [])  # type: ignore[attr-defined]
    assert not [ep for ep in eps if ep.value.startswith("pycert")]
    (tmp_path / "test_inner.py").write_text("def test_x(cockroach_ca):\n    pass\n")
    res = run_inner(tmp_path)
    assert res.returncode != 0 and "fixture 'cockroach_ca' not found" in res.stdout
