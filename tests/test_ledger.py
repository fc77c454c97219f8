"""The ledger: every certificate pycert signs is recorded, in OpenSSL's index.txt format,
beside the CA key, in the same commit as the certificate; `ledger import` records the rest."""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import need_tool, pycert, snapshot
from ocsputil import CA, FAST, by_serial, cert, ledger_lines, ok, serial_text
from pycert.certdir import ledger
from test_reliability import Runner, calibrate, exec_killed, fork_killed, kill_delay

NOW = dt.datetime(2026, 12, 7, 21, 33, 45, tzinfo=dt.timezone.utc)


def _openssl_expiry(certificate: x509.Certificate) -> str:
    return certificate.not_valid_after_utc.strftime("%y%m%d%H%M%SZ")


def _cert_files(*dirs: Path) -> list[Path]:
    return [p for d in dirs for p in sorted(d.rglob("*.crt"))]


def test_every_issuing_command_records_what_it_signs(tmp_path: Path) -> None:
    work = tmp_path
    (work / "safe").mkdir()
    ok(work, "create-ca", *CA, *FAST)
    ok(work, "create-client-ca", "--certs-dir=certs", "--ca-key=safe/ca-client.key", *FAST)
    ok(work, "create-tenant-client-ca", "--certs-dir=certs", "--ca-key=safe/ca-tenant.key",
       *FAST)
    ok(work, "create-node", "localhost", *CA, *FAST)
    ok(work, "create-client", "alice", "--certs-dir=certs", "--ca-key=safe/ca-client.key",
       *FAST)
    ok(work, "create-tenant-client", "10", "--certs-dir=certs", "--ca-key=safe/ca-tenant.key",
       *FAST)
    (work / "nodes.csv").write_text("n1,h1\nn2,h2\n")
    ok(work, "create-nodes", "--from=nodes.csv", "--out-dir=out", *CA, *FAST)
    ok(work, "create-node", "db", "--certs-dir=csr", "--csr-only", *FAST)
    ok(work, "sign-csr", "csr/node.csr", "--profile=node", *CA, "--out-dir=csr")
    old_node = cert(work / "certs/node.crt")
    ok(work, "renew", "node", *CA)
    ok(work, "rotate-ca", "--certs-dir=certs", "--ca-key=safe/ca-2.key")
    ok(work, "create-ocsp-signer", "--certs-dir=certs", "--ca-key=safe/ca-2.key")

    book = by_serial(work / "safe/index.txt")
    signed = {c.serial_number: (p, c)  # out/ holds copies of ca.crt
              for p in _cert_files(work / "certs", work / "out", work / "csr")
              for c in x509.load_pem_x509_certificates(p.read_bytes())}
    signed[0] = (work / "safe/ca-2.ocsp.pem", cert(work / "safe/ca-2.ocsp.pem"))
    signed[1] = (work / "old node", old_node)
    assert len(signed) == 12  # 4 CAs (ca.crt holds two), 7 leaves, the signer
    for path, c in signed.values():
        fields = book.pop(serial_text(c))
        assert fields == ["V", _openssl_expiry(c), "", serial_text(c), "unknown",
                          "".join(f"/{_short(a.oid)}={a.value}" for a in c.subject)], path
    assert book == {}, "the ledger holds lines for nothing pycert signed"
    assert (work / "safe/index.txt.attr").read_text() == "unique_subject = no\n"
    assert sorted(p.name for p in (work / "certs").iterdir()) == [
        "ca-client-tenant.crt", "ca-client.crt", "ca.crt", "client-tenant.10.crt",
        "client-tenant.10.key", "client.alice.crt", "client.alice.key", "node.crt", "node.key"]


def _short(oid: x509.ObjectIdentifier) -> str:
    return {NameOID.ORGANIZATION_NAME: "O", NameOID.COMMON_NAME: "CN",
            NameOID.ORGANIZATIONAL_UNIT_NAME: "OU"}[oid]


def test_serials_match_what_openssl_prints(tmp_path: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", *CA, *FAST)
    for user in ("a", "b", "c", "d"):
        ok(tmp_path, "create-client", user, *CA, *FAST)
    lines = ledger_lines(tmp_path / "safe/index.txt")
    for path, fields in zip(["ca.crt", "client.a.crt", "client.b.crt", "client.c.crt",
                             "client.d.crt"], lines):
        out = subprocess.run([openssl, "x509", "-noout", "-serial", "-in",
                              str(tmp_path / "certs" / path)], capture_output=True, text=True)
        assert out.stdout.strip() == f"serial={fields[3]}"


@pytest.mark.parametrize(("when", "text"), [
    (dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc), "491231235959Z"),
    (dt.datetime(2050, 1, 1, tzinfo=dt.timezone.utc), "20500101000000Z"),
    (dt.datetime(1950, 1, 1, tzinfo=dt.timezone.utc), "500101000000Z"),
    (NOW, "261207213345Z"),
])
def test_times_are_utctime_until_2049_then_generalized(when: dt.datetime, text: str) -> None:
    assert ledger.openssl_time(when) == text
    assert ledger.parse_time(text) == when


@pytest.mark.parametrize(("serial", "text"), [(1, "01"), (0xFF, "FF"), (0x100, "0100"),
                                             (0x8A0B, "8A0B"), (2**127 + 5, "8" + "0" * 30 + "5")])
def test_serial_text_is_openssls(serial: int, text: str) -> None:
    assert ledger.serial_text(serial) == text


def test_subject_line_escapes_what_would_break_the_format() -> None:
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Cock/roach"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "a\tb\nc é")])
    assert ledger.oneline(name) == "/O=Cock/roach/CN=a\\x09b\\x0Ac \\xC3\\xA9"


@pytest.mark.parametrize(("line", "why"), [
    ("V\t261207213345Z\t\t01\tunknown", "5 TAB-separated fields"),
    ("X\t261207213345Z\t\t01\tunknown\t/CN=a", "status 'X'"),
    ("V\t2612072133Z\t\t01\tunknown\t/CN=a", "bad time"),
    ("R\t261207213345Z\t\t01\tunknown\t/CN=a", "bad time"),
    ("R\t261207213345Z\t261207213345Z,stolen\t01\tunknown\t/CN=a", "unknown revocation"),
    ("V\t261207213345Z\t261207213345Z\t01\tunknown\t/CN=a", "has a revocation time"),
    ("V\t261207213345Z\t\t0x1\tunknown\t/CN=a", "not hexadecimal"),
])
def test_a_damaged_ledger_is_refused_naming_the_line(line: str, why: str) -> None:
    good = "V\t261207213345Z\t\t02\tunknown\t/CN=b\n"
    with pytest.raises(Exception) as info:
        ledger.Ledger.parse("index.txt", (good + line + "\n").encode())
    assert "line 2" in str(info.value) and why in str(info.value)


def test_openssl_reasons_read_as_openssl_reads_them() -> None:
    book = ledger.Ledger.parse("i", b"R\t261207213345Z\t261207213345Z,KEYCOMPROMISE\t0A\tx\t/CN=a\n"
                                    b"R\t261207213345Z\t261207213345Z\t0B\tx\t/CN=b\n"
                                    b"E\t261207213345Z\t\t000C\tx\t/CN=c\n")
    assert book.by_serial[10].reason == "keyCompromise"
    assert book.by_serial[11].reason is None and book.by_serial[11].revoked_at == NOW
    assert book.by_serial[12].status == "E"


def test_dry_runs_and_failures_record_nothing(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", *CA, *FAST)
    before = (tmp_path / "safe/index.txt").read_bytes()
    assert pycert("create-client", "bob", *CA, *FAST, "--dry-run", cwd=tmp_path).code == 0
    assert pycert("create-client", "Not A User!", *CA, cwd=tmp_path).code == 1
    assert pycert("create-node", "localhost", *CA, "--not-after=2001-01-01T00:00:00Z",
                  cwd=tmp_path).code == 1
    ok(tmp_path, "create-client", "bob", *CA, *FAST)
    res = pycert("create-client", "bob", *CA, *FAST, cwd=tmp_path)  # exists: no --overwrite
    assert res.code == 1 and "file exists" in res.err
    lines = (tmp_path / "safe/index.txt").read_bytes()
    assert lines.startswith(before) and len(ledger_lines(tmp_path / "safe/index.txt")) == 2


def test_create_ca_without_a_key_directory_writes_nothing_anywhere(tmp_path: Path) -> None:
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=missing/ca.key", cwd=tmp_path)
    assert res.code == 1
    assert list(tmp_path.iterdir()) == []


def test_ledger_flag_moves_it_and_must_be_writable(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    (tmp_path / "books").mkdir()
    ok(tmp_path, "create-ca", *CA, *FAST, "--ledger=books/ca.txt")
    ok(tmp_path, "create-client", "alice", *CA, *FAST, "--ledger=books/ca.txt")
    assert not (tmp_path / "safe/index.txt").exists()
    assert len(ledger_lines(tmp_path / "books/ca.txt")) == 2
    assert (tmp_path / "books/ca.txt.attr").exists()
    before = snapshot(tmp_path)
    res = pycert("create-client", "bob", *CA, *FAST, "--ledger=nowhere/index.txt",
                 cwd=tmp_path)
    assert res.code == 1 and "nowhere" in res.err, res.err
    assert snapshot(tmp_path) == before  # the certificate was not written either


def test_a_ca_key_inside_the_certs_dir_starts_no_ledger_there(tmp_path: Path) -> None:
    """cockroach's own test fixtures keep ca.key in the certs dir: cockroach's commands then
    leave exactly cockroach's files there. A ledger put there on purpose (`ledger import`)
    is used from then on: one lock for both (the same directory), no deadlock."""
    args = ("--certs-dir=certs", "--ca-key=certs/ca.key", *FAST)
    ok(tmp_path, "create-ca", *args)
    ok(tmp_path, "create-node", "localhost", *args)
    assert sorted(p.name for p in (tmp_path / "certs").iterdir()) == [
        "ca.crt", "ca.key", "node.crt", "node.key"]
    ok(tmp_path, "ledger", "import", *args[:2])
    ok(tmp_path, "create-client", "root", *args)
    assert len(ledger_lines(tmp_path / "certs/index.txt")) == 3
    listed = ok(tmp_path, "list", "--certs-dir=certs", "--format=tsv").splitlines()
    assert [line.split("\t")[0] for line in listed[1:]] == ["Usage", "CA", "Node", "Client"]


def _read_only(work: Path, directory: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs pycert with `directory` mounted read-only, in a mount namespace of its own (the
    machine's mounts are not touched); skips where the host allows no such namespace."""
    unshare = shutil.which("unshare")
    if unshare is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare(1) to mount a directory read-only privately")
    target = str(work / directory)
    script = ('mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 97; shift; '
              'exec "$@"')
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    res = subprocess.run([unshare, "-m", "sh", "-c", script, "sh", target, sys.executable,
                          "-m", "pycert", *args], cwd=work, env=env, capture_output=True,
                         text=True, timeout=60)
    if res.returncode == 97 or "unshare failed" in res.stderr:
        pytest.skip(f"this host allows no private read-only mount: {res.stderr.strip()}")
    return res


def test_a_read_only_ca_key_directory_still_issues_with_a_warning(tmp_path: Path) -> None:
    """The CA key on a read-only mount: cockroach's command works as it always did; the
    certificate goes unrecorded, with a warning naming `ledger import`. With --ledger the
    ledger was asked for: not writing it is an error, and nothing is written."""
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", *CA, *FAST)
    ledger_before = (tmp_path / "safe/index.txt").read_bytes()
    res = _read_only(tmp_path, "safe", "create-client", "alice", *CA, *FAST)
    assert res.returncode == 0, res.stderr
    assert "not recorded in the ledger" in res.stderr and "ledger import" in res.stderr
    assert (tmp_path / "certs/client.alice.crt").exists()
    assert (tmp_path / "safe/index.txt").read_bytes() == ledger_before
    res = _read_only(tmp_path, "safe", "create-client", "bob", *CA, *FAST,
                     "--ledger=safe/index.txt")
    assert res.returncode == 1 and "could not write the ledger" in res.stderr, res.stderr
    assert not (tmp_path / "certs/client.bob.crt").exists()
    ok(tmp_path, "ledger", "import", *CA)  # the repair
    assert serial_text(cert(tmp_path / "certs/client.alice.crt")) in \
        by_serial(tmp_path / "safe/index.txt")


def test_concurrent_creates_are_all_recorded(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", *CA, *FAST)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    procs = [subprocess.Popen([sys.executable, "-m", "pycert", "create-client", f"u{i}", *CA,
                               *FAST], cwd=tmp_path, env=env, stderr=subprocess.PIPE)
             for i in range(8)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    book = by_serial(tmp_path / "safe/index.txt")
    for i in range(8):
        assert serial_text(cert(tmp_path / f"certs/client.u{i}.crt")) in book
    assert len(book) == 9


def test_ledger_import_records_cockroachs_certificates(fixture_copy: Path, tmp_path: Path) -> None:
    """cockroach's own test certs (made by cockroach, before any ledger), plus a stranger
    from another CA, which is skipped; a second import adds nothing."""
    openssl = need_tool("openssl", "openssl")
    stranger_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stranger")])
    now = dt.datetime.now(dt.timezone.utc)
    stranger = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                .public_key(stranger_key.public_key()).serial_number(0xABCDEF)
                .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
                .sign(stranger_key, hashes.SHA256()))
    from cryptography.hazmat.primitives.serialization import Encoding

    (tmp_path / "stranger.crt").write_bytes(stranger.public_bytes(Encoding.PEM))
    keys = tmp_path / "keys"
    keys.mkdir()
    shutil.move(str(fixture_copy / "ca.key"), keys / "ca.key")
    args = (f"--certs-dir={fixture_copy}", f"--ca-key={keys / 'ca.key'}")
    out = ok(tmp_path, "ledger", "import", *args, str(tmp_path / "stranger.crt"))
    book = by_serial(keys / "index.txt")
    crts = [c for p in _cert_files(fixture_copy) for c in x509.load_pem_x509_certificates(
        p.read_bytes())]
    assert {serial_text(c) for c in crts} == set(book)
    assert f"recorded {len(book)} certificates" in out and "skipped" in out
    assert "0 already there" in out
    again = ok(tmp_path, "ledger", "import", *args)
    assert again.startswith(f"recorded 0 certificates in {keys / 'index.txt'} "
                            f"({len(book)} already there)")
    conf = tmp_path / "ca.cnf"
    conf.write_text(f"[ca]\ndefault_ca=d\n[d]\ndatabase={keys / 'index.txt'}\n"
                    f"new_certs_dir={tmp_path}\nserial={tmp_path}/serial\n"
                    f"certificate={fixture_copy / 'ca.crt'}\nprivate_key={keys / 'ca.key'}\n"
                    "default_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n")
    root = cert(fixture_copy / "client.root.crt")
    res = subprocess.run([openssl, "ca", "-config", str(conf), "-status", serial_text(root)],
                         capture_output=True, text=True)
    assert f"{serial_text(root)}=Valid (V)" in res.stderr, res.stderr  # exit 1 even then


def test_in_memory_issuing_records_nothing(tmp_path: Path) -> None:
    """`pycert.CA` and `CertsDir.write` sign in memory and write, with no CA key path:
    no ledger appears unless one is imported."""
    import pycert as api

    ca = api.CA(key_type="ecdsa")
    certs = api.CertsDir(tmp_path / "certs")
    certs.write_ca(ca, tmp_path / "ca.key")
    certs.write(ca.issue_client("root", key_type="ecdsa"))
    assert not (tmp_path / "index.txt").exists()
    done = certs.import_ledger(ca_key=tmp_path / "ca.key")
    assert len(done.added) == 2 and len(ledger_lines(tmp_path / "index.txt")) == 2


def test_the_create_ca_api_takes_ledger_none(tmp_path: Path) -> None:
    import pycert as api

    certs = api.CertsDir(tmp_path / "certs")
    certs.create_ca(tmp_path / "ca.key", key_type="ecdsa", ledger=None)
    certs.create_client("alice", ca_key=tmp_path / "ca.key", key_type="ecdsa", ledger=None)
    assert not (tmp_path / "index.txt").exists()


@pytest.mark.parametrize(("runner", "kills"), [(fork_killed, 40), (exec_killed, 6)],
                         ids=["fork", "exec"])
def test_sigkill_never_leaves_a_certificate_without_its_line(tmp_path: Path, runner: Runner,
                                                             kills: int) -> None:
    """`create-client --overwrite` killed at random moments (half of them within 15 ms of
    its first temp file): the ledger is always whole, and the certificate in the dir is
    always in it. The one in-between state is the other way round (a line for a certificate
    that never appeared: the ledger goes in first), which is harmless: nobody holds it."""
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", *CA, *FAST)
    args = ["create-client", "alice", *CA, *FAST, "--overwrite"]
    full = calibrate(runner, args, tmp_path)
    rng = random.Random(20261207)
    killed = ahead = 0
    while killed < kills:
        code = runner(args, tmp_path, *kill_delay(rng, full))
        killed += code is None
        lines = ledger_lines(tmp_path / "safe/index.txt")  # whole lines only
        ledger.Ledger.parse("index.txt", (tmp_path / "safe/index.txt").read_bytes())
        current = serial_text(cert(tmp_path / "certs/client.alice.crt"))
        serials = [fields[3] for fields in lines]
        assert current in serials, "a certificate without its ledger line"
        ahead += serials[-1] != current
        assert (tmp_path / "safe/index.txt.attr").read_text() == "unique_subject = no\n"
    print(f"{killed} kills, {ahead} left a line ahead of its certificate")
    ok(tmp_path, "create-client", "alice", *CA, *FAST, "--overwrite")
    assert not [n for n in os.listdir(tmp_path / "safe") if ".pycert-tmp" in n]


def test_a_default_ledger_that_cannot_be_read_warns_and_issues(tmp_path: Path) -> None:
    """index.txt beside the key is a directory (or a FIFO, or too large): the certificate
    is issued as cockroach would, with a warning; with --ledger it is an error."""
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", *CA, *FAST)
    (tmp_path / "safe/index.txt").unlink()
    (tmp_path / "safe/index.txt").mkdir()
    res = pycert("create-client", "alice", *CA, *FAST, cwd=tmp_path)
    assert res.code == 0 and "could not read the ledger safe/index.txt" in res.err, res.err
    assert "1 certificate(s) not recorded" in res.err
    res = pycert("create-client", "bob", *CA, *FAST, "--ledger=safe/index.txt", cwd=tmp_path)
    assert res.code == 1 and "could not read the ledger" in res.err
    assert not (tmp_path / "certs/client.bob.crt").exists()
