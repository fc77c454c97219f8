"""No dependency warns through pycert: every command, run with Python's warnings turned
into errors (`-W error`), finishes as it does without them, with nothing on stderr; and
the console script keeps any warning a certificate still draws from its users."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

import certcorpus
from pycert.pki.pem import encode


def _strict(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-W", "error", "-m", "pycert", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("warnings")
    for args in (("create-ca", "--key-size=1024"),
                 ("create-node", "localhost", "127.0.0.1", "--key-size=1024"),
                 ("create-client", "root", "--also-generate-pkcs8-key", "--key-size=1024"),
                 ("create-client", "ec", "--key-type=ecdsa"),
                 ("create-tenant-client", "7", "--key-type=ed25519"),
                 ("create-tenant-signing", "7")):
        res = _strict(*args, "--certs-dir=certs", "--ca-key=ca.key", cwd=top)
        assert (res.returncode, res.stderr) == (0, "" if args[0] != "create-tenant-client"
                                                else res.stderr), res.stderr
    return top


@pytest.mark.parametrize("args", [
    ("list",), ("list", "--format=json"), ("list", "--format=ndjson"), ("list", "--show-all"),
    ("check", "--host=localhost"), ("check", "--format=json"),
    ("inspect", "certs/ca.crt", "certs/node.crt", "certs/client.ec.crt"),
    ("renew", "client", "root", "--dry-run"), ("export", "client", "root", "--pkcs8=pem",
                                               "--dry-run")])
def test_commands_run_with_warnings_as_errors(work: Path, args: tuple[str, ...]) -> None:
    res = _strict(*args, *([] if args[0] == "inspect" else ["--certs-dir=certs"]),
                  *(["--ca-key=ca.key"] if args[0] == "renew" else []), cwd=work)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""


def test_a_certificate_that_draws_a_dependency_warning_prints_none(tmp_path: Path) -> None:
    """cryptography 51 warns about a serial that is not positive (Go reads it): the
    console script does not pass that on; with -W given, Python's choice stands."""
    der = certcorpus.build(certcorpus.case("serial_negative"))
    (tmp_path / "client.neg.crt").write_bytes(encode("CERTIFICATE", der))
    key = certcorpus.subject_key().private_bytes(serialization.Encoding.PEM,
                                                 serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption())
    (tmp_path / "client.neg.key").write_bytes(key)
    (tmp_path / "client.neg.key").chmod(0o600)
    res = subprocess.run([sys.executable, "-m", "pycert", "list", "--format=json",
                          f"--certs-dir={tmp_path}"], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stderr == "" and '"serial": "-1000"' in res.stdout
