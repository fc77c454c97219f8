"""The four certificates that reached users in issue 19, each a client cert signed by the
dir's own CA: `list` (cockroach's command), `list --format=json` and `check` give
cockroach's answers (Go's reading), never an internal error."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

import certcorpus
from conftest import pycert
from pycert.pki.pem import encode

UNREADABLE = {  # corpus case -> where the refusal happens (in cryptography's words: Go's
    "cn_invalid_utf8": "subject",  # "invalid UTF-8 string" and "invalid basic constraints"
    "ip_length_5": "",  # are not recoverable from them)
    "bc_set": "",
}


@pytest.fixture
def certs(tmp_path: Path) -> Path:
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=ca.key", "--key-size=1024",
                 cwd=tmp_path)
    assert res.code == 0, res.err
    return tmp_path / "certs"


def _drop(certs: Path, case: str, user: str) -> None:
    """The case as client.<user>.crt, signed by the dir's CA, with its key beside it."""
    from cryptography import x509

    ca = x509.load_pem_x509_certificate((certs / "ca.crt").read_bytes())
    ca_key = serialization.load_pem_private_key((certs.parent / "ca.key").read_bytes(), None)
    der = certcorpus.build(certcorpus.case(case),
                           certcorpus.Signer.of(ca, ca_key))  # type: ignore[arg-type]
    (certs / f"client.{user}.crt").write_bytes(encode("CERTIFICATE", der))
    key = certcorpus.subject_key().private_bytes(serialization.Encoding.PEM,
                                                 serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption())
    (certs / f"client.{user}.key").write_bytes(key)
    (certs / f"client.{user}.key").chmod(0o600)


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_a_certificate_go_refuses_is_a_row_with_its_error(certs: Path, case: str) -> None:
    _drop(certs, case, "bad")
    listed = pycert("list", f"--certs-dir={certs}")
    assert listed.code == 0, listed.err
    assert "internal error" not in listed.err and "Traceback" not in listed.err
    row = next(r for r in csv.reader(listed.out.splitlines(), delimiter="\t")
               if r[:1] == ["Client"])
    assert row[:5] == ["Client", "client.bad.crt", "", "0001/01/01", "user: <unknown>"]
    assert row[5].startswith("failed to parse certificate 0 in file client.bad.crt: x509: ")
    assert UNREADABLE[case] in row[5]
    assert "could not parse certificate for" in listed.err  # cockroach's WARNING line

    as_json = pycert("list", "--format=json", f"--certs-dir={certs}")
    assert as_json.code == 0, as_json.err
    record = next(r for r in json.loads(as_json.out) if r["file"] == "client.bad.crt")
    assert record["error"] == row[5] and record["subject"] is None and record["index"] is None

    checked = pycert("check", f"--certs-dir={certs}", "--format=json")
    assert checked.code == 2, checked.err
    problems = json.loads(checked.out)["problems"]
    assert {(p["check"], p["file"]) for p in problems} == {("cert-unreadable", "client.bad.crt"),
                                                           ("node-missing", "node.crt")}


def test_several_cns_read_as_go_reads_them_the_last_one(certs: Path) -> None:
    """Subject O=Cockroach, CN=root, CN=admin: cockroach shows and authenticates `admin`."""
    _drop(certs, "several_cns", "root")
    listed = pycert("list", f"--certs-dir={certs}")
    assert listed.code == 0, listed.err
    assert "Client\tclient.root.crt\tclient.root.key\t2035/01/01\tuser: admin\t" in listed.out

    records = json.loads(pycert("list", "--format=json", f"--certs-dir={certs}").out)
    record = next(r for r in records if r["file"] == "client.root.crt")
    assert record["subject"]["cn"] == "admin" and record["error"] is None
    assert record["signed_by"] == {"file": "ca.crt", "index": 0}

    checked = pycert("check", f"--certs-dir={certs}", "--format=json")
    problems = {p["check"]: p for p in json.loads(checked.out)["problems"]}
    assert "client-cn" in problems, problems
    assert "'admin'" in problems["client-cn"]["message"]
    assert "key-mismatch" not in problems and "chain" not in problems
