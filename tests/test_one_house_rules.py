"""Rules every command keeps since the one-house refactor, each proven through the real binary:
the safe reader, corrupt keys, pflag's wording, one duration grammar, Go's quoting, Ctrl-C,
and the one environment edge."""

from __future__ import annotations

import ast
import base64
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import need_tool, pycert, snapshot
from pycert.certdir.files import TEMP_MARK
from pycert.gocompat import time_quote

SRC = Path(__file__).parent.parent / "src" / "pycert"
FLAGS = ("--certs-dir=certs", "--ca-key=safe/ca.key")
HANG = 20  # seconds: a read that blocks fails the test instead of hanging CI


# --- 1. every read goes through the safe reader: a FIFO is an error, never a hang ----------

def _fifo(path: Path) -> None:
    path.unlink(missing_ok=True)
    os.mkfifo(path)


FIFO_CASES = {
    "export-pkcs8": ("certs/node.key", ("export", "node", "--pkcs8=pem", "--certs-dir=certs"),
                     1, "open certs/node.key: not a regular file"),
    "export-pkcs12": ("certs/client.root.key",
                      ("export", "client", "root", "--pkcs12", "--password-file=pw",
                       "--certs-dir=certs"), 1, "open certs/client.root.key: not a regular file"),
    "check": ("certs/node.key", ("check", "--certs-dir=certs"), 2,
              "key file certs/node.key is not a regular file"),
    "inspect": ("certs/node.key", ("inspect", "certs/node.key"), 1,
                "could not read certs/node.key: not a regular file"),
    "list": ("certs/node.key", ("list", "--certs-dir=certs"), 1,
             "validating node cert: key file certs/node.key is not a regular file"),
    "create-node-ca-key": ("fifo", ("create-node", "h", "--certs-dir=certs", "--ca-key=fifo",
                                    "--overwrite"), 1, "and key fifo: open fifo: not a regular file"),
    "sign-csr": ("fifo", ("sign-csr", "fifo", "--profile=node", *FLAGS), 1,
                 "open fifo: not a regular file"),
    "create-ca-reuse": ("fifo", ("create-ca", "--allow-ca-key-reuse", "--overwrite",
                                 "--certs-dir=certs", "--ca-key=fifo"), 1,
                        "could not read CA key file fifo: open fifo: not a regular file"),
    "log-config-file": ("fifo", ("list", "--certs-dir=certs", "--log-config-file=fifo"), 1,
                        "cannot read --log-config-file fifo: not a regular file"),
    "create-nodes-from": ("fifo", ("create-nodes", "--from=fifo", "--out-dir=nodes", *FLAGS), 1,
                          "could not read node list fifo: not a regular file"),
    "password-file": ("fifo", ("export", "node", "--pkcs12", "--password-file=fifo",
                               "--certs-dir=certs"), 1,
                      "could not read password file fifo: not a regular file"),
}


@pytest.mark.parametrize("case", FIFO_CASES)
def test_a_fifo_input_is_a_quick_clear_error(full_dir: Path, case: str) -> None:
    fifo, args, code, message = FIFO_CASES[case]
    (full_dir / "pw").write_text("secret\n")
    _fifo(full_dir / fifo)
    before = snapshot(full_dir)
    started = time.monotonic()
    res = pycert(*args, cwd=full_dir, timeout=HANG)  # TimeoutExpired fails the test
    assert time.monotonic() - started < HANG / 2
    assert res.code == code, res.err
    assert message in res.out + res.err
    assert "Traceback" not in res.err
    assert snapshot(full_dir) == before


def test_every_file_read_in_src_goes_through_the_safe_reader() -> None:
    """No open()/read_bytes()/read_text() anywhere, and each os.open outside files.py
    either writes or uses the reader's non-blocking flags."""
    offenders = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            if name in ("open", "read_bytes", "read_text") and not (
                    isinstance(func, ast.Attribute) and ast.unparse(func) == "os.open"):
                offenders.append(f"{where} {ast.unparse(node)}")
            elif ast.unparse(func) == "os.open" and path.name != "files.py":
                flags = ast.unparse(node.args[1])
                if "READ_FLAGS" not in flags and "O_WRONLY" not in flags:
                    offenders.append(f"{where} {ast.unparse(node)}")
    assert offenders == []


# --- 2. a key with a corrupt RSA CRT exponent is refused everywhere --------------------------

def _der(tag: int, body: bytes) -> bytes:
    if len(body) < 0x80:
        length = bytes([len(body)])
    else:
        size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(size)]) + size
    return bytes([tag]) + length + body


def _der_int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def corrupt_crt(path: Path) -> None:
    """Rewrites an RSA key as PKCS#1 with dP + 2: every other number stays right."""
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    n = key.private_numbers()
    fields = (0, n.public_numbers.n, n.public_numbers.e, n.d, n.p, n.q, n.dmp1 + 2, n.dmq1,
              n.iqmp)
    b64 = base64.b64encode(_der(0x30, b"".join(_der_int(v) for v in fields))).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    path.write_text("-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines)
                    + "\n-----END RSA PRIVATE KEY-----\n")


def test_openssl_rejects_the_corrupt_crt_key_too(full_dir: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    good = subprocess.run([openssl, "rsa", "-check", "-noout", "-in", "certs/node.key"],
                          cwd=full_dir, capture_output=True, text=True)
    assert "RSA key ok" in good.stdout
    corrupt_crt(full_dir / "certs/node.key")
    bad = subprocess.run([openssl, "rsa", "-check", "-noout", "-in", "certs/node.key"],
                         cwd=full_dir, capture_output=True, text=True)
    # OpenSSL 3.0's `rsa -check` exits 0 even then; its verdict is the text, and `pkey -check`'s code.
    assert "RSA key not ok" in bad.stdout + bad.stderr
    assert "dmp1 not congruent to d" in bad.stderr
    pkey = subprocess.run([openssl, "pkey", "-check", "-noout", "-in", "certs/node.key"],
                          cwd=full_dir, capture_output=True, text=True)
    assert pkey.returncode != 0


def test_check_fails_a_node_key_with_a_corrupt_crt_exponent(full_dir: Path) -> None:
    corrupt_crt(full_dir / "certs/node.key")
    res = pycert("check", "--certs-dir=certs", "--format=json", cwd=full_dir)
    assert res.code == 2
    problems = json.loads(res.out)["problems"]
    assert [(p["severity"], p["check"], p["file"]) for p in problems] == [
        ("fail", "key-unreadable", "node.crt")]
    assert "certs/node.key" in problems[0]["message"]
    assert "corrupt" in problems[0]["message"]


def test_export_refuses_a_key_with_a_corrupt_crt_exponent_in_one_line(full_dir: Path) -> None:
    corrupt_crt(full_dir / "certs/node.key")
    before = snapshot(full_dir)
    res = pycert("export", "node", "--pkcs8=pem", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 1
    errors = [line for line in res.err.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1
    assert "certs/node.key" in errors[0] and "recreate" in errors[0]
    assert snapshot(full_dir) == before


def test_inspect_refuses_a_key_file_with_a_corrupt_crt_exponent(full_dir: Path) -> None:
    corrupt_crt(full_dir / "certs/node.key")
    res = pycert("inspect", "certs/node.key", cwd=full_dir)
    assert res.code == 1
    assert res.err.startswith("ERROR: certs/node.key holds a private key that does not parse: ")
    assert "corrupt" in res.err and "Traceback" not in res.err


def test_a_ca_key_with_a_corrupt_crt_exponent_signs_nothing(ca_dir: Path) -> None:
    """OpenSSL still signs right with it (it recomputes without CRT), so only the fast
    path's CRT check can stop it; Go >= 1.24 refuses it when parsing, with these words."""
    corrupt_crt(ca_dir / "safe/ca.key")
    before = snapshot(ca_dir)
    res = pycert("create-client", "root", *FLAGS, cwd=ca_dir)
    assert res.code == 1
    assert ("error loading CA certificate certs/ca.crt and key safe/ca.key: "
            "tls: failed to parse private key") in res.err
    res = pycert("create-ca", "--allow-ca-key-reuse", "--overwrite", *FLAGS, cwd=ca_dir)
    assert res.code == 1
    assert "could not parse CA key file safe/ca.key: failed to parse private key" in res.err
    assert snapshot(ca_dir) == before


# --- 3. one Choice wording: pflag's, with usage first --------------------------------------

CHOICES = {
    "key-type": (("create-ca", *FLAGS, "--key-type=bogus"), "--key-type", "key type",
                 "rsa, ecdsa, ed25519", 4),
    "lifetime-policy": (("create-node", "h", *FLAGS, "--lifetime-policy=bogus"),
                        "--lifetime-policy", "lifetime policy", "error, clamp", 4),
    "export-pkcs8": (("export", "node", "--certs-dir=certs", "--pkcs8=bogus"), "--pkcs8",
                     "PKCS#8 encoding", "pem, der", 4),
    "sign-csr-profile": (("sign-csr", "x.csr", *FLAGS, "--profile=bogus"), "--profile",
                         "profile", "node, client, ui", 4),
    "list-format": (("list", "--certs-dir=certs", "--format=bogus"), "--format",
                    "table display format", "table, tsv, csv, json, ndjson, records", 4),
    "check-format": (("check", "--certs-dir=certs", "--format=bogus"), "--format",
                     "check format", "text, json", 3),
    "k8s-layout": (("k8s", "secret", "node", "--name=n", "--layout=bogus"), "--layout",
                   "layout", "files, tls", 4),
}


@pytest.mark.parametrize("case", CHOICES)
def test_a_bad_choice_fails_in_pflag_words_after_the_usage(tmp_path: Path, case: str) -> None:
    args, flag, what, values, code = CHOICES[case]
    res = pycert(*args, cwd=tmp_path)
    assert res.code == code
    line = (f'ERROR: invalid argument "bogus" for "{flag}" flag: invalid {what}: bogus '
            f"(possible values: {values})")
    assert line in res.err.splitlines()
    assert res.err.index("Usage:") < res.err.index(line)
    assert "Invalid value for" not in res.out + res.err


def test_a_missing_required_flag_fails_in_cobra_words(tmp_path: Path) -> None:
    res = pycert("sign-csr", "x.csr", *FLAGS, cwd=tmp_path)
    assert res.code == 4
    assert 'ERROR: required flag(s) "profile" not set' in res.err.splitlines()
    assert "Missing option" not in res.err


# --- 4. one duration grammar for --lifetime and check's thresholds --------------------------

def test_lifetime_takes_days(tmp_path: Path) -> None:
    start = dt.datetime.now(dt.timezone.utc)
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=ca.key", "--lifetime=1d12h",
                 cwd=tmp_path)
    assert res.code == 0, res.err
    cert = x509.load_pem_x509_certificate((tmp_path / "certs/ca.crt").read_bytes())
    assert abs(cert.not_valid_after_utc - (start + dt.timedelta(hours=36))) < dt.timedelta(
        minutes=1)


def test_check_thresholds_take_days_and_years(ca_dir: Path) -> None:
    res = pycert("create-client", "root", *FLAGS, "--lifetime=1y", cwd=ca_dir)
    assert res.code == 0, res.err
    inside = pycert("check", "--certs-dir=certs", "--fail-within=2y", cwd=ca_dir)
    assert inside.code == 2
    assert "client.root.crt: [expires-soon]" in inside.out and "inside --fail-within" in inside.out
    outside = pycert("check", "--certs-dir=certs", "--fail-within=300d",
                     "--warn-within=1d12h", cwd=ca_dir)
    assert outside.code == 0, outside.out


def test_short_lifetime_warns_within_days_and_hours(ca_dir: Path) -> None:
    res = pycert("create-client", "root", *FLAGS, "--lifetime=1d", cwd=ca_dir)
    assert res.code == 0, res.err
    res = pycert("check", "--certs-dir=certs", "--warn-within=1d12h", "--fail-within=1h",
                 cwd=ca_dir)
    assert res.code == 1
    assert "inside --warn-within" in res.out


@pytest.mark.parametrize("args,flag,code", [
    (("create-ca", *FLAGS, "--lifetime=1d12x"), "--lifetime", 4),
    (("check", "--certs-dir=certs", "--warn-within=1d12x"), "--warn-within", 3),
    (("check", "--certs-dir=certs", "--fail-within=1d12x"), "--fail-within", 3),
])
def test_a_bad_unit_is_refused_with_gos_message_by_every_duration_flag(
        tmp_path: Path, args: tuple[str, ...], flag: str, code: int) -> None:
    res = pycert(*args, cwd=tmp_path)
    assert res.code == code
    assert (f'ERROR: invalid argument "1d12x" for "{flag}" flag: '
            'time: unknown unit "x" in duration "1d12x"') in res.err.splitlines()


# --- 5. Go's quoting: pflag's %q around the value, time.quote inside ------------------------

@pytest.mark.parametrize("value,quoted,inner", [
    ("5é", '"5é"', r'time: unknown unit "\xc3\xa9" in duration "5\xc3\xa9"'),
    ("5\x01", r'"5\x01"', r'time: unknown unit "\x01" in duration "5\x01"'),
    (os.fsdecode(b"5\xff"), r'"5\xff"', r'time: unknown unit "\xff" in duration "5\xff"'),
    ('5"h', r'"5\"h"', r'time: unknown unit "\"h" in duration "5\"h"'),
])
def test_a_bad_lifetime_is_quoted_as_go_quotes_it(tmp_path: Path, value: str, quoted: str,
                                                  inner: str) -> None:
    res = pycert("create-ca", *FLAGS, f"--lifetime={value}", cwd=tmp_path)
    assert res.code == 4
    assert f'ERROR: invalid argument {quoted} for "--lifetime" flag: {inner}' in res.err


@pytest.mark.parametrize("text,quoted", [
    ("", '""'),
    ("1h", '"1h"'),
    ("é", r'"\xc3\xa9"'),  # every byte of a non-ASCII rune, not the rune
    ("µs", r'"\xc2\xb5s"'),
    ("\x01", r'"\x01"'),
    ("\t", r'"\x09"'),  # control runes as \x too: time.quote has no \t, unlike strconv.Quote
    ("\x7f", '"\x7f"'),  # DEL is below RuneSelf and not below ' ': kept as it is
    ('a"b\\c', r'"a\"b\\c"'),
    ("\ufffd", r'"\xef\xbf\xbd"'),  # a real U+FFFD: its three bytes
    (os.fsdecode(b"\xff"), r'"\xff"'),  # an invalid byte: just that byte
    (os.fsdecode(b"a\xe2\x82"), r'"a\xe2\x82"'),  # a truncated rune: byte by byte
])
def test_time_quote_matches_gos_time_quote(text: str, quoted: str) -> None:
    assert time_quote(text) == quoted


# --- 6. Ctrl-C exits 130 and leaves nothing behind ------------------------------------------

def _busy(proc: subprocess.Popen[bytes]) -> None:
    """Waits until the key thread runs (two threads in /proc), then a little longer."""
    deadline = time.monotonic() + 15
    tasks = Path(f"/proc/{proc.pid}/task")
    while time.monotonic() < deadline and proc.poll() is None:
        if not tasks.exists() or len(list(tasks.iterdir())) >= 2:
            break
        time.sleep(0.05)
    time.sleep(0.7)
    assert proc.poll() is None, "the command ended before it could be interrupted"


def _interrupt(args: tuple[str, ...], cwd: Path) -> tuple[int, str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    proc = subprocess.Popen([sys.executable, "-m", "pycert", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _busy(proc)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
        return proc.returncode, err.decode(), time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _leftovers(directory: Path) -> list[str]:
    return [str(p) for p in directory.rglob("*") if TEMP_MARK in p.name]


def test_ctrl_c_during_ca_key_generation_exits_130_leaving_nothing(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    code, err, took = _interrupt(("create-ca", "--key-size=16384", "--certs-dir=certs",
                                  "--ca-key=safe/ca.key"), tmp_path)
    assert code == 130
    assert took < 5
    assert "Traceback" not in err and err.strip() == ""
    assert os.listdir(tmp_path) == ["safe"]  # no certs dir
    assert os.listdir(tmp_path / "safe") == []  # no key, no temp file


def test_ctrl_c_during_leaf_key_generation_exits_130_leaving_nothing(full_dir: Path) -> None:
    before = snapshot(full_dir)
    code, err, took = _interrupt(("create-client", "bob", "--key-size=16384", *FLAGS),
                                 full_dir)
    assert code == 130
    assert took < 5
    assert "Traceback" not in err and err.strip() == ""
    assert snapshot(full_dir) == before
    assert _leftovers(full_dir) == []


SWALLOWED = """
import os, signal, sys
from pycert.interrupt import handle_sigint, installing

class Finalizer:
    def __del__(self):  # Python turns an exception raised here into "Exception ignored"
        signal.raise_signal(signal.SIGINT)  # its handler runs right here
        for _ in range(1000):
            pass

if sys.argv[1] == "handled":
    handle_sigint()
if sys.argv[2] == "installing":
    try:
        with installing():
            Finalizer()
            print("inside ran on", flush=True)
    except KeyboardInterrupt:
        print("raised at the end", flush=True)
else:
    Finalizer()
    print("ran on", flush=True)
"""


def test_ctrl_c_swallowed_by_a_finalizer_is_not_lost() -> None:
    def run(*how: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", SWALLOWED, *how], capture_output=True,
                              text=True, timeout=HANG)

    plain = run("default", "outside")  # Python's own handler: the interrupt is lost
    assert plain.returncode == 0 and "ran on" in plain.stdout, "control: no swallow happened"
    handled = run("handled", "outside")  # pycert's: nothing is being written, exit now
    assert handled.returncode == 130 and handled.stdout == ""
    inside = run("handled", "installing")  # while installing: raised again at the end
    assert inside.stdout.splitlines() == ["inside ran on", "raised at the end"]


# --- 7. COCKROACH_SKIP_KEY_PERMISSION_CHECK, read only at the CLI's edge ----------------------

SKIP = "COCKROACH_SKIP_KEY_PERMISSION_CHECK"
JUNK_LINE = (f'error parsing {SKIP}: strconv.ParseBool: parsing "junk": invalid syntax; '
             "key permissions are still checked")


@pytest.fixture
def loose_keys(full_dir: Path) -> Path:
    for key in ("certs/node.key", "certs/client.root.key", "safe/ca.key"):
        (full_dir / key).chmod(0o644)
    return full_dir


def test_skip_key_permission_check_lets_list_read_0644_keys(loose_keys: Path) -> None:
    strict = pycert("list", "--certs-dir=certs", cwd=loose_keys)
    assert strict.code == 1
    assert "certs/node.key has permissions -rw-r--r--" in strict.err
    skipped = pycert("list", "--certs-dir=certs", cwd=loose_keys, env={SKIP: "true"})
    assert skipped.code == 0, skipped.err
    assert "node.key" in skipped.out and "client.root.key" in skipped.out


def test_skip_key_permission_check_lets_create_use_a_dir_with_0644_keys(
        loose_keys: Path) -> None:
    strict = pycert("create-client", "bob", *FLAGS, cwd=loose_keys)
    assert strict.code == 1
    assert "has permissions -rw-r--r--" in strict.err
    skipped = pycert("create-client", "bob", *FLAGS, cwd=loose_keys, env={SKIP: "1"})
    assert skipped.code == 0, skipped.err
    assert (loose_keys / "certs/client.bob.crt").exists()


def test_junk_skip_key_permission_check_is_logged_once_and_counts_as_false(
        loose_keys: Path) -> None:
    for args in (("list", "--certs-dir=certs"), ("create-client", "bob", *FLAGS)):
        res = pycert(*args, cwd=loose_keys, env={SKIP: "junk"})
        assert res.code == 1
        assert "has permissions -rw-r--r--" in res.err
        assert [line.split("  ", 1)[1] for line in res.err.splitlines()
                if SKIP in line] == [JUNK_LINE]
    assert not (loose_keys / "certs/client.bob.crt").exists()
