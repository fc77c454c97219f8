"""Promise 4 of issue 5: symlinks and hostile names never make pycert write elsewhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import pycert, snapshot
from pycert import CertsDir, Lifetime, gocompat
from pycert import identities as names
from pycert.errors import CertError

FAST = "--key-size=1024"
PRECIOUS = b"precious bytes that must never change\n"


def _outside(ca_dir: Path) -> Path:
    target = ca_dir / "elsewhere" / "victim.key"
    target.parent.mkdir()
    target.write_bytes(PRECIOUS)
    target.chmod(0o600)
    return target


def test_key_symlink_to_outside_file_is_refused_without_overwrite(ca_dir: Path) -> None:
    target = _outside(ca_dir)
    (ca_dir / "certs/node.key").symlink_to(target)
    before = snapshot(ca_dir)
    res = pycert("create-node", "localhost", "--certs-dir=certs", "--ca-key=safe/ca.key", FAST,
                 cwd=ca_dir)
    assert res.code == 1 and "Traceback" not in res.err
    assert ("error writing node server key to certs/node.key: open certs/node.key: file exists"
            in res.err)
    assert snapshot(ca_dir) == before
    assert target.read_bytes() == PRECIOUS


def test_key_symlink_to_outside_file_is_replaced_not_followed_with_overwrite(
        ca_dir: Path) -> None:
    target = _outside(ca_dir)
    key = ca_dir / "certs/node.key"
    key.symlink_to(target)
    res = pycert("create-node", "localhost", "--overwrite", "--certs-dir=certs",
                 "--ca-key=safe/ca.key", FAST, cwd=ca_dir)
    assert res.code == 0, res.err
    assert not key.is_symlink() and key.stat().st_mode & 0o777 == 0o600
    assert target.read_bytes() == PRECIOUS and target.stat().st_mode & 0o777 == 0o600
    cert = x509.load_pem_x509_certificate((ca_dir / "certs/node.crt").read_bytes())
    private = serialization.load_pem_private_key(key.read_bytes(), None)
    assert cert.public_key() == private.public_key()


def test_ca_bundle_symlink_is_replaced_not_written_through(ca_dir: Path) -> None:
    """--overwrite reads the old bundle through the link but never writes its target."""
    outside = ca_dir / "elsewhere.crt"
    os.replace(ca_dir / "certs/ca.crt", outside)
    original = outside.read_bytes()
    (ca_dir / "certs/ca.crt").symlink_to(outside)
    res = pycert("create-ca", "--overwrite", "--certs-dir=certs", "--ca-key=safe/new.key", FAST,
                 cwd=ca_dir)
    assert res.code == 0, res.err
    bundle = ca_dir / "certs/ca.crt"
    assert not bundle.is_symlink() and bundle.read_bytes().endswith(original)
    assert outside.read_bytes() == original


def test_certs_dir_that_is_a_symlink_to_a_directory_works(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "safe").mkdir()
    for args in (["create-ca"], ["create-node", "localhost"], ["create-client", "root"]):
        res = pycert(*args, "--certs-dir=link", "--ca-key=safe/ca.key", FAST, cwd=tmp_path)
        assert res.code == 0, res.err
    assert (tmp_path / "link").is_symlink()
    assert sorted(os.listdir(tmp_path / "real")) == [
        "ca.crt", "client.root.crt", "client.root.key", "node.crt", "node.key"]
    listed = pycert("list", "--certs-dir=link", cwd=tmp_path)
    assert listed.code == 0 and listed.out.count("\n") == 5


@pytest.mark.parametrize("user", ["../escape", "a/b", "/abs", "..", ".", "two\nlines", "tab\there",
                                  "back\\slash", "bell\a"])
def test_unsafe_usernames_are_refused_even_without_validation(ca_dir: Path, user: str) -> None:
    before = snapshot(ca_dir)
    res = pycert("create-client", user, "--disable-username-validation", "--certs-dir=certs",
                 "--ca-key=safe/ca.key", FAST, cwd=ca_dir)
    assert res.code == 1 and "Traceback" not in res.err
    assert ("ERROR: failed to generate client certificate and key: identity "
            f"{gocompat.go_quote(user)} cannot be used in a file name") in res.err
    assert snapshot(ca_dir) == before


def test_non_utf8_username_bytes_are_refused(ca_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    before = snapshot(ca_dir)
    proc = subprocess.run([sys.executable.encode(), b"-m", b"pycert", b"create-client",
                           b"caf\xe9", b"--disable-username-validation", b"--certs-dir=certs",
                           b"--ca-key=safe/ca.key", FAST.encode()], cwd=ca_dir, env=env,
                          capture_output=True)
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    assert b"cannot be used in a file name" in proc.stderr
    assert snapshot(ca_dir) == before


def test_name_too_long_for_the_file_system_is_a_clear_error(ca_dir: Path) -> None:
    before = snapshot(ca_dir)
    res = pycert("create-client", "a" * 300, "--disable-username-validation",
                 "--certs-dir=certs", "--ca-key=safe/ca.key", FAST, cwd=ca_dir)
    assert res.code == 1 and "Traceback" not in res.err
    assert "file name too long" in res.err
    assert snapshot(ca_dir) == before


@pytest.mark.parametrize("name", ["nul\0byte", "\0", "a/b", "..", "\udcff"])
def test_check_safe_filename_refuses_what_argv_cannot_carry(name: str) -> None:
    """NUL cannot reach argv through exec, so the rule itself is checked, and the API."""
    with pytest.raises(CertError, match="cannot be used in a file name"):
        names.check_safe_filename(name)


def test_certdir_refuses_a_nul_name_before_touching_the_directory(ca_dir: Path) -> None:
    before = snapshot(ca_dir)
    with pytest.raises(CertError, match="cannot be used in a file name"):
        CertsDir(ca_dir / "certs").create_client("evil\0name", ca_key=ca_dir / "safe/ca.key",
                                                 key_size=1024, lifetime=Lifetime(3600 * 10**9),
                                                 validate_username=False)
    with pytest.raises(CertError, match="username is invalid"):  # validated: refused first
        CertsDir(ca_dir / "certs").create_client("evil\0name", ca_key=ca_dir / "safe/ca.key")
    assert snapshot(ca_dir) == before


@pytest.mark.parametrize("user", ["a..b", "...", "x.y", "ünïcödé", "emoji\U0001f600", "b" * 200])
def test_odd_but_safe_names_still_work_without_validation(ca_dir: Path, user: str) -> None:
    res = pycert("create-client", user, "--disable-username-validation", "--certs-dir=certs",
                 "--ca-key=safe/ca.key", FAST, cwd=ca_dir)
    assert res.code == 0, res.err
    assert (ca_dir / "certs" / f"client.{names.normalize_username(user)}.key").is_file()
