"""`list --format`, `--show-all` and the per-certificate JSON schema (pycert extensions)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from conftest import need_tool, pycert
from schema_check import validate_records


def _json(cwd: Path, *args: str) -> list[dict]:
    res = pycert("list", "--certs-dir=certs", "--format=json", *args, cwd=cwd)
    assert res.code == 0, res.err
    records = json.loads(res.out)
    validate_records(records)
    return records


def test_format_tsv_is_byte_identical_to_the_default(full_dir: Path) -> None:
    default = pycert("list", "--certs-dir=certs", cwd=full_dir)
    tsv = pycert("list", "--certs-dir=certs", "--format=tsv", cwd=full_dir)
    assert default.code == tsv.code == 0 and default.out == tsv.out and tsv.err == ""


def test_format_table_when_piped(full_dir: Path) -> None:
    res = pycert("list", "--certs-dir=certs", "--format=table", cwd=full_dir)
    lines = res.out.splitlines()
    assert lines[0] == "Certificate directory: certs"
    assert lines[1].startswith("  Usage  | Certificate File |") and lines[-1] == "(3 rows)"


def test_format_csv_quotes_commas_like_go(full_dir: Path) -> None:
    res = pycert("list", "--certs-dir=certs", "--format=csv", cwd=full_dir)
    lines = res.out.splitlines()
    assert lines[1] == "Usage,Certificate File,Key File,Expires,Notes,Error"
    assert lines[3].startswith("Node,node.crt,node.key,")
    assert lines[3].endswith(',"addresses: localhost,127.0.0.1,::1",')


def test_format_records(full_dir: Path) -> None:
    res = pycert("list", "--certs-dir=certs", "--format=records", cwd=full_dir)
    lines = res.out.splitlines()
    assert lines[1] == "-[ RECORD 1 ]"
    assert lines[2] == "Usage            | CA"
    assert "Key File         |" in lines  # empty value: no trailing space
    assert lines.count("-[ RECORD 3 ]") == 1


def test_unknown_format_is_a_flag_error(full_dir: Path) -> None:
    res = pycert("list", "--certs-dir=certs", "--format=yaml", cwd=full_dir)
    assert res.code == 4 and res.out == ""
    assert 'ERROR: invalid argument "yaml" for "--format" flag: invalid table display format' in res.err


def test_json_fields_agree_with_openssl(full_dir: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    node = next(r for r in _json(full_dir) if r["file"] == "node.crt")
    out = subprocess.run([openssl, "x509", "-in", "certs/node.crt", "-noout", "-serial",
                          "-fingerprint", "-sha256", "-enddate"], cwd=full_dir,
                         capture_output=True, text=True, check=True).stdout
    fields = dict(line.split("=", 1) for line in out.splitlines())
    assert int(fields["serial"], 16) == int(node["serial"], 16)
    sha = next(v for k, v in fields.items() if "Fingerprint" in k)
    assert sha.replace(":", "").lower() == node["fingerprint_sha256"]
    assert node["usage"] == "Node" and node["key_file"] == "node.key" and node["index"] == 0
    assert node["subject"] == {"cn": "node", "o": ["Cockroach"], "ou": []}
    assert node["sans"] == {"dns": ["localhost"], "ip": ["127.0.0.1", "::1"], "uri": []}
    assert node["key"] == {"type": "RSA", "size": 2048, "curve": None}
    assert node["eku"] == ["serverAuth", "clientAuth"] and node["is_ca"] is False
    assert node["signed_by"] == {"file": "ca.crt", "index": 0}
    assert node["signature_algorithm"] == "sha256WithRSAEncryption"
    assert node["effective_not_after"] == node["not_after"]  # CA outlives the node cert
    assert 1820 <= node["days_left"] <= 1830


def test_json_shows_every_cert_of_a_rotated_bundle(full_dir: Path) -> None:
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/ca2.key", "--overwrite",
                 cwd=full_dir)
    assert res.code == 0, res.err
    records = _json(full_dir)
    cas = [r for r in records if r["file"] == "ca.crt"]
    assert [r["index"] for r in cas] == [0, 1] and cas[0]["serial"] != cas[1]["serial"]
    assert all(r["self_signed"] and r["signed_by"] is None for r in cas)
    node = next(r for r in records if r["file"] == "node.crt")
    assert node["signed_by"] == {"file": "ca.crt", "index": 1}  # the old CA signed it


def test_ndjson_is_one_record_per_line(full_dir: Path) -> None:
    res = pycert("list", "--certs-dir=certs", "--format=ndjson", cwd=full_dir)
    records = [json.loads(line) for line in res.out.splitlines()]
    validate_records(records)
    assert [r["file"] for r in records] == ["ca.crt", "node.crt", "client.root.crt"]


def test_show_all_adds_tenant_rows_and_json_always_has_them(fixture_copy: Path) -> None:
    args = ("list", f"--certs-dir={fixture_copy}")
    default = pycert(*args).out
    shown = pycert(*args, "--show-all").out
    assert "client-tenant" not in default
    assert "Tenant Client CA\tca-client-tenant.crt\t\t" in shown
    assert "Tenant Client\tclient-tenant.10.crt\tclient-tenant.10.key\t" in shown
    assert "\ttenant: 10\t" in shown
    assert shown.startswith(default)  # tenant rows come after cockroach's rows
    res = pycert(*args, "--format=json")
    records = json.loads(res.out)
    validate_records(records)
    tenant = next(r for r in records if r["kind"] == "tenant-client")
    assert tenant["usage"] == "Tenant Client" and tenant["name"] == "10"
    assert tenant["subject"]["ou"] == ["Tenants"]
    assert tenant["signed_by"] == {"file": "ca-client-tenant.crt", "index": 0}


def test_unparsable_file_is_a_record_with_an_error(full_dir: Path) -> None:
    (full_dir / "certs" / "client.bad.crt").write_text("not a cert\n")
    (full_dir / "certs" / "client.bad.key").write_text("x")
    (full_dir / "certs" / "client.bad.key").chmod(0o600)
    bad = next(r for r in _json(full_dir) if r["file"] == "client.bad.crt")
    assert bad["index"] is None and bad["subject"] is None
    assert bad["error"] == "no certificates found in client.bad.crt"


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_formats_keep_lists_load_failure(full_dir: Path, fmt: str) -> None:
    (full_dir / "certs" / "node.key").chmod(0o644)
    res = pycert("list", "--certs-dir=certs", f"--format={fmt}", cwd=full_dir)
    assert res.code == 1 and res.out == "" and "validating node cert" in res.err


def test_tenant_signing_ed25519_record(ca_dir: Path) -> None:
    res = pycert("create-tenant-signing", "5", "--certs-dir=certs", cwd=ca_dir)
    assert res.code == 0, res.err
    rec = next(r for r in _json(ca_dir) if r["kind"] == "tenant-signing")
    assert rec["usage"] == "Tenant Signing" and rec["key_file"] == "tenant-signing.5.key"
    assert rec["key"] == {"type": "Ed25519", "size": 256, "curve": None}
    assert rec["signature_algorithm"] == "ed25519" and rec["serial"] == "1"
    assert rec["self_signed"] is True and rec["signed_by"] is None
    res = pycert("check", "--certs-dir=certs", "--format=json", cwd=ca_dir)
    assert res.code == 0 and json.loads(res.out)["problems"][0]["check"] == "node-missing"
