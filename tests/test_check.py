"""`pycert check`: each rule proven by a directory built to break exactly that rule."""

from __future__ import annotations

import datetime as dt
import json
import shlex
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import Result, pycert
from pycert.certdir.signers import load_ca
from pycert.certdir.thresholds import Threshold, parse_threshold
from pycert.hosts import host_covered
from pycert.kinds import BY_NAME, CA
from pycert.pki import certs as pki
from pycert.pki import keys
from pycert.pki.specs import KeySpec
from schema_check import validate_check, validate_records


def check(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[Result, dict]:
    """Runs check twice (JSON and text); both must agree on the exit code."""
    res = pycert("check", "--certs-dir=certs", "--format=json", *args, cwd=cwd, env=env)
    report = json.loads(res.out)
    validate_check(report)
    validate_records(report["certificates"])
    assert res.code == report["exit_code"], res.err
    text = pycert("check", "--certs-dir=certs", *args, cwd=cwd, env=env)
    assert text.code == res.code
    return text, report


def found(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(p["severity"], p["check"], p["file"]) for p in report["problems"]}


def run_fix(cwd: Path, text: str) -> None:
    """Runs the `fix:` line that check printed, exactly as a user would paste it."""
    fix = next(line.split("fix: ", 1)[1] for line in text.splitlines() if "fix: " in line)
    args = shlex.split(fix)
    if args[0] == "pycert":
        res = pycert(*args[1:], cwd=cwd)
    else:
        res = Result(subprocess.run(args, cwd=cwd).returncode, "", "")
    assert res.code == 0, res.err


def hand_built(work: Path, cn: str, profile: str, *, before: dt.timedelta,
               after: dt.timedelta, sans: list | None = None) -> tuple[bytes, bytes]:
    """A leaf signed by certs/ca.crt with any validity, bypassing pycert's own rules."""
    ca = load_ca(CA, str(work / "certs/ca.crt"), str(work / "safe/ca.key"))
    key = keys.generate(KeySpec())
    now = pki.utcnow().replace(microsecond=0)
    cert = pki.build_leaf(BY_NAME[profile], key.public_key(), cn, sans or [], ca.cert,
                          ca.key, pki.Validity(now + before, now + after))
    return pki.cert_pem(cert), keys.key_pem(key)


def install(work: Path, stem: str, pair: tuple[bytes, bytes]) -> None:
    (work / "certs" / f"{stem}.crt").write_bytes(pair[0])
    key = work / "certs" / f"{stem}.key"
    key.write_bytes(pair[1])
    key.chmod(0o600)


def make(work: Path, *args: str) -> None:
    res = pycert(*args, "--certs-dir=certs", "--ca-key=safe/ca.key", cwd=work)
    assert res.code == 0, res.err


def test_good_directory_exits_0(full_dir: Path) -> None:
    text, report = check(full_dir, "--host=localhost", "--host=127.0.0.1", "--host=::1")
    assert text.code == 0 and report["problems"] == [] and report["status"] == "ok"
    assert text.out.endswith("OK: 3 certificates checked, 0 failures, 0 warnings (exit 0)\n")


def test_expired_leaf_fails_and_the_printed_fix_works(ca_dir: Path) -> None:
    make(ca_dir, "create-node", "localhost", "--lifetime=1s")
    make(ca_dir, "create-client", "root")
    time.sleep(1.5)
    text, report = check(ca_dir)
    assert text.code == 2 and found(report) == {("fail", "expired", "node.crt")}
    assert "fix: pycert renew node --certs-dir=certs --ca-key=<path-to-ca-key>\n" in text.out
    text, _ = check(ca_dir, "--ca-key=safe/ca.key")
    run_fix(ca_dir, text.out)
    assert check(ca_dir)[0].code == 0


def test_expiry_thresholds_in_days_and_percent(ca_dir: Path) -> None:
    make(ca_dir, "create-node", "localhost", "--lifetime=240h")  # 10 days left, 11 in all
    text, report = check(ca_dir)
    assert text.code == 1 and found(report) == {("warn", "expires-soon", "node.crt")}
    assert check(ca_dir, "--warn-within=5d")[0].code == 0
    assert found(check(ca_dir, "--fail-within=11d")[1]) == {("fail", "expires-soon", "node.crt")}
    assert check(ca_dir, "--warn-within=95%")[0].code == 1
    assert check(ca_dir, "--warn-within=5%")[0].code == 0


def test_effective_expiry_is_the_chains(ca_dir: Path) -> None:
    """A leaf outliving its CA is only as good as the CA: the warning names the CA."""
    shutil.rmtree(ca_dir / "certs")
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/short.key",
                 "--lifetime=480h", cwd=ca_dir)
    assert res.code == 0, res.err
    (ca_dir / "safe/ca.key").write_bytes((ca_dir / "safe/short.key").read_bytes())
    install(ca_dir, "node", hand_built(ca_dir, "node", "node", before=dt.timedelta(hours=-1),
                                       after=dt.timedelta(days=100)))
    text, report = check(ca_dir)
    assert found(report) == {("warn", "expires-soon", "node.crt"), ("warn", "expires-soon", "ca.crt")}
    assert "limited by its CA ca.crt #0" in text.out
    node = next(r for r in report["certificates"] if r["file"] == "node.crt")
    ca = next(r for r in report["certificates"] if r["file"] == "ca.crt")
    assert node["effective_not_after"] == ca["not_after"] != node["not_after"]
    assert node["days_left"] >= 99 and node["effective_days_left"] <= 20


def test_not_yet_valid(full_dir: Path) -> None:
    install(full_dir, "client.root", hand_built(full_dir, "root", "client",
                                                before=dt.timedelta(days=1),
                                                after=dt.timedelta(days=300)))
    _, report = check(full_dir)
    assert found(report) == {("fail", "not-yet-valid", "client.root.crt")}


def test_client_cn_must_match_file_name(full_dir: Path) -> None:
    for ext in ("crt", "key"):
        shutil.copy2(full_dir / f"certs/client.root.{ext}", full_dir / f"certs/client.alice.{ext}")
    text, report = check(full_dir)
    assert found(report) == {("fail", "client-cn", "client.alice.crt")}
    assert "pycert create-client alice --certs-dir=certs" in text.out


def test_node_cn_and_principal_map(full_dir: Path) -> None:
    res = pycert("create-node", "localhost", "--certs-dir=certs", "--ca-key=safe/ca.key",
                 "--overwrite", cwd=full_dir, env={"COCKROACH_CERT_NODE_USER": "foo"})
    assert res.code == 0, res.err
    assert found(check(full_dir)[1]) == {("fail", "node-principal", "node.crt")}
    assert check(full_dir, "--cert-principal-map=foo:node")[0].code == 0


def test_node_needs_server_and_client_auth(full_dir: Path) -> None:
    install(full_dir, "node", hand_built(full_dir, "node", "client", before=dt.timedelta(0),
                                         after=dt.timedelta(days=300)))
    assert found(check(full_dir)[1]) == {("fail", "node-eku", "node.crt")}


def test_key_of_another_cert(full_dir: Path) -> None:
    shutil.copy2(full_dir / "certs/client.root.key", full_dir / "certs/node.key")
    _, report = check(full_dir)
    assert found(report) == {("fail", "key-mismatch", "node.crt")}


def test_world_readable_key_and_its_chmod_fix(full_dir: Path) -> None:
    (full_dir / "certs/node.key").chmod(0o644)  # the 'other' bit fails even for root
    text, report = check(full_dir)
    assert found(report) == {("fail", "key-permissions", "node.crt")}
    assert "fix: chmod 600 certs/node.key" in text.out
    run_fix(full_dir, text.out)
    assert check(full_dir)[0].code == 0


def test_node_without_the_host(full_dir: Path) -> None:
    text, report = check(full_dir, "--host=db.example.com")
    assert found(report) == {("fail", "host-not-covered", "node.crt")}
    assert "create-node localhost 127.0.0.1 ::1 db.example.com --certs-dir=certs" in text.out
    text, _ = check(full_dir, "--host=db.example.com", "--ca-key=safe/ca.key")
    run_fix(full_dir, text.out)
    assert check(full_dir, "--host=db.example.com", "--host=::1")[0].code == 0


def test_rotated_ca_where_only_the_old_ca_signed_the_node(full_dir: Path) -> None:
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/ca2.key", "--overwrite",
                 cwd=full_dir)
    assert res.code == 0, res.err
    text, report = check(full_dir)
    assert text.code == 1 and found(report) == {
        ("warn", "signed-by-old-ca", "node.crt"), ("warn", "signed-by-old-ca", "client.root.crt")}
    bundle = (full_dir / "certs/ca.crt").read_text()
    end = "-----END CERTIFICATE-----\n"
    (full_dir / "certs/ca.crt").write_text(bundle.split(end)[0] + end)  # old CA removed
    assert found(check(full_dir)[1]) == {("fail", "chain", "node.crt"),
                                         ("fail", "chain", "client.root.crt")}


def test_clients_may_chain_to_the_client_ca(full_dir: Path) -> None:
    res = pycert("create-client-ca", "--certs-dir=certs", "--ca-key=safe/client-ca.key",
                 cwd=full_dir)
    assert res.code == 0, res.err
    res = pycert("create-client", "bob", "--certs-dir=certs", "--ca-key=safe/client-ca.key",
                 cwd=full_dir)
    assert res.code == 0, res.err
    _, report = check(full_dir)
    assert report["problems"] == []
    bob = next(r for r in report["certificates"] if r["file"] == "client.bob.crt")
    assert bob["signed_by"] == {"file": "ca-client.crt", "index": 0}


def test_missing_node_cert_is_info_unless_a_host_is_asked_for(ca_dir: Path) -> None:
    text, report = check(ca_dir)
    assert text.code == 0 and found(report) == {("info", "node-missing", "node.crt")}
    assert found(check(ca_dir, "--host=localhost")[1]) == {("fail", "node-missing", "node.crt")}


def test_missing_ca(tmp_path: Path) -> None:
    (tmp_path / "certs").mkdir()
    assert ("fail", "ca-missing", "ca.crt") in found(check(tmp_path)[1])


@pytest.mark.parametrize("args", [("--certs-dir=nowhere",), ("--bogus",), ("extra",),
                                  ("--warn-within=soon",), ("--fail-within=120%",),
                                  ("--format=yaml",)])
def test_usage_errors_and_missing_dir_exit_3(full_dir: Path, args: tuple[str, ...]) -> None:
    res = pycert("check", "--certs-dir=certs", *args, cwd=full_dir)
    assert res.code == 3 and res.out == ""
    assert "ERROR: " in res.err and 'Failed running "cert check"' in res.err
    assert "Traceback" not in res.err


@pytest.mark.parametrize(("host", "dns", "ips", "ok"), [
    ("db.example.com", ["DB.Example.com."], [], True),
    ("a.example.com", ["*.example.com"], [], True),
    ("a.b.example.com", ["*.example.com"], [], False),
    ("example.com", ["*.example.com"], [], False),
    ("127.0.0.1", ["127.0.0.1"], [], False),  # an IP never matches a DNS SAN
    ("127.0.0.1", [], ["127.0.0.1"], True),
    ("::ffff:127.0.0.1", [], ["127.0.0.1"], True),
    ("[::1]", [], ["::1"], True),
    ("fooexample.com", ["f*.example.com"], [], False),  # partial wildcards: not supported
])
def test_host_matching_rfc6125(host: str, dns: list[str], ips: list[str], ok: bool) -> None:
    assert host_covered(host, dns, ips) is ok


def test_thresholds() -> None:
    assert parse_threshold("30d") == Threshold(seconds=30 * 86400)
    assert parse_threshold("1h30m") == Threshold(seconds=5400)
    assert parse_threshold("10%") == Threshold(percent=10)
    assert parse_threshold("10%").hit(remaining=9, lifetime=100)
    assert not parse_threshold("10%").hit(remaining=11, lifetime=100)
    for bad in ("30", "d", "x%", "-5%"):
        with pytest.raises(ValueError):
            parse_threshold(bad)


def test_expired_old_ca_that_signs_nothing_is_only_noted(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/old.key", "--lifetime=1s",
                 cwd=tmp_path)
    assert res.code == 0, res.err
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/ca.key", "--overwrite",
                 cwd=tmp_path)
    assert res.code == 0, res.err
    make(tmp_path, "create-node", "localhost")
    time.sleep(1.5)
    text, report = check(tmp_path)
    assert text.code == 0
    assert ("info", "expired-unused-ca", "ca.crt") in found(report)


def test_a_bad_tenant_file_name_is_reported_as_cockroach_refuses_the_dir(full_dir: Path) -> None:
    shutil.copy(full_dir / "certs/client.root.crt", full_dir / "certs/client-tenant.abc.crt")
    listed = pycert("list", "--certs-dir=certs", cwd=full_dir)
    assert listed.code == 1 and "invalid tenant id abc" in listed.err
    res = pycert("check", "--certs-dir=certs", "--format=json", cwd=full_dir)
    problems = {p["check"]: p for p in json.loads(res.out)["problems"]}
    assert res.code == 2 and problems["tenant-id"]["file"] == "client-tenant.abc.crt"
    assert "refuses to load this directory" in problems["tenant-id"]["message"]


def test_a_missing_eku_names_only_what_is_missing(full_dir: Path) -> None:
    """A tenant client cert (needs clientAuth and serverAuth) with clientAuth alone."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    import certcorpus
    from pycert.pki.pem import encode

    certs = full_dir / "certs"
    ca = x509.load_pem_x509_certificate((certs / "ca.crt").read_bytes())
    key = serialization.load_pem_private_key((full_dir / "safe/ca.key").read_bytes(), None)
    case = certcorpus.Case("eku_client_only", "EKU clientAuth alone",
                           extensions=(certcorpus.key_usage(b"\xa0", 5),
                                       certcorpus.eku(certcorpus.CLIENT_AUTH)))
    der = certcorpus.build(case, certcorpus.Signer.of(ca, key))  # type: ignore[arg-type]
    (certs / "client-tenant.5.crt").write_bytes(encode("CERTIFICATE", der))
    (certs / "client-tenant.5.key").write_bytes(certcorpus.subject_key().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (certs / "client-tenant.5.key").chmod(0o600)
    res = pycert("check", "--certs-dir=certs", "--format=json", cwd=full_dir)
    eku = [p for p in json.loads(res.out)["problems"] if p["check"] == "tenant-client-eku"]
    assert [p["message"] for p in eku] == ["extended key usage ['clientAuth'] lacks serverAuth"]
