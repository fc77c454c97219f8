"""The core commands as an operator or a CI script runs them: real subprocesses, real files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import FIXTURES, pycert, snapshot, without_hints

ARGS = ("--certs-dir=certs", "--ca-key=safe/ca.key")


def certs_in(path: Path) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(path.read_bytes())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_create_ca_writes_key_0600_cert_0644_dir_0700(ca_dir: Path) -> None:
    key = ca_dir / "safe/ca.key"
    assert mode(key) == 0o600 and mode(ca_dir / "certs/ca.crt") == 0o644
    assert mode(ca_dir / "certs") == 0o700
    assert key.read_bytes().startswith(b"-----BEGIN RSA PRIVATE KEY-----\n")
    (cert,) = certs_in(ca_dir / "certs/ca.crt")
    assert cert.subject.rfc4514_string() == "CN=Cockroach CA,O=Cockroach"
    life = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert life.total_seconds() == pytest.approx((87840 + 24) * 3600, abs=2)


def test_success_prints_nothing(tmp_path: Path) -> None:
    res = pycert("create-ca", "--certs-dir=c", "--ca-key=ca.key", cwd=tmp_path)
    assert (res.code, res.out, res.err) == (0, "", "")


def test_create_ca_twice_refuses_key_reuse(ca_dir: Path) -> None:
    before = snapshot(ca_dir)
    res = pycert("create-ca", *ARGS, cwd=ca_dir)
    assert res.code == 1
    assert without_hints(res.err) == ("ERROR: failed to generate CA cert and key: CA key safe/ca.key exists, "
                       'but key reuse is disabled\nFailed running "cert create-ca"\n')
    assert snapshot(ca_dir) == before


def test_key_reuse_without_overwrite_refuses_existing_ca_crt(ca_dir: Path) -> None:
    before = snapshot(ca_dir)
    res = pycert("create-ca", *ARGS, "--allow-ca-key-reuse", cwd=ca_dir)
    assert res.code == 1
    assert ("could not write CA certificate file certs/ca.crt: open certs/ca.crt: file exists"
            in res.err)
    assert snapshot(ca_dir) == before


def test_no_orphan_ca_key_when_ca_crt_exists(ca_dir: Path) -> None:
    before = snapshot(ca_dir)
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/other.key", cwd=ca_dir)
    assert res.code == 1 and "file exists" in res.err
    assert snapshot(ca_dir) == before  # cockroach would leave safe/other.key behind


def test_rotation_prepends_new_ca_and_leaves_sign_with_it(ca_dir: Path) -> None:
    old = certs_in(ca_dir / "certs/ca.crt")[0]
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/new.key", "--overwrite",
                 cwd=ca_dir)
    assert res.code == 0, res.err
    bundle = certs_in(ca_dir / "certs/ca.crt")
    assert len(bundle) == 2 and bundle[1] == old
    res = pycert("create-node", "h", "--certs-dir=certs", "--ca-key=safe/new.key", cwd=ca_dir)
    assert res.code == 0, res.err
    (node,) = certs_in(ca_dir / "certs/node.crt")
    node.verify_directly_issued_by(bundle[0])
    res = pycert("create-client", "u", *ARGS, cwd=ca_dir)  # the old key no longer signs
    assert res.code == 1
    assert ("error loading CA certificate certs/ca.crt and key safe/ca.key: "
            "tls: private key does not match public key") in res.err


def test_reuse_with_overwrite_grows_the_bundle(ca_dir: Path) -> None:
    for count in (2, 3):
        res = pycert("create-ca", *ARGS, "--allow-ca-key-reuse", "--overwrite", cwd=ca_dir)
        assert res.code == 0, res.err
        assert len(certs_in(ca_dir / "certs/ca.crt")) == count


def test_create_node_sans_dns_first_and_node_cn(ca_dir: Path) -> None:
    res = pycert("create-node", "127.0.0.1", "localhost", "::ffff:10.0.0.1", "*.local", *ARGS,
                 cwd=ca_dir)
    assert res.code == 0, res.err
    (cert,) = certs_in(ca_dir / "certs/node.crt")
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(v.value) for v in san] == ["localhost", "*.local", "127.0.0.1", "10.0.0.1"]
    assert cert.subject.rfc4514_string() == "CN=node,O=Cockroach"
    assert mode(ca_dir / "certs/node.key") == 0o600
    assert mode(ca_dir / "certs/node.crt") == 0o644
    key = serialization.load_pem_private_key((ca_dir / "certs/node.key").read_bytes(), None)
    assert key.public_key() == cert.public_key()


def test_node_user_env_changes_cn(ca_dir: Path) -> None:
    res = pycert("create-node", "h", *ARGS, cwd=ca_dir, env={"COCKROACH_CERT_NODE_USER": "Foo.Bar"})
    assert res.code == 0, res.err
    assert certs_in(ca_dir / "certs/node.crt")[0].subject.rfc4514_string() == "CN=foo.bar,O=Cockroach"


def test_flags_before_subcommand_and_between_args(tmp_path: Path) -> None:
    assert pycert("--certs-dir=c", "--ca-key=c/ca.key", "create-ca", cwd=tmp_path).code == 0
    res = pycert("create-node", "--certs-dir", "c", "h1", "--ca-key=c/ca.key", "h2", cwd=tmp_path)
    assert res.code == 0, res.err
    res = pycert("cert", "--certs-dir=c", "--ca-key", "c/ca.key", "create-client", "root",
                 cwd=tmp_path)
    assert res.code == 0, res.err
    assert (tmp_path / "c/client.root.crt").exists()


def test_env_vars_supply_dirs_and_flags_override_them(tmp_path: Path) -> None:
    env = {"COCKROACH_CERTS_DIR": "envc", "COCKROACH_CA_KEY": "envc.key"}
    assert pycert("create-ca", cwd=tmp_path, env=env).code == 0
    assert (tmp_path / "envc/ca.crt").exists() and (tmp_path / "envc.key").exists()
    assert pycert("create-ca", "--certs-dir=flagc", "--ca-key=f.key", cwd=tmp_path, env=env).code == 0
    assert (tmp_path / "flagc/ca.crt").exists()


def test_empty_ca_key_env_counts_as_set(tmp_path: Path) -> None:
    res = pycert("create-ca", "--certs-dir=c", cwd=tmp_path, env={"COCKROACH_CA_KEY": ""})
    assert res.code == 1
    assert "ERROR: failed to generate CA cert and key: the path to the CA key is required" in res.err
    assert list(tmp_path.iterdir()) == []


def test_default_certs_dir_is_home_dot_cockroach_certs(tmp_path: Path) -> None:
    res = pycert("create-ca", "--ca-key=ca.key", cwd=tmp_path, env={"HOME": str(tmp_path)})
    assert res.code == 0, res.err
    assert (tmp_path / ".cockroach-certs/ca.crt").exists()


@pytest.mark.parametrize("value,hours", [("8760h", 8760), ("1h30m", 1.5), ("1.5h", 1.5)])
def test_lifetime_accepts_go_durations(ca_dir: Path, value: str, hours: float) -> None:
    res = pycert("create-node", "h", *ARGS, f"--lifetime={value}", cwd=ca_dir)
    assert res.code == 0, res.err
    (cert,) = certs_in(ca_dir / "certs/node.crt")
    life = (cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds()
    assert life == pytest.approx((hours + 24) * 3600, abs=2)


@pytest.mark.parametrize("value,why", [
    ("30w", 'time: unknown unit "w" in duration "30w"'),  # `d` is accepted since issue 8
    ("5", 'time: missing unit in duration "5"'),
    ("x", 'time: invalid duration "x"'),
])
def test_bad_lifetime_is_a_flag_error(ca_dir: Path, value: str, why: str) -> None:
    before = snapshot(ca_dir)
    res = pycert("create-node", "h", *ARGS, f"--lifetime={value}", cwd=ca_dir)
    assert res.code == 4
    assert f'ERROR: invalid argument "{value}" for "--lifetime" flag: {why}\n' in res.err
    assert res.err.endswith('Failed running "cert create-node"\n')
    assert "Usage:" in res.err.split("ERROR:")[0]  # usage first, as cobra
    assert snapshot(ca_dir) == before


def test_key_size_takes_go_integer_syntax(ca_dir: Path) -> None:
    res = pycert("create-client", "u", *ARGS, "--key-size=0x400", cwd=ca_dir)
    assert res.code == 0, res.err
    assert certs_in(ca_dir / "certs/client.u.crt")[0].public_key().key_size == 1024  # type: ignore[union-attr]
    res = pycert("create-client", "v", *ARGS, "--key-size=2k", cwd=ca_dir)
    assert res.code == 4
    assert ('invalid argument "2k" for "--key-size" flag: strconv.ParseInt: parsing "2k": '
            "invalid syntax") in res.err


def test_boolean_flags_take_go_bool_values(ca_dir: Path) -> None:
    assert pycert("create-node", "h", *ARGS, cwd=ca_dir).code == 0
    res = pycert("create-node", "h", *ARGS, "--overwrite=false", cwd=ca_dir)
    assert res.code == 1 and "file exists" in res.err
    assert pycert("create-node", "h", *ARGS, "--overwrite=true", cwd=ca_dir).code == 0
    res = pycert("create-node", "h", *ARGS, "--overwrite=yes", cwd=ca_dir)
    assert res.code == 4
    assert 'invalid argument "yes" for "--overwrite" flag: strconv.ParseBool' in res.err


def test_unknown_flag_is_exit_4(ca_dir: Path) -> None:
    res = pycert("list", "--certs-dir=certs", "--ca-key=x", cwd=ca_dir)
    assert res.code == 4 and "ERROR: unknown flag: --ca-key\n" in res.err
    res = pycert("create-node", "h", "--allow-ca-key-reuse", *ARGS, cwd=ca_dir)
    assert res.code == 4 and "unknown flag: --allow-ca-key-reuse" in res.err
    res = pycert("create-node", "h", *ARGS, "--lifetime", cwd=ca_dir)
    assert res.code == 4 and "ERROR: flag needs an argument: --lifetime" in res.err


def test_create_node_without_hosts(ca_dir: Path) -> None:
    res = pycert("create-node", *ARGS, cwd=ca_dir)
    assert res.code == 1
    assert without_hints(res.err) == ("ERROR: create-node requires at least one host name or address, none was "
                       'specified\nFailed running "cert create-node"\n')


def test_existing_node_cert_is_not_overwritten(full_dir: Path) -> None:
    before = snapshot(full_dir)
    res = pycert("create-node", "other", *ARGS, cwd=full_dir)
    assert res.code == 1
    assert without_hints(res.err) == (
        "ERROR: failed to generate node certificate and key: error writing node server "
        "certificate to certs/node.crt: open certs/node.crt: file exists\n"
        'Failed running "cert create-node"\n')
    assert snapshot(full_dir) == before


def test_no_node_crt_left_when_node_key_cannot_be_written(ca_dir: Path) -> None:
    (ca_dir / "certs/node.key").write_bytes(b"stale")
    (ca_dir / "certs/node.key").chmod(0o600)
    before = snapshot(ca_dir)
    res = pycert("create-node", "h", *ARGS, cwd=ca_dir)
    assert res.code == 1
    assert "error writing node server key to certs/node.key: open certs/node.key: file exists" in res.err
    assert snapshot(ca_dir) == before  # cockroach leaves node.crt behind here


def test_overwrite_replaces_pair_and_forces_key_0600(full_dir: Path) -> None:
    (full_dir / "certs/node.key").chmod(0o640)
    res = pycert("create-node", "new", *ARGS, "--overwrite", cwd=full_dir,
                 env={"COCKROACH_SKIP_KEY_PERMISSION_CHECK": "true"})
    assert res.code == 0, res.err
    assert mode(full_dir / "certs/node.key") == 0o600
    san = certs_in(full_dir / "certs/node.crt")[0].extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    assert [v.value for v in san] == ["new"]


def test_failed_command_leaves_no_new_certs_dir(tmp_path: Path) -> None:
    res = pycert("create-node", "h", "--certs-dir=new", "--ca-key=missing.key", cwd=tmp_path)
    assert res.code == 1
    assert ("error loading CA certificate new/ca.crt and key missing.key: open new/ca.crt: "
            "no such file or directory") in res.err
    assert not (tmp_path / "new").exists()


def test_missing_parent_of_certs_dir_is_a_decorated_error(tmp_path: Path) -> None:
    res = pycert("create-ca", "--certs-dir=a/b", "--ca-key=ca.key", cwd=tmp_path)
    assert res.code == 1
    assert res.err.startswith(
        "ERROR: cannot load certificates.\nCheck your certificate settings, set --certs-dir, or "
        "use --insecure for insecure clusters.\n\nfailed to generate CA cert and key: could not "
        "create certs directory a/b: mkdir a/b: no such file or directory\n")
    assert list(tmp_path.iterdir()) == []


def test_certs_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    res = pycert("create-ca", "--certs-dir=f", "--ca-key=ca.key", cwd=tmp_path)
    assert res.code == 1 and "certs directory f exists but is not a directory" in res.err


def test_lifetime_beyond_ca_is_refused(ca_dir: Path) -> None:
    res = pycert("create-node", "h", *ARGS, "--lifetime=100000h", cwd=ca_dir)
    assert res.code == 1
    assert res.err.startswith(
        "ERROR: failed to generate node certificate and key: error creating node server "
        "certificate and key: CA lifetime is 8783")
    assert "Renew CA certificate, or rerun with --lifetime=8783" in res.err
    assert sorted(p.name for p in (ca_dir / "certs").iterdir()) == ["ca.crt"]


def test_client_ca_is_preferred_for_client_certs(ca_dir: Path) -> None:
    res = pycert("create-client-ca", "--certs-dir=certs", "--ca-key=safe/client-ca.key",
                 cwd=ca_dir)
    assert res.code == 0, res.err
    res = pycert("create-client", "u", "--certs-dir=certs", "--ca-key=safe/client-ca.key",
                 cwd=ca_dir)
    assert res.code == 0, res.err
    (cert,) = certs_in(ca_dir / "certs/client.u.crt")
    cert.verify_directly_issued_by(certs_in(ca_dir / "certs/ca-client.crt")[0])


@pytest.mark.parametrize("raw,name", [("Foo", "foo"), ("Ομηρος", "ομηρος"), ("0foo", "0foo"),
                                      ("foo-1", "foo-1"), ("İnci", "inci")])
def test_username_is_normalised(ca_dir: Path, raw: str, name: str) -> None:
    res = pycert("create-client", raw, *ARGS, cwd=ca_dir)
    assert res.code == 0, res.err
    (cert,) = certs_in(ca_dir / f"certs/client.{name}.crt")
    assert cert.subject.rfc4514_string() == f"CN={name},O=Cockroach"
    assert (ca_dir / f"certs/client.{name}.key").exists()
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)


@pytest.mark.parametrize("raw,problem", [(",foo", "invalid"), ("-foo", "invalid"),
                                         ("foo bar", "invalid"), ("漢字", "invalid"),
                                         ("a" * 64, "too long"), ("", "empty")])
def test_bad_usernames_get_the_hint(ca_dir: Path, raw: str, problem: str) -> None:
    before = snapshot(ca_dir)
    res = pycert("create-client", *ARGS, "--", raw, cwd=ca_dir)
    assert res.code == 1
    assert res.err == (
        f"ERROR: failed to generate client certificate and key: username is {problem}\n"
        "HINT: Usernames are case insensitive, must start with a letter, digit or underscore, "
        "may contain letters, digits, dashes, periods, or underscores, and must not exceed 63 "
        'characters.\nFailed running "cert create-client"\n')
    assert snapshot(ca_dir) == before


def test_username_limit_counts_bytes_not_characters(ca_dir: Path) -> None:
    assert pycert("create-client", "é" * 31, *ARGS, cwd=ca_dir).code == 0
    assert pycert("create-client", "é" * 32, *ARGS, cwd=ca_dir).code == 1


def test_disable_username_validation_warns_and_continues(ca_dir: Path) -> None:
    res = pycert("create-client", ",Foo", *ARGS, "--disable-username-validation", cwd=ca_dir)
    assert res.code == 0
    assert res.err == ('warning: the specified identity ",Foo" is not a valid SQL username.\n'
                       "Before it can be used to log in, an identity map rule will need to be "
                       "set on the server.\n")  # cockroach omits this last newline
    assert (ca_dir / "certs/client.,foo.crt").exists()


def test_wrong_argument_counts(ca_dir: Path) -> None:
    res = pycert("create-client", "a", "b", *ARGS, cwd=ca_dir)
    assert res.code == 1 and "ERROR: accepts 1 arg(s), received 2\n" in res.err
    res = pycert("create-ca", "extra", *ARGS, cwd=ca_dir)
    assert res.code == 1
    assert 'ERROR: unknown command "extra" for "cockroach cert create-ca"' in res.err


def test_pkcs8_key_is_raw_der_of_the_same_key(ca_dir: Path) -> None:
    res = pycert("create-client", "u", *ARGS, "--also-generate-pkcs8-key", cwd=ca_dir)
    assert res.code == 0, res.err
    pk8 = ca_dir / "certs/client.u.key.pk8"
    assert mode(pk8) == 0o600
    der_key = serialization.load_der_private_key(pk8.read_bytes(), None)
    pem_key = serialization.load_pem_private_key((ca_dir / "certs/client.u.key").read_bytes(), None)
    assert der_key.private_numbers() == pem_key.private_numbers()  # type: ignore[union-attr]


@pytest.mark.parametrize("umask", [0o000, 0o077])
def test_modes_do_not_depend_on_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        assert pycert("create-ca", "--certs-dir=c", "--ca-key=c/ca.key", cwd=tmp_path).code == 0
        assert pycert("create-node", "h", "--certs-dir=c", "--ca-key=c/ca.key", cwd=tmp_path).code == 0
    finally:
        os.umask(old)
    assert mode(tmp_path / "c/ca.key") == 0o600 and mode(tmp_path / "c/node.key") == 0o600
    assert mode(tmp_path / "c/ca.crt") == 0o644 and mode(tmp_path / "c/node.crt") == 0o644


def test_broken_unrelated_file_warns_but_does_not_fail(ca_dir: Path) -> None:
    (ca_dir / "certs/client.junk.crt").write_text("not a cert")
    res = pycert("create-client", "u", *ARGS, cwd=ca_dir)
    assert res.code == 0, res.err
    assert "could not parse certificate for certs/client.junk.crt" in res.err


def test_signing_with_cockroachs_own_ca(fixture_copy: Path) -> None:
    certs = fixture_copy.parent / "c"
    certs.mkdir()
    (certs / "ca.crt").write_bytes((fixture_copy / "ca.crt").read_bytes())
    res = pycert("create-client", "root", f"--certs-dir={certs}",
                 f"--ca-key={fixture_copy / 'ca.key'}", "--lifetime=8760h")
    assert res.code == 0, res.err
    (cert,) = certs_in(certs / "client.root.crt")
    cert.verify_directly_issued_by(certs_in(FIXTURES / "ca.crt")[0])


def test_help_lists_commands_in_cockroach_order() -> None:
    res = pycert("--help")
    assert res.code == 0
    order = [res.out.index(f"  {c} ") for c in ("create-ca", "create-client-ca",
                                                 "create-tenant-client-ca", "create-node",
                                                 "create-client", "create-tenant-client",
                                                 "create-tenant-signing", "list")]
    assert order == sorted(order)


def test_python_dash_m_works(tmp_path: Path) -> None:
    res = pycert("create-ca", "--certs-dir=c", "--ca-key=k", cwd=tmp_path)
    assert res.code == 0 and (tmp_path / "c/ca.crt").exists()
