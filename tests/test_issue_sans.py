"""Issue 8 item 7: SAN hygiene through the CLI: refusals, IDNA, wildcard warning, --san."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from cryptography import x509

from conftest import pycert, snapshot
from tlsutil import handshake

CA = ("--certs-dir=certs", "--ca-key=safe/ca.key")


def _sans(path: Path) -> list[str]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(n.value) for n in ext]


@pytest.mark.parametrize(("host", "why"), [
    ("db1:26257", "looks like host:port"),
    ("[::1]:26257", "looks like host:port"),
    ("db1 db2", "contains white space"),
    ("db1,db2", "contains a comma"),
    ("", "empty"),
])
def test_unmatchable_host_refused_and_nothing_written(ca_dir: Path, host: str, why: str) -> None:
    before = snapshot(ca_dir)
    res = pycert("create-node", "localhost", host, *CA, cwd=ca_dir)
    assert res.code == 1
    assert res.err.splitlines()[0] == (
        f'ERROR: failed to generate node certificate and key: invalid host name "{host}": '
        f"{why}" + res.err.splitlines()[0].split(why, 1)[1])
    assert "pass each host as its own argument" in res.err
    assert snapshot(ca_dir) == before


def test_ipv6_and_zoned_names_are_not_host_port(ca_dir: Path) -> None:
    res = pycert("create-node", "::1", "[::2]", "fe80::1%eth0", *CA, cwd=ca_dir)
    assert res.code == 0, res.err
    assert _sans(ca_dir / "certs/node.crt") == ["fe80::1%eth0", "::1", "::2"]


def test_idn_becomes_punycode(ca_dir: Path) -> None:
    res = pycert("create-node", "bücher.example", "*.müller.de", *CA, cwd=ca_dir)
    assert res.code == 0, res.err
    assert _sans(ca_dir / "certs/node.crt") == ["xn--bcher-kva.example", "*.xn--mller-kva.de"]


def test_deep_wildcard_warns_but_issues(ca_dir: Path) -> None:
    res = pycert("create-node", "*.*.example.com", *CA, cwd=ca_dir)
    assert res.code == 0
    assert 'wildcard "*.*.example.com" is deeper than one label' in res.err
    assert _sans(ca_dir / "certs/node.crt") == ["*.*.example.com"]


def test_leftmost_wildcard_is_silent(ca_dir: Path) -> None:
    res = pycert("create-node", "*.local", "localhost", *CA, cwd=ca_dir)
    assert res.code == 0 and res.err == ""


def test_san_flag_adds_after_positional_hosts(ca_dir: Path) -> None:
    res = pycert("create-node", "localhost", "127.0.0.1", "--san=db.example,10.0.0.1",
                 "--san", "localhost", "--san=lb.example", *CA, cwd=ca_dir)
    assert res.code == 0, res.err
    sans = _sans(ca_dir / "certs/node.crt")
    assert sans == ["localhost", "db.example", "lb.example", "127.0.0.1", "10.0.0.1"]


def test_san_flag_alone_is_enough_for_create_node(ca_dir: Path) -> None:
    res = pycert("create-node", "--san=db.example", *CA, cwd=ca_dir)
    assert res.code == 0, res.err
    assert _sans(ca_dir / "certs/node.crt") == ["db.example"]


def test_san_flag_checked_too(ca_dir: Path) -> None:
    res = pycert("create-node", "localhost", "--san=db:26257", *CA, cwd=ca_dir)
    assert res.code == 1 and "looks like host:port" in res.err


def test_san_on_client_adds_dns_names(ca_dir: Path) -> None:
    res = pycert("create-client", "root", "--san=app.example", *CA, cwd=ca_dir)
    assert res.code == 0, res.err
    assert _sans(ca_dir / "certs/client.root.crt") == ["app.example"]


def test_idn_cert_handshakes_for_the_unicode_name(ca_dir: Path) -> None:
    """Python's ssl encodes server_hostname with IDNA, so the punycode SAN must match."""
    assert pycert("create-node", "bücher.example", *CA, cwd=ca_dir).code == 0
    certs = ca_dir / "certs"
    handshake(certs / "ca.crt", certs / "node.crt", certs / "node.key", "bücher.example")
    with pytest.raises(ssl.SSLCertVerificationError):
        handshake(certs / "ca.crt", certs / "node.crt", certs / "node.key", "other.example")
