"""Issue 8 item 6: --dry-run writes nothing and says what it would do; --json manifests."""

from __future__ import annotations

import hashlib
import json
import stat
import subprocess
from pathlib import Path

from cryptography import x509

from conftest import need_tool, pycert, snapshot

CA = ("--certs-dir=certs", "--ca-key=safe/ca.key")


def test_dry_run_node_prints_plan_and_writes_nothing(ca_dir: Path) -> None:
    before = snapshot(ca_dir)
    res = pycert("create-node", "localhost", "10.0.0.1", *CA, "--dry-run", cwd=ca_dir)
    assert res.code == 0, res.err
    assert snapshot(ca_dir) == before
    lines = res.out.splitlines()
    assert lines[0] == "dry run: nothing was written"
    assert "subject:   CN=node,O=Cockroach" in lines
    assert "SANs:      DNS:localhost, IP:10.0.0.1" in lines
    assert any(line.startswith("validity:  20") for line in lines)
    assert "key:       rsa 2048" in lines
    ca = x509.load_pem_x509_certificate((ca_dir / "certs/ca.crt").read_bytes())
    assert f"signed by: certs/ca.crt (CN=Cockroach CA,O=Cockroach, serial " \
        f"{ca.serial_number:x}, " in res.out
    assert "  certs/node.crt (0644, new)" in lines and "  certs/node.key (0600, new)" in lines


def test_dry_run_ca_creates_no_directory_and_no_key(tmp_path: Path) -> None:
    res = pycert("create-ca", "--certs-dir=c", "--ca-key=ca.key", "--dry-run", cwd=tmp_path)
    assert res.code == 0, res.err
    assert list(tmp_path.iterdir()) == []
    assert "  ca.key (0600, new)" in res.out and "  c/ca.crt (0644, new)" in res.out


def test_dry_run_overwrite_lists_changes(full_dir: Path) -> None:
    before = snapshot(full_dir)
    res = pycert("create-node", "localhost", "db.example", *CA, "--overwrite", "--dry-run",
                 "--lifetime=1d", cwd=full_dir)
    assert res.code == 0, res.err
    assert snapshot(full_dir) == before
    assert "  certs/node.crt (0644, replaces existing)" in res.out
    assert "    sans: -IP:127.0.0.1 -IP:::1 +DNS:db.example" in res.out
    assert "    not_after: " in res.out


def test_dry_run_fails_as_the_real_run_would(full_dir: Path) -> None:
    res = pycert("create-node", "localhost", *CA, "--dry-run", cwd=full_dir)
    assert res.code == 1 and "certs/node.crt: open certs/node.crt: file exists" in res.err
    assert res.out == ""


def test_json_manifest_matches_files_on_disk(ca_dir: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    res = pycert("create-client", "root", *CA, "--json", "--also-generate-pkcs8-key",
                 cwd=ca_dir)
    assert res.code == 0, res.err
    data = json.loads(res.out)
    assert data["dry_run"] is False
    paths = [f["path"] for f in data["files"]]
    assert paths == ["certs/client.root.crt", "certs/client.root.key",
                     "certs/client.root.key.pk8"]
    for entry in data["files"]:
        path = ca_dir / entry["path"]
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["mode"] == f"{stat.S_IMODE(path.stat().st_mode):04o}"
    crt = data["files"][0]
    out = subprocess.run([openssl, "x509", "-in", str(ca_dir / crt["path"]), "-noout",
                          "-fingerprint", "-sha256", "-serial", "-enddate"],
                         capture_output=True, text=True, check=True).stdout
    assert f"sha256 Fingerprint={crt['fingerprint']}" in out.replace("SHA256", "sha256")
    assert f"serial={crt['serial'].upper()}" in out.replace("serial=0", "serial=")
    cert = x509.load_pem_x509_certificate((ca_dir / crt["path"]).read_bytes())
    assert crt["not_after"] == cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "serial" not in data["files"][1]


def test_json_with_dry_run_lists_planned_files(ca_dir: Path) -> None:
    before = snapshot(ca_dir)
    res = pycert("create-node", "localhost", *CA, "--json", "--dry-run", "--out-dir=n1",
                 cwd=ca_dir)
    assert res.code == 0, res.err
    assert snapshot(ca_dir) == before and not (ca_dir / "n1").exists()
    data = json.loads(res.out)
    assert data["dry_run"] is True
    assert [f["path"] for f in data["files"]] == ["n1/node.crt", "n1/node.key", "n1/ca.crt"]


def test_json_on_create_ca_and_create_nodes(tmp_path: Path) -> None:
    res = pycert("create-ca", "--certs-dir=c", "--ca-key=ca.key", "--json", cwd=tmp_path)
    assert res.code == 0, res.err
    assert [f["path"] for f in json.loads(res.out)["files"]] == ["ca.key", "c/ca.crt"]
    (tmp_path / "n.csv").write_text("a,a.db\nb,b.db\n")
    res = pycert("create-nodes", "--certs-dir=c", "--ca-key=ca.key", "--from=n.csv",
                 "--out-dir=o", "--json", cwd=tmp_path)
    assert res.code == 0, res.err
    assert len(json.loads(res.out)["files"]) == 6


def test_without_flags_create_prints_nothing(ca_dir: Path) -> None:
    res = pycert("create-node", "localhost", *CA, cwd=ca_dir)
    assert res.code == 0 and res.out == "" and res.err == ""
