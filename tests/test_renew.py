"""`pycert renew`: re-issued from what the certificate says, for every kind and key type."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509

from conftest import snapshot
from lifecycle import (
    CERTS,
    FAST,
    KEY,
    assert_renewed,
    backups,
    cert,
    copy_work,
    fails,
    key_of,
    ok,
    public,
    san_labels,
)
from pycert.certdir.files import TEMP_MARK

KEY_TYPES = {"rsa": ("--key-type=rsa", FAST), "ecdsa": ("--key-type=ecdsa", "--key-size=384"),
             "ed25519": ("--key-type=ed25519",)}
# kind -> (create-* arguments, renew arguments, file stem)
KINDS = {
    "node": (("create-node", "localhost", "*.local", "db1.example.com", "127.0.0.1", "::1"),
             ("node",), "node"),
    "client": (("create-client", "alice", "--tenant-scope=2,3", "--tenant-name-scope=blue",
                "--also-generate-pkcs8-key"), ("client", "alice"), "client.alice"),
    "tenant-client": (("create-tenant-client", "10", "127.0.0.1", "tenant10.example.com"),
                      ("tenant-client", "10"), "client-tenant.10"),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """certs/ca.crt and safe/ca.key."""
    work = tmp_path_factory.mktemp("renew")
    (work / "safe").mkdir()
    ok(work, "create-ca", CERTS, KEY, FAST)
    return work


@pytest.fixture
def work(template: Path, tmp_path: Path) -> Path:
    return copy_work(template, tmp_path / "w")


@pytest.mark.parametrize("reuse", [False, True], ids=["new-key", "reuse-key"])
@pytest.mark.parametrize("key_type", list(KEY_TYPES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_renewal_differs_only_in_key_serial_dates_and_signer(work: Path, kind: str,
                                                             key_type: str, reuse: bool) -> None:
    create, renew_args, stem = KINDS[kind]
    ok(work, *create, CERTS, KEY, *KEY_TYPES[key_type])
    certs = work / "certs"
    old, old_key = cert(certs / f"{stem}.crt"), (certs / f"{stem}.key").read_bytes()
    res = ok(work, "renew", *renew_args, CERTS, KEY, *(["--reuse-key"] if reuse else []))
    assert res.err == ""  # nothing to warn about in a certificate pycert made
    assert res.out.startswith(f"renewed certs/{stem}.crt (")
    new = cert(certs / f"{stem}.crt")
    assert_renewed(old, new, same_key=reuse, signer=cert(certs / "ca.crt"))
    assert san_labels(new) == san_labels(old)  # every SAN, in order, tenant URIs too
    assert ((certs / f"{stem}.key").read_bytes() == old_key) is reuse
    assert public(key_of(certs / f"{stem}.key")) == public(new)
    assert (certs / f"{stem}.crt").stat().st_mode & 0o777 == 0o644
    assert (certs / f"{stem}.key").stat().st_mode & 0o777 == 0o600
    if kind == "client":  # the .pk8 beside it is renewed with the key
        assert public(key_of(certs / f"{stem}.key.pk8")) == public(new)
        assert (certs / f"{stem}.key.pk8").stat().st_mode & 0o777 == 0o600
    assert not [n for n in os.listdir(certs) if TEMP_MARK in n or n.endswith(".bak")]


def test_default_lifetime_is_the_kinds_and_lifetime_flags_work(work: Path) -> None:
    ok(work, "create-node", "localhost", CERTS, KEY, FAST, "--lifetime=48h")
    ok(work, "renew", "node", CERTS, KEY)
    new = cert(work / "certs/node.crt")
    span = new.not_valid_after_utc - new.not_valid_before_utc
    assert span.days == 5 * 366 + 1  # 43920h plus the day cockroach back-dates
    ok(work, "renew", "node", CERTS, KEY, "--lifetime=240h")
    new = cert(work / "certs/node.crt")
    assert (new.not_valid_after_utc - new.not_valid_before_utc).days == 11
    too_long = fails(work, "renew", "node", CERTS, KEY, "--lifetime=20y")
    assert "could not renew certs/node.crt: error creating node server certificate and key: " \
        "CA lifetime is" in too_long.err
    ok(work, "renew", "node", CERTS, KEY, "--lifetime=20y", "--lifetime-policy=clamp")
    assert cert(work / "certs/node.crt").not_valid_after_utc == \
        cert(work / "certs/ca.crt").not_valid_after_utc


def test_within_renews_what_expires_inside_the_window(work: Path) -> None:
    ok(work, "create-node", "localhost", CERTS, KEY, FAST, "--lifetime=240h")  # 10 days
    ok(work, "create-client", "root", CERTS, KEY, FAST)
    before = snapshot(work / "certs")
    quiet = ok(work, "renew", "--all", "--within=5d", CERTS, KEY)
    assert quiet.out == ""
    assert quiet.err.count("\n") == 1 and quiet.err.startswith("nothing to renew: ")
    assert snapshot(work / "certs") == before
    res = ok(work, "renew", "--all", "--within=30d", CERTS, KEY, "--json")
    doc = json.loads(res.out)
    assert [r["file"] for r in doc["renewed"]] == ["certs/node.crt"]
    assert "inside --within" in doc["renewed"][0]["reason"]
    assert [n["file"] for n in doc["not_due"]] == ["certs/client.root.crt"]
    assert (work / "certs/client.root.crt").read_bytes() == before["client.root.crt"][0]
    again = ok(work, "renew", "--all", "--within=30d", CERTS, KEY)  # idempotent
    assert again.out == "" and again.err.startswith("nothing to renew: none of the 2 ")


def test_within_as_a_share_of_the_lifetime(work: Path) -> None:
    ok(work, "create-client", "root", CERTS, KEY, FAST)
    assert ok(work, "renew", "client", "root", "--within=50%", CERTS, KEY).out == ""
    assert ok(work, "renew", "client", "root", "--within=100%", CERTS, KEY).out.startswith(
        "renewed certs/client.root.crt")


def test_signed_by_a_ca_that_is_not_the_first_is_due(work: Path) -> None:
    """cockroach's own rotation (create-ca --overwrite, a new key) leaves leaves to renew."""
    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    ok(work, "create-client", "root", CERTS, KEY, FAST)
    ok(work, "create-ca", CERTS, "--ca-key=safe/ca2.key", "--overwrite", FAST)
    res = ok(work, "renew", "--all", "--within=30d", CERTS, "--ca-key=safe/ca2.key", "--json")
    doc = json.loads(res.out)
    assert {r["file"] for r in doc["renewed"]} == {"certs/node.crt", "certs/client.root.crt"}
    assert all("signed by certs/ca.crt #1, not by the current CA" in r["reason"]
               for r in doc["renewed"])
    first = cert(work / "certs/ca.crt", 0)
    for name in ("node.crt", "client.root.crt"):
        cert(work / "certs" / name).verify_directly_issued_by(first)


def test_all_or_nothing_when_one_certificate_cannot_be_renewed(work: Path) -> None:
    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    ok(work, "create-client", "root", CERTS, KEY, FAST)
    ok(work, "create-client", "zed", CERTS, KEY, FAST, "--lifetime=1000h")
    # zed's new certificate would outlive the CA with --lifetime=20y: the whole run fails
    (work / "certs/client.bob.crt").write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n"
                                                 b"-----END CERTIFICATE-----\n")
    (work / "certs/client.bob.key").write_bytes(b"junk")
    (work / "certs/client.bob.key").chmod(0o600)
    before = snapshot(work)
    res = fails(work, "renew", "--all", CERTS, KEY, "--backup")
    assert "cannot renew certs/client.bob.crt: " in res.err
    assert "restore it from a backup" in res.err
    assert snapshot(work) == before
    (work / "certs/client.bob.crt").unlink()
    (work / "certs/client.bob.key").unlink()
    before = snapshot(work)
    res = fails(work, "renew", "--all", CERTS, KEY, "--lifetime=20y")
    assert "CA lifetime is" in res.err
    assert snapshot(work) == before


@pytest.mark.parametrize(("args", "message"), [
    (("renew", CERTS, KEY), "renew needs what to renew: node, client <user>, "
     "tenant-client <id>, or --all"),
    (("renew", "ca", CERTS, KEY), "cannot renew 'ca': renew takes node, client <name>, "
     "tenant-client <name> or --all"),
    (("renew", "client", CERTS, KEY), "renew client needs at least one name"),
    (("renew", "node", "extra", CERTS, KEY), "renew node takes no name"),
    (("renew", "client", "nobody", CERTS, KEY), "certs/client.nobody.crt does not exist: "
     "nothing to renew; create it with pycert create-client"),
    (("renew", "tenant-client", "x1", CERTS, KEY), "x1 is invalid uint64"),
    (("renew", "node", CERTS), "the path to the CA key is required"),
    (("renew", "node", "--certs-dir=nowhere", KEY), "certs directory nowhere does not exist"),
    (("renew", "node", CERTS, "--ca-key=safe/other.key"),
     "error loading CA certificate certs/ca.crt and key safe/other.key: tls: private key does "
     "not match public key; --ca-key must be the key of the first certificate of certs/ca.crt"),
    (("renew", "node", CERTS, "--ca-key=safe/missing.key"),
     "open safe/missing.key: no such file or directory"),
])
def test_bad_input_fails_with_one_line_and_changes_nothing(work: Path, args: tuple[str, ...],
                                                          message: str) -> None:
    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    ok(work, "create-ca", "--certs-dir=other", "--ca-key=safe/other.key", FAST)
    before = snapshot(work)
    res = fails(work, *args)
    assert message in res.err
    assert snapshot(work) == before


def test_a_bundle_holding_a_private_key_is_refused(work: Path) -> None:
    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    with open(work / "certs/ca.crt", "ab") as bundle:
        bundle.write((work / "safe/ca.key").read_bytes())
    before = snapshot(work)
    res = fails(work, "renew", "node", CERTS, KEY)
    assert "certs/ca.crt holds a private key: keep CA keys out of the certs directory" in res.err
    assert snapshot(work) == before


def test_reuse_key_needs_the_certificates_own_key(work: Path) -> None:
    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    ok(work, "create-client", "root", CERTS, KEY, FAST)
    (work / "certs/node.key").write_bytes((work / "certs/client.root.key").read_bytes())
    before = snapshot(work)
    res = fails(work, "renew", "node", CERTS, KEY, "--reuse-key")
    assert "cannot reuse the key of certs/node.crt: certs/node.key does not match it; renew " \
        "without --reuse-key for a new key" in res.err
    assert snapshot(work) == before
    ok(work, "renew", "node", CERTS, KEY)  # a new key mends the pair
    assert public(key_of(work / "certs/node.key")) == public(cert(work / "certs/node.crt"))


def test_out_dir_leaves_the_certs_dir_alone(work: Path) -> None:
    ok(work, "create-node", "localhost", "127.0.0.1", CERTS, KEY, FAST)
    before = snapshot(work / "certs")
    ok(work, "renew", "node", CERTS, KEY, "--out-dir=out/node1")
    assert snapshot(work / "certs") == before
    out = work / "out/node1"
    assert sorted(os.listdir(out)) == ["ca.crt", "node.crt", "node.key"]
    assert out.stat().st_mode & 0o777 == 0o700
    assert san_labels(cert(out / "node.crt")) == ["DNS:localhost", "IP:127.0.0.1"]
    assert (out / "ca.crt").read_bytes() == (work / "certs/ca.crt").read_bytes()


def test_dry_run_writes_nothing_and_shows_the_plan(work: Path) -> None:
    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    before = snapshot(work)
    res = ok(work, "renew", "node", CERTS, KEY, "--dry-run")
    assert snapshot(work) == before
    assert res.out.startswith("would renew certs/node.crt (asked for; expires ")
    assert "SANs:      DNS:localhost" in res.out
    assert "  certs/node.crt (0644, replaces existing)" in res.out
    assert "  certs/node.key (0600, replaces existing)" in res.out
    doc = json.loads(ok(work, "renew", "node", CERTS, KEY, "--dry-run", "--json").out)
    assert doc["dry_run"] is True and doc["renewed"][0]["file"] == "certs/node.crt"
    assert [f["path"] for f in doc["files"]] == ["certs/node.crt", "certs/node.key"]
    assert snapshot(work) == before


def test_several_clients_by_name_and_all_of_one_kind(work: Path) -> None:
    for user in ("alice", "bob", "carol"):
        ok(work, "create-client", user, CERTS, KEY, FAST)
    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    res = ok(work, "renew", "client", "Alice", "bob", CERTS, KEY)  # names normalised
    assert [line.split()[1] for line in res.out.splitlines()] == [
        "certs/client.alice.crt", "certs/client.bob.crt"]
    node = (work / "certs/node.crt").read_bytes()
    res = ok(work, "renew", "--all", "client", CERTS, KEY)
    assert len(res.out.splitlines()) == 3
    assert (work / "certs/node.crt").read_bytes() == node


def test_the_directory_lock_is_taken(work: Path) -> None:
    """A renew waits while another writer holds the certs dir's lock."""
    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    old = (work / "certs/node.crt").read_bytes()
    fd = os.open(work / "certs", os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "pycert", "renew", "node", CERTS, KEY],
                                cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(2)
        assert proc.poll() is None, proc.communicate()
        assert (work / "certs/node.crt").read_bytes() == old
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert (work / "certs/node.crt").read_bytes() != old


def test_a_changed_certificate_is_never_overwritten(work: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Between reading and installing, the files are compared again under the lock."""
    from pycert.certdir import renew

    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    monkeypatch.chdir(work)
    target = renew.Target("certs", ca_key="safe/ca.key")
    olds = renew._read(target, [renew.pick("node")], ())  # noqa: SLF001
    (work / "certs/node.crt").write_bytes((work / "certs/node.crt").read_bytes())  # same bytes
    assert renew._unchanged(olds, target, []) == []  # noqa: SLF001
    ok(work, "renew", "node", CERTS, KEY)
    with pytest.raises(renew.CertError, match="changed while it was being renewed"):
        renew._unchanged(olds, target, [])  # noqa: SLF001


def test_backup_keeps_every_replaced_file(work: Path) -> None:
    ok(work, "create-client", "root", CERTS, KEY, FAST, "--also-generate-pkcs8-key")
    certs = work / "certs"
    old = {n: (certs / n).read_bytes() for n in
           ("client.root.crt", "client.root.key", "client.root.key.pk8")}
    res = ok(work, "renew", "client", "root", CERTS, KEY, "--backup")
    kept = backups(certs)
    assert sorted(kept) == sorted(old)
    for name, paths in kept.items():
        assert len(paths) == 1 and paths[0].read_bytes() == old[name]
        mode = 0o644 if name.endswith(".crt") else 0o600
        assert paths[0].stat().st_mode & 0o777 == mode
        assert f"kept certs/{paths[0].name}" in res.out
    stamps = {p.name.split(".")[-2] for paths in kept.values() for p in paths}
    assert len(stamps) == 1  # one commit, one stamp
    ok(work, "renew", "client", "root", CERTS, KEY, "--backup")
    ok(work, "renew", "client", "root", CERTS, KEY, "--backup")
    assert all(len(paths) == 3 for paths in backups(certs).values())  # never overwritten
    listed = ok(work, "list", CERTS)
    assert ".bak" not in listed.out and listed.err == ""


def test_renew_does_not_change_a_certificate_it_cannot_read_the_key_of(work: Path) -> None:
    ok(work, "create-client", "root", CERTS, KEY, FAST)
    (work / "certs/client.root.key").unlink()
    ok(work, "renew", "client", "root", CERTS, KEY)  # a new key: the pair works again
    assert public(key_of(work / "certs/client.root.key")) == \
        public(cert(work / "certs/client.root.crt"))


def test_api_renew_matches_the_cli(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pycert

    monkeypatch.chdir(work)
    certs = pycert.CertsDir("certs")
    certs.create_client("alice", ca_key="safe/ca.key", tenant_scope=(5,), key_type="ecdsa")
    old = cert(work / "certs/client.alice.crt")
    result = certs.renew("client", "alice", ca_key="safe/ca.key", backup=True)
    assert [r.path for r in result.renewed] == ["certs/client.alice.crt"]
    assert result.backups and all(b.endswith(".bak") for b in result.backups)
    assert_renewed(old, cert(work / "certs/client.alice.crt"), same_key=False,
                   signer=cert(work / "certs/ca.crt"))
    assert certs.renew_all(ca_key="safe/ca.key", within="30d").renewed == []
    ca = certs.load_ca("safe/ca.key")
    again = ca.renew(old, kind="client")
    assert again.name == "alice" and san_labels(again.cert) == san_labels(old)
    assert isinstance(again.cert, x509.Certificate) and again.warnings == ()


def test_cockroach_made_certificates_keep_their_identity(fixture_copy: Path) -> None:
    """The fixtures `cockroach cert` made: renewed with pycert's profile, nothing lost."""
    work, certs = fixture_copy.parent, "--certs-dir=fixtures"
    stems = ["node", "client.root", "client.testuser", "client.testuser2"]
    old = {s: cert(fixture_copy / f"{s}.crt") for s in stems + ["client-tenant.10"]}
    before = snapshot(work)
    mixed = fails(work, "renew", "--all", certs, "--ca-key=fixtures/ca.key", "--lifetime=8760h")
    assert "fixtures/ca-client-tenant.crt" in mixed.err and "renew each kind with its own CA " \
        "key" in mixed.err
    too_long = fails(work, "renew", "node", certs, "--ca-key=fixtures/ca.key")  # as create-node
    assert "CA lifetime is" in too_long.err
    assert snapshot(work) == before
    res = ok(work, "renew", "--all", "node", "client", certs, "--ca-key=fixtures/ca.key",
             "--lifetime=8760h")
    assert res.err == "" and len(res.out.splitlines()) == 4
    ca = cert(fixture_copy / "ca.crt")
    for stem in stems:
        new = cert(fixture_copy / f"{stem}.crt")
        assert_renewed(old[stem], new, same_key=False, signer=ca)
        assert san_labels(new) == san_labels(old[stem])
    res = ok(work, "renew", "tenant-client", "10", certs,
             "--ca-key=fixtures/ca-client-tenant.key", "--lifetime=8760h")
    assert res.err == ""
    tenant, was = cert(fixture_copy / "client-tenant.10.crt"), old["client-tenant.10"]
    assert tenant.subject.public_bytes() == was.subject.public_bytes()  # O, OU=Tenants, CN=10
    assert san_labels(tenant) == san_labels(was) == []
    eku = tenant.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [u.dotted_string for u in eku] == ["1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"]
    tenant.verify_directly_issued_by(cert(fixture_copy / "ca-client-tenant.crt"))


OPENSSL_EXTENSIONS = """\
subjectAltName = IP:10.0.0.1, DNS:db.example.com, email:ops@example.com, otherName:1.2.3.4;UTF8:x
extendedKeyUsage = serverAuth, clientAuth, codeSigning
keyUsage = critical, digitalSignature, keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
basicConstraints = CA:FALSE
1.2.3.4.5 = critical, ASN1:UTF8String:must-understand
crlDistributionPoints = URI:http://crl.example.com/ca.crl
"""


def _openssl_node(work: Path) -> None:
    """node.crt made by openssl from pycert's CA, with extensions cockroach never writes."""
    from conftest import need_tool

    openssl = need_tool("openssl", "openssl")
    certs = work / "certs"
    (work / "ext.cnf").write_text(OPENSSL_EXTENSIONS)
    steps = [["genrsa", "-traditional", "-out", "certs/node.key", "2048"],
             ["req", "-new", "-key", "certs/node.key", "-subj", "/C=DE/O=Cockroach/CN=node",
              "-out", "node.csr"],
             ["x509", "-req", "-in", "node.csr", "-CA", "certs/ca.crt", "-CAkey", "safe/ca.key",
              "-set_serial", "7", "-days", "30", "-extfile", "ext.cnf", "-out", "certs/node.crt"]]
    for step in steps:
        subprocess.run([openssl, *step], cwd=work, check=True, capture_output=True)
    (certs / "node.key").chmod(0o600)


def test_openssl_made_certificate_renews_and_names_what_it_drops(work: Path) -> None:
    _openssl_node(work)
    old = cert(work / "certs/node.crt")
    before = snapshot(work)
    strict = fails(work, "renew", "node", CERTS, KEY, "--strict")
    for named in ("SAN email:ops@example.com", "SAN otherName:1.2.3.4",
                  "critical extension 1.2.3.4.5", "cRLDistributionPoints (2.5.29.31)",
                  "extended key usage codeSigning"):
        assert named in strict.err
    assert snapshot(work) == before
    res = ok(work, "renew", "node", CERTS, KEY)
    warnings = res.err.splitlines()
    assert warnings == [
        "warning: certs/node.crt: SAN email:ops@example.com (a SAN type cockroach does not "
        "use) is not carried over",
        "warning: certs/node.crt: SAN otherName:1.2.3.4 (a SAN type cockroach does not use) is "
        "not carried over",
        "warning: certs/node.crt: critical extension 1.2.3.4.5 is not carried over",
        "warning: certs/node.crt: extension cRLDistributionPoints (2.5.29.31) is not carried "
        "over",
        "warning: certs/node.crt: extended key usage codeSigning (pycert's node profile has "
        "serverAuth, clientAuth) is not carried over",
    ]
    new = cert(work / "certs/node.crt")
    assert new.subject.public_bytes() == old.subject.public_bytes()  # C=DE kept: identity
    assert san_labels(new) == ["IP:10.0.0.1", "DNS:db.example.com"]  # its order, not Go's
    assert [e.oid.dotted_string for e in new.extensions] == [
        "2.5.29.15", "2.5.29.37", "2.5.29.35", "2.5.29.17"]  # pycert's node profile
    new.verify_directly_issued_by(cert(work / "certs/ca.crt"))


def test_reuse_key_refuses_a_corrupt_key(work: Path) -> None:
    """--reuse-key skips OpenSSL's slow RSA check (40 ms a key); what replaces it (CRT
    values, the match with the certificate, a signature that verifies) still stops this."""
    from test_ca_key_loading import _corrupt_copy  # noqa: PLC2701 - one recipe for both

    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    _corrupt_copy(work / "certs/node.key")
    before = snapshot(work)
    res = fails(work, "renew", "node", CERTS, KEY, "--reuse-key")
    assert "cannot reuse the key of certs/node.crt: certs/node.key: the key is corrupt: its " \
        "signatures do not verify; renew without --reuse-key for a new key" in res.err
    assert snapshot(work) == before


def _openssl_client(work: Path, user: str, genkey: list[str]) -> None:
    """client.<user> made by openssl with a key type pycert does not make."""
    from conftest import need_tool

    openssl = need_tool("openssl", "openssl")
    key = f"certs/client.{user}.key"
    steps = [[*genkey, "-out", key],
             ["req", "-new", "-key", key, "-subj", f"/O=Cockroach/CN={user}", "-out", "u.csr"],
             ["x509", "-req", "-in", "u.csr", "-CA", "certs/ca.crt", "-CAkey", "safe/ca.key",
              "-set_serial", "5", "-days", "30", "-out", f"certs/client.{user}.crt"]]
    for step in steps:
        subprocess.run([openssl, *step], cwd=work, check=True, capture_output=True)
    (work / key).chmod(0o600)


def test_keys_pycert_does_not_make(work: Path) -> None:
    _openssl_client(work, "k1", ["ecparam", "-name", "secp224r1", "-genkey", "-noout"])
    _openssl_client(work, "e4", ["genpkey", "-algorithm", "ed448"])
    _openssl_client(work, "k2", ["ecparam", "-name", "secp256k1", "-genkey", "-noout"])
    before = snapshot(work)
    res = fails(work, "renew", "client", "k1", CERTS, KEY)
    assert "its key (ecdsa secp224r1) is of a type or size pycert cannot make; renew with " \
        "--reuse-key to keep it" in res.err
    for args in ((), ("--reuse-key",)):  # Go (and so CockroachDB) cannot read it at all
        res = fails(work, "renew", "client", "k2", CERTS, KEY, *args)
        assert "cannot renew certs/client.k2.crt: failed to parse certificate 0 in file " \
            "client.k2.crt: x509: unsupported elliptic curve" in res.err
    for args in ((), ("--reuse-key",)):
        res = fails(work, "renew", "client", "e4", CERTS, KEY, *args)
        assert "pycert can neither make nor use its key (Ed448); make a new pair with pycert " \
            "create-client" in res.err
    assert snapshot(work) == before
    ok(work, "renew", "client", "k1", CERTS, KEY, "--reuse-key")
    assert public(cert(work / "certs/client.k1.crt")) == public(key_of(work / "certs/client.k1.key"))
