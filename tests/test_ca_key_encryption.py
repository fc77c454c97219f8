"""The CA key encrypted at rest: written so `openssl pkey -passin file:` reads it, opened by
every command that reads it, converted in place by `ca-key`, and every way it can go wrong
a clear error that changes nothing and never shows the password."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import need_tool, pycert, snapshot

PASSWORD = b"Tr0ub4dor&3 correct horse"  # distinctive: searched for in every output
CERTS = "--certs-dir=certs"
KEY = "--ca-key=safe/ca.key"
PWFILE = "--ca-key-password-file=pw"
FAST = "--key-type=ecdsa"


def _password_file(path: Path, data: bytes = PASSWORD + b"\n", mode: int = 0o600) -> Path:
    path.write_bytes(data)
    path.chmod(mode)
    return path


@pytest.fixture(scope="module")
def enc_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("enc")
    (top / "safe").mkdir()
    _password_file(top / "pw")
    res = pycert("create-ca", CERTS, KEY, PWFILE, FAST, cwd=top)
    assert res.code == 0, res.err
    return top


@pytest.fixture
def enc_dir(enc_template: Path, tmp_path: Path) -> Path:
    """certs/ca.crt and safe/ca.key (ECDSA, for speed) encrypted with PASSWORD (file `pw`),
    a fresh copy for each test."""
    shutil.copytree(enc_template, tmp_path / "w")
    return tmp_path / "w"


def _openssl_reads(openssl: str, key: Path, pw: Path) -> bytes:
    """The public key openssl finds in the encrypted key, as DER."""
    proc = subprocess.run([openssl, "pkey", "-in", str(key), "-passin", f"file:{pw}",
                           "-pubout", "-outform", "DER"], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _public_der(cert_pem: bytes) -> bytes:
    cert = x509.load_pem_x509_certificate(cert_pem)
    return cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)


def test_create_ca_writes_a_pkcs8_key_openssl_pkey_reads(tmp_path: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    enc_dir = tmp_path
    _password_file(tmp_path / "pw")
    res = pycert("create-ca", CERTS, "--ca-key=ca.key", PWFILE, cwd=tmp_path)  # RSA 2048
    assert res.code == 0, res.err
    key = enc_dir / "ca.key"
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert _openssl_reads(openssl, key, enc_dir / "pw") == _public_der(
        (enc_dir / "certs/ca.crt").read_bytes())
    parsed = subprocess.run([openssl, "asn1parse", "-in", str(key)], capture_output=True,
                            text=True).stdout
    for what in (":PBES2", ":PBKDF2", ":hmacWithSHA256", ":aes-256-cbc", "INTEGER           :0927C0"):
        assert what in parsed, what  # 0x927C0: 600 000 rounds
    wrong = subprocess.run([openssl, "pkey", "-in", str(key), "-passin", "pass:nope", "-noout"],
                           capture_output=True)
    assert wrong.returncode != 0


def test_a_key_openssl_encrypted_signs_too(tmp_path: Path) -> None:
    """Keys pycert did not make: `openssl genpkey -aes256` (PKCS#8) and the traditional
    `Proc-Type: 4,ENCRYPTED` form (step's and easy-rsa's older default)."""
    openssl = need_tool("openssl", "openssl")
    _password_file(tmp_path / "pw")
    subprocess.run([openssl, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-aes256", "-pass", "file:pw", "-out", "pkcs8.key"], cwd=tmp_path, check=True)
    subprocess.run([openssl, "genrsa", "-out", "plain.key", "2048"], cwd=tmp_path, check=True,
                   capture_output=True)
    subprocess.run([openssl, "rsa", "-in", "plain.key", "-aes256", "-traditional", "-passout",
                    "file:pw", "-out", "legacy.key"], cwd=tmp_path, check=True, capture_output=True)
    assert b"Proc-Type: 4,ENCRYPTED" in (tmp_path / "legacy.key").read_bytes()
    for name in ("pkcs8.key", "legacy.key"):
        (tmp_path / name).chmod(0o600)
        certs = f"--certs-dir=certs-{name}"
        res = pycert("create-ca", certs, f"--ca-key={name}", "--allow-ca-key-reuse", PWFILE,
                     cwd=tmp_path)
        assert res.code == 0, res.err
        res = pycert("create-node", "localhost", certs, f"--ca-key={name}", PWFILE, FAST,
                     cwd=tmp_path)
        assert res.code == 0, res.err
        verify = subprocess.run([openssl, "verify", "-CAfile", f"certs-{name}/ca.crt",
                                 f"certs-{name}/node.crt"], cwd=tmp_path, capture_output=True)
        assert verify.returncode == 0, verify.stdout + verify.stderr


def _all_files(top: Path) -> dict[str, bytes]:
    return {str(p.relative_to(top)): p.read_bytes() for p in top.rglob("*") if p.is_file()}


def test_the_whole_lifecycle_with_an_encrypted_ca_key(enc_dir: Path) -> None:
    """create-ca -> create-node -> create-client -> list -> check -> renew -> rotate-ca ->
    renew --all -> prune-ca, the CA keys never on disk in the clear."""
    openssl = need_tool("openssl", "openssl")
    env = {"PYCERT_CA_KEY_PASSWORD_FILE": "pw"}  # the environment variable, for half of them
    steps = [
        (("create-node", "localhost", "127.0.0.1", CERTS, KEY, PWFILE), {}),
        (("create-client", "root", CERTS, KEY, "--also-generate-pkcs8-key"), env),
        (("mt", "cert", "create-tenant-client", "5", CERTS, KEY, PWFILE), {}),
        (("list", CERTS), {}),
        (("check", CERTS, "--host=localhost"), {}),
        (("renew", "node", CERTS, KEY), env),
        (("rotate-ca", CERTS, "--ca-key=safe/ca-2.key", PWFILE), {}),
        (("renew", "--all", CERTS, "--ca-key=safe/ca-2.key"), env),
        (("create-client", "alice", CERTS, "--ca-key=safe/ca-2.key", FAST), env),
        (("prune-ca", "--unused", CERTS), {}),
        (("check", CERTS, "--host=localhost"), {}),
    ]
    for args, extra in steps:
        res = pycert(*args, "--logtostderr=INFO", "--log-dir=logs", cwd=enc_dir, env=extra)
        assert res.code == 0, (args, res.err)
        assert PASSWORD.decode() not in res.out + res.err
    for name in ("ca.key", "ca-2.key"):
        key = enc_dir / "safe" / name
        assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        _openssl_reads(openssl, key, enc_dir / "pw")
    bundle = (enc_dir / "certs/ca.crt").read_bytes()
    assert bundle.count(b"BEGIN CERTIFICATE") == 1  # the old CA pruned
    assert _openssl_reads(openssl, enc_dir / "safe/ca-2.key", enc_dir / "pw") == \
        _public_der(bundle)
    for leaf in ("node.crt", "client.root.crt", "client.alice.crt", "client-tenant.5.crt"):
        verify = subprocess.run([openssl, "verify", "-CAfile", "certs/ca.crt", f"certs/{leaf}"],
                                cwd=enc_dir, capture_output=True)
        assert verify.returncode == 0, (leaf, verify.stdout)
    everything = b"".join(_all_files(enc_dir).values())
    assert PASSWORD not in everything.replace((enc_dir / "pw").read_bytes(), b"")
    logs = b"".join(_all_files(enc_dir / "logs").values())
    assert b"decrypted CA key safe/ca.key" in logs and PASSWORD not in logs


def test_every_command_that_reads_or_writes_a_ca_key_takes_the_password_file() -> None:
    from pycert.cli.app import root

    def walk(group: click.Group, ctx: click.Context, path: str) -> list[tuple[str, set[str]]]:
        out = []
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            if isinstance(command, click.Group):
                out += walk(command, ctx, f"{path} {name}")
            else:
                out.append((f"{path} {name}".strip(),
                            {o for p in command.params if isinstance(p, click.Option)
                             for o in p.opts}))
        return out

    commands = walk(root, click.Context(root), "")
    with_key = {path for path, opts in commands if "--ca-key" in opts}
    with_password = {path for path, opts in commands if "--ca-key-password-file" in opts}
    # `check` only prints --ca-key into its fix commands; it never reads the key
    assert with_key - with_password == {"check"}
    assert {"create-ca", "create-node", "create-client", "sign-csr", "create-nodes", "renew",
            "rotate-ca", "rotate-client-ca", "ca-key encrypt", "ca-key decrypt",
            "ca-key change-password", "mt cert create-tenant-client",
            "cert create-client-ca"} <= with_password


SRC = Path(__file__).parent.parent / "src" / "pycert"


def test_every_ca_key_load_in_src_passes_the_password() -> None:
    """signers.load_ca is the one door to a CA key: a call without the password would make
    --ca-key-password-file do nothing for that command."""
    import ast

    missing = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith("load_ca") and \
                    path.name != "signers.py" and not (
                    len(node.args) >= 4 or any(k.arg in ("password", "ca_key_password")
                                               for k in node.keywords)):
                missing.append(f"{path.relative_to(SRC)}:{node.lineno} {ast.unparse(node)}")
    assert missing == []


# --- password file rules and the error cases: each clear, exit 1, nothing changed ----------

BAD_FILES = {
    "group-readable": (PASSWORD + b"\n", 0o640, "pw has permissions -rw-r-----: others on this "
                       "machine could read or change the password; run chmod 600 pw"),
    "world-readable": (PASSWORD + b"\n", 0o604, "pw has permissions -rw----r--"),
    "empty": (b"", 0o600, "CA key password file pw is empty: its first line must be the "
              "password"),
    "empty-first-line": (b"\n" + PASSWORD + b"\n", 0o600, "is empty"),
    "crlf": (PASSWORD + b"\r\n", 0o600, "pw has a Windows line end (CRLF)"),
    "wrong": (b"not the password\n", 0o600, "could not decrypt CA key safe/ca.key: wrong "
              "password, or the key file is damaged"),
}


ERROR_CASES = [(case, "create-node") for case in (*BAD_FILES, "missing", "none-given",
                                                 "directory")]
ERROR_CASES += [(case, command) for command in ("create-ca-reuse", "renew", "decrypt")
                for case in ("wrong", "group-readable", "none-given")]


@pytest.mark.parametrize("case,command", ERROR_CASES)
def test_password_errors_are_clear_and_change_nothing(enc_dir: Path, command: str,
                                                      case: str) -> None:
    if command in ("renew",):
        assert pycert("create-node", "h", CERTS, KEY, PWFILE, FAST, cwd=enc_dir).code == 0
    flag = [] if case == "none-given" else ["--ca-key-password-file=bad"]
    if case in BAD_FILES:
        data, mode, expect = BAD_FILES[case]
        _password_file(enc_dir / "bad", data, mode)
        expect = expect.replace("pw ", "bad ").replace("chmod 600 pw", "chmod 600 bad")
    elif case == "missing":
        expect = "could not read CA key password file bad: no such file or directory"
    elif case == "directory":
        (enc_dir / "bad").mkdir()
        expect = "could not read CA key password file bad: not a regular file"
    else:
        expect = "CA key safe/ca.key is encrypted and no password was given"
    args = {"create-node": ("create-node", "h", CERTS, KEY, "--overwrite"),
            "create-ca-reuse": ("create-ca", CERTS, KEY, "--allow-ca-key-reuse", "--overwrite"),
            "renew": ("renew", "node", CERTS, KEY),
            "decrypt": ("ca-key", "decrypt", KEY)}[command]
    before = snapshot(enc_dir)
    res = pycert(*args, *flag, *([FAST] if command.startswith("create") else []), cwd=enc_dir)
    assert res.code == 1, res.err
    errors = [line for line in res.err.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1 and expect in errors[0], res.err
    if case == "none-given":
        assert "HINT: give the password in a file only you can read: " \
               "--ca-key-password-file=<file>" in res.err
    assert "Traceback" not in res.err and res.out == ""
    assert PASSWORD.decode() not in res.err and "not the password" not in res.err
    assert snapshot(enc_dir) == before


def test_a_password_file_of_0400_and_a_second_line_are_fine(enc_dir: Path) -> None:
    _password_file(enc_dir / "ro", PASSWORD + b"\nsecond line, ignored as openssl does\n",
                   0o400)
    res = pycert("create-node", "h", CERTS, KEY, "--ca-key-password-file=ro", FAST, cwd=enc_dir)
    assert res.code == 0, res.err


def test_a_password_for_a_plain_key_is_a_warning(ca_dir: Path) -> None:
    _password_file(ca_dir / "pw")
    res = pycert("create-node", "h", CERTS, KEY, PWFILE, FAST, cwd=ca_dir)
    assert res.code == 0, res.err
    assert "CA key safe/ca.key is not encrypted, so its password was not needed; encrypt it " \
           "with: pycert ca-key encrypt --ca-key=safe/ca.key" in res.err


# --- ca-key encrypt | decrypt | change-password ----------------------------------------

def test_encrypt_decrypt_change_password_in_place(ca_dir: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    key = ca_dir / "safe/ca.key"
    plain = key.read_bytes()
    key.chmod(0o640)  # kept as it is: the command converts, it does not re-permission
    _password_file(ca_dir / "pw")
    _password_file(ca_dir / "pw2", b"a new one\n", 0o400)
    res = pycert("ca-key", "encrypt", KEY, PWFILE, cwd=ca_dir)
    assert res.code == 0 and res.err == "encrypted CA key safe/ca.key\n", res.err
    assert key.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert stat.S_IMODE(key.stat().st_mode) == 0o640
    assert _openssl_reads(openssl, key, ca_dir / "pw") == _public_der(
        (ca_dir / "certs/ca.crt").read_bytes())
    res = pycert("ca-key", "change-password", KEY, PWFILE, "--new-ca-key-password-file=pw2",
                 cwd=ca_dir)
    assert res.code == 0, res.err
    _openssl_reads(openssl, key, ca_dir / "pw2")
    assert pycert("create-node", "h", CERTS, KEY, PWFILE, FAST, cwd=ca_dir).code == 1
    assert pycert("create-node", "h", CERTS, KEY, "--ca-key-password-file=pw2", FAST,
                  cwd=ca_dir).code == 0
    res = pycert("ca-key", "decrypt", KEY, "--ca-key-password-file=pw2", cwd=ca_dir)
    assert res.code == 0, res.err
    assert key.read_bytes() == plain  # cockroach's own encoding again, byte for byte
    assert stat.S_IMODE(key.stat().st_mode) == 0o640
    assert sorted(p.name for p in (ca_dir / "safe").iterdir()) == ["ca.key"]  # no temp files


@pytest.mark.parametrize("args,expect", [
    (("encrypt", PWFILE), "cannot encrypt safe/ca.key: it is encrypted"),
    (("change-password", PWFILE, "--new-ca-key-password-file=pw"), None),
])
def test_ca_key_refusals_on_an_encrypted_key(enc_dir: Path, args: tuple[str, ...],
                                             expect: str | None) -> None:
    before = snapshot(enc_dir)
    res = pycert("ca-key", *args, KEY, cwd=enc_dir)
    if expect is None:  # the same password again is allowed: a new salt and IV
        assert res.code == 0, res.err
        return
    assert res.code == 1 and expect in res.err
    assert "HINT: to give it a new password: pycert ca-key change-password" in res.err
    assert snapshot(enc_dir) == before


@pytest.mark.parametrize("args,expect", [
    (("decrypt",), "cannot decrypt safe/ca.key: it is not encrypted"),
    (("change-password", PWFILE, "--new-ca-key-password-file=pw"),
     "cannot change the password of safe/ca.key: it is not encrypted"),
    (("encrypt",), "no new password: give it in a file with --ca-key-password-file=<file>"),
    (("encrypt", "--ca-key-password-file=missing"), "could not read CA key password file "
     "missing: no such file or directory"),
    (("encrypt", PWFILE, "--ca-key=nothing.key"), "could not read CA key file nothing.key"),
    (("encrypt", PWFILE, "extra"), 'unknown command "extra" for "pycert ca-key encrypt"'),
])
def test_ca_key_refusals_on_a_plain_key(ca_dir: Path, args: tuple[str, ...],
                                        expect: str) -> None:
    _password_file(ca_dir / "pw")
    before = snapshot(ca_dir)
    res = pycert("ca-key", *args, *(() if any(a.startswith("--ca-key=") for a in args)
                                    else (KEY,)), cwd=ca_dir)
    assert res.code == 1 and expect in res.err, res.err
    assert snapshot(ca_dir) == before


def test_ca_key_follows_a_link_and_refuses_hard_links(ca_dir: Path) -> None:
    _password_file(ca_dir / "pw")
    os.symlink("ca.key", ca_dir / "safe/current.key")
    res = pycert("ca-key", "encrypt", "--ca-key=safe/current.key", PWFILE, cwd=ca_dir)
    assert res.code == 0, res.err
    assert (ca_dir / "safe/current.key").is_symlink()
    assert (ca_dir / "safe/ca.key").read_bytes().startswith(b"-----BEGIN ENCRYPTED")
    os.link(ca_dir / "safe/ca.key", ca_dir / "safe/copy.key")
    before = snapshot(ca_dir)
    res = pycert("ca-key", "decrypt", KEY, PWFILE, cwd=ca_dir)
    assert res.code == 1 and "has 2 hard links: the other names would keep the old key" \
        in res.err
    assert snapshot(ca_dir) == before


def test_the_api_encrypts_and_opens_keys(tmp_path: Path) -> None:
    import pycert as api

    certs = api.CertsDir(tmp_path / "certs")
    ca = api.CA(key_type="ecdsa")
    certs.write_ca(ca, tmp_path / "ca.key", ca_key_password=PASSWORD)
    assert (tmp_path / "ca.key").read_bytes().startswith(b"-----BEGIN ENCRYPTED")
    assert certs.load_ca(tmp_path / "ca.key", ca_key_password=PASSWORD).cert == ca.cert
    asked = []
    loaded = certs.load_ca(tmp_path / "ca.key",
                           ca_key_password=lambda path: asked.append(path) or PASSWORD)
    assert loaded.cert == ca.cert and asked == [str(tmp_path / "ca.key")]
    with pytest.raises(api.CertError, match="wrong password"):
        certs.load_ca(tmp_path / "ca.key", ca_key_password=b"nope")
    out = certs.create_node("localhost", ca_key=tmp_path / "ca.key", key_type="ecdsa",
                            ca_key_password=PASSWORD)
    assert out.paths[0].endswith("node.crt")
    target = certs.target(tmp_path / "ca.key", ca_key_password=PASSWORD)
    assert "Tr0ub4dor" not in repr(target)


# --- on a terminal: asked without echo --------------------------------------------------

def _on_terminal(args: list[str], cwd: Path, answers: list[bytes],
                 timeout: float = 60) -> tuple[int, bytes]:
    """Runs pycert with a pseudo-terminal as its controlling terminal, typing each answer
    when a prompt ending in ': ' appears; returns (exit code, everything the terminal got)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: exec at once
        os.chdir(cwd)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKROACH_", "PYCERT_"))}
        os.execve(sys.executable, [sys.executable, "-m", "pycert", *args], env)
    seen = b""
    deadline = time.monotonic() + timeout
    pending = list(answers)
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
                if pending and re.search(rb": $", seen):
                    time.sleep(0.05)  # getpass turns echo off after printing the prompt
                    os.write(fd, pending.pop(0) + b"\n")
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return os.waitstatus_to_exitcode(status), seen


def test_on_a_terminal_the_password_is_asked_for_and_not_echoed(enc_dir: Path) -> None:
    code, seen = _on_terminal(["create-node", "localhost", CERTS, KEY, FAST], enc_dir,
                              [PASSWORD])
    assert code == 0, seen
    assert b"Password for CA key safe/ca.key: " in seen
    assert PASSWORD not in seen  # echo was off
    code, seen = _on_terminal(["create-node", "localhost", CERTS, KEY, FAST, "--overwrite"],
                              enc_dir, [b"wrong"])
    assert code == 1 and b"wrong password" in seen and b"wrong\r\n" not in seen


def test_on_a_terminal_encrypt_asks_twice(ca_dir: Path) -> None:
    key = ca_dir / "safe/ca.key"
    before = key.read_bytes()
    code, seen = _on_terminal(["ca-key", "encrypt", KEY], ca_dir, [b"one", b"two"])
    assert code == 1 and b"the two passwords differ; nothing was changed" in seen
    assert key.read_bytes() == before
    code, seen = _on_terminal(["ca-key", "encrypt", KEY], ca_dir, [PASSWORD, PASSWORD])
    assert code == 0, seen
    assert b"New password for CA key safe/ca.key: " in seen and b"Repeat" in seen
    assert PASSWORD not in seen
    _password_file(ca_dir / "pw")
    assert pycert("create-client", "root", CERTS, KEY, PWFILE, FAST, cwd=ca_dir).code == 0


def test_a_plain_key_never_prompts(ca_dir: Path) -> None:
    code, seen = _on_terminal(["create-node", "localhost", CERTS, KEY, FAST], ca_dir, [])
    assert code == 0 and b"Password" not in seen, seen


@pytest.fixture(autouse=True)
def _no_stray_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYCERT_CA_KEY_PASSWORD_FILE", raising=False)

