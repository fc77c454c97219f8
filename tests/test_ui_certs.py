"""create-ui-ca and create-ui: cockroach's library UI profiles (CreateUICAPair,
CreateUIPair), the create-* rules, and what `check`, `list` and `renew` make of the files."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import need_tool, pycert, snapshot

FLAGS = ("--certs-dir=certs", "--ca-key=safe/ca.key")
UI_FLAGS = ("--certs-dir=certs", "--ca-key=safe/ui-ca.key")


def openssl(*args: str, cwd: Path) -> str:
    tool = need_tool("openssl", "openssl")
    proc = subprocess.run([tool, *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout + proc.stderr


def text_of(cwd: Path, path: str) -> str:
    return openssl("x509", "-in", path, "-noout", "-text", "-nameopt", "RFC2253", cwd=cwd)


def body(text: str) -> str:
    """The parts of `openssl x509 -text` that two CAs of one profile share."""
    keep = [line for line in text.splitlines()
            if not re.search(r"Serial|Not |Modulus|^\s+[0-9A-Fa-f:]+$|Signature Value|Key Ident"
                             r"|keyid|Exponent", line)]
    return "\n".join(keep)


def test_create_ui_ca_is_create_cas_profile_in_ca_ui_crt(ca_dir: Path) -> None:
    res = pycert("create-ui-ca", *UI_FLAGS, cwd=ca_dir)
    assert (res.code, res.out, res.err) == (0, "", "")
    certs = ca_dir / "certs"
    assert (certs / "ca-ui.crt").stat().st_mode & 0o777 == 0o644
    assert (ca_dir / "safe/ui-ca.key").stat().st_mode & 0o777 == 0o600
    ui, main = text_of(ca_dir, "certs/ca-ui.crt"), text_of(ca_dir, "certs/ca.crt")
    assert "Subject: CN=Cockroach CA,O=Cockroach" in ui
    assert "CA:TRUE, pathlen:1" in ui
    assert "Extended Key Usage" not in ui
    assert body(ui) == body(main)  # CreateUICAPair is createCACertAndKey, as create-ca


def test_create_ui_ca_keeps_create_cas_key_and_overwrite_rules(ca_dir: Path) -> None:
    assert pycert("create-ui-ca", *UI_FLAGS, cwd=ca_dir).code == 0
    before = snapshot(ca_dir)
    again = pycert("create-ui-ca", *UI_FLAGS, "--overwrite", cwd=ca_dir)
    assert again.code == 1
    assert "ERROR: failed to generate UI CA cert and key: CA key safe/ui-ca.key exists, but " \
        "key reuse is disabled" in again.err
    assert snapshot(ca_dir) == before
    reuse = pycert("create-ui-ca", *UI_FLAGS, "--allow-ca-key-reuse", cwd=ca_dir)
    assert reuse.code == 1 and "ca-ui.crt: file exists" in reuse.err
    assert snapshot(ca_dir) == before
    rotated = pycert("create-ui-ca", *UI_FLAGS, "--allow-ca-key-reuse", "--overwrite",
                     cwd=ca_dir)
    assert rotated.code == 0, rotated.err
    assert (ca_dir / "certs/ca-ui.crt").read_text().count("BEGIN CERTIFICATE") == 2


def test_create_ui_is_cockroachs_ui_server_profile(ca_dir: Path) -> None:
    res = pycert("create-ui", "db.example.com", "127.0.0.1", "localhost", *FLAGS, cwd=ca_dir)
    assert (res.code, res.out, res.err) == (0, "", "")
    certs = ca_dir / "certs"
    assert (certs / "ui.crt").stat().st_mode & 0o777 == 0o644
    assert (certs / "ui.key").stat().st_mode & 0o777 == 0o600
    text = text_of(ca_dir, "certs/ui.crt")
    assert "Subject: CN=db.example.com,O=Cockroach" in text  # CN = hosts[0]
    assert re.search(r"Key Usage: critical\n\s+Digital Signature, Key Encipherment\n", text)
    assert re.search(r"Extended Key Usage: \n\s+TLS Web Server Authentication\n", text)
    assert "DNS:db.example.com, DNS:localhost, IP Address:127.0.0.1" in text
    assert "CA:TRUE" not in text
    # Without ca-ui.crt the main CA signs it, as cockroach's UI clients fall back to ca.crt.
    assert "OK" in openssl("verify", "-CAfile", "certs/ca.crt", "certs/ui.crt", cwd=ca_dir)


def test_create_ui_signs_with_ca_ui_crt_once_it_exists(ca_dir: Path) -> None:
    assert pycert("create-ui-ca", *UI_FLAGS, cwd=ca_dir).code == 0
    wrong = pycert("create-ui", "localhost", *FLAGS, cwd=ca_dir)
    assert wrong.code == 1
    assert wrong.err.startswith("ERROR: failed to generate UI certificate and key: error "
                                "loading CA certificate certs/ca-ui.crt and key safe/ca.key: "
                                "tls: private key does not match public key\n")
    res = pycert("create-ui", "localhost", *UI_FLAGS, cwd=ca_dir)
    assert res.code == 0, res.err
    assert "OK" in openssl("verify", "-CAfile", "certs/ca-ui.crt", "certs/ui.crt", cwd=ca_dir)
    proc = subprocess.run(["openssl", "verify", "-CAfile", "certs/ca.crt", "certs/ui.crt"],
                          cwd=ca_dir, capture_output=True, text=True)
    assert proc.returncode != 0


def test_create_ui_keeps_create_nodes_rules(ca_dir: Path) -> None:
    none = pycert("create-ui", *FLAGS, cwd=ca_dir)
    assert (none.code, none.out) == (1, "")
    assert none.err == ("ERROR: create-ui requires at least one host name or address, none "
                        "was specified\nFailed running \"cert create-ui\"\n")
    bad = pycert("create-ui", "db:8080", *FLAGS, cwd=ca_dir)
    assert bad.code == 1 and "looks like host:port" in bad.err
    assert not (ca_dir / "certs/ui.crt").exists()
    assert pycert("create-ui", "--san=a.example,b.example", *FLAGS, cwd=ca_dir).code == 0
    assert "Subject: CN=a.example,O=Cockroach" in text_of(ca_dir, "certs/ui.crt")
    before = snapshot(ca_dir)
    again = pycert("create-ui", "localhost", *FLAGS, cwd=ca_dir)
    assert again.code == 1
    assert again.err.startswith("ERROR: failed to generate UI certificate and key: error "
                                "writing UI server certificate to certs/ui.crt: open "
                                "certs/ui.crt: file exists\n")
    assert snapshot(ca_dir) == before
    dry = pycert("create-ui", "localhost", *FLAGS, "--overwrite", "--dry-run", "--json",
                 cwd=ca_dir)
    assert dry.code == 0, dry.err
    assert [f["path"] for f in json.loads(dry.out)["files"]] == ["certs/ui.crt", "certs/ui.key"]
    assert snapshot(ca_dir) == before
    assert pycert("create-ui", "localhost", *FLAGS, "--overwrite", "--key-type=ecdsa",
                  cwd=ca_dir).code == 0
    assert "id-ecPublicKey" in text_of(ca_dir, "certs/ui.crt")


def test_idn_first_host_becomes_a_punycode_cn(ca_dir: Path) -> None:
    assert pycert("create-ui", "bücher.example", *FLAGS, cwd=ca_dir).code == 0
    text = text_of(ca_dir, "certs/ui.crt")
    assert "Subject: CN=xn--bcher-kva.example,O=Cockroach" in text
    assert "DNS:xn--bcher-kva.example" in text


def test_list_shows_the_ui_rows(ca_dir: Path) -> None:
    assert pycert("create-ui-ca", *UI_FLAGS, cwd=ca_dir).code == 0
    assert pycert("create-ui", "localhost", "127.0.0.1", *UI_FLAGS, cwd=ca_dir).code == 0
    res = pycert("list", "--certs-dir=certs", cwd=ca_dir)
    assert res.code == 0, res.err
    rows = [line.split("\t")[:5] for line in res.out.splitlines()[2:]]
    assert [r[:3] for r in rows] == [["CA", "ca.crt", ""], ["UI CA", "ca-ui.crt", ""],
                                     ["UI", "ui.crt", "ui.key"]]
    assert rows[2][4] == "addresses: localhost,127.0.0.1"


def check_json(cwd: Path, *args: str) -> tuple[int, set[tuple[str, str, str]], str]:
    res = pycert("check", "--certs-dir=certs", "--format=json", *args, cwd=cwd)
    report = json.loads(res.out)
    text = pycert("check", "--certs-dir=certs", *args, cwd=cwd).out
    return res.code, {(p["severity"], p["check"], p["file"]) for p in report["problems"]}, text


def ui_problems(found: set[tuple[str, str, str]]) -> set[tuple[str, str]]:
    return {(sev, rule) for sev, rule, file in found if file == "ui.crt"}


def test_check_passes_a_good_ui_crt_and_holds_it_to_check_host(full_dir: Path) -> None:
    assert pycert("create-ui-ca", *UI_FLAGS, cwd=full_dir).code == 0
    assert pycert("create-ui", "localhost", "127.0.0.1", *UI_FLAGS, cwd=full_dir).code == 0
    code, found, _ = check_json(full_dir, "--host=localhost")
    assert (code, ui_problems(found)) == (0, set())
    code, found, text = check_json(full_dir, "--host=db.example.com", "--ca-key=safe/ui-ca.key")
    assert code == 2
    assert ("fail", "host-not-covered") in ui_problems(found)
    assert "fix: pycert create-ui localhost 127.0.0.1 db.example.com --certs-dir=certs " \
        "--ca-key=safe/ui-ca.key --overwrite" in text
    res = pycert("create-ui", "localhost", "127.0.0.1", "db.example.com", *UI_FLAGS,
                 "--overwrite", cwd=full_dir)
    assert res.code == 0, res.err
    assert ui_problems(check_json(full_dir, "--host=db.example.com")[1]) == set()


def test_check_warns_when_ui_crt_is_not_signed_by_the_ca_browsers_are_given(
        full_dir: Path) -> None:
    assert pycert("create-ui", "localhost", *FLAGS, cwd=full_dir).code == 0
    assert ui_problems(check_json(full_dir)[1]) == set()  # ca.crt signs it, no ca-ui.crt
    assert pycert("create-ui-ca", *UI_FLAGS, cwd=full_dir).code == 0
    code, found, text = check_json(full_dir)
    assert code == 1
    assert ui_problems(found) == {("warn", "chain")}
    assert "not signed by ca-ui.crt (signed by ca.crt #0)" in text


def test_check_only_warns_about_a_ui_crt_from_another_ca(full_dir: Path) -> None:
    """A public CA's certificate (Let's Encrypt, say) is fine for browsers and cockroach."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=Public CA",
            "-keyout", "pub.key", "-out", "pub.crt", "-days", "365",
            "-addext", "basicConstraints=critical,CA:TRUE", cwd=full_dir)
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "certs/ui.key", "-out", "ui.csr", cwd=full_dir)
    ext = full_dir / "ext.cnf"
    ext.write_text("subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "ui.csr", "-CA", "pub.crt", "-CAkey", "pub.key",
            "-CAcreateserial", "-out", "certs/ui.crt", "-days", "365", "-extfile", "ext.cnf",
            cwd=full_dir)
    (full_dir / "certs/ui.key").chmod(0o600)
    code, found, _ = check_json(full_dir, "--host=localhost")
    assert ui_problems(found) == {("warn", "chain")}
    assert code == 1
    # ... and renew --all, which re-signs what the CA signed, never replaces it.
    before = (full_dir / "certs/ui.crt").read_bytes()
    res = pycert("renew", "--all", *FLAGS, cwd=full_dir)
    assert res.code == 0, res.err
    assert (full_dir / "certs/ui.crt").read_bytes() == before
    refused = pycert("renew", "ui", *FLAGS, cwd=full_dir)
    assert refused.code == 1 and "cannot renew 'ui'" in refused.err


def test_check_fails_a_ui_crt_without_server_auth(full_dir: Path) -> None:
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/O=Cockroach/CN=localhost",
            "-keyout", "certs/ui.key", "-out", "ui.csr", cwd=full_dir)
    (full_dir / "ext.cnf").write_text("subjectAltName=DNS:localhost\n"
                                      "extendedKeyUsage=clientAuth\n")
    openssl("x509", "-req", "-in", "ui.csr", "-CA", "certs/ca.crt", "-CAkey", "safe/ca.key",
            "-CAcreateserial", "-out", "certs/ui.crt", "-days", "365", "-extfile", "ext.cnf",
            cwd=full_dir)
    (full_dir / "certs/ui.key").chmod(0o600)
    code, found, text = check_json(full_dir)
    assert code == 2
    assert ui_problems(found) == {("fail", "ui-eku")}
    assert "extended key usage ['clientAuth'] lacks serverAuth" in text


def test_sign_csr_signs_a_ui_request(ca_dir: Path) -> None:
    res = pycert("create-ui", "localhost", "--csr-only", "--certs-dir=req", cwd=ca_dir)
    assert res.code == 0, res.err
    signed = pycert("sign-csr", "req/ui.csr", "--profile=ui", *FLAGS, cwd=ca_dir)
    assert signed.code == 0, signed.err
    text = text_of(ca_dir, "certs/ui.crt")
    assert "Subject: CN=localhost,O=Cockroach" in text
    assert re.search(r"Extended Key Usage: \n\s+TLS Web Server Authentication\n", text)
    bad = pycert("sign-csr", "req/ui.csr", "--profile=uix", *FLAGS, cwd=ca_dir)
    assert bad.code == 4
    assert "(possible values: node, client, ui)" in bad.err


def test_the_api_issues_the_same_files(tmp_path: Path) -> None:
    import pycert as api

    certs = api.CertsDir(tmp_path / "certs")
    certs.create_ca(tmp_path / "ca.key")
    certs.create_ca(tmp_path / "ui-ca.key", kind="ui-ca")
    outcome = certs.create_ui("localhost", "::1", ca_key=tmp_path / "ui-ca.key")
    assert [Path(p).name for p in outcome.paths] == ["ui.crt", "ui.key"]
    assert outcome.signer_path.endswith("ca-ui.crt")
    assert outcome.fields is not None and outcome.fields.subject.cn == "localhost"
    assert outcome.fields.eku == ("serverAuth",)
    assert certs.check(hosts=["::1"]).problems == [
        p for p in certs.check(hosts=["::1"]).problems if p.file != "ui.crt"]


@pytest.mark.parametrize("name", ["create-ui-ca", "create-ui"])
def test_help_names_the_files(name: str) -> None:
    res = pycert(name, "--help")
    assert res.code == 0
    assert "(pycert extension)" in pycert("--help").out
    assert "--ca-key" in res.out and "--overwrite" in res.out


def test_check_suggests_a_new_ui_ca_when_it_ends(ca_dir: Path) -> None:
    """There is no rotate-ui-ca: the fix is create-ui-ca with a new key, prepended."""
    res = pycert("create-ui-ca", *UI_FLAGS, "--lifetime=240h", cwd=ca_dir)
    assert res.code == 0, res.err
    code, found, text = check_json(ca_dir, "--warn-within=30d")
    assert ("warn", "expires-soon", "ca-ui.crt") in found
    assert "fix: pycert create-ui-ca --certs-dir=certs --ca-key=<path-to-new-ca-key> " \
        "--overwrite" in text
