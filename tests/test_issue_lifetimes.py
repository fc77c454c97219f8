"""Issue 8 item 5: lifetimes in days/years, --not-after, --lifetime-policy, CA-too-short hint."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509

from conftest import pycert, snapshot

CA = ("--certs-dir=certs", "--ca-key=safe/ca.key")


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def _span(cert: x509.Certificate) -> dt.timedelta:
    return cert.not_valid_after_utc - cert.not_valid_before_utc - dt.timedelta(hours=24)


def test_lifetime_days_unit(ca_dir: Path) -> None:
    res = pycert("create-client", "root", *CA, "--lifetime=30d", cwd=ca_dir)
    assert res.code == 0, res.err
    assert _span(_cert(ca_dir / "certs/client.root.crt")) == dt.timedelta(days=30)


def test_lifetime_year_is_366_days(tmp_path: Path) -> None:
    res = pycert("create-ca", "--certs-dir=c", "--ca-key=ca.key", "--lifetime=2y12h", cwd=tmp_path)
    assert res.code == 0, res.err
    assert _span(_cert(tmp_path / "c/ca.crt")) == dt.timedelta(days=732, hours=12)


def test_go_duration_errors_unchanged(ca_dir: Path) -> None:
    res = pycert("create-client", "root", *CA, "--lifetime=3w", cwd=ca_dir)
    assert res.code == 4
    assert 'invalid argument "3w" for "--lifetime" flag: time: unknown unit "w" in duration "3w"' \
        in res.err


def test_not_after_sets_exact_end(ca_dir: Path) -> None:
    res = pycert("create-client", "root", *CA, "--not-after=2027-01-01T00:00:00Z", cwd=ca_dir)
    assert res.code == 0, res.err
    end = _cert(ca_dir / "certs/client.root.crt").not_valid_after_utc
    assert end == dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)


def test_not_after_with_offset_is_converted_to_utc(ca_dir: Path) -> None:
    res = pycert("create-client", "root", *CA, "--not-after=2027-01-01T02:00:00+02:00", cwd=ca_dir)
    assert res.code == 0, res.err
    end = _cert(ca_dir / "certs/client.root.crt").not_valid_after_utc
    assert end == dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)


def test_not_after_refuses_date_without_time_or_zone(ca_dir: Path) -> None:
    for bad in ("2027-01-01", "2027-01-01T00:00:00", "soon"):
        res = pycert("create-client", "root", *CA, f"--not-after={bad}", cwd=ca_dir)
        assert res.code == 4, bad
        assert f'invalid argument "{bad}" for "--not-after" flag: want an RFC 3339' in res.err
        assert "Traceback" not in res.err
    assert not (ca_dir / "certs/client.root.crt").exists()


def test_not_after_in_the_past_refused(ca_dir: Path) -> None:
    res = pycert("create-client", "root", *CA, "--not-after=2001-01-01T00:00:00Z", cwd=ca_dir)
    assert res.code == 1
    assert "--not-after 2001-01-01T00:00:00Z is not in the future" in res.err


def test_not_after_conflicts_with_lifetime(ca_dir: Path) -> None:
    res = pycert("create-client", "root", *CA, "--lifetime=1h",
                 "--not-after=2027-01-01T00:00:00Z", cwd=ca_dir)
    assert res.code == 4
    assert "cannot be combined with --lifetime" in res.err


def test_ca_too_short_keeps_cockroach_line_and_adds_dates(tmp_path: Path) -> None:
    assert pycert("create-ca", "--certs-dir=c", "--ca-key=ca.key", "--lifetime=30d",
                  cwd=tmp_path).code == 0
    before = snapshot(tmp_path)
    res = pycert("create-node", "localhost", "--certs-dir=c", "--ca-key=ca.key", cwd=tmp_path)
    assert res.code == 1
    lines = res.err.splitlines()
    assert lines[0].startswith("ERROR: failed to generate node certificate and key: error creating "
                               "node server certificate and key: CA lifetime is 7")
    assert lines[0].endswith("Renew CA certificate, or rerun with --lifetime=719h for a shorter "
                             "duration.")
    assert lines[1].startswith("HINT: the CA expires 20")
    assert "(in 30.0 days)" in lines[1] and "(in 1830.0 days)" in lines[1]
    assert "--lifetime-policy=clamp" in lines[1]
    assert lines[2] == 'Failed running "cert create-node"'
    assert snapshot(tmp_path) == before


def test_clamp_policy_ends_leaf_with_ca(tmp_path: Path) -> None:
    assert pycert("create-ca", "--certs-dir=c", "--ca-key=ca.key", "--lifetime=30d",
                  cwd=tmp_path).code == 0
    res = pycert("create-node", "localhost", "--certs-dir=c", "--ca-key=ca.key",
                 "--lifetime-policy=clamp", cwd=tmp_path)
    assert res.code == 0, res.err
    assert "--lifetime-policy=clamp: certificate ends with its CA at" in res.err
    ca, node = _cert(tmp_path / "c/ca.crt"), _cert(tmp_path / "c/node.crt")
    assert node.not_valid_after_utc == ca.not_valid_after_utc


def test_clamp_policy_is_silent_when_ca_outlives_leaf(ca_dir: Path) -> None:
    res = pycert("create-client", "root", *CA, "--lifetime-policy=clamp", "--lifetime=1d",
                 cwd=ca_dir)
    assert res.code == 0 and res.err == ""
    assert _span(_cert(ca_dir / "certs/client.root.crt")) == dt.timedelta(days=1)
