"""`check` suggests the lifecycle command for each expiry and signer problem: `renew` for a
leaf (no host retyped), `rotate-*` when the CA itself ends, `prune-*` for a dead old CA; each
printed fix, pasted as it is (with the real key), clears its problem."""

from __future__ import annotations

import json
import shlex
import time
from pathlib import Path

from conftest import pycert
from lifecycle import CERTS, FAST, KEY, ok


def problems(work: Path, *args: str) -> list[dict[str, object]]:
    res = pycert("check", CERTS, "--format=json", *args, cwd=work)
    return list(json.loads(res.out)["problems"])


def fixes(work: Path, *args: str) -> dict[tuple[str, str], str]:
    return {(str(p["check"]), str(p["file"])): str(p["fix"]) for p in problems(work, *args)}


def run(work: Path, fix: str) -> None:
    args = shlex.split(fix)
    assert args[0] == "pycert"
    ok(work, *args[1:])


def test_expired_leaves_are_renewed_not_recreated(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", CERTS, KEY, FAST)
    ok(tmp_path, "create-node", "localhost", "db1.example.com", "10.0.0.7", CERTS, KEY, FAST,
       "--lifetime=1s")
    ok(tmp_path, "create-client", "root", CERTS, KEY, FAST, "--lifetime=1s")
    ok(tmp_path, "create-tenant-client", "10", "127.0.0.1", CERTS, KEY, FAST, "--lifetime=1s")
    time.sleep(1.5)
    found = fixes(tmp_path, KEY)
    assert found == {
        ("expired", "node.crt"): "pycert renew node --certs-dir=certs --ca-key=safe/ca.key",
        ("expired", "client.root.crt"): "pycert renew client root --certs-dir=certs "
        "--ca-key=safe/ca.key",
        ("expired", "client-tenant.10.crt"): "pycert renew tenant-client 10 --certs-dir=certs "
        "--ca-key=safe/ca.key",
    }
    for fix in found.values():
        run(tmp_path, fix)
    assert problems(tmp_path) == []


def test_signer_problems_suggest_renew(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", CERTS, KEY, FAST)
    ok(tmp_path, "create-node", "localhost", CERTS, KEY, FAST)
    ok(tmp_path, "rotate-ca", CERTS, "--ca-key=safe/ca-2.key", FAST)
    found = fixes(tmp_path, "--ca-key=safe/ca-2.key")
    assert found == {("signed-by-old-ca", "node.crt"):
                     "pycert renew node --certs-dir=certs --ca-key=safe/ca-2.key"}
    ok(tmp_path, "prune-ca", CERTS)  # nothing expired: both stay
    bundle = (tmp_path / "certs/ca.crt").read_text()
    end = "-----END CERTIFICATE-----\n"
    (tmp_path / "certs/ca.crt").write_text(bundle.split(end)[0] + end)  # the old CA is gone
    found = fixes(tmp_path, "--ca-key=safe/ca-2.key")
    assert found == {("chain", "node.crt"):
                     "pycert renew node --certs-dir=certs --ca-key=safe/ca-2.key"}
    run(tmp_path, found["chain", "node.crt"])
    assert problems(tmp_path) == []


def test_an_ending_ca_suggests_rotating_it(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", CERTS, KEY, FAST, "--lifetime=480h")
    ok(tmp_path, "create-node", "localhost", CERTS, KEY, FAST, "--lifetime=240h",
       "--lifetime-policy=clamp")
    ok(tmp_path, "create-client", "root", CERTS, KEY, FAST, "--lifetime=30d",
       "--lifetime-policy=clamp")  # ends with the CA: renewing it alone would not help
    found = fixes(tmp_path)
    rotate = "pycert rotate-ca --certs-dir=certs --ca-key=<path-to-new-ca-key>"
    assert found[("expires-soon", "ca.crt")] == rotate
    assert found[("expires-soon", "client.root.crt")] == rotate
    assert found[("expires-soon", "node.crt")] == "pycert renew node --certs-dir=certs " \
        "--ca-key=<path-to-ca-key>"


def test_an_old_ca_that_still_signs_and_expires_suggests_renewing_what_it_signs(
        tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", CERTS, "--ca-key=safe/old.key", FAST, "--lifetime=240h")
    ok(tmp_path, "create-client", "root", CERTS, "--ca-key=safe/old.key", FAST,
       "--lifetime=200h")
    ok(tmp_path, "rotate-ca", CERTS, KEY, FAST)
    found = fixes(tmp_path, KEY)
    renew = "pycert renew --all client --within=30d --certs-dir=certs --ca-key=safe/ca.key"
    assert found[("expires-soon", "ca.crt")] == renew
    assert found[("signed-by-old-ca", "client.root.crt")] == "pycert renew client root " \
        "--certs-dir=certs --ca-key=safe/ca.key"
    run(tmp_path, renew)
    assert set(fixes(tmp_path)) == {("node-missing", "node.crt")}  # info: no node here


def test_a_dead_old_ca_suggests_prune(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", CERTS, "--ca-key=safe/old.key", "--lifetime=1s", FAST)
    ok(tmp_path, "rotate-ca", CERTS, KEY, FAST)
    ok(tmp_path, "create-node", "localhost", CERTS, KEY, FAST)
    time.sleep(1.5)
    text = pycert("check", CERTS, cwd=tmp_path).out
    assert "[expired-unused-ca]" in text
    assert "      fix: pycert prune-ca --certs-dir=certs\n" in text
    run(tmp_path, "pycert prune-ca --certs-dir=certs")
    assert problems(tmp_path) == []
