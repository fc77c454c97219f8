"""Issue 8 item 4: export --pkcs8=pem|der and --pkcs12 (AES-256/PBKDF2), read by real tools."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from conftest import need_tool, pycert, snapshot

D = "--certs-dir=certs"


def _private_numbers_equal(a: bytes, b: bytes, der: bool = False) -> bool:
    load = serialization.load_der_private_key if der else serialization.load_pem_private_key
    ka = serialization.load_pem_private_key(a, None)
    kb = load(b, None)
    raw = serialization.PublicFormat.SubjectPublicKeyInfo
    enc = serialization.Encoding.DER
    return ka.public_key().public_bytes(enc, raw) == kb.public_key().public_bytes(enc, raw)


def test_pkcs8_pem_and_der(full_dir: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    assert pycert("export", "node", D, "--pkcs8=pem", cwd=full_dir).code == 0
    res = pycert("export", "client", "root", D, "--pkcs8=der", cwd=full_dir)
    assert res.code == 0, res.err
    certs = full_dir / "certs"
    pem = (certs / "node.key.pk8.pem").read_bytes()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert _private_numbers_equal((certs / "node.key").read_bytes(), pem)
    der = (certs / "client.root.key.pk8").read_bytes()
    assert _private_numbers_equal((certs / "client.root.key").read_bytes(), der, der=True)
    for path, form in ((certs / "node.key.pk8.pem", "PEM"), (certs / "client.root.key.pk8", "DER")):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        proc = subprocess.run([openssl, "pkey", "-inform", form, "-in", str(path), "-noout"],
                              capture_output=True)
        assert proc.returncode == 0, proc.stderr


def test_pkcs12_is_aes256_pbkdf2_with_chain_and_name(full_dir: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    (full_dir / "pw").write_text("s3cret pass\n")
    res = pycert("export", "client", "root", D, "--pkcs12", "--password-file=pw", cwd=full_dir)
    assert res.code == 0, res.err
    p12 = full_dir / "certs/client.root.p12"
    assert stat.S_IMODE(p12.stat().st_mode) == 0o600
    key, cert, chain = pkcs12.load_key_and_certificates(p12.read_bytes(), b"s3cret pass")
    assert cert is not None and cert.subject.rfc4514_string() == "CN=root,O=Cockroach"
    assert [c.subject.rfc4514_string() for c in chain] == ["CN=Cockroach CA,O=Cockroach"]
    bundle = pkcs12.load_pkcs12(p12.read_bytes(), b"s3cret pass")
    assert bundle.cert is not None and bundle.cert.friendly_name == b"client.root"
    info = subprocess.run([openssl, "pkcs12", "-in", str(p12), "-info", "-noout", "-passin",
                           "pass:s3cret pass"], capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    assert "Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC" in info.stderr + info.stdout
    assert "RC2" not in info.stderr + info.stdout and "3DES" not in info.stderr + info.stdout


def test_java_keytool_lists_the_pkcs12(full_dir: Path) -> None:
    keytool = need_tool("keytool", "default-jdk-headless")
    res = pycert("export", "node", D, "--pkcs12", "--friendly-name=crdb-node1", cwd=full_dir,
                 env={"PYCERT_PKCS12_PASSWORD": "changeit2"})
    assert res.code == 0, res.err
    p12 = str(full_dir / "certs/node.p12")
    out = subprocess.run([keytool, "-list", "-v", "-storetype", "PKCS12", "-keystore", p12,
                          "-storepass", "changeit2"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Alias name: crdb-node1" in out.stdout
    assert "Entry type: PrivateKeyEntry" in out.stdout
    assert "Certificate chain length: 2" in out.stdout
    bad = subprocess.run([keytool, "-list", "-storetype", "PKCS12", "-keystore", p12,
                          "-storepass", "wrong-pass"], capture_output=True, text=True)
    assert bad.returncode != 0


def test_pkcs12_password_from_named_env_var(full_dir: Path) -> None:
    res = pycert("export", "node", D, "--pkcs12", "--password-env=MY_PW", cwd=full_dir,
                 env={"MY_PW": "x-pass"})
    assert res.code == 0, res.err
    pkcs12.load_pkcs12((full_dir / "certs/node.p12").read_bytes(), b"x-pass")


def test_pkcs12_without_password_refused(full_dir: Path) -> None:
    before = snapshot(full_dir)
    res = pycert("export", "node", D, "--pkcs12", cwd=full_dir)
    assert res.code == 1
    assert "--pkcs12 needs a password: environment variable PYCERT_PKCS12_PASSWORD is empty" \
        in res.err
    assert snapshot(full_dir) == before


def test_password_is_never_an_argument(full_dir: Path) -> None:
    res = pycert("export", "node", D, "--pkcs12", "--password=abc", cwd=full_dir)
    assert res.code == 4 and "unknown flag: --password" in res.err


def test_export_errors(full_dir: Path) -> None:
    res = pycert("export", "client", "nobody", D, "--pkcs8=pem", cwd=full_dir)
    assert res.code == 1 and "certs/client.nobody.key: no such file or directory" in res.err
    res = pycert("export", "node", D, cwd=full_dir)
    assert res.code == 1 and "nothing to export" in res.err
    res = pycert("export", "tenant", D, "--pkcs8=pem", cwd=full_dir)
    assert res.code == 4
    assert pycert("export", "node", D, "--pkcs8=pem", cwd=full_dir).code == 0
    res = pycert("export", "node", D, "--pkcs8=pem", cwd=full_dir)
    assert res.code == 1 and "file exists" in res.err
    assert "Traceback" not in res.err
    assert pycert("export", "node", D, "--pkcs8=pem", "--overwrite", cwd=full_dir).code == 0


def test_export_to_out_dir_dry_run_and_json(full_dir: Path) -> None:
    before = snapshot(full_dir)
    res = pycert("export", "node", D, "--pkcs8=der", "--out-dir=exp", "--dry-run", cwd=full_dir)
    assert res.code == 0 and "exp/node.key.pk8 (0600, new)" in res.out
    assert snapshot(full_dir) == before
    res = pycert("export", "node", D, "--pkcs8=der", "--out-dir=exp", "--json", cwd=full_dir)
    assert res.code == 0 and '"path": "exp/node.key.pk8"' in res.out
    assert stat.S_IMODE((full_dir / "exp").stat().st_mode) == 0o700
