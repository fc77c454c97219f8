"""`pycert revoke`: by file, by kind and name, by serial; refusals for the unknown, the
already revoked and the CA itself; what `check` and `list --format=json` then say."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import need_tool, pycert, snapshot
from ocsputil import CA, FAST, by_serial, cert, make_pki, ok, serial_text
from schema_check import validate_records


@pytest.fixture
def pki(tmp_path: Path) -> Path:
    return make_pki(tmp_path, "alice", "bob", "carol", signer=False)


def _line(work: Path, name: str) -> list[str]:
    return by_serial(work / "safe/index.txt")[serial_text(cert(work / "certs" / name))]


def test_revoke_by_kind_and_name_writes_openssls_r_line(pki: Path) -> None:
    before = _line(pki, "client.alice.crt")
    out = ok(pki, "revoke", "client", "alice", "--reason=keyCompromise", *CA)
    after = _line(pki, "client.alice.crt")
    assert after[0] == "R" and after[1:2] == before[1:2] and after[3:] == before[3:]
    when, reason = after[2].split(",")
    assert reason == "keyCompromise" and len(when) == 13
    revoked_at = dt.datetime.strptime(when, "%y%m%d%H%M%SZ").replace(tzinfo=dt.timezone.utc)
    assert abs((dt.datetime.now(dt.timezone.utc) - revoked_at).total_seconds()) < 120
    assert out.startswith("revoked certs/client.alice.crt (serial "), out
    assert "pycert create-crl --certs-dir=certs --ca-key=safe/ca.key" in out
    assert _line(pki, "client.bob.crt")[0] == "V"  # nothing else changed


def test_revoke_by_file_and_by_serial(pki: Path) -> None:
    ok(pki, "revoke", "certs/client.bob.crt", *CA)
    assert _line(pki, "client.bob.crt")[2].count(",") == 0  # no reason given: none written
    serial = cert(pki / "certs/client.carol.crt").serial_number
    colons = ":".join(f"{b:02x}" for b in serial.to_bytes(16, "big")).lstrip("0:")
    out = ok(pki, "revoke", f"--serial={colons}", "--reason=superseded", "--json", *CA)
    doc = json.loads(out)
    assert doc["serial"] == serial_text(cert(pki / "certs/client.carol.crt"))
    assert doc["reason"] == "superseded" and doc["file"] is None and not doc["recorded"]
    assert doc["subject"] == "/O=Cockroach/CN=carol"


def test_revoke_names_the_renewed_certificates_of_the_same_subject(pki: Path) -> None:
    """A renewal is a new serial: revoking the current file leaves the old one valid, and
    revoke says which serials those are."""
    old = serial_text(cert(pki / "certs/client.alice.crt"))
    ok(pki, "renew", "client", "alice", *CA)
    out = ok(pki, "revoke", "client", "alice", "--json", *CA)
    assert json.loads(out)["same_subject_still_valid"] == [old]
    out = ok(pki, "revoke", f"--serial={old}", *CA)
    assert "more unexpired" not in out
    out = ok(pki, "revoke", "client", "bob", *CA)
    assert "more unexpired" not in out and json.loads(
        ok(pki, "revoke", "client", "carol", "--json", *CA))["same_subject_still_valid"] == []


def test_revoke_node_then_openssl_ca_status_reads_it(pki: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    ok(pki, "revoke", "node", "--reason=cessationOfOperation", *CA)
    conf = pki / "ca.cnf"
    conf.write_text(f"[ca]\ndefault_ca=d\n[d]\ndatabase={pki}/safe/index.txt\n"
                    f"new_certs_dir={pki}\nserial={pki}/serial\ncertificate={pki}/certs/ca.crt\n"
                    f"private_key={pki}/safe/ca.key\ndefault_md=sha256\npolicy=p\n"
                    "[p]\ncommonName=supplied\n")
    for name, word in (("node.crt", "Revoked (R)"), ("client.alice.crt", "Valid (V)")):
        serial = serial_text(cert(pki / "certs" / name))
        res = subprocess.run([openssl, "ca", "-config", str(conf), "-status", serial],
                             capture_output=True, text=True)
        assert f"{serial}={word}" in res.stderr, res.stderr  # openssl exits 1 even so


@pytest.mark.parametrize(("args", "words"), [
    (("client", "alice"), "is already revoked in safe/index.txt, since "),
    (("--serial=0BADC0DE",), "serial 0BADC0DE is not in the ledger safe/index.txt"),
    (("ca",), "cannot revoke the CA itself (ca.crt)"),
    (("certs/ca.crt",), "it is a CA certificate"),
    (("client",), "revoke client needs the name"),
    (("client", "alice", "bob"), "at most one name"),
    (("tenant-signing", "2"), "cannot revoke 'tenant-signing'"),
    ((), "revoke needs what to revoke"),
    (("certs/nope.crt",), "cannot revoke 'certs/nope.crt': no such certificate file, and "
                          "not a kind\nHINT: give a certificate file, <kind> [<name>]"),
    (("nodes",), "cannot revoke 'nodes': no such certificate file, and not a kind"),
    (("ui-ca",), "cannot revoke the CA itself (ca-ui.crt): a CA is trusted by its holders, "
                 "not checked; replace it with pycert create-ui-ca --overwrite"),
])
def test_what_revoke_refuses(pki: Path, args: tuple[str, ...], words: str) -> None:
    ok(pki, "revoke", "client", "alice", *CA)
    before = snapshot(pki)
    res = pycert("revoke", *args, *CA, cwd=pki)
    assert res.code == 1, res.err
    assert words in res.err, res.err
    assert res.err.startswith("ERROR: ") and "Traceback" not in res.err
    assert snapshot(pki) == before


def test_revoking_the_ca_by_its_serial_is_refused(pki: Path) -> None:
    serial = serial_text(cert(pki / "certs/ca.crt"))
    res = pycert("revoke", f"--serial={serial}", *CA, cwd=pki)
    assert res.code == 1 and "it is a CA certificate" in res.err and "rotate" in res.err


def test_reason_flag_lists_exactly_what_it_takes(pki: Path) -> None:
    res = pycert("revoke", "client", "alice", "--reason=stolen", *CA, cwd=pki)
    assert res.code == 4
    values = ("unspecified, keyCompromise, CACompromise, affiliationChanged, superseded, "
              "cessationOfOperation")
    assert f"(possible values: {values})" in res.err
    help_text = pycert("revoke", "--help").out
    assert " ".join(values.split()) in " ".join(help_text.split())
    out = ok(pki, "revoke", "client", "alice", "--reason=KEYCOMPROMISE", "--json", *CA)
    assert json.loads(out)["reason"] == "keyCompromise"  # any case, as OpenSSL reads it


def test_a_certificate_made_before_the_ledger_is_recorded_and_revoked(pki: Path) -> None:
    """The lost laptop of a cluster older than the ledger: revoke by file records it too.
    A certificate no CA of the dir signed is refused."""
    (pki / "safe/index.txt").unlink()
    out = ok(pki, "revoke", "client", "bob", *CA)
    assert "recorded and revoked at once" in out
    assert [f[0] for f in by_serial(pki / "safe/index.txt").values()] == ["R"]
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "dave")])
    now = dt.datetime.now(dt.timezone.utc)
    stray = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
             .public_key(key.public_key()).serial_number(77).not_valid_before(now)
             .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    (pki / "stray.crt").write_bytes(stray.public_bytes(serialization.Encoding.PEM))
    res = pycert("revoke", "stray.crt", *CA, cwd=pki)
    assert res.code == 1 and "no CA certificate in certs signed it" in res.err


def test_check_fails_a_revoked_certificate_with_its_own_rule(pki: Path) -> None:
    assert pycert("check", *CA, "--host=localhost", cwd=pki).code == 0
    ok(pki, "revoke", "client", "alice", "--reason=keyCompromise", *CA)
    res = pycert("check", *CA, "--host=localhost", "--format=json", cwd=pki)
    assert res.code == 2
    doc = json.loads(res.out)
    problems = [p for p in doc["problems"] if p["check"] == "revoked"]
    assert [p["file"] for p in problems] == ["client.alice.crt"]
    assert "(keyCompromise)" in problems[0]["message"]
    assert problems[0]["fix"] == "pycert renew client alice --certs-dir=certs --ca-key=safe/ca.key"
    # the ledger found by --ledger alone, without --ca-key
    res = pycert("check", "--certs-dir=certs", "--ledger=safe/index.txt", cwd=pki)
    assert res.code == 2 and "[revoked]" in res.out
    assert pycert("check", "--certs-dir=certs", cwd=pki).code == 0  # no ledger: not checked


def test_list_json_carries_the_revocation_status(pki: Path) -> None:
    ok(pki, "revoke", "client", "alice", "--reason=superseded", *CA)
    (pki / "certs/client.carol.crt").unlink()
    x = ok(pki, "create-client", "erin", *CA, *FAST, "--ledger=elsewhere.txt")
    assert x == ""
    res = pycert("list", "--certs-dir=certs", "--ledger=safe/index.txt", "--format=json",
                 cwd=pki)
    assert res.code == 0, res.err
    records = json.loads(res.out)
    validate_records(records)
    status = {r["file"]: r["revocation"] for r in records}
    assert status["client.alice.crt"]["status"] == "revoked"
    assert status["client.alice.crt"]["reason"] == "superseded"
    assert status["client.alice.crt"]["revoked_at"].endswith("Z")
    assert status["client.bob.crt"] == {"status": "good", "revoked_at": None, "reason": None}
    assert status["client.erin.crt"]["status"] == "unknown"  # recorded in another ledger
    assert status["ca.crt"]["status"] == "good"
    keys = list(records[0])
    assert keys[-1] == "revocation" and keys[-2] == "error"  # appended; order kept
    plain = json.loads(pycert("list", "--certs-dir=certs", "--format=json", cwd=pki).out)
    assert all("revocation" not in r for r in plain)  # no ledger found: no field
    assert pycert("list", "--certs-dir=certs", "--ledger=nope.txt", "--format=json",
                  cwd=pki).code == 1
