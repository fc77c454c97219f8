"""`pycert inspect`: files, bundles, DER and stdin, as text and as the list JSON schema."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import need_tool, pycert
from schema_check import validate_records


def test_text_dump_of_a_node_cert(full_dir: Path) -> None:
    res = pycert("inspect", "certs/node.crt", "certs/ca.crt", cwd=full_dir)
    assert res.code == 0, res.err
    assert res.out.startswith("Certificate (certs/node.crt #0):\n    Usage: Node\n")
    for line in ("    Subject: CN=node, O=Cockroach", "    Issuer: CN=Cockroach CA, O=Cockroach",
                 "        DNS: localhost", "        IP: ::1",
                 "    Extended Key Usage: serverAuth, clientAuth",
                 "    Signed By: certs/ca.crt #0", "    Public Key: RSA 2048 bits"):
        assert line + "\n" in res.out
    assert "Certificate (certs/ca.crt #0):" in res.out and "Signed By: itself" in res.out


def test_json_equals_the_list_record(full_dir: Path) -> None:
    res = pycert("inspect", "--format=json", "certs/node.crt", "certs/ca.crt", cwd=full_dir)
    records = json.loads(res.out)
    validate_records(records)
    listed = json.loads(pycert("list", "--certs-dir=certs", "--format=json", cwd=full_dir).out)
    node = next(r for r in listed if r["file"] == "node.crt")
    ignore = {"file", "key_file", "signed_by"}  # paths as given; keys are not inspected
    assert {k: v for k, v in records[0].items() if k not in ignore} == {
        k: v for k, v in node.items() if k not in ignore}
    assert records[0]["signed_by"] == {"file": "certs/ca.crt", "index": 0}


def test_stdin_bundle_and_unknown_issuer(full_dir: Path) -> None:
    pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/ca2.key", "--overwrite", cwd=full_dir)
    proc = subprocess.run([sys.executable, "-m", "pycert", "inspect", "--format=json", "-",
                           "certs/client.root.crt"], cwd=full_dir, capture_output=True,
                          input=(full_dir / "certs/ca.crt").read_bytes(), check=True)
    records = json.loads(proc.stdout)
    validate_records(records)
    assert [(r["file"], r["index"]) for r in records] == [("-", 0), ("-", 1),
                                                          ("certs/client.root.crt", 0)]
    assert records[2]["signed_by"] == {"file": "-", "index": 1}
    alone = pycert("inspect", "certs/client.root.crt", cwd=full_dir)
    assert "Signed By: unknown (issuer not among the inputs)" in alone.out


def test_der_input(full_dir: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    subprocess.run([openssl, "x509", "-in", "certs/node.crt", "-outform", "DER", "-out", "n.der"],
                   cwd=full_dir, check=True)
    res = pycert("inspect", "--format=json", "n.der", cwd=full_dir)
    assert json.loads(res.out)[0]["subject"]["cn"] == "node"


def test_bad_inputs_are_one_error_line(full_dir: Path) -> None:
    for args, text in ((["certs/node.key"], "no certificates found in certs/node.key "
                        "(PEM blocks: RSA PRIVATE KEY)"),
                       (["missing.crt"], "could not read missing.crt: No such file or directory"),
                       ([], "requires at least 1 arg(s), only received 0")):
        res = pycert("inspect", *args, cwd=full_dir)
        assert res.code == 1 and res.out == ""
        assert res.err == f'ERROR: {text}\nFailed running "cert inspect"\n'
    (full_dir / "junk.der").write_bytes(b"\x30\x03junk")
    res = pycert("inspect", "junk.der", cwd=full_dir)
    assert res.code == 1 and res.err.startswith("ERROR: could not parse a certificate in junk.der")
