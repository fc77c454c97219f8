"""The public Python API (`pycert.CA`, `pycert.CertsDir`) makes what the CLI makes, and reads
a directory exactly as `list` and `check` do."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtensionOID

import pycert
from conftest import need_tool
from conftest import pycert as run_cli
from pycert.kinds import BY_NAME

KEY = "safe/ca.key"


def profile(cert: x509.Certificate) -> dict[str, object]:
    """Every field but key, serial, dates and the SKID value; DER keeps ASN.1 string types."""
    exts = [(e.oid.dotted_string, e.critical,
             None if e.oid == ExtensionOID.SUBJECT_KEY_IDENTIFIER else e.value.public_bytes())
            for e in cert.extensions]
    try:
        sans = [(type(n).__name__, str(n.value)) for n in
                cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value]
    except x509.ExtensionNotFound:
        sans = []
    key = cert.public_key()
    curve = key.curve.name if isinstance(key, ec.EllipticCurvePublicKey) else None
    return {
        "version": cert.version,
        "subject": cert.subject.public_bytes(),
        "subject_text": cert.subject.rfc4514_string(),  # readable when the DER differs
        "issuer": cert.issuer.public_bytes(),
        "extensions": exts,
        "sans": sans,
        "key": (type(key).__mro__[1].__name__, getattr(key, "key_size", None), curve),
        "signature": (cert.signature_algorithm_oid.dotted_string,
                      cert.signature_hash_algorithm.name if cert.signature_hash_algorithm
                      else None),
        "lifetime": cert.not_valid_after_utc - cert.not_valid_before_utc,
    }


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def cli(work: Path, *args: str, certs: str = "cli") -> None:
    res = run_cli(*args, f"--certs-dir={certs}", f"--ca-key={KEY}", cwd=work)
    assert res.code == 0, res.err


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cli/: a CA and leaves made by the CLI; api/: the same CA cert, for CertsDir.create_*."""
    work = tmp_path_factory.mktemp("api")
    (work / "safe").mkdir()
    cli(work, "create-ca")
    (work / "api").mkdir(mode=0o700)
    shutil.copy(work / "cli/ca.crt", work / "api/ca.crt")
    return work


NODE_HOSTS = ("localhost", "127.0.0.1", "::1", "*.local", "db.example.com")
# (CLI arguments, CLI file stem, CA method, CertsDir method) for each leaf kind.
CASES: dict[str, tuple[list[str], str, Callable[[pycert.CA], pycert.Issued],
                       Callable[[pycert.CertsDir, str], pycert.Outcome]]] = {
    "node": (["create-node", *NODE_HOSTS], "node",
             lambda ca: ca.issue_node(*NODE_HOSTS),
             lambda d, key: d.create_node(*NODE_HOSTS, ca_key=key)),
    "client-scoped": (["create-client", "alice", "--tenant-scope=2,3",
                       "--tenant-name-scope=app,other"], "client.alice",
                      lambda ca: ca.issue_client("alice", tenant_scope=(2, 3),
                                                 tenant_name_scope=("app", "other")),
                      lambda d, key: d.create_client("alice", ca_key=key, tenant_scope=(2, 3),
                                                     tenant_name_scope=("app", "other"))),
    "client-normalised": (["create-client", "Bob"], "client.bob",
                          lambda ca: ca.issue_client("Bob"),
                          lambda d, key: d.create_client("Bob", ca_key=key)),
    "tenant-client": (["create-tenant-client", "10", "127.0.0.1", "localhost"],
                      "client-tenant.10",
                      lambda ca: ca.issue_tenant_client(10, "127.0.0.1", "localhost"),
                      lambda d, key: d.create_tenant_client(10, "127.0.0.1", "localhost",
                                                            ca_key=key)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_api_and_cli_certificates_match_field_by_field(work: Path, case: str) -> None:
    args, stem, by_ca, by_dir = CASES[case]
    cli(work, *args)
    made_by_cli = load(work / f"cli/{stem}.crt")
    loaded = pycert.CertsDir(work / "cli").load_ca(work / KEY)
    again = pycert.CA.from_pair(loaded.cert, loaded.key)
    in_memory = [by_ca(loaded).cert, by_ca(again).cert]
    outcome = by_dir(pycert.CertsDir(work / "api"), str(work / KEY))
    assert outcome.paths[0] == str(work / f"api/{stem}.crt")
    for cert in [*in_memory, load(work / f"api/{stem}.crt")]:
        assert profile(cert) == profile(made_by_cli)
        assert cert.serial_number != made_by_cli.serial_number
    ca_skid = loaded.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = made_by_cli.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ca_skid.digest


def test_in_memory_ca_matches_create_ca(work: Path) -> None:
    assert profile(pycert.CA().cert) == profile(load(work / "cli/ca.crt"))


IMPORT_CHECK = """
import sys
import pycert, pycert.testing
pycert.LeafSpec, pycert.KeySpec, pycert.Lifetime, pycert.CertError
print("cryptography" in sys.modules)
pycert.CA().issue_client("root")
print("cryptography" in sys.modules)
"""


def test_import_pycert_does_not_load_cryptography_until_ca_is_used() -> None:
    out = subprocess.run([sys.executable, "-c", IMPORT_CHECK], capture_output=True, text=True,
                         timeout=60, check=True).stdout.split()
    assert out == ["False", "True"]


def test_lazy_names_are_the_documented_ones() -> None:
    for name in pycert.__all__:
        assert getattr(pycert, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        pycert.Nope  # noqa: B018


@pytest.fixture
def mixed(full_dir: Path) -> pycert.CertsDir:
    """full_dir plus an API-written client with a .pk8 key and a tenant client."""
    d = pycert.CertsDir(full_dir / "certs")
    ca = d.load_ca(full_dir / KEY)
    d.write(ca.issue_client("carol", tenant_scope=(5,)), pkcs8=True)
    d.write(ca.issue_tenant_client(7))
    return d


def test_records_equal_list_json(mixed: pycert.CertsDir) -> None:
    res = run_cli("list", "--format=json", f"--certs-dir={mixed.path}")
    assert res.code == 0, res.err
    records = [r.to_json() for r in mixed.records()]
    assert json.loads(json.dumps(records)) == json.loads(res.out)
    assert {r["file"] for r in records} >= {"ca.crt", "node.crt", "client.carol.crt",
                                            "client-tenant.7.crt"}


def _loosen_key(certs: Path) -> None:
    (certs / "client.root.key").chmod(0o644)


def _drop_ca(certs: Path) -> None:
    (certs / "ca.crt").unlink()


# (API keyword arguments, the same as CLI flags, a change to the directory first)
CHECKS: dict[str, tuple[dict[str, object], list[str], Callable[[Path], None] | None]] = {
    "good": ({}, [], None),
    "covered host": ({"hosts": ("localhost", "::1")}, ["--host=localhost", "--host=::1"], None),
    "host not covered": ({"hosts": ("db.example.com",)}, ["--host=db.example.com"], None),
    "warn window": ({"warn_within": "20y"}, ["--warn-within=20y"], None),
    "fail window": ({"warn_within": "30y", "fail_within": "20y"},
                    ["--warn-within=30y", "--fail-within=20y"], None),
    "share of lifetime": ({"warn_within": "100%"}, ["--warn-within=100%"], None),
    "loose key": ({}, [], _loosen_key),
    "no ca.crt": ({"ca_key": KEY}, [f"--ca-key={KEY}"], _drop_ca),
}


@pytest.mark.parametrize("case", list(CHECKS))
def test_check_agrees_with_the_cli(full_dir: Path, case: str) -> None:
    kwargs, flags, change = CHECKS[case]
    certs = full_dir / "certs"
    if change:
        change(certs)
    res = run_cli("check", "--format=json", f"--certs-dir={certs}", *flags)
    report = json.loads(res.out)
    result = pycert.CertsDir(certs).check(**kwargs)  # type: ignore[arg-type]
    assert isinstance(result, pycert.CheckResult)
    assert result.exit_code == res.code == report["exit_code"]
    assert [(p.severity, p.check, p.file, p.message, p.fix or None)
            for p in result.problems] == [
        (p["severity"], p["check"], p["file"], p["message"], p["fix"])
        for p in report["problems"]]
    if case != "good" and not case.startswith("covered"):
        assert result.exit_code != 0


def test_check_of_a_missing_dir_is_a_usage_error_like_the_cli(tmp_path: Path) -> None:
    res = run_cli("check", f"--certs-dir={tmp_path / 'nope'}")
    with pytest.raises(pycert.CertError) as info:
        pycert.CertsDir(tmp_path / "nope").check()
    assert info.value.exit_code == res.code == 3


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_written_files_have_cockroachs_modes_and_openssl_verifies_them(tmp_path: Path) -> None:
    openssl = need_tool("openssl", "openssl")
    ca = pycert.CA()
    d = pycert.CertsDir(tmp_path / "certs")
    d.write_ca(ca, tmp_path / "safe/ca.key")
    d.write(ca.issue_node("localhost", "127.0.0.1", "::1"))
    d.write(ca.issue_client("root"), pkcs8=True)
    certs = tmp_path / "certs"
    assert {p.name: mode(p) for p in certs.iterdir()} == {
        "ca.crt": 0o644, "node.crt": 0o644, "node.key": 0o600, "client.root.crt": 0o644,
        "client.root.key": 0o600, "client.root.key.pk8": 0o600}
    assert mode(tmp_path / "safe/ca.key") == 0o600
    assert mode(certs) == mode(tmp_path / "safe") == 0o700
    for purpose, name in (("sslserver", "node.crt"), ("sslclient", "node.crt"),
                          ("sslclient", "client.root.crt")):
        res = subprocess.run([openssl, "verify", "-CAfile", "ca.crt", "-purpose", purpose, name],
                             cwd=certs, capture_output=True, text=True, timeout=30)
        assert res.returncode == 0 and res.stdout.strip() == f"{name}: OK", res.stdout + res.stderr
    assert d.check(hosts=("localhost", "::1")).exit_code == 0


def test_trustme_style_pem_accessors() -> None:
    ca = pycert.CA(key_type="ecdsa")
    client = ca.issue_client("root", key_type="ecdsa")
    assert client.cert_pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert client.key_pem.startswith(b"-----BEGIN EC PRIVATE KEY-----")
    assert client.key_pkcs8[:1] == b"\x30"  # DER
    assert x509.load_pem_x509_certificate(client.cert_pem) == client.cert
    assert pycert.CA.from_pem(ca.cert_pem, ca.key_pem).cert == ca.cert
    assert "Cockroach CA" in repr(ca) and "client.root.crt" in repr(client)


def test_write_ca_refuses_to_replace_unless_asked(tmp_path: Path) -> None:
    first, second = pycert.CA(key_type="ecdsa"), pycert.CA(key_type="ecdsa")
    d = pycert.CertsDir(tmp_path / "certs")
    d.write_ca(first, tmp_path / "ca.key")
    with pytest.raises(pycert.CertError, match="file exists"):
        d.write_ca(second, tmp_path / "ca.key")
    assert load(tmp_path / "certs/ca.crt") == first.cert
    d.write_ca(second, tmp_path / "ca.key", overwrite=True)
    assert d.load_ca(tmp_path / "ca.key").cert == second.cert


def test_write_ca_removes_the_dirs_it_made_when_it_fails(tmp_path: Path) -> None:
    (tmp_path / "ca.crt").mkdir()  # a directory where the CA cert must go
    with pytest.raises(pycert.CertError):
        pycert.CertsDir(tmp_path).write_ca(pycert.CA(key_type="ecdsa"),
                                           tmp_path / "new/deeper/ca.key")
    assert not (tmp_path / "new").exists()


def test_write_refuses_what_the_cli_would_refuse(tmp_path: Path) -> None:
    ca = pycert.CA(key_type="ecdsa")
    d = pycert.CertsDir(tmp_path / "certs")
    node = ca.issue_node("localhost", key_type="ecdsa")
    d.write(node)
    with pytest.raises(pycert.CertError, match="node.crt: open .*: file exists"):
        d.write(node)
    d.write(node, overwrite=True)
    with pytest.raises(pycert.CertError, match="cannot be used in a file name"):
        ca.issue_client("a/b", validate_username=False)
    odd = ca.issue(pycert.LeafSpec(BY_NAME["client"], "a/b", key=pycert.KeySpec("ecdsa", 256)))
    with pytest.raises(pycert.CertError, match="cannot be used in a file name"):
        d.write(odd)
    assert sorted(os.listdir(tmp_path / "certs")) == ["node.crt", "node.key"]


def test_api_errors_carry_message_and_hint(tmp_path: Path) -> None:
    ca = pycert.CA(key_type="ecdsa")
    with pytest.raises(pycert.CertError) as info:
        ca.issue_client("Not Valid!")
    assert info.value.message == "username is invalid"
    assert info.value.hint.startswith("Usernames are case insensitive")
    with pytest.raises(pycert.CertError, match="requires at least one host"):
        ca.issue_node()
    with pytest.raises(pycert.CertError, match="tenantId 0 is invalid"):
        ca.issue_tenant_client(0)
    with pytest.raises(pycert.CertError, match="^failed to generate client certificate and "
                                               "key: username is invalid$"):
        pycert.CertsDir(tmp_path).create_client("Not Valid!", ca_key=tmp_path / "ca.key")
    with pytest.raises(pycert.CertError, match="error loading CA certificate"):
        pycert.CertsDir(tmp_path).load_ca(tmp_path / "ca.key")


def test_create_methods_are_the_cli_commands(tmp_path: Path) -> None:
    d = pycert.CertsDir(tmp_path / "certs")
    (tmp_path / "safe").mkdir()
    d.create_ca(tmp_path / KEY, key_type="ecdsa")
    d.create_node("localhost", ca_key=tmp_path / KEY, key_type="ecdsa")
    out = d.create_client("root", ca_key=tmp_path / KEY, key_type="ecdsa", pkcs8=True)
    assert [Path(p).name for p in out.paths] == ["client.root.crt", "client.root.key",
                                                 "client.root.key.pk8"]
    assert "BEGIN" not in repr(out)  # an Outcome never shows file contents (keys)
    res = run_cli("list", "--format=json", "--certs-dir=certs", cwd=tmp_path)
    assert [r["file"] for r in json.loads(res.out)] == [r.file for r in d.records()] == [
        "ca.crt", "node.crt", "client.root.crt"]


def test_issued_from_a_csr_has_no_key_pem() -> None:
    ca = pycert.CA(key_type="ecdsa")
    signed = pycert.Issued(ca.kind, "", ca.cert)
    with pytest.raises(ValueError, match="signed from a CSR"):
        signed.key_pem  # noqa: B018
