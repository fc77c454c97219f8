"""CockroachDB's own test-cert generator scripts (regenerate.sh, see
tests/data/README-fixtures.md) run unchanged through a `cockroach` symlink to pycert."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509

from conftest import need_tool

# The `cockroach` lines of two generations of
# pkg/security/securitytest/test_certs/regenerate.sh, as upstream wrote them.
REGENERATE_2021 = """
./cockroach cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca.key" create-ca
./cockroach cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca.key" create-node 127.0.0.1 ::1 localhost *.local tenant-10 tenant-11 tenant-20
./cockroach cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca.key" create-client root
./cockroach cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca.key" create-client testuser
./cockroach cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca.key" create-client testuser2
./cockroach mt cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca-client-tenant.key" create-tenant-client-ca
for id in 10 11 20; do
./cockroach mt cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca-client-tenant.key" create-tenant-client "${id}"
done
"""  # noqa: E501
REGENERATE_NEWEST = """
./cockroach cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca.key" create-ca
./cockroach cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca.key" create-node 127.0.0.1 ::1 localhost *.local
./cockroach cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca.key" create-client root --tenant-scope 1,10,11,20
./cockroach cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca.key" create-client testuser --tenant-scope 1,10,11,20
./cockroach cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca.key" create-client testuser2 --tenant-scope 1,10,11,20
./cockroach mt cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca-client-tenant.key" create-tenant-client-ca
for id in 10 11 20; do
./cockroach mt cert --certs-dir="${dir_n}" --ca-key="${dir_n}/ca-client-tenant.key" create-tenant-client "${id}" 127.0.0.1 ::1 localhost *.local
./cockroach mt cert --certs-dir="${dir_n}" create-tenant-signing "${id}"
done
"""  # noqa: E501


def run_script(tmp_path: Path, body: str) -> tuple[Path, str]:
    sh = need_tool("sh", "dash")
    link = tmp_path / "cockroach"
    link.symlink_to(Path(sys.executable).parent / "pycert")
    (tmp_path / "pkg/security/securitytest").mkdir(parents=True)
    script = tmp_path / "regenerate.sh"
    script.write_text('set -eu\ndir_n="pkg/security/securitytest/test_certs"\n' + body)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    proc = subprocess.run([sh, str(script)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return tmp_path / "pkg/security/securitytest/test_certs", proc.stderr


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def sans(cert: x509.Certificate) -> list[str]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(v.value) for v in ext]


def check_common(certs: Path) -> None:
    ca, tenant_ca = load(certs / "ca.crt"), load(certs / "ca-client-tenant.crt")
    for name in ("node", "client.root", "client.testuser", "client.testuser2"):
        load(certs / f"{name}.crt").verify_directly_issued_by(ca)
        assert (certs / f"{name}.key").stat().st_mode & 0o777 == 0o600
    for tenant in (10, 11, 20):
        cert = load(certs / f"client-tenant.{tenant}.crt")
        cert.verify_directly_issued_by(tenant_ca)
        assert cert.subject.rfc4514_string() == f"CN={tenant},OU=Tenants,O=Cockroach"
    assert (certs.parent / "test_certs/ca.key").exists()


@pytest.mark.parametrize("body", [REGENERATE_2021], ids=["2021"])
def test_regenerate_2021_runs_unchanged(tmp_path: Path, body: str) -> None:
    certs, stderr = run_script(tmp_path, body)
    check_common(certs)
    assert stderr.count("Warning: no server address specified.") == 3
    assert sans(load(certs / "node.crt")) == [
        "localhost", "*.local", "tenant-10", "tenant-11", "tenant-20", "127.0.0.1", "::1"]
    assert sans(load(certs / "client.root.crt")) == []
    assert sorted(p.name for p in certs.iterdir()) == sorted(
        ["ca.crt", "ca.key", "ca-client-tenant.crt", "ca-client-tenant.key", "node.crt",
         "node.key"]
        + [f"client.{u}.{e}" for u in ("root", "testuser", "testuser2") for e in ("crt", "key")]
        + [f"client-tenant.{t}.{e}" for t in (10, 11, 20) for e in ("crt", "key")])


def test_regenerate_newest_runs_unchanged(tmp_path: Path) -> None:
    certs, stderr = run_script(tmp_path, REGENERATE_NEWEST)
    assert stderr == ""
    check_common(certs)
    assert sans(load(certs / "client.testuser.crt")) == [
        f"crdb://tenant/{t}/user/testuser" for t in (1, 10, 11, 20)]
    for tenant in (10, 11, 20):
        assert sans(load(certs / f"client-tenant.{tenant}.crt")) == [
            "localhost", "*.local", "127.0.0.1", "::1"]
        signing = load(certs / f"tenant-signing.{tenant}.crt")
        assert signing.serial_number == 1
        assert (certs / f"tenant-signing.{tenant}.key").read_bytes().startswith(
            b"-----BEGIN PRIVATE KEY-----")
    listing = subprocess.run(["./cockroach", "cert", "list", f"--certs-dir={certs}"],
                             cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    usages = [line.split("\t")[0] for line in listing.splitlines()[2:]]
    assert usages == ["CA", "Node", "Client", "Client", "Client"]
