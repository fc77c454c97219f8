"""`rotate-*` (stage 1) and `prune-*` (stage 3): the bundle changes exactly as promised,
the old key never, and each printed next step is a command that works as printed."""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path

import pytest
from cryptography import x509

from conftest import snapshot
from lifecycle import (
    CERTS,
    FAST,
    KEY,
    backups,
    bundle,
    cert,
    copy_work,
    der,
    extensions,
    fails,
    key_of,
    ok,
    public,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ECDSA P-384 CA with a node and two clients it signed."""
    work = tmp_path_factory.mktemp("rotate")
    (work / "safe").mkdir()
    ok(work, "create-ca", CERTS, KEY, "--key-type=ecdsa", "--key-size=384")
    ok(work, "create-node", "localhost", "127.0.0.1", CERTS, KEY, FAST)
    for user in ("root", "alice"):
        ok(work, "create-client", user, CERTS, KEY, FAST)
    return work


@pytest.fixture
def work(template: Path, tmp_path: Path) -> Path:
    return copy_work(template, tmp_path / "w")


def steps(out: str) -> list[str]:
    """The command lines the next-steps text prints, in order."""
    return [line.strip() for line in out.splitlines() if line.strip().startswith("pycert ")]


def run_printed(work: Path, line: str) -> str:
    args = shlex.split(line)
    assert args[0] == "pycert"
    return ok(work, *args[1:]).out


# --- rotate-ca --------------------------------------------------------------------------

def test_rotate_ca_prepends_a_new_ca_and_never_touches_the_old_key(work: Path) -> None:
    old_bundle = bundle(work / "certs/ca.crt")
    old_key = snapshot(work / "safe")["ca.key"]
    res = ok(work, "rotate-ca", CERTS, "--ca-key=safe/ca-2.key")
    assert snapshot(work / "safe")["ca.key"] == old_key
    new_bundle = bundle(work / "certs/ca.crt")
    assert [der(c) for c in new_bundle[1:]] == [der(c) for c in old_bundle]
    first, key = new_bundle[0], key_of(work / "safe/ca-2.key")
    assert public(first) == public(key) and (work / "safe/ca-2.key").stat().st_mode & 0o777 \
        == 0o600
    assert (work / "certs/ca.crt").stat().st_mode & 0o777 == 0o644
    # the same CA profile as create-ca, and the current CA's key type (ECDSA P-384)
    assert first.subject == old_bundle[0].subject
    assert [(o, c) for o, c, _ in extensions(first)] == [(o, c) for o, c, _ in
                                                         extensions(old_bundle[0])]
    assert first.public_key().curve.name == "secp384r1"  # type: ignore[union-attr]
    assert "distribute certs/ca.crt to every node and every client" in res.out
    assert steps(res.out) == [
        "pycert renew --all --within=30d --certs-dir=certs --ca-key=safe/ca-2.key",
        "pycert prune-ca --unused --certs-dir=certs"]
    listed = ok(work, "list", CERTS).out
    assert "num certs: 2" in listed


def test_the_printed_runbook_runs_as_printed(work: Path) -> None:
    res = ok(work, "rotate-ca", CERTS, "--ca-key=safe/ca-2.key")
    renew, prune = steps(res.out)
    renewed = run_printed(work, renew)
    assert len(renewed.splitlines()) == 3  # node, root, alice
    first = cert(work / "certs/ca.crt")
    for name in ("node.crt", "client.root.crt", "client.alice.crt"):
        cert(work / "certs" / name).verify_directly_issued_by(first)
    assert run_printed(work, renew) == ""  # stage 2 again: nothing left to do
    pruned = run_printed(work, prune)
    assert "removed 1 of 2 certificates from certs/ca.crt" in pruned
    assert [der(c) for c in bundle(work / "certs/ca.crt")] == [der(first)]
    assert ok(work, "check", CERTS).code == 0


def test_key_type_and_size_can_be_chosen(work: Path) -> None:
    ok(work, "rotate-ca", CERTS, "--ca-key=safe/ca-2.key", "--key-type=rsa", "--key-size=3072")
    assert cert(work / "certs/ca.crt").public_key().key_size == 3072  # type: ignore[union-attr]
    ok(work, "rotate-ca", CERTS, "--ca-key=safe/ca-3.key", "--key-type=ed25519",
       "--lifetime=20y")
    first = cert(work / "certs/ca.crt")
    assert first.public_key().__class__.__name__.startswith("Ed25519")
    assert (first.not_valid_after_utc - first.not_valid_before_utc).days == 20 * 366 + 1


def test_an_existing_key_is_refused_without_allow_ca_key_reuse(work: Path) -> None:
    before = snapshot(work)
    res = fails(work, "rotate-ca", CERTS, KEY)
    assert "CA key safe/ca.key exists, but key reuse is disabled: rotate-ca writes a NEW key" \
        in res.err
    assert snapshot(work) == before


def test_reusing_the_current_key_adds_nothing_twice(work: Path) -> None:
    before = snapshot(work)
    res = ok(work, "rotate-ca", CERTS, KEY, "--allow-ca-key-reuse")
    assert res.err == "nothing to rotate: safe/ca.key already signs the first certificate " \
        "of certs/ca.crt\n"
    assert snapshot(work) == before
    ok(work, "rotate-ca", CERTS, "--ca-key=safe/ca-2.key")
    again = ok(work, "rotate-ca", CERTS, "--ca-key=safe/ca-2.key", "--allow-ca-key-reuse")
    assert again.err.startswith("nothing to rotate") and len(bundle(work / "certs/ca.crt")) == 2
    old_key = (work / "safe/ca.key").read_bytes()
    ok(work, "rotate-ca", CERTS, KEY, "--allow-ca-key-reuse")  # back to the old key: new cert
    assert (work / "safe/ca.key").read_bytes() == old_key
    assert public(cert(work / "certs/ca.crt")) == public(key_of(work / "safe/ca.key"))
    assert len(bundle(work / "certs/ca.crt")) == 3


def test_a_bundle_with_a_duplicate_is_written_with_each_certificate_once(work: Path) -> None:
    data = (work / "certs/ca.crt").read_bytes()
    (work / "certs/ca.crt").write_bytes(data + data)
    res = ok(work, "rotate-ca", CERTS, "--ca-key=safe/ca-2.key")
    assert "(1 duplicate(s) written once)" in res.out
    ders = [der(c) for c in bundle(work / "certs/ca.crt")]
    assert len(ders) == len(set(ders)) == 2


def test_dry_run_json_and_backup(work: Path) -> None:
    before = snapshot(work)
    res = ok(work, "rotate-ca", CERTS, "--ca-key=safe/ca-2.key", "--dry-run")
    assert res.out.startswith("dry run: nothing was written\n") and snapshot(work) == before
    assert "  certs/ca.crt (0644, replaces existing)" in res.out
    assert "  safe/ca-2.key (0600, new)" in res.out
    doc = json.loads(ok(work, "rotate-ca", CERTS, "--ca-key=safe/ca-2.key", "--json",
                        "--backup").out)
    assert doc["rotated"] and doc["new_key"] and doc["certificates_before"] == 1
    assert doc["next"]["renew"] == "pycert renew --all --within=30d --certs-dir=certs " \
        "--ca-key=safe/ca-2.key"
    assert [Path(p).name for p in doc["backups"]] == [p.name for p in
                                                      backups(work / "certs")["ca.crt"]]
    assert backups(work / "certs")["ca.crt"][0].read_bytes() == before["certs/ca.crt"][0]


@pytest.mark.parametrize(("setup", "args", "message"), [
    ("key-in-bundle", ("rotate-ca", CERTS, "--ca-key=safe/ca-2.key"),
     "certs/ca.crt holds a private key (block #1): move the CA key out of the certs directory"),
    ("garbage-cert", ("rotate-ca", CERTS, "--ca-key=safe/ca-2.key"),
     "certs/ca.crt: certificate #1 does not parse"),
    ("other-block", ("rotate-ca", CERTS, "--ca-key=safe/ca-2.key"),
     "certs/ca.crt: block #1 is of type X509 CRL, not CERTIFICATE"),
    ("", ("rotate-client-ca", CERTS, "--ca-key=safe/c.key"),
     "certs/ca-client.crt does not exist: nothing to rotate; create the first CA with pycert "
     "create-client-ca"),
    ("", ("rotate-ca", CERTS), "the path to the new CA key is required"),
    ("", ("rotate-ca", CERTS, "--ca-key=nowhere/ca-2.key"),
     "could not write CA key to file nowhere/ca-2.key"),
    ("", ("rotate-ca", "--certs-dir=none", "--ca-key=safe/ca-2.key"),
     "certs directory none does not exist"),
    ("key-in-bundle", ("prune-ca", CERTS), "certs/ca.crt holds a private key"),
    ("garbage-cert", ("prune-ca", CERTS, "--unused"), "certificate #1 does not parse"),
    ("", ("prune-tenant-client-ca", CERTS), "certs/ca-client-tenant.crt does not exist"),
    ("", ("rotate-ca", CERTS, "--ca-key=safe/ca-2.key", "extra"), 'unknown command "extra"'),
])
def test_bad_input_fails_with_one_line_and_changes_nothing(work: Path, setup: str,
                                                          args: tuple[str, ...],
                                                          message: str) -> None:
    ca = work / "certs/ca.crt"
    if setup == "key-in-bundle":
        ca.write_bytes(ca.read_bytes() + (work / "safe/ca.key").read_bytes())
    elif setup == "garbage-cert":
        ca.write_bytes(ca.read_bytes() + b"-----BEGIN CERTIFICATE-----\nMAA=\n"
                       b"-----END CERTIFICATE-----\n")
    elif setup == "other-block":
        ca.write_bytes(ca.read_bytes() + b"-----BEGIN X509 CRL-----\nMAA=\n"
                       b"-----END X509 CRL-----\n")
    before = snapshot(work)
    res = fails(work, *args)
    assert message in res.err
    assert snapshot(work) == before


def test_rotate_client_ca_names_only_what_it_signs(work: Path) -> None:
    ok(work, "create-client-ca", CERTS, "--ca-key=safe/client-ca.key", FAST)
    ok(work, "create-client", "bob", CERTS, "--ca-key=safe/client-ca.key", FAST)
    node = (work / "certs/node.crt").read_bytes()
    res = ok(work, "rotate-client-ca", CERTS, "--ca-key=safe/client-ca-2.key")
    assert "distribute certs/ca-client.crt to every node (nodes verify client certificates" \
        in res.out
    renew, prune = steps(res.out)
    assert renew == "pycert renew --all client tenant-client --within=30d --certs-dir=certs " \
        "--ca-key=safe/client-ca-2.key"
    assert prune == "pycert prune-client-ca --unused --certs-dir=certs"
    assert len(run_printed(work, renew).splitlines()) == 3  # bob, root, alice
    assert (work / "certs/node.crt").read_bytes() == node
    first = cert(work / "certs/ca-client.crt")
    cert(work / "certs/client.root.crt").verify_directly_issued_by(first)
    assert "removed 1 of 2" in run_printed(work, prune)


def test_api_rotate_and_prune(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pycert

    monkeypatch.chdir(work)
    certs = pycert.CertsDir("certs")
    rotation = certs.rotate_ca("safe/ca-2.key", key_type="ecdsa")
    assert rotation.ca is not None and rotation.new_key and rotation.previous == 1
    assert rotation.signs_all and [k.name for k in rotation.signs] == ["node", "client",
                                                                       "tenant-client"]
    assert certs.prune_ca(unused=True).removed == []  # the old CA still signs everything
    certs.renew_all(ca_key="safe/ca-2.key", within="30d")
    pruning = certs.prune_ca(unused=True, dry_run=True)
    assert [v.index for v in pruning.removed] == [1] and len(bundle(work / "certs/ca.crt")) == 2
    assert [v.index for v in certs.prune_ca(unused=True).removed] == [1]
    assert len(bundle(work / "certs/ca.crt")) == 1


# --- prune-ca ---------------------------------------------------------------------------

def _expired_old_ca(work: Path) -> None:
    """certs/ca.crt = [a new CA, an old CA that expired]; node signed by the new one."""
    (work / "safe").mkdir()
    ok(work, "create-ca", CERTS, "--ca-key=safe/old.key", "--lifetime=1s", FAST)
    ok(work, "rotate-ca", CERTS, KEY, FAST)
    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    time.sleep(1.5)


def test_prune_removes_expired_cas_and_dry_run_says_why(tmp_path: Path) -> None:
    _expired_old_ca(tmp_path)
    before = snapshot(tmp_path)
    dry = ok(tmp_path, "prune-ca", CERTS, "--dry-run")
    assert snapshot(tmp_path) == before
    lines = dry.out.splitlines()
    assert lines[:2] == ["dry run: nothing was written",
                         "would remove 1 of 2 certificates from certs/ca.crt"]
    assert lines[2].startswith("  keep   #0 serial ") and lines[2].endswith(
        "the current CA (the first certificate) is never removed")
    assert lines[3].startswith("  remove #1 serial ") and ": expired " in lines[3]
    res = ok(tmp_path, "prune-ca", CERTS, "--backup")
    assert res.out.startswith("removed 1 of 2 certificates from certs/ca.crt\n")
    assert len(bundle(tmp_path / "certs/ca.crt")) == 1
    assert backups(tmp_path / "certs")["ca.crt"][0].read_bytes() == before["certs/ca.crt"][0]
    again = ok(tmp_path, "prune-ca", CERTS)
    assert again.out == "" and again.err == "nothing to prune: certs/ca.crt holds one " \
        "certificate, the current CA\n"


def test_unused_removes_only_what_signs_nothing(work: Path) -> None:
    ok(work, "rotate-ca", CERTS, "--ca-key=safe/ca-2.key")
    kept = ok(work, "prune-ca", CERTS, "--unused", "--dry-run")
    assert "would remove 0 of 2" in kept.out
    assert "keep   #1" in kept.out and "signs client.alice.crt, client.root.crt, node.crt" in \
        kept.out
    ok(work, "renew", "--all", "client", CERTS, "--ca-key=safe/ca-2.key")
    kept = ok(work, "prune-ca", CERTS, "--unused")
    assert kept.out == "" and "nothing to prune" in kept.err  # node.crt still needs #1
    plain = ok(work, "prune-ca", CERTS, "--dry-run").out
    assert "--unused removes it" not in plain and "signs node.crt" in plain
    ok(work, "renew", "node", CERTS, "--ca-key=safe/ca-2.key")
    plain = ok(work, "prune-ca", CERTS, "--dry-run").out
    assert "would remove 0 of 2" in plain and "(--unused removes it)" in plain
    res = ok(work, "prune-ca", CERTS, "--unused")
    assert "remove #1" in res.out and "signs none of the certificates here" in res.out


def test_a_same_key_copy_goes_but_never_the_first(work: Path) -> None:
    """create-ca --allow-ca-key-reuse --overwrite: a second certificate for the same key."""
    ok(work, "create-ca", CERTS, KEY, "--allow-ca-key-reuse", "--overwrite")
    res = ok(work, "prune-ca", CERTS, "--unused")
    assert "remove #1" in res.out and "is also signed by a kept CA" in res.out
    assert len(bundle(work / "certs/ca.crt")) == 1
    assert ok(work, "check", CERTS).code == 0


def test_an_expired_first_ca_is_kept_and_named(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", CERTS, KEY, "--lifetime=1s", FAST)
    ok(tmp_path, "create-ca", CERTS, "--ca-key=safe/ca-older.key", "--lifetime=1s", FAST,
       "--overwrite")
    time.sleep(1.5)
    res = ok(tmp_path, "prune-ca", CERTS, "--unused")
    assert "remove #1" in res.out and "keep   #0" in res.out and "EXPIRED" in res.out
    assert len(bundle(tmp_path / "certs/ca.crt")) == 1
    assert isinstance(cert(tmp_path / "certs/ca.crt"), x509.Certificate)
    assert ok(tmp_path, "prune-ca", CERTS, "--unused").err.startswith("nothing to prune")


def test_prune_json(work: Path) -> None:
    ok(work, "rotate-ca", CERTS, "--ca-key=safe/ca-2.key")
    doc = json.loads(ok(work, "prune-ca", CERTS, "--json", "--dry-run").out)
    assert doc["dry_run"] and doc["files"] == [] and doc["bundle"] == "certs/ca.crt"
    assert [(c["index"], c["keep"]) for c in doc["certificates"]] == [(0, True), (1, True)]
    assert doc["certificates"][1]["signs"] == ["client.alice.crt", "client.root.crt",
                                               "node.crt"]
