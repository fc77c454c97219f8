"""Promise 6 of issue 5: every bad input gets one clear error and changes nothing.

Each row: the command line, an optional set-up of the work dir, the exit code and a part of
the message. Every row also asserts: an `ERROR: ` line, no traceback, no "internal error",
and every file below the work dir (certs dir, CA key dir, the rest) byte- and mode-identical.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from conftest import pycert, read_only, snapshot

FAST = "--key-size=1024"
CERTS = "--certs-dir=certs"
KEY = "--ca-key=safe/ca.key"


class Case(NamedTuple):
    id: str
    args: tuple[str, ...]
    code: int
    message: str
    setup: Callable[[Path], None] | None = None
    env: dict[str, str] | None = None


def _write(rel: str, data: bytes) -> Callable[[Path], None]:
    def setup(work: Path) -> None:
        (work / rel).write_bytes(data)
    return setup


def _ok(work: Path, *args: str) -> None:
    res = pycert(*args, cwd=work)
    assert res.code == 0, res.err


def _certs_is_a_file(work: Path) -> None:
    shutil.rmtree(work / "certs")
    (work / "certs").write_bytes(b"not a directory\n")


def _ca_bundle_holds_key(work: Path) -> None:
    with open(work / "certs/ca.crt", "ab") as handle:
        handle.write((work / "safe/ca.key").read_bytes())


def _expired_ca(work: Path) -> None:
    shutil.rmtree(work / "certs")
    res = pycert("create-ca", CERTS, "--ca-key=safe/short.key", "--lifetime=1s", FAST, cwd=work)
    assert res.code == 0, res.err
    time.sleep(1.2)


CASES = [
    # durations (flag errors: exit 4)
    Case("lifetime-junk", ("create-ca", CERTS, KEY, "--lifetime=abc"), 4,
         'invalid argument "abc" for "--lifetime" flag: time: invalid duration "abc"'),
    Case("lifetime-no-unit", ("create-node", "h", CERTS, KEY, "--lifetime=10"), 4,
         'time: missing unit in duration "10"'),
    Case("lifetime-weeks", ("create-client", "root", CERTS, KEY, "--lifetime=5w"), 4,
         'time: unknown unit "w" in duration "5w"'),
    Case("lifetime-empty", ("create-ca", CERTS, KEY, "--lifetime="), 4,
         'time: invalid duration ""'),
    Case("lifetime-overflow", ("create-ca", CERTS, KEY, "--lifetime=9999999999h"), 4,
         "time: invalid duration"),
    # key sizes
    Case("key-size-0", ("create-ca", CERTS, "--ca-key=safe/new.key", "--key-size=0"), 1,
         "could not generate new CA key: --key-size=0 is out of range"),
    Case("key-size-minus-1", ("create-node", "h", CERTS, KEY, "--key-size=-1"), 1,
         "could not generate new node key: --key-size=-1 is out of range"),
    Case("key-size-512", ("create-client", "root", CERTS, KEY, "--key-size=512"), 1,
         "could not generate new client key: --key-size=512 is out of range"),
    Case("key-size-99999", ("create-ca", CERTS, "--ca-key=safe/new.key", "--key-size=99999"), 1,
         "--key-size=99999 is out of range: RSA keys must have 1024 to 16384 bits"),
    Case("key-size-99999-tenant", ("create-tenant-client", "5", CERTS, KEY, "--key-size=99999"),
         1, "could not generate new tenant key: --key-size=99999 is out of range"),
    Case("key-size-junk", ("create-node", "h", CERTS, KEY, "--key-size=big"), 4,
         'invalid argument "big" for "--key-size" flag: strconv.ParseInt: parsing "big"'),
    # missing and extra arguments
    Case("node-no-hosts", ("create-node", CERTS, KEY), 1,
         "create-node requires at least one host name or address, none was specified"),
    Case("client-no-user", ("create-client", CERTS, KEY), 1, "accepts 1 arg(s), received 0"),
    Case("client-two-users", ("create-client", "a", "b", CERTS, KEY), 1,
         "accepts 1 arg(s), received 2"),
    Case("ca-extra-arg", ("create-ca", "extra", CERTS, KEY), 1,
         'unknown command "extra" for "cockroach cert create-ca"'),
    Case("list-extra-arg", ("list", "extra", CERTS), 1,
         'unknown command "extra" for "cockroach cert list"'),
    Case("tenant-client-no-id", ("create-tenant-client", CERTS, KEY), 1,
         "requires at least 1 arg(s), only received 0"),
    Case("tenant-signing-no-id", ("create-tenant-signing", CERTS), 1,
         "accepts 1 arg(s), received 0"),
    Case("tenant-signing-id-0", ("create-tenant-signing", "0", CERTS), 1,
         "tenantId 0 is invalid (requires != 0)"),
    Case("tenant-id-junk", ("create-tenant-client", "abc", CERTS, KEY), 1,
         'abc is invalid uint64: strconv.ParseUint: parsing "abc": invalid syntax'),
    Case("node-no-ca-key", ("create-node", "h", CERTS), 1, "the path to the CA key is required"),
    Case("list-unknown-flag", ("list", CERTS, "--ca-key=x"), 4, "unknown flag: --ca-key"),
    Case("node-ca-only-flag", ("create-node", "h", CERTS, KEY, "--allow-ca-key-reuse"), 4,
         "unknown flag: --allow-ca-key-reuse"),
    Case("overwrite-not-bool", ("create-ca", CERTS, KEY, "--overwrite=maybe"), 4,
         'strconv.ParseBool: parsing "maybe": invalid syntax'),
    Case("flag-without-value", ("create-ca", CERTS, "--ca-key"), 4,
         "flag needs an argument: --ca-key"),
    # CA key and CA certificate trouble
    Case("ca-key-missing", ("create-node", "h", CERTS, "--ca-key=safe/nope.key"), 1,
         "error loading CA certificate certs/ca.crt and key safe/nope.key: open safe/nope.key: "
         "no such file or directory"),
    Case("ca-key-is-a-dir", ("create-client", "root", CERTS, "--ca-key=safe"), 1,
         "open safe: not a regular file"),
    Case("ca-key-of-another-ca", ("create-node", "h", CERTS, "--ca-key=other/ca.key"), 1,
         "tls: private key does not match public key"),
    Case("ca-key-garbage", ("create-node", "h", CERTS, "--ca-key=safe/junk.key"), 1,
         "tls: failed to find any PEM data in key input", _write("safe/junk.key", b"junk\n")),
    Case("ca-key-is-a-cert", ("create-node", "h", CERTS, "--ca-key=certs/ca.crt"), 1,
         "tls: found a certificate rather than a key in the PEM for the private key"),
    Case("ca-key-exists-no-reuse", ("create-ca", CERTS, KEY, "--overwrite"), 1,
         "CA key safe/ca.key exists, but key reuse is disabled"),
    Case("ca-key-reuse-garbage", ("create-ca", CERTS, "--ca-key=safe/junk.key", "--overwrite",
                                  "--allow-ca-key-reuse"), 1,
         "could not parse CA key file safe/junk.key: no PEM data found",
         _write("safe/junk.key", b"junk\n")),
    Case("ca-cert-expired", ("create-node", "h", CERTS, "--ca-key=safe/short.key"), 1,
         "shorter than the requested", _expired_ca),
    Case("ca-cert-holds-key", ("create-client", "root", CERTS, KEY), 1,
         "certs/ca.crt holds a private key: keep CA keys out of the certs directory",
         _ca_bundle_holds_key),
    Case("ca-cert-missing", ("create-node", "h", "--certs-dir=empty", KEY), 1,
         "open empty/ca.crt: no such file or directory", lambda w: (w / "empty").mkdir()),
    Case("ca-cert-garbage", ("create-client", "root", CERTS, KEY), 1,
         "tls: failed to find any PEM data in certificate input",
         _write("certs/ca.crt", b"garbage\n")),
    Case("ca-exists-no-overwrite", ("create-ca", CERTS, "--ca-key=safe/new.key"), 1,
         "could not write CA certificate file certs/ca.crt: open certs/ca.crt: file exists"),
    Case("ca-bundle-other-block", ("create-ca", CERTS, "--ca-key=safe/new.key", "--overwrite"),
         1, "block #1 is of type RSA PRIVATE KEY, not CERTIFICATE", _ca_bundle_holds_key),
    Case("node-exists-no-overwrite", ("create-node", "h", CERTS, KEY), 1,
         "error writing node server certificate to certs/node.crt: open certs/node.crt: "
         "file exists", lambda w: _ok(w, "create-node", "h", CERTS, KEY, FAST)),
    # environment variables set but empty
    Case("env-ca-key-empty", ("create-node", "h", CERTS), 1, "the path to the CA key is required",
         env={"COCKROACH_CA_KEY": ""}),
    Case("env-certs-dir-empty", ("create-client", "root", KEY), 1,
         "the path to the certs directory is required", env={"COCKROACH_CERTS_DIR": ""}),
    # the certs dir itself
    Case("certs-dir-is-a-file", ("create-node", "h", CERTS, KEY), 1,
         "certs directory certs exists but is not a directory", _certs_is_a_file),
    Case("list-certs-dir-is-a-file", ("list", CERTS), 1,
         "problem loading certs directory certs: open certs: not a directory", _certs_is_a_file),
    Case("certs-dir-parent-missing", ("create-ca", "--certs-dir=no/such/dir", KEY), 1,
         "could not create certs directory no/such/dir: mkdir no/such/dir: "
         "no such file or directory"),
    # hosts
    Case("host-bad-idna", ("create-node", "ü" * 70 + ".example", CERTS, KEY), 1,
         "not a valid IDNA name"),
    Case("host-with-port", ("create-node", "db1:26257", CERTS, KEY), 1,
         'invalid host name "db1:26257": looks like host:port'),
    Case("ipv6-with-port", ("create-node", "[::1]:26257", CERTS, KEY), 1,
         'invalid host name "[::1]:26257": looks like host:port'),
    Case("tenant-host-with-port", ("create-tenant-client", "5", "127.0.0.1:80", CERTS, KEY), 1,
         'invalid host name "127.0.0.1:80": looks like host:port'),
    # identities and other flags
    Case("user-invalid", ("create-client", "Bad User!", CERTS, KEY), 1,
         "username is invalid"),
    Case("user-empty", ("create-client", "", CERTS, KEY), 1, "username is empty"),
    Case("tenant-scope-0", ("create-client", "root", CERTS, KEY, "--tenant-scope=0"), 4,
         "tenant ID 0 is the reserved zero tenant"),
    Case("tenant-name-bad", ("create-client", "root", CERTS, KEY, "--tenant-name-scope=-x"), 4,
         'invalid tenant name: "-x"'),
    Case("principal-map-bad", ("list", CERTS, "--cert-principal-map=nocolon"), 1,
         'invalid <cert-principal>:<db-principal> mapping: "nocolon"'),
    Case("logtostderr-bad", ("list", CERTS, "--logtostderr=LOUD"), 4,
         'strconv.Atoi: parsing "LOUD": invalid syntax'),
    Case("no-subcommand", ("cert",), 1, 'unknown sub-command: ""'),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """certs/ca.crt + safe/ca.key, and a second, unrelated CA under other/."""
    work = tmp_path_factory.mktemp("bad-inputs")
    for d in ("safe", "other"):
        (work / d).mkdir()
    for certs, key in (("certs", "safe/ca.key"), ("other-certs", "other/ca.key")):
        res = pycert("create-ca", f"--certs-dir={certs}", f"--ca-key={key}", FAST, cwd=work)
        assert res.code == 0, res.err
    return work


def _assert_clean_failure(res_code: int, err: str, code: int, message: str) -> None:
    assert res_code == code, err
    assert message in err, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert any(line.startswith("ERROR: ") for line in err.splitlines()), err


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_fails_clearly_and_changes_nothing(case: Case, template: Path,
                                                    tmp_path: Path) -> None:
    work = tmp_path / "w"
    shutil.copytree(template, work, symlinks=True)
    if case.setup:
        case.setup(work)
    before = snapshot(work)
    start = time.monotonic()
    res = pycert(*case.args, cwd=work, env=case.env)
    _assert_clean_failure(res.code, res.err, case.code, case.message)
    assert snapshot(work) == before
    assert time.monotonic() - start < 20, "bad input must fail fast (no huge key generated)"


def test_at_least_40_bad_inputs() -> None:
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)


def test_bracketed_ipv6_is_accepted_as_an_ip(template: Path, tmp_path: Path) -> None:
    """An improvement on cockroach, which would store `[::1]` as a DNS name."""
    work = tmp_path / "w"
    shutil.copytree(template, work)
    res = pycert("create-node", "[::1]", "localhost", CERTS, KEY, FAST, cwd=work)
    assert res.code == 0, res.err
    listed = pycert("list", CERTS, cwd=work)
    assert "addresses: localhost,::1" in listed.out


@pytest.mark.parametrize("args", [("create-node", "h", KEY, FAST), ("create-client", "u", KEY,
                                                                      FAST)])
def test_read_only_certs_dir_fails_clearly_and_list_still_works(template: Path, tmp_path: Path,
                                                                args: tuple[str, ...]) -> None:
    work = tmp_path / "w"
    shutil.copytree(template, work)
    before = snapshot(work)
    with read_only(work / "certs"):
        res = pycert(*args, CERTS, cwd=work)
        listed = pycert("list", CERTS, cwd=work)
    _assert_clean_failure(res.code, res.err, 1, "read-only file system" if os.geteuid() == 0
                          else "permission denied")
    assert listed.code == 0 and "ca.crt" in listed.out, listed.err
    assert snapshot(work) == before
